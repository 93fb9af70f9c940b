"""benchmarks/make_dedupe_scale.py writes a well-formed benchmark whose truth groups are plausible duplicates."""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from pathlib import Path

from support import shared_path  # skips without ../shared, fails when CI is set

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "make_dedupe_scale.py"
INITIAL = re.compile(r"^\w\.(-\w\.)*$")  # "J." or "J.-P."


def load_script():
    spec = importlib.util.spec_from_file_location("make_dedupe_scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_author_family(authors: str) -> str:
    """The family name in any style the script writes: 'Smith, J. A.', 'Smith JA', 'J. A. Smith'."""
    first = authors.split(" and ")[0].strip()
    if "," in first:
        family = first.split(",")[0]
    else:
        tokens = first.split()
        if len(tokens) > 1 and tokens[-1].isalpha() and tokens[-1].isupper() and len(tokens[-1]) <= 4:
            family = " ".join(tokens[:-1])
        else:
            while len(tokens) > 1 and INITIAL.match(tokens[0]):
                tokens.pop(0)
            family = " ".join(tokens)
    folded = unicodedata.normalize("NFKD", family)
    return "".join(ch for ch in folded if not unicodedata.combining(ch) and ch.isalnum()).casefold()


def test_small_benchmark_is_well_formed(tmp_path: Path) -> None:
    shared = shared_path()
    n = 3000
    load_script().main(["--n", str(n), "--out-dir", str(tmp_path), "--seed", "1", "--shared", str(shared)])

    with (tmp_path / "records_pre_merged.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n
    records = {row["ID"]: row for row in rows}
    assert len(records) == n, "record IDs are not unique"

    with (tmp_path / "merged_record_ids.csv").open(encoding="utf-8", newline="") as fh:
        groups = [row["merged_ids"].split(";") for row in csv.DictReader(fh)]
    assert groups
    seen: set[str] = set()
    for group in groups:
        assert len(group) >= 2, group
        assert set(group) <= records.keys(), group
        assert not seen & set(group), f"an ID is in two groups: {group}"
        seen.update(group)
        families = {first_author_family(records[rid]["author"]) for rid in group}
        assert len(families) == 1, [records[rid]["author"] for rid in group]
