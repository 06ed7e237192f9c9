"""`python -m newsfeed ...`: the same as the `newsfeed` command (tests and the bench run workers this way)."""

import sys

from newsfeed.cli import main

sys.exit(main())
