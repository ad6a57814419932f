"""`python -m helplines ...`: the directory's command line (see helplines/cli.py)."""
import sys

from helplines.cli import main

sys.exit(main())
