"""``python -m router`` is the ``aiguillage`` command."""

from router.cli.main import main

main()
