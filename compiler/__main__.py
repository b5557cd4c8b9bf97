"""`python -m compiler` is the `song` command."""

from .cli import run

run()
