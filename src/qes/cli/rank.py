"""`qes simulate` (active learning on labelled data), `qes rank` (a stage's live ranking),
`qes stopping` (order, stopping rule, verdict) and `qes stop` (stop a stage by its rule)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from qes.cli.common import AsOpt, DbOpt, JsonOpt, ProjectOpt, console, handle_errors, print_json, progress_bar, who_is
from qes.cli.screen import StageOpt
from qes.prioritise.presets import DEFAULT_PRESET, PRESETS
from qes.services import priority, simulation, stopping
from qes.services.project import opened

PresetOpt = Annotated[str, typer.Option("--preset", help=f"Model preset: {', '.join(PRESETS)}.")]


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
    app.command("rank")(rank)
    app.command("stopping")(stopping_cmd)
    app.command("stop")(stop)


@handle_errors
def simulate(
    dataset: Annotated[Path, typer.Argument(help="CSV with record_id,title,abstract,...,label_included.")],
    seed: Annotated[int, typer.Option("--seed", help="Picks the two prior records (one included, one excluded).")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Write the order screened: record_id,rank,label_included.")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the recall curve (.png, .svg or .pdf).")] = None,
    preset: PresetOpt = DEFAULT_PRESET,
    json_out: JsonOpt = False,
) -> None:
    """Simulate prioritised screening on labelled data: the labels play the reviewer."""
    total = None
    try:
        total = sum(1 for _ in dataset.open("rb")) - 1 if dataset.is_file() else None
    except OSError:
        total = None
    with progress_bar("screening in model order", total, enabled=not json_out) as advance:
        result = simulation.run_simulation(dataset, seed, preset=preset, progress=advance)
    if out:
        simulation.write_order(result, out)
    if plot:
        simulation.plot_recall(result, plot)
    if json_out:
        print_json(result.to_json())
        return
    m = result.metrics
    console.print(
        f"{escape(result.dataset)}: {m['records']} records, {m['included']} included; "
        f"preset {result.preset}, seed {result.seed}\n"
        f"  WSS@95 {m['wss@95']:.3f} · recall after 10% screened {m['recall@10%']:.3f} · "
        f"all included found after {m['records_to_find_all']} records · {result.timings['total_seconds']:.1f} s"
    )
    if out:
        console.print(f"  order written to {escape(str(out))}")


@handle_errors
def rank(
    stage: StageOpt = None,
    as_: AsOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many of the next records to list.")] = 10,
    refresh: Annotated[bool, typer.Option("--refresh/--no-refresh", help="Retrain now (else show the stored ranking).")] = True,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Retrain your ranking of a stage and list the records you will be served next."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        if refresh:
            with console.status("ranking the stage's records") if not json_out else nullcontext():
                info = priority.refresh_ranking(p, stage, who)
                priority.refresh_ranking(p, stage, "")
        else:
            info = priority.ranking_info(p, stage, who)
        nxt = priority.top_records(p, stage, who, top)
    data: dict[str, Any] = {"ranking": info.to_json() if info else None, "next": nxt}
    if json_out:
        print_json(data)
        return
    if info is None:
        console.print("No ranking yet: it needs at least one included and one excluded record. Records come in id order.")
    else:
        console.print(
            f"Ranking of {info.records} records ({info.preset}), learnt from {info.labelled} decisions "
            f"({info.included} include/maybe) in {info.seconds:.2f} s."
        )
    table = Table("rank", "record", "score")
    for i, row in enumerate(nxt, 1):
        table.add_row(str(i), str(row["record_id"]), "" if row["score"] is None else f"{row['score']:.3f}")
    console.print(table)


def print_verdict(v: dict[str, Any]) -> None:
    rule = v["rule"]
    est = v.get("recall_estimate")
    low = v.get("recall_lower")
    console.print(
        f"Stage {escape(v['stage'])}: order {v['order']}, preset {v['preset']}; {v['screened']} screened, "
        f"{v['found']} included, {v['remaining']} not yet screened."
    )
    if est is not None:
        console.print(f"Estimated recall {est:.1%} (at least {low:.1%} with {rule['confidence']:.0%} confidence).")
    verdict = "[bold green]safe to stop[/]" if v["safe"] else "[bold yellow]keep screening[/]"
    console.print(f"Rule: {escape(rule['description'])}\nVerdict: {verdict}: {escape(v['reason'])}")
    console.print(f"Heuristic: {escape(v['consecutive_excluded'])}", style="dim")
    if v.get("stopped"):
        s = v["stopped"]
        console.print(f"Stopped {s['at']} by {escape(s['by'])}: {s['excluded']} records excluded by the rule.")


@handle_errors
def stopping_cmd(
    stage: StageOpt = None,
    as_: AsOpt = None,
    rule: Annotated[str | None, typer.Option("--rule", help="ranked | sample | consecutive (owner or adjudicator).")] = None,
    target: Annotated[float | None, typer.Option("--target", help="Target recall, e.g. 0.95.")] = None,
    confidence: Annotated[float | None, typer.Option("--confidence", help="Confidence, e.g. 0.95.")] = None,
    consecutive: Annotated[int | None, typer.Option("--consecutive", help="N for the consecutive-exclusions heuristic.")] = None,
    order: Annotated[str | None, typer.Option("--order", help="priority | random | file. random starts the sample.")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help=f"Model preset: {', '.join(PRESETS)}.")] = None,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a stage's estimated recall and stopping verdict; with options, change its order or rule."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        if any(x is not None for x in (rule, target, confidence, consecutive, order, preset)):
            stopping.configure(
                p,
                stage,
                who,
                preset=preset,
                order=order,
                rule=rule,
                target=target,
                confidence=confidence,
                consecutive=consecutive,
            )
        v = stopping.stopping_status(p, stage, who)
    print_json(v) if json_out else print_verdict(v)


@handle_errors
def stop(
    stage: StageOpt = None,
    as_: AsOpt = None,
    note: Annotated[str, typer.Option("--note", help="Why the team stops here (kept in the audit trail).")] = "",
    force: Annotated[bool, typer.Option("--force", help="Stop although the rule does not allow it yet (recorded).")] = False,
    project: ProjectOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Stop a stage by its stopping rule: the records nobody has screened are excluded by automation."""
    who = who_is(as_, "is screening")
    with opened(project, db=db, actor=who) as p:
        result = stopping.stop_stage(p, stage, who, note=note, force=force)
    if json_out:
        print_json(result)
    else:
        console.print(
            f"Stage {escape(result['stage'])} stopped: {result['excluded']} unscreened records excluded by the stopping rule."
        )
