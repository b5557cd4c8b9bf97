"""Property: for any input text, `song check` exits 0 or 1 with diagnostics — never a traceback, never exit 3.

The default run is a few hundred cases per property; set SONG_FUZZ_EXAMPLES=5000 for a long run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.cli import main

from conftest import SPECS

EXAMPLES = int(os.environ.get("SONG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)

TOKENS = ["title", "tempo", "key", "time", "style", "swing", "seed", "use", "section", "form", "arrange", "track",
          "melody", "mix", "master", "pattern", "ending", "level", "fill", "|", "%", ".", "(", ")", "x2", "A", "B",
          "intro", "Cm7", "F7", "Bbmaj7", "V7/V", "N.C.", "G4/8", "r/4", "C5/2~", "-2dB", "62%", "3:1", "4/4",
          "6/8", '"t"', '"', "#", "# c", "jazz.swing", "acoustic_bass", "pan", "+20", "volume", "mf", "stop",
          "2", "\n", "\n  ", "\n    ", "\t", " ", "x", "X", "o", "R", "W", "kick", "bass", "comp", "drums"]
ORIGINALS = [path.read_text(encoding="utf-8") for path in SPECS] or ["style jazz.swing\nsection A\n  | C |\n"]


def _exit_code(tmp_path_factory, text: str) -> int:
    path = tmp_path_factory.mktemp("fuzz") / "song.song"
    path.write_text(text, encoding="utf-8")
    return main(["check", str(path)])


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join))
def test_token_soup_never_crashes(tmp_path_factory, text):
    assert _exit_code(tmp_path_factory, text) in (0, 1)


@st.composite
def mutated_spec(draw):
    text = draw(st.sampled_from(ORIGINALS))
    for _ in range(draw(st.integers(1, 4))):
        text = draw(st.sampled_from([_delete_char, _insert_char, _swap_chars, _delete_line, _duplicate_line,
                                     _swap_lines]))(draw, text)
    return text


def _pos(draw, text: str) -> int:
    return draw(st.integers(0, max(len(text) - 1, 0)))


def _delete_char(draw, text):
    i = _pos(draw, text)
    return text[:i] + text[i + 1:]


def _insert_char(draw, text):
    i = _pos(draw, text)
    return text[:i] + draw(st.sampled_from(list("|%.()#\"\t\n :/-+xA7b9") + [chr(0x394), "\x00"])) + text[i:]


def _swap_chars(draw, text):
    i = _pos(draw, text)
    return text[:i] + text[i + 1:i + 2] + text[i:i + 1] + text[i + 2:] if i + 1 < len(text) else text


def _lines(draw, text):
    lines = text.split("\n")
    return lines, draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))


def _delete_line(draw, text):
    lines, i, _ = _lines(draw, text)
    return "\n".join(lines[:i] + lines[i + 1:])


def _duplicate_line(draw, text):
    lines, i, j = _lines(draw, text)
    return "\n".join(lines[:j] + [lines[i]] + lines[j:])


def _swap_lines(draw, text):
    lines, i, j = _lines(draw, text)
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@FUZZ
@given(mutated_spec())
def test_mutated_specs_never_crash(tmp_path_factory, text):
    assert _exit_code(tmp_path_factory, text) in (0, 1)


BUILD_FUZZ = settings(FUZZ, max_examples=max(EXAMPLES // 5, 20))


PRACTICE = [[], ["--transpose", "-5"], ["--key", "F#"], ["--key", "Ebm"], ["--tempo", "300"], ["--count-in", "2"],
            ["--seed", "7"], ["--mute", "drums"], ["--solo", "bass"]]


@BUILD_FUZZ
@given(mutated_spec(), st.sampled_from(PRACTICE))
def test_mutated_specs_never_crash_the_arrangement(tmp_path_factory, text, options):
    """What passes `song check` must also arrange and write MIDI: a problem found later is a diagnostic too."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "song.song").write_text(text, encoding="utf-8")
    args = ["build", str(folder / "song.song"), "--midi-only", "--quiet", "-o", str(folder / "out"), *options]
    assert main(args) in (0, 1, 2)  # 2: a practice option that does not fit the song (no such track)
