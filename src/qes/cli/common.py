"""What every CLI command shares: the --project and --json options, output, and error handling.

Commands stay thin: parse options, call one service function, print its result (Rich for people,
JSON with --json for scripts). User errors become one line on stderr and exit code 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qes.errors import UserError

console = Console()
err_console = Console(stderr=True)

ProjectOpt = Annotated[
    Path | None,
    typer.Option("--project", "-p", help="Project folder (default: found upwards from the current directory, like git)."),
]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL, overriding qes.toml (e.g. postgresql://...).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON (for scripts).")]
AsOpt = Annotated[str | None, typer.Option("--as", help="Your e-mail in this project (default: $QES_USER).")]

F = TypeVar("F", bound=Callable[..., Any])


def who_is(as_: str | None, doing: str = "you are") -> str:
    """The person a command acts as: --as, else $QES_USER (blind work needs a name)."""
    who = as_ or os.environ.get("QES_USER")
    if not who:
        raise UserError(f"say who {doing}: --as EMAIL (or set QES_USER)")
    return who.strip().lower()


def _default(o: Any) -> Any:
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    return str(o)


def print_json(data: Any) -> None:
    """JSON to stdout, UTF-8, stable key order as given."""
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn `UserError` into 'error: ...' + exit 2, and anything unexpected into exit 1.

    An unexpected error still prints a one-line summary; set QES_DEBUG=1 for the traceback.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import os

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except UserError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written by the unfinished step", 130) from None
        except Exception as exc:
            if os.environ.get("QES_DEBUG"):
                raise
            raise fail(f"internal error: {type(exc).__name__}: {exc} (QES_DEBUG=1 shows the traceback)", 1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(description: str, total: int | None, *, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields `advance(n)`. Silent when disabled (e.g. --json)."""
    if not enabled:
        yield lambda n: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
