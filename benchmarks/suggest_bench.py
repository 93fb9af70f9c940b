"""Code suggestions (issue 7) measured on review 001's Results, where every paragraph's theme is known.

    .venv/bin/python benchmarks/suggest_bench.py [--seeds ../shared/seeds] [--json]

Review 001 (Ljungberg, Denhov & Topor 2015) presents its ten themes one heading at a time; every
paragraph under a heading (quotes included) belongs to that theme. For each paragraph the ten themes are
ranked by `qes.coding.suggest.suggest` using the built-in helpful-relationships codebook (each theme's
definition, its concepts' names and definitions as notes) and, leave-one-out, every *other* paragraph as
a segment already coded with its theme. Reported: top-1 and top-3 accuracy for BM25 and TF-IDF, with and
without the coded paragraphs (definitions only), and the chance rates (1/10, 3/10).

The built-in definitions are sentences of these same paragraphs (the paper's words), so a held-out
paragraph may contain its own theme's definition. The "leak-free" rows drop, for each held-out paragraph,
every definition with a passage taken from it: the honest estimate for new material.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from qes.coding.frameworks import HELPFUL_RELATIONSHIPS
from qes.coding.suggest import CodeProfile, suggest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _fold(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower().replace(" a ", " "))


def results_paragraphs(text: str) -> list[tuple[str, str]]:
    """(theme, paragraph) for every paragraph of the Results, from the first theme heading to the overarching part."""
    themes = [t.name for t in HELPFUL_RELATIONSHIPS.themes]
    headings = {_fold(t): t for t in themes}
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Results")
    paragraphs: list[tuple[str, str]] = []
    theme = None
    for line in lines[start + 1 :]:
        line = line.strip()
        if not line:
            continue
        if line.startswith("Overarching Interpretation"):
            break
        folded = _fold(line)
        if folded in headings:
            theme = headings[folded]
            continue
        if theme is None:
            continue  # the Results' introduction, before the first theme
        if paragraphs and paragraphs[-1][0] == theme and line[0].islower():
            paragraphs[-1] = (theme, paragraphs[-1][1] + " " + line)  # a paragraph broken across a page
        else:
            paragraphs.append((theme, line))
    missing = set(themes) - {t for t, _ in paragraphs}
    if missing:
        raise SystemExit(f"no paragraphs found for {sorted(missing)}: is this review 001's text?")
    return paragraphs


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*\[[\d,\s–\-p.]+\]", "", text))


def _unless_in(definition: str, held_out: str | None) -> str:
    """The definition, or '' when one of its passages was taken from the held-out paragraph (leak-free runs)."""
    if held_out is not None and any(part and part in held_out for part in definition.split(" … ")):
        return ""
    return definition


def profiles(paragraphs: list[tuple[str, str]], leave_out: int | None, leak_free: bool = False) -> list[CodeProfile]:
    held_out = _plain(paragraphs[leave_out][1]) if leak_free and leave_out is not None else None
    out = []
    for theme in HELPFUL_RELATIONSHIPS.themes:
        notes = " ".join(f"{c.name}. {_unless_in(c.definition, held_out)}" for c in theme.children)
        examples = tuple(p for i, (t, p) in enumerate(paragraphs) if t == theme.name and i != leave_out)
        out.append(CodeProfile(theme.name, theme.name, _unless_in(theme.definition, held_out), notes, examples))
    return out


def evaluate(paragraphs: list[tuple[str, str]], method: str, with_examples: bool, leak_free: bool) -> dict[str, float]:
    top1 = top3 = 0
    started = time.perf_counter()
    for i, (theme, paragraph) in enumerate(paragraphs):
        ranked = [
            s.key for s in suggest(paragraph, profiles(paragraphs, i, leak_free), method=method, with_examples=with_examples)
        ]  # type: ignore[arg-type]
        top1 += ranked[0] == theme
        top3 += theme in ranked[:3]
    n = len(paragraphs)
    return {
        "top1": round(top1 / n, 3),
        "top3": round(top3 / n, 3),
        "ms_per_suggestion": round(1000 * (time.perf_counter() - started) / n, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = next(args.seeds.glob("001_*.txt")).read_text(encoding="utf-8")
    paragraphs = results_paragraphs(text)
    report: dict = {
        "paragraphs": len(paragraphs),
        "themes": len(HELPFUL_RELATIONSHIPS.themes),
        "chance": {"top1": 0.1, "top3": 0.3},
    }
    for method in ("bm25", "tfidf"):
        for leak_free in (False, True):
            tag = ", leak-free" if leak_free else ""
            report[f"{method}: codebook + coded paragraphs{tag}"] = evaluate(paragraphs, method, True, leak_free)
            report[f"{method}: definitions only{tag}"] = evaluate(paragraphs, method, False, leak_free)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['paragraphs']} paragraphs, {report['themes']} themes (chance: top-1 0.10, top-3 0.30)")
    for key, value in report.items():
        if isinstance(value, dict) and "top1" in value and key != "chance":
            print(f"  {key:52s} top-1 {value['top1']:.3f}  top-3 {value['top3']:.3f}  {value['ms_per_suggestion']} ms")


if __name__ == "__main__":
    main()
