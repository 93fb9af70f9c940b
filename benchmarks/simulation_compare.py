"""qes's default preset vs ASReview's default (elas_u4) on labelled SYNERGY sets, same priors, same run.

Used by screening_bench.py (`--part simulation`). For each dataset and seed, qes picks one included
and one excluded prior record by the seed (qes.prioritise.simulate.pick_priors); ASReview gets the
same two rows (--prior-idx), so the two orders differ only by the model. Both screen until every
included record is found (ASReview's own stopping point); the rest of an order cannot change the
metrics. Metric definitions: qes.prioritise.metrics (printed with the results).

ASReview runs in its own environment, created on first use: benchmarks/.asr-venv (asreview==3.0.8).
"""

from __future__ import annotations

import csv
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from qes.prioritise.features import matrix
from qes.prioritise.metrics import measure
from qes.prioritise.presets import DEFAULT_PRESET, get_preset
from qes.prioritise.simulate import pick_priors, simulate

HERE = Path(__file__).resolve().parent
ASR_VENV = HERE / ".asr-venv"
ASREVIEW_VERSION = "3.0.8"


def ensure_asreview() -> Path:
    python = ASR_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ASR_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"asreview=={ASREVIEW_VERSION}"], check=True)
    return python


def load(path: Path) -> tuple[list[dict[str, str]], list[int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows, [int(r["label_included"]) for r in rows]


def complete(order: list[int], n: int) -> list[int]:
    seen = set(order)
    return order + [i for i in range(n) if i not in seen]


def run_qes(path: Path, seed: int, preset: str) -> dict[str, Any]:
    rows, labels = load(path)
    started = time.perf_counter()
    chosen = get_preset(preset)
    X = matrix(rows, chosen.features)
    order = simulate(X, labels, pick_priors(labels, seed), chosen.model, stop_when_all_found=True)
    seconds = time.perf_counter() - started
    return measure([labels[i] for i in complete(order, len(labels))]).to_json() | {"seconds": round(seconds, 2)}


def run_asreview(python: Path, path: Path, seed: int) -> dict[str, Any]:
    _rows, labels = load(path)
    prior_in, prior_ex = pick_priors(labels, seed)
    out = subprocess.run(
        [
            str(python),
            str(HERE / "peer_asreview.py"),
            str(path),
            "--prior-rows",
            str(prior_in),
            str(prior_ex),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(out.stdout)
    order = complete(list(data["rows"]), len(labels))
    return measure([labels[i] for i in order]).to_json() | {"seconds": round(data["seconds"], 2)}


def compare(datasets: list[Path], seeds: list[int], preset: str = DEFAULT_PRESET) -> dict[str, Any]:
    python = ensure_asreview()
    results: dict[str, Any] = {}
    for path in datasets:
        per: dict[str, list[dict[str, Any]]] = {"qes": [], "asreview": []}
        for seed in seeds:
            per["qes"].append(run_qes(path, seed, preset))
            per["asreview"].append(run_asreview(python, path, seed))
            q, a = per["qes"][-1], per["asreview"][-1]
            print(f"  {path.stem} seed {seed}: WSS@95 qes {q['wss@95']:.3f} asreview {a['wss@95']:.3f}", flush=True)
        results[path.stem] = {tool: summarise(runs) for tool, runs in per.items()}
    means = {tool: statistics.mean(r[tool]["wss@95"] for r in results.values()) for tool in ("qes", "asreview")}
    return {"preset": preset, "seeds": seeds, "datasets": results, "mean_wss@95": means}


def summarise(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = ("wss@95", "recall@10%", "records_to_find_all", "seconds")
    return {k: round(statistics.mean(r[k] for r in runs), 4) for k in keys}


def report(result: dict[str, Any]) -> None:
    print(
        f"\nqes preset {result['preset']!r} vs ASReview {ASREVIEW_VERSION} elas_u4, "
        f"seeds {result['seeds'][0]}-{result['seeds'][-1]}"
    )
    print(
        f"{'dataset':24s} {'WSS@95 qes':>10s} {'asreview':>9s} {'diff':>7s} {'R@10% qes':>9s} {'asreview':>9s} "
        f"{'all@ qes':>8s} {'asreview':>8s} {'s qes':>6s} {'s asr':>6s}"
    )
    for name, r in result["datasets"].items():
        q, a = r["qes"], r["asreview"]
        print(
            f"{name:24s} {q['wss@95']:10.3f} {a['wss@95']:9.3f} {q['wss@95'] - a['wss@95']:+7.3f} {q['recall@10%']:9.3f} "
            f"{a['recall@10%']:9.3f} {q['records_to_find_all']:8.1f} {a['records_to_find_all']:8.1f} "
            f"{q['seconds']:6.1f} {a['seconds']:6.1f}"
        )
    m = result["mean_wss@95"]
    print(f"{'mean':24s} {m['qes']:10.3f} {m['asreview']:9.3f} {m['qes'] - m['asreview']:+7.3f}")
