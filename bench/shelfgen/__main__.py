"""``python -m bench.shelfgen``: see bench/shelfgen/cli.py."""

import sys

from bench.shelfgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
