"""Shared test fixtures: golden-file comparison with a reviewed regeneration path (--update-goldens)."""

from __future__ import annotations

# Before any test module imports numpy: BLAS reads its kernels once, at numpy's first import, and a
# build in this process must round as the batch's spawned workers and `song build` processes do (on
# an AVX-512 CPU the default kernels give other audio bytes than the pinned Haswell ones).
from compiler.cli import _pin_blas_kernels

_pin_blas_kernels()

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient  # the type pytest-lsp injects its client by (the `client` fixture)

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


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """built(spec) -> (folder, report): each spec's full build, made once (lazily) for the whole run.

    Shared by the build tests and the page tests, which look at the same folders. Each folder's stem
    cache is removed once built: the tests read only the outputs, and the caches (raw stems, mixes)
    would be two thirds of the run's disk, some 8 GB for the specs.
    """
    import shutil

    from compiler.library import Library
    from compiler.pipeline import build
    from compiler.source import Source

    root = tmp_path_factory.mktemp("builds")
    done: dict[Path, dict] = {}

    def get(spec: Path) -> tuple[Path, dict]:
        if spec not in done:
            done[spec] = build(Source.read(spec), Library(), root / spec.stem)
            shutil.rmtree(root / spec.stem / ".cache")
        return root / spec.stem, done[spec]

    return get


def _normalised(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


@pytest.fixture(scope="module")
def lsp_folder(tmp_path_factory):
    """The folder a language-server test module's documents live in (one per module)."""
    return tmp_path_factory.mktemp("lsp")


def _lsp_client_fixture():
    """`client`: a `song lsp` process and a pytest-lsp client talking to it over stdio, initialized with
    `lsp_folder` as its root; one per test module (bench/lsp_client.py says how it records diagnostics)."""
    import pytest_lsp
    from pygls.uris import from_fs_path

    from bench.lsp_client import CONFIG, start_session

    @pytest_lsp.fixture(scope="module", config=CONFIG)
    async def client(lsp_client: LanguageClient, lsp_folder):
        await start_session(lsp_client, from_fs_path(str(lsp_folder)))
        lsp_client.folder = lsp_folder
        yield
        await lsp_client.shutdown_session()

    return client


client = _lsp_client_fixture()
