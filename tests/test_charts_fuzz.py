"""Chart readers on mangled input: whatever the bytes, a reader gives charts or located problems — never
an exception — and every chart it gives is written as a `.song` that checks or is reported (E205)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from compiler.charts import chordpro, ireal, musicxml
from compiler.charts.model import Found
from compiler.charts.song_writer import write_song
from compiler.errors import SongError
from compiler.library import Library
from compiler.pipeline import front_end
from compiler.source import Source

DATA = Path(__file__).resolve().parent / "data" / "charts"
SEEDS = {
    chordpro.read_text: sorted((DATA / "chordpro").glob("*.cho")),
    musicxml.read_text: sorted((DATA / "musicxml").glob("*.musicxml")),
    ireal.read_text: sorted(p for p in (DATA / "ireal").iterdir() if p.name != "charts.txt"),
}
LIBRARY = Library()


@st.composite
def mangled(draw) -> tuple:
    """A reader and one of its fixtures with a few characters deleted, replaced or inserted."""
    reader = draw(st.sampled_from(list(SEEDS)))
    text = draw(st.sampled_from(SEEDS[reader])).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 8))
        text = text[:at] + draw(st.text(alphabet="|:[]{}<>/=.%~()x0123456789ABCDEFGbm#- \n", max_size=4)) + text[at + cut:]
    return reader, text


def _written_song_checks_or_is_reported(found: list[Found]) -> None:
    for item in found:
        assert (item.chart is None) != (item.problem is None)
        if item.chart is not None:
            try:
                front_end(Source("chart.song", write_song(item.chart)), LIBRARY)
            except SongError:
                pass  # `song import` reports this chart as E205 and writes nothing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_a_mangled_chart_never_raises(case):
    reader, text = case
    _written_song_checks_or_is_reported(reader(text))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(SEEDS)), st.text(max_size=300))
def test_random_text_never_raises(reader, text):
    _written_song_checks_or_is_reported(reader(text))
