"""`python -m compiler` is the `song` command."""

import sys

from .cli import main

sys.exit(main())
