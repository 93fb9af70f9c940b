"""Screening decisions made in other tools (or an earlier qes), read from their CSV exports.

Reviews move between tools mid-way; the decisions already made are work nobody wants to redo.
The layout is recognised from the header row (names compared lower-cased and trimmed):

- plain: qes's own `record_id,stage,reviewer,decision[,reasons][,note]`, reasons joined by `;`.
- asreview: an ASReview LAB project export, `record_id` plus the label column, `included` (LAB 1.x,
  with `exported_notes_N` notes) or `asreview_label` (LAB 2.x, with `asreview_note`); 1 = relevant,
  0 = irrelevant, blank or -1 = not labelled yet (skipped and counted: unscreened, not excluded).
- rayyan: the `articles.csv` of a Rayyan export (`key`, `title`, ..., `notes`). Rayyan keeps its
  screening in `notes`, as " | "-separated sections after any note the reference was imported with:
  `RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"} | RAYYAN-LABELS: a,b |
  RAYYAN-EXCLUSION-REASONS: wrong population,wrong outcome | USER-NOTES: {"Alice"=>["note"]}`
  (Rayyan help centre, "Understanding your Rayyan export files"). One row per reviewer; a reference
  nobody decided on is skipped and counted.
- covidence: a Covidence reference export of one list (`Title`, `Authors`, ..., `DOI`, `Covidence #`,
  `Study`, `Notes`, `Tags`). The file does not say which list it is, so the caller passes the
  decision the list stands for. Full-text exclusions carry their reason in `Notes` as
  `Exclusion reason: <reason>;` (an `Exclusion reason` column is read too, should one be present).

Rows are plain data; matching `record_ref` to a qes record (by qes id, import id or the `hints`)
is the caller's job, so a file can be checked before anything is written.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from qes.errors import InputFileError, UserError
from qes.formats.textio import DecodedText

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # abstracts in exports exceed csv's 128 KiB default

LAYOUTS = ("plain", "asreview", "rayyan", "covidence")
_DECISIONS = {
    **dict.fromkeys(("include", "included", "yes", "1", "in"), "include"),
    **dict.fromkeys(("exclude", "excluded", "no", "0", "out"), "exclude"),
    **dict.fromkeys(("maybe", "unsure", "undecided", "?"), "maybe"),
}
_PLAIN_REQUIRED = ("record_id", "stage", "reviewer", "decision")
_HINT_COLUMNS = {"doi": ("doi",), "pmid": ("pmid", "pubmed_id", "pubmed id"), "title": ("title",)}
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_RAYYAN_SECTION = re.compile(r"(RAYYAN-INCLUSION|RAYYAN-LABELS|RAYYAN-EXCLUSION-REASONS|USER-NOTES)\s*:\s*", re.I)
_RAYYAN_VOTE = re.compile(_QUOTED + r"\s*=>\s*" + _QUOTED)
_RAYYAN_USER_NOTES = re.compile(_QUOTED + r"\s*=>\s*\[(.*?)\]", re.S)
_COVIDENCE_REASON = re.compile(r"exclusion reason:\s*([^;\n]*);?", re.I)
_DOI_URL = re.compile(r"doi\.org/(10\.\S+)", re.I)


@dataclass(frozen=True)
class DecisionRow:
    line: int  # 1-based line where the row starts (header = line 1), for error messages
    record_ref: str  # the record's id as given (qes id, id in its import file, or the tool's id)
    stage: str  # "" if the layout has none: the caller's --stage fills it
    reviewer: str  # "" if the layout has none: the caller's --reviewer fills it
    decision: str  # "include" | "exclude" | "maybe"
    reasons: tuple[str, ...] = ()
    note: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # doi / pmid / title, to find the record otherwise


def read_decisions(path: Path, *, default_decision: str | None = None) -> tuple[str, list[DecisionRow]]:
    """(layout name, decisions) of a decisions CSV; rows not yet screened are left out."""
    layout, rows, _skipped = read_decisions_with_skipped(path, default_decision=default_decision)
    return layout, rows


def read_decisions_with_skipped(path: Path, *, default_decision: str | None = None) -> tuple[str, list[DecisionRow], int]:
    """As `read_decisions`, plus how many rows were skipped as unscreened (so the CLI can say so)."""
    name = Path(path).name
    header, rows = _read_table(Path(path), name)
    return decisions_from_table(name, header, rows, default_decision=default_decision)


def decisions_from_table(
    name: str, header: list[str], rows: list[tuple[int, list[str]]], *, default_decision: str | None = None
) -> tuple[str, list[DecisionRow], int]:
    """The pure part: header cells and (line, cells) rows → (layout, decisions, skipped count)."""
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    layout = detect_layout(columns)
    if layout is None:
        shown = ", ".join(h.strip() for h in header[:12]) + (" ..." if len(header) > 12 else "")
        raise InputFileError(
            name,
            f"not a decisions file qes can read (columns: {shown}); layouts read: plain (record_id, stage, reviewer, "
            "decision[, reasons, note]), asreview (record_id and included or asreview_label), "
            "rayyan (key, title, notes), covidence (Covidence #)",
            line=1,
        )
    if layout == "covidence":
        if not default_decision:
            raise UserError(
                f"{name}: covidence export: pass the decision this list stands for (--decision include|exclude|maybe)"
            )
        default_decision = _decision(default_decision, name, 0)
    out: list[DecisionRow] = []
    skipped = 0
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank line, not a record
        # Short rows are padded; of two columns with one name the first wins (hence reversed).
        row = {col: cells[i].strip() if i < len(cells) else "" for i, col in reversed(list(enumerate(columns)))}
        made = _ROW_READERS[layout](row, name, line, default_decision or "")
        if not made:
            skipped += 1
        out.extend(made)
    return layout, out, skipped


def detect_layout(columns: list[str]) -> str | None:
    """The layout of a header (cells lower-cased and trimmed), or None."""
    present = set(columns)
    if all(c in present for c in _PLAIN_REQUIRED):
        return "plain"
    if "record_id" in present and ("included" in present or "asreview_label" in present):
        return "asreview"
    if {"key", "title", "notes"} <= present:
        return "rayyan"
    if "covidence #" in present:
        return "covidence"
    return None


def _read_table(path: Path, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise UserError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{name}: is a directory, not a decisions file") from None
    except OSError as exc:
        raise UserError(f"{name}: cannot read: {exc.strerror or exc}") from None
    text = DecodedText(raw, name)  # BOMs, UTF-16 and cp1252 exports; refuses empty and binary files
    line = 1
    try:
        first = next((ln for ln in text.head.split("\n") if ln.strip()), "")
        counts = {d: first.count(d) for d in (",", ";", "\t")}  # Excel in many locales saves CSV with ';'
        # strict: an unclosed quote would otherwise swallow every later row into one cell, silently.
        reader = csv.reader(text.stream, delimiter=max(counts, key=lambda d: counts[d]), strict=True)
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1  # the next row starts after the physical lines this one used
    except csv.Error as exc:
        raise InputFileError(name, f"not valid CSV: {exc}", line=line) from None
    except (OSError, UnicodeError) as exc:
        raise InputFileError(name, f"cannot read: {exc}") from None
    finally:
        text.close()
    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        raise InputFileError(name, "empty file: no header row")
    return rows[0][1], rows[1:]


def _decision(value: str, name: str, line: int) -> str:
    found = _DECISIONS.get(value.strip().lower())
    if found is None:
        raise InputFileError(name, f"decision {value.strip()!r} is not include, exclude or maybe", line=line)
    return found


def _ref(value: str, column: str, name: str, line: int) -> str:
    if not value:
        raise InputFileError(name, f"empty {column}: every row must name its record", line=line)
    return value


def _hints(row: dict[str, str]) -> dict[str, str]:
    hints = {}
    for hint, columns in _HINT_COLUMNS.items():
        value = next((row[c] for c in columns if row.get(c)), "")
        if hint == "doi" and not value:
            match = _DOI_URL.search(row.get("url", ""))  # Rayyan has no DOI column; its url often is one
            value = match.group(1) if match else ""
        if value:
            hints[hint] = value
    return hints


def _split(text: str, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _plain(row: dict[str, str], name: str, line: int, _default: str) -> list[DecisionRow]:
    return [
        DecisionRow(
            line=line,
            record_ref=_ref(row["record_id"], "record_id", name, line),
            stage=row["stage"],
            reviewer=row["reviewer"],
            decision=_decision(row["decision"], name, line),
            reasons=_split(row.get("reasons", ""), ";"),
            note=row.get("note", ""),
            hints=_hints(row),
        )
    ]


def _asreview(row: dict[str, str], name: str, line: int, _default: str) -> list[DecisionRow]:
    label = row.get("asreview_label") or row.get("included", "")
    if label in ("", "-1", "nan"):  # LAB writes blank (pandas may write nan; 0.x wrote -1) for unlabelled
        return []
    if label not in ("0", "1", "0.0", "1.0"):  # the label column is numeric: 'yes' here is not ASReview's
        raise InputFileError(name, f"label {label!r} is not 1, 0 or blank", line=line)
    notes = [row[c] for c in sorted(row) if (c.startswith("exported_notes") or c == "asreview_note") and row[c]]
    return [
        DecisionRow(
            line=line,
            record_ref=_ref(row["record_id"], "record_id", name, line),
            stage="",
            reviewer="",
            decision="include" if label.startswith("1") else "exclude",
            note="\n".join(notes),
            hints=_hints(row),
        )
    ]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _rayyan_sections(notes: str) -> tuple[str, dict[str, str]]:
    """(note the reference came with, {SECTION: text}) of a Rayyan `notes` cell."""
    marks = list(_RAYYAN_SECTION.finditer(notes))
    preface = (notes[: marks[0].start()] if marks else notes).strip().rstrip("|").strip()
    sections = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(notes)
        sections[mark.group(1).upper()] = notes[mark.end() : end].strip().rstrip("|").strip()
    return preface, sections


def _rayyan(row: dict[str, str], name: str, line: int, _default: str) -> list[DecisionRow]:
    preface, sections = _rayyan_sections(row.get("notes", ""))
    votes = [
        (_unquote(who), _decision(what, name, line)) for who, what in _RAYYAN_VOTE.findall(sections.get("RAYYAN-INCLUSION", ""))
    ]
    if not votes:
        return []
    reasons = tuple(r.removeprefix("__EXR__").strip() for r in _split(sections.get("RAYYAN-EXCLUSION-REASONS", ""), ","))
    user_notes = sections.get("USER-NOTES", "")
    per_reviewer = {
        _unquote(who): [_unquote(n).strip() for n in re.findall(_QUOTED, body) if n.strip()]
        for who, body in _RAYYAN_USER_NOTES.findall(user_notes)
    }
    unattributed = "" if per_reviewer else user_notes.strip("{}[] ")  # a shape we do not know: keep it, on every row
    ref = _ref(row["key"], "key", name, line)
    return [
        DecisionRow(
            line=line,
            record_ref=ref,
            stage="",
            reviewer=who,
            decision=decision,
            reasons=reasons if decision == "exclude" else (),  # Rayyan keeps one reason list per reference
            note="\n".join(n for n in (preface, *per_reviewer.get(who, ()), unattributed) if n),
            hints=_hints(row),
        )
        for who, decision in votes
    ]


def _covidence(row: dict[str, str], name: str, line: int, default: str) -> list[DecisionRow]:
    notes = row.get("notes", "")
    reasons = [r.strip() for r in _COVIDENCE_REASON.findall(notes) if r.strip()]
    for column in ("exclusion reason", "exclusion reasons", "reason for exclusion"):
        reasons.extend(_split(row.get(column, ""), ";"))
    return [
        DecisionRow(
            line=line,
            record_ref=_ref(row["covidence #"], "Covidence #", name, line),
            stage="",
            reviewer="",
            decision=default,
            reasons=tuple(dict.fromkeys(reasons)),
            note=_COVIDENCE_REASON.sub("", notes).strip(" ;\n"),
            hints=_hints(row),
        )
    ]


_ROW_READERS = {"plain": _plain, "asreview": _asreview, "rayyan": _rayyan, "covidence": _covidence}
