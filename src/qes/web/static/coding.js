// The coding page: a mouse selection in the document becomes character offsets in the coding form,
// the suggestions panel is asked about it, and keys tick codes (1-9), pick the order (q / i) and code (c).
(function () {
  "use strict";

  function workspace() { return document.querySelector(".coding-grid"); }
  function docText() {
    const spans = document.querySelectorAll("#doc-text > span");
    return Array.from(spans, (s) => s.textContent).join("");
  }

  // Offset of (node, offset) in the document text: each piece is one <span data-start> holding one text node.
  function offsetOf(node, offset) {
    const article = document.getElementById("doc-text");
    if (node === article) {
      const span = article.children[Math.min(offset, article.children.length - 1)];
      if (!span) return 0;
      return offset >= article.children.length ? Number(span.dataset.start) + span.textContent.length : Number(span.dataset.start);
    }
    const span = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!span || !span.dataset || span.dataset.start === undefined) return null;
    return Number(span.dataset.start) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
  }

  function onSelect() {
    const article = document.getElementById("doc-text");
    const selection = window.getSelection();
    if (!article || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) return;
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null) return;
    if (start > end) [start, end] = [end, start];
    if (start === end) return;
    const text = docText().slice(start, end);
    document.getElementById("sel-start").value = start;
    document.getElementById("sel-end").value = end;
    document.getElementById("sel-text").value = text;
    const shown = text.length > 120 ? text.slice(0, 117) + "…" : text;
    document.getElementById("selection").textContent = "Selected " + start + "–" + end + ": “" + shown + "”";
    const doc = workspace().dataset.doc;
    if (window.htmx) {
      window.htmx.ajax("GET", "/coding/" + doc + "/suggest?start=" + start + "&end=" + end, { target: "#suggestions", swap: "innerHTML" });
    }
  }

  document.addEventListener("mouseup", (event) => {
    if (event.target.closest && event.target.closest("#doc-text")) onSelect();
  });
  document.addEventListener("keyup", (event) => {
    if (event.key.startsWith("Shift") || event.key.startsWith("Arrow")) onSelect();
  });

  // A suggestion ticks its code; it is never applied without the coder pressing "Code selection".
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.suggestion");
    if (!button) return;
    const box = document.querySelector('#code-form input[name=code][value="' + button.dataset.code + '"]');
    if (box) { box.checked = true; box.focus(); }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "checkbox" && event.target.type !== "radio") return;
    if (tag === "textarea" || tag === "select") return;
    const form = document.getElementById("code-form");
    if (!form) return;
    if (/^[1-9]$/.test(event.key)) {
      const box = form.querySelector('input[name=code][data-key="' + event.key + '"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (event.key === "q" || event.key === "i") {
      form.querySelector('input[name=order][value="' + (event.key === "q" ? "first" : "second") + '"]').checked = true;
      event.preventDefault();
    } else if (event.key === "c") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
