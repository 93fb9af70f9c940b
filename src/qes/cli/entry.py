"""The `qes` console script. `qes dedupe` skips loading Typer (see `qes.cli.dedupe`); all else goes to Typer."""

from __future__ import annotations

import sys


def run() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] == "dedupe":
        from qes.cli.dedupe import main

        sys.exit(main(argv[1:]))
    from qes.cli.main import run as run_typer

    run_typer()
