"""``python -m router`` is the ``aiguillage`` command."""

from router.cli import main

main()
