"""The ``aiguillage`` command line: one Typer app (``main``) and its sub-apps."""
