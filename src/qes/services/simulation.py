"""`qes simulate`: screen a labelled dataset in a preset's order, the labels playing the reviewer.

Reads the CSV, runs `prioritise.simulate` (the same learning cycle as live screening), measures the
order and writes it (order.csv, an optional recall plot). File I/O here; the method is pure.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qes.errors import InputFileError
from qes.formats.textio import DecodedText
from qes.prioritise.features import matrix
from qes.prioritise.labelled import LabelledSet, parse_labelled
from qes.prioritise.metrics import measure
from qes.prioritise.presets import DEFAULT_PRESET, get_preset
from qes.prioritise.simulate import pick_priors, simulate


@dataclass(frozen=True)
class SimulationResult:
    dataset: str
    preset: str
    seed: int
    priors: list[str]  # record ids: one included, one excluded
    record_ids: list[str]  # in the order screened
    labels: list[int]
    metrics: dict[str, Any]
    timings: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "preset": self.preset,
            "seed": self.seed,
            "priors": self.priors,
            **self.metrics,
            "timings": self.timings,
        }


def load_labelled(path: Path) -> LabelledSet:
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    with path.open("rb") as raw:
        text = DecodedText(raw, path.name)  # BOMs, UTF-16 and cp1252 exports; refuses empty and binary files
        try:
            return parse_labelled(text.stream.read(), path.name)
        except csv.Error as exc:
            raise InputFileError(path.name, f"not a readable CSV: {exc}") from None


def run_simulation(
    path: Path, seed: int, *, preset: str = DEFAULT_PRESET, progress: Callable[[int], None] | None = None
) -> SimulationResult:
    chosen = get_preset(preset)
    started = time.perf_counter()
    data = load_labelled(path)
    loaded = time.perf_counter()
    X = matrix(data.records, chosen.features)
    featured = time.perf_counter()
    priors = pick_priors(data.labels, seed)
    done = [2]

    def advance(n: int) -> None:
        if progress:
            progress(n - done[0])
        done[0] = n

    order = simulate(X, data.labels, priors, chosen.model, progress=advance)
    finished = time.perf_counter()
    labels = [data.labels[i] for i in order]
    return SimulationResult(
        dataset=path.name,
        preset=preset,
        seed=seed,
        priors=[data.record_ids[i] for i in priors],
        record_ids=[data.record_ids[i] for i in order],
        labels=labels,
        metrics=measure(labels).to_json(),
        timings={
            "read_seconds": round(loaded - started, 3),
            "features_seconds": round(featured - loaded, 3),
            "screening_seconds": round(finished - featured, 3),
            "total_seconds": round(finished - started, 3),
        },
    )


def write_order(result: SimulationResult, out: Path) -> None:
    """order.csv: record_id, rank (1 = first screened; the priors are 1 and 2), label_included."""
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "rank", "label_included"])
        for rank, (rid, label) in enumerate(zip(result.record_ids, result.labels, strict=True), start=1):
            writer.writerow([rid, rank, label])


def plot_recall(result: SimulationResult, out: Path) -> None:
    """The recall curve against records screened, with random order and WSS@95 marked (PNG, SVG or PDF)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    total = sum(result.labels)
    found, curve = 0, []
    for label in result.labels:
        found += label
        curve.append(found / total)
    n = len(result.labels)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.plot(range(1, n + 1), curve, label=f"qes ({result.preset})", color="#1f6f43")
    ax.plot([0, n], [0, 1], linestyle="--", color="grey", label="random order")
    ax.axhline(0.95, color="#b04a2f", linewidth=0.8, linestyle=":")
    ax.set_xlabel("records screened")
    ax.set_ylabel("recall (share of included records found)")
    ax.set_title(f"{result.dataset}, seed {result.seed}: WSS@95 = {result.metrics['wss@95']:.3f}")
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
