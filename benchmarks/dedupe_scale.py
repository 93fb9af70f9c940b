"""De-duplication at scale: 10k → 1M synthetic records (real records perturbed as databases differ).

    .venv/bin/python benchmarks/dedupe_scale.py [--sizes 10000,100000,1000000] [--work /tmp/qes-scale]

For each size: make the set with benchmarks/make_dedupe_scale.py (not timed), then time
`qes dedupe records_pre_merged.csv --out DIR` as a whole process under /usr/bin/time (wall seconds,
peak resident memory), and score its groups.csv against the truth (precision, recall, false positives).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from dedupe_bench import QES, count_rows, pairs_of, predicted_groups, score, truth_groups

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qes-scale"))
    args = parser.parse_args()
    print(f"{'records':>9}{'seconds':>9}{'peak MB':>9}{'s per 10k':>10}{'precision':>10}{'recall':>8}{'FP pairs':>9}{'maybe':>8}")
    for n in (int(x) for x in args.sizes.split(",")):
        data = args.work / f"set{n}"
        if not (data / "records_pre_merged.csv").exists():
            make = [sys.executable, str(HERE / "make_dedupe_scale.py"), "--n", str(n), "--out-dir", str(data)]
            subprocess.run(make, check=True)
        out = args.work / f"out{n}"
        timed = subprocess.run(
            ["/usr/bin/time", "-f", "TIME %e %M", str(QES), "dedupe", str(data / "records_pre_merged.csv"), "--out", str(out)],
            capture_output=True,
            text=True,
        )
        if timed.returncode != 0:
            raise SystemExit(timed.stderr[-2000:])
        match = re.search(r"TIME ([\d.]+) (\d+)", timed.stderr)
        assert match, timed.stderr
        seconds, peak_mb = float(match.group(1)), int(match.group(2)) / 1024
        s = score(pairs_of(truth_groups(data / "merged_record_ids.csv")), pairs_of(predicted_groups(out / "groups.csv")))
        maybe = count_rows(out / "maybe.csv")
        print(
            f"{n:>9}{seconds:>9.1f}{peak_mb:>9.0f}{seconds / n * 10000:>10.2f}{s['precision']:>10.4f}{s['recall']:>8.4f}"
            f"{s['fp']:>9}{maybe:>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
