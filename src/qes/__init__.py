"""qes: a workbench for systematic reviews and qualitative evidence synthesis."""

__version__ = "0.1.0"
