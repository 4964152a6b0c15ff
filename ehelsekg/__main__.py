"""``python -m ehelsekg``: the same as the ``ehelsekg`` command."""

from ehelsekg.cli.main import main

if __name__ == "__main__":
    main()
