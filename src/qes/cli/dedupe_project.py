"""`qes dedupe` over a project: run, groups, undo, decide, and the interactive review (see `qes.cli.dedupe`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qes.services import dedupe_project as service
from qes.services.project import opened

Emit = Callable[[dict[str, Any], bool, Callable[[], list[str]]], None]


def run(command: str, args: argparse.Namespace, emit: Emit, progress: Callable[[bool], Any]) -> int:
    directory = Path(args.project) if args.project else None
    with opened(directory, db=args.db, actor=args.user) as project:
        if command == "run":
            update, stop = progress(not args.json)
            try:
                summary = service.run_dedupe(project, progress=update)
            finally:
                stop()
            emit(summary.to_json(), args.json, lambda: _run_lines(summary))
        elif command == "groups":
            groups = service.list_groups(project)
            emit(
                {"groups": groups},
                args.json,
                lambda: [f"group {g['group']}: {g['records']} records ({g['rule']})" for g in groups] or ["no duplicate groups"],
            )
        elif command == "undo":
            result = service.undo_group(project, args.group, actor=args.user)
            emit(
                result,
                args.json,
                lambda: [f"group {result['group']} undone: records {', '.join(map(str, result['records']))} stand alone again"],
            )
        elif command == "decide":
            result = service.decide_pair(project, args.pair, args.decision, actor=args.user)
            emit(result, args.json, lambda: [f"pair {result['pair']}: {result['decision']}"])
        elif command == "review":
            return _review(project, args)
    return 0


def _run_lines(summary: service.RunSummary) -> list[str]:
    lines = [
        f"{summary.records} records: {summary.duplicates_removed} duplicates removed "
        f"({summary.groups_created} new groups, {summary.groups_extended} extended); "
        f"{summary.open_pairs} pairs to review (`qes dedupe review`)",
        *(f"  {source}: {n} removed as duplicates" for source, n in summary.per_source.items()),
    ]
    for link in summary.linked_to_screened:
        lines.append(
            f"  record {link['record']} duplicates record {link['linked_to']}, already {link['primary_status']}: "
            "linked, not screened again"
        )
    return lines


def _review(project: Any, args: argparse.Namespace) -> int:
    """One pair at a time, side by side: s = same, d = different, n = skip, q = quit."""
    import click
    from rich.console import Console
    from rich.table import Table

    console = Console()
    queue = service.review_queue(project)
    if not queue:
        console.print("The review queue is empty.")
        return 0
    decided = 0
    for item in queue:
        left, right = item["records"]
        table = Table(title=f"pair {item['pair']}: {item['reason']} (title similarity {item['score']})", show_lines=True)
        table.add_column("field", style="bold")
        table.add_column(f"record {left['id']}")
        table.add_column(f"record {right['id']}")
        for name in ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid"):
            style = "yellow" if name in item["differs"] else ""
            table.add_row(
                name, f"[{style}]{left[name]}[/]" if style else left[name], f"[{style}]{right[name]}[/]" if style else right[name]
            )
        console.print(table)
        console.print("[bold]s[/] same  [bold]d[/] different  [bold]n[/] skip  [bold]q[/] quit: ", end="")
        key = click.getchar().lower() if sys.stdin.isatty() else (sys.stdin.readline()[:1] or "q").lower()
        console.print(key)
        if key == "q":
            break
        if key in ("s", "d"):
            service.decide_pair(project, item["pair"], "same" if key == "s" else "different", actor=args.user)
            decided += 1
            if args.limit and decided >= args.limit:
                break
    console.print(f"{decided} decision(s) recorded.")
    return 0
