"""Every example song and every stdlib file checks clean (amaranth's test_examples, for songs)."""

from __future__ import annotations

import pytest

from compiler.cli import compile_front

from conftest import ROOT, SPECS

STDLIB = sorted((ROOT / "stdlib").glob("*.song"))
REQUIRED_KINDS = {"medium_swing", "jazz_ballad", "bossa_nova", "jazz_waltz", "blues_shuffle", "funk_vamp",
                  "pop_eighths", "rock_straight", "house_124", "reggae_onedrop", "country_twobeat", "rising_sun_68",
                  "saints_melody"}


def test_there_are_enough_specs_covering_the_genres():
    assert len(SPECS) >= 12
    assert REQUIRED_KINDS <= {spec.stem for spec in SPECS}


@pytest.mark.parametrize("path", SPECS + STDLIB, ids=[p.relative_to(ROOT).as_posix() for p in SPECS + STDLIB])
def test_checks_clean(path):
    song, diagnostics, _ = compile_front(str(path))
    assert not diagnostics, "\n".join(f"{d.span}: {d.code} {d.message}" for d in diagnostics)
