"""Run bib-dedupe (the peer) on one records CSV and write its result in qes's standalone layout.

Runs inside `benchmarks/.peer-venv` (bib-dedupe is not a qes dependency):

    benchmarks/.peer-venv/bin/python benchmarks/peer_bib_dedupe.py records_pre_merged.csv OUTDIR

Writes OUTDIR/groups.csv (record_id,group_id) and OUTDIR/maybe.csv (record_id_1,record_id_2), the
same files `qes dedupe FILE --out DIR` writes, so one evaluator scores both.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep


def main(records_csv: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = pd.read_csv(records_csv)
    records_prepped = prep(records, verbosity_level=0, cpu=2)
    pairs = block(records_prepped, verbosity_level=0, cpu=2)
    matched = match(pairs, verbosity_level=0, cpu=2)
    groups = cluster(matched, verbosity_level=0)
    with (out / "groups.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "group_id"])
        for number, group in enumerate(groups, start=1):
            for record_id in sorted(group):
                writer.writerow([record_id, number])
    maybe = matched[matched["duplicate_label"] == "maybe"] if not matched.empty else matched
    with (out / "maybe.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id_1", "record_id_2"])
        for row in maybe.itertuples(index=False):
            writer.writerow([row.ID_1, row.ID_2])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
