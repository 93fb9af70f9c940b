"""Local search engine and translation speed over the SYNERGY records (../shared/data/synergy).

    .venv/bin/python benchmarks/search_bench.py [--queries 1000] [--copies 4]

Builds the index once over every SYNERGY record (`--copies` times over, ids made unique, to
measure scale), runs random PubMed strategies of 3-9 terms (truncation, phrases, [ti]/[tiab],
proximity, AND/OR/NOT) and translates each into the seven other syntaxes.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from pathlib import Path

from qes import search
from qes.search.engine import Index

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "synergy"


def documents(copies: int) -> dict[str, dict[str, object]]:
    docs: dict[str, dict[str, object]] = {}
    for path in sorted(SHARED.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for c in range(copies):
                    docs[f"{c}:{path.stem}:{row['record_id']}"] = {"title": row["title"], "abstract": row["abstract"]}
    return docs


def random_query(rng: random.Random, words: list[str]) -> str:
    def term() -> str:
        kind = rng.random()
        tag = rng.choice(["ti", "tiab"])
        if kind < 0.15:
            return f'"{rng.choice(words)} {rng.choice(words)}"[{tag}:~{rng.randint(0, 4)}]'
        if kind < 0.35:
            return f'"{rng.choice(words)} {rng.choice(words)}"[{tag}]'
        w = rng.choice(words)
        return f"{w[: max(4, len(w) - 2)]}*[{tag}]" if kind < 0.6 else f"{w}[{tag}]"

    def group(depth: int) -> str:
        if depth == 0 or rng.random() < 0.3:
            return term()
        op = rng.choice([" AND ", " OR ", " OR ", " NOT "])
        parts = [group(depth - 1) for _ in range(2 if op == " NOT " else rng.randint(2, 3))]
        return "(" + op.join(parts) + ")"

    return group(3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--copies", type=int, default=4)
    args = ap.parse_args()
    docs = documents(args.copies)
    counts: dict[str, int] = {}
    for d in list(docs.values())[: len(docs) // args.copies]:
        for w in set(re.findall(r"[a-z]{5,}", f"{d['title']} {d['abstract']}".lower())):
            counts[w] = counts.get(w, 0) + 1
    words = sorted(w for w, c in counts.items() if c >= 10)
    rng = random.Random(1)
    queries = [random_query(rng, words) for _ in range(args.queries)]

    t0 = time.perf_counter()
    index = Index(docs)
    t1 = time.perf_counter()
    trees = [search.parse(q, "pubmed") for q in queries]
    t2 = time.perf_counter()
    hits = [index.count(t) for t in trees]
    t3 = time.perf_counter()
    for t in trees:
        for target in search.SYNTAXES:
            search.write(t, target)
    t4 = time.perf_counter()
    print(f"records {len(docs):,}; queries {len(queries):,}; median hits {sorted(hits)[len(hits) // 2]:,}")
    print(f"index build      {t1 - t0:8.2f} s")
    print(f"parse (pubmed)   {t2 - t1:8.2f} s  ({(t2 - t1) / len(queries) * 1000:.2f} ms/query)")
    print(f"run              {t3 - t2:8.2f} s  ({(t3 - t2) / len(queries) * 1000:.2f} ms/query)")
    print(f"write x8 syntaxes{t4 - t3:8.2f} s  ({(t4 - t3) / len(queries) * 1000:.2f} ms/query)")


if __name__ == "__main__":
    main()
