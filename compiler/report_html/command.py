"""report_html.command: `song report DIR…` rewrites each build folder's report.html from its files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import PageError, write_page


def run(args: argparse.Namespace) -> int:
    """Write the page of every folder named; exit 2 if any could not be made (each gets one line)."""
    from ..cli import EXIT_OK, EXIT_USAGE

    failed = False
    for folder in args.folders:
        try:
            path = write_page(Path(folder))
        except PageError as err:
            print(f"song: {err}", file=sys.stderr)
            failed = True
            continue
        print(f"wrote {path}")
    return EXIT_USAGE if failed else EXIT_OK
