"""The `qes` command. Each stage's commands live in their own module and register here."""

from __future__ import annotations

import importlib
import sys

import typer

from qes import __version__

app = typer.Typer(
    name="qes",
    help="qes: systematic review and qualitative evidence synthesis, from first search to published tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

# Modules under qes.cli that define `register(app)`. Order = order in `qes --help`.
COMMAND_MODULES = (
    "project",
    "records",
    "users",
    "serve",
    "team",
    "demo",
    "dedupe",
    "protocol",
    "screen",
    "fulltext",
    "report",
    "export",
    "rank",
    "search",
    "extraction",
    "coding",
    "synthesis",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qes {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """qes: a workbench for systematic reviews and qualitative evidence synthesis."""


def _register_all(command: str | None = None) -> None:
    """Register the command modules in order; given `command`, stop once a module has registered it.

    `qes import FILE` then loads `qes.cli.project` and what it needs, not every stage's modules,
    and Typer builds three commands instead of a hundred: most of a second of start-up on a busy
    machine. `qes --help`, no command or an unknown one register everything.
    """
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"qes.cli.{name}")
        except ModuleNotFoundError as exc:
            # Only a missing command module itself is tolerated (a stage not built yet);
            # a missing dependency inside one is a real error.
            if exc.name != f"qes.cli.{name}":
                raise
            continue
        module.register(app)
        if command is not None and command in _registered_names():
            return


def _registered_names() -> set[str]:
    names = {group.name for group in app.registered_groups if group.name}
    for info in app.registered_commands:
        if info.name:
            names.add(info.name)
        elif info.callback is not None:  # `@app.command()`: Typer names it after the function
            names.add(typer.main.get_command_name(info.callback.__name__))
    return names


def run() -> None:
    """Console-script entry point. Click's usage errors already exit 2."""
    _register_all(sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        sys.exit(code if isinstance(code, int) else (0 if code is None else 1))
