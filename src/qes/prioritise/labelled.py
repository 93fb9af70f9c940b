"""Labelled screening data for simulation: a CSV with `record_id,title,abstract,...,label_included`.

Pure parsing (text in, rows out); every problem names the file and line. The SYNERGY datasets and
ASReview exports have this shape; extra columns (authors, keywords, journal...) are kept as text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from qes.errors import InputFileError

TRUE = {"1", "1.0", "true", "yes", "y", "included", "include"}
FALSE = {"0", "0.0", "false", "no", "n", "excluded", "exclude"}


@dataclass(frozen=True)
class LabelledSet:
    record_ids: list[str]
    records: list[dict[str, str]]  # the text columns of each row
    labels: list[int]


def parse_labelled(text: str, file_name: str) -> LabelledSet:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if "label_included" not in header:
        raise InputFileError(file_name, f"no label_included column (columns: {', '.join(header) or 'none'})", line=1)
    if "title" not in header and "abstract" not in header:
        raise InputFileError(file_name, "no title or abstract column to learn from", line=1)
    reader.fieldnames = header
    ids: list[str] = []
    records: list[dict[str, str]] = []
    labels: list[int] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        raw = (row.get("label_included") or "").strip().lower()
        if raw in TRUE:
            label = 1
        elif raw in FALSE:
            label = 0
        else:
            raise InputFileError(file_name, f"label_included is {raw!r}; expected 1 or 0", line=line, record=len(ids) + 1)
        rid = (row.get("record_id") or "").strip() or str(len(ids) + 1)
        if rid in seen:
            raise InputFileError(file_name, f"record_id {rid!r} appears twice (first on line {seen[rid]})", line=line)
        seen[rid] = line
        ids.append(rid)
        records.append({k: (v or "") for k, v in row.items() if k and k != "label_included"})
        labels.append(label)
    if not ids:
        raise InputFileError(file_name, "no records")
    if sum(labels) == 0 or sum(labels) == len(labels):
        raise InputFileError(file_name, "simulation needs at least one included and one excluded record (label_included 1 and 0)")
    return LabelledSet(ids, records, labels)
