"""`qes simulate` as a user runs it: the order file, the JSON summary, the plot, clear errors."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from support import run_qes, shared_path

WORDS = {
    1: ["reciprocity", "mutual", "help", "therapeutic", "relationship", "nurse", "service", "user", "recovery"],
    0: ["fracture", "tibia", "surgery", "implant", "bone", "healing", "orthopaedic", "screw", "plate"],
}


def labelled_csv(path: Path, n: int = 80, included: int = 12, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    labels = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "year", "label_included"])
        for i in range(n):
            label = 1 if i % (n // included) == 0 and sum(labels.values()) < included else 0
            words = rng.sample(WORDS[label], 5) + rng.sample(WORDS[1 - label], 1)
            writer.writerow([f"r{i}", " ".join(words[:3]), " ".join(words), 2000 + i % 20, label])
            labels[f"r{i}"] = label
    return labels


def test_simulate_writes_the_order_the_summary_and_the_plot(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    labels = labelled_csv(data)
    out, plot = tmp_path / "order.csv", tmp_path / "recall.png"
    result = run_qes("simulate", str(data), "--seed", "3", "--out", str(out), "--json", "--plot", str(plot))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"wss@95", "recall@10%", "records_to_find_all", "timings"} <= summary.keys()
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == ["record_id", "rank", "label_included"]
    assert sorted(r["record_id"] for r in rows) == sorted(labels)  # every record once
    assert [int(r["rank"]) for r in rows] == list(range(1, len(labels) + 1))
    assert {int(rows[0]["label_included"]), int(rows[1]["label_included"])} == {0, 1}  # the priors
    assert [r["record_id"] for r in rows[:2]] == summary["priors"]
    assert all(int(r["label_included"]) == labels[r["record_id"]] for r in rows)
    # Distinct vocabularies: the model finds all 12 included well before random order would (~74 of 80).
    assert summary["records_to_find_all"] <= 30 and summary["wss@95"] > 0.5
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run_qes("simulate", str(data), "--seed", "3", "--out", str(tmp_path / "again.csv"))
    assert again.returncode == 0 and (tmp_path / "again.csv").read_text() == out.read_text()  # the seed fixes it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("record_id,title,abstract\n1,a,b\n", "data.csv:1: no label_included column"),
        ("record_id,title,label_included\n1,a,1\n2,b,0\n3,c,yes please\n", "data.csv:4: label_included is 'yes please'"),
        ("record_id,title,label_included\n1,a,1\n1,b,0\n", "data.csv:3: record_id '1' appears twice"),
        ("record_id,title,label_included\n1,a,0\n2,b,0\n", "at least one included and one excluded"),
    ],
)
def test_bad_datasets_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "data.csv"
    data.write_text(content, encoding="utf-8")
    result = run_qes("simulate", str(data), "--out", str(tmp_path / "order.csv"))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "order.csv").exists()


@pytest.mark.shared
def test_simulate_on_a_real_synergy_set_beats_random_order(tmp_path: Path) -> None:
    data = shared_path("data", "synergy", "Donners_2021.csv")
    result = run_qes("simulate", str(data), "--seed", "1", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["records"] == 258 and summary["included"] == 15
    # Random order saves nothing on average (WSS@95 about 0); the default model saves about half.
    assert summary["wss@95"] > 0.4 and summary["recall@10%"] > 0.5
