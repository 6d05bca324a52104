import sys

from taskboard.cli.main import main

sys.exit(main())
