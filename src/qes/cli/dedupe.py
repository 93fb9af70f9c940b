"""`qes dedupe`: standalone on files, or over a project; `review`, `decide`, `undo`, `groups`.

    qes dedupe FILE... --out DIR        groups.csv, maybe.csv, unique.<fmt>, summary.json in DIR
    qes dedupe [--project DIR]          all records of the project (a later import: the new ones
                                        against what is there)
    qes dedupe review                   the review queue, side by side, one key per decision
    qes dedupe decide PAIR same|different
    qes dedupe undo GROUP               split a merged group back into its records
    qes dedupe groups                   the merged groups

This command parses its own arguments (argparse) and the `qes` entry point hands `dedupe` to it
before Typer loads: a standalone run on a small file then takes a tenth of a second, most of it
Python's own start-up, which matters to scripts that call it once per file. Typer still lists it
in `qes --help` and forwards to the same `main`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from qes.errors import UserError

if TYPE_CHECKING:
    import argparse

EXAMPLES = __doc__.split("\n\n")[1] if __doc__ else ""


def _parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="qes dedupe",
        description="Find duplicate records: in export files (--out) or in the project.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="export files to de-duplicate together (standalone)")
    parser.add_argument("--out", metavar="DIR", help="output folder for the standalone run")
    _project_options(parser)
    return parser


def _project_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", "-p", metavar="DIR", help="project folder (default: found upwards)")
    parser.add_argument("--db", metavar="URL", help="database URL, overriding qes.toml")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--as", dest="user", metavar="EMAIL", help="act as this user (default: the project owner)")


def _sub_parser(name: str) -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog=f"qes dedupe {name}")
    if name == "undo":
        parser.add_argument("group", type=int, metavar="GROUP", help="group number (see `qes dedupe groups`)")
    elif name == "decide":
        parser.add_argument("pair", type=int, metavar="PAIR", help="pair number in the review queue")
        parser.add_argument("decision", choices=["same", "different"])
    elif name == "review":
        parser.add_argument("--limit", type=int, default=0, help="stop after this many decisions")
    _project_options(parser)
    return parser


def _emit(data: dict[str, Any], as_json: bool, lines: Callable[[], list[str]]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write("\n".join(lines()) + "\n")
    sys.stdout.flush()


def _progress(enabled: bool) -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    """A Rich progress display on a terminal; nothing (and no Rich import) otherwise."""
    if not enabled or not sys.stderr.isatty():
        return (lambda step, done, total: None), (lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    display = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    )
    display.start()
    tasks: dict[str, Any] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = display.add_task(step, total=total or None)
        display.update(tasks[step], completed=done, total=total or None)

    return update, display.stop


def _standalone(args: argparse.Namespace | SimpleNamespace) -> int:
    from qes.services.dedupe_files import find_duplicates_in_files

    if not args.out:
        raise UserError("standalone de-duplication needs --out DIR (where groups.csv, maybe.csv and unique.* go)")
    update, stop = _progress(not args.json)
    try:
        summary = find_duplicates_in_files(args.files, args.out, progress=update)
    finally:
        stop()
    from dataclasses import asdict

    _emit(
        asdict(summary),
        args.json,
        lambda: [
            f"{summary.records} records, {summary.unique} unique: {summary.duplicates_removed} duplicates removed "
            f"in {summary.groups} groups; {summary.maybe} pairs to review ({summary.seconds:.2f} s)",
            *(f"  {f['file']}: {f['records']} records, {f['duplicates_removed']} removed as duplicates" for f in summary.files),
            f"  wrote {summary.outputs['groups']}, {summary.outputs['maybe']}, {summary.outputs['unique']}",
        ],
    )
    return 0


def _project(command: str, args: argparse.Namespace) -> int:
    from qes.cli import dedupe_project

    return dedupe_project.run(command, args, _emit, _progress)


def _plain_standalone(argv: list[str]) -> SimpleNamespace | None:
    """`FILE... --out DIR [--json]` read without argparse (its import and the help formatter it
    builds are a tenth of a small run); anything else (help, other options, a file named like an
    option) returns None and goes through the full parser."""
    files: list[str] = []
    out = None
    as_json = False
    words = iter(argv)
    for word in words:
        if word == "--out" and out is None:
            out = next(words, None)
            if out is None or out.startswith("-"):
                return None
        elif word.startswith("--out=") and out is None and len(word) > 6:
            out = word[6:]
        elif word == "--json":
            as_json = True
        elif word.startswith("-") or word in ("review", "decide", "undo", "groups"):
            return None
        else:
            files.append(word)
    if not files or out is None:
        return None
    return SimpleNamespace(files=files, out=out, json=as_json)


def main(argv: Sequence[str]) -> int:
    """Run `qes dedupe ARGV`; returns the exit code (0 ok, 2 user error, 1 internal error)."""
    argv = list(argv)
    command = argv[0] if argv and argv[0] in ("review", "decide", "undo", "groups") else ""
    try:
        plain = None if command else _plain_standalone(argv)
        if plain is not None:
            return _standalone(plain)
        parser = _sub_parser(command) if command else _parser()
        args = parser.parse_args(argv[1:] if command else argv)
        if not command and args.files:
            return _standalone(args)
        return _project(command or "run", args)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    except UserError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted; nothing was written by the unfinished step\n")
        return 130
    except Exception as exc:
        if os.environ.get("QES_DEBUG"):
            raise
        sys.stderr.write(f"error: internal error: {type(exc).__name__}: {exc} (QES_DEBUG=1 shows the traceback)\n")
        return 1


def register(app: Any) -> None:
    import typer

    def dedupe(ctx: typer.Context) -> None:
        raise typer.Exit(main(ctx.args))

    dedupe.__annotations__ = {"ctx": typer.Context, "return": None}  # resolved here: typer is imported lazily
    app.command(
        "dedupe",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
        help="Find duplicates: in files (FILE... --out DIR) or the project; review, decide, undo. `qes dedupe --help` for more.",
    )(dedupe)
