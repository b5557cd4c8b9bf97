"""Shared test fixtures: golden-file comparison with a reviewed regeneration path (--update-goldens)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.song"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite expected golden files from current output (review the diff!)")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """golden(path, actual): compare with the stored text, or rewrite it under --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def compare(path: Path, actual: str) -> None:
        if update:
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {path}; run pytest --update-goldens and review it"
        expected = path.read_text(encoding="utf-8")
        assert _normalised(actual) == _normalised(expected)

    return compare


def _normalised(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]
