"""`python -m qes` runs the command line."""

from qes.cli.entry import run

run()
