import sys

from taskboard.cli import main

sys.exit(main())
