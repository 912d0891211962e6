"""``python -m router`` is the ``aiguillage`` command."""

from router.cli.main import main

if __name__ == "__main__":  # a spawned child process (training) imports this module too
    main()
