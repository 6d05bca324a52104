"""The bundle's entry point: the same `main` as the `taskboard` console script."""
import sys

from taskboard.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
