"""`python -m qes` runs the command line."""

from qes.cli.main import run

run()
