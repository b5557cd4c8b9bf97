"""compiler.report_html without a browser: the page's data, its bytes, and `song report` on bad folders."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.analyze import played_notes
from compiler.cli import main
from compiler.library import Library
from compiler.pipeline import BuildOptions, build
from compiler.report_html import render_page, write_page
from compiler.report_html.data import page_data
from compiler.report_html.folder import read_build
from compiler.source import Source

from conftest import SPECS

SONG = """title "Page </script> test"
composer "A. Tester"
style jazz.swing
tempo 180
seed 3
section A
  | Cm7 F7 | Bbmaj7 | Gm7 . . C7 | F6 |
  ending 1 | Gm7 | C7 |
  ending 2 | F6 | F6 |
form A A
"""


def midi_only(tmp_path: Path, text: str = SONG, folder: str = "out", **options) -> Path:
    song = tmp_path / "tune.song"
    song.write_text(text, encoding="utf-8")
    out = tmp_path / folder
    build(Source.read(song), Library(), out, BuildOptions(midi_only=True, **options))
    return out


def page_json(page: bytes) -> dict:
    text = page.decode("utf-8")
    return json.loads(re.search(r'<script type="application/json" id="song-data">(.*?)</script>', text, re.S).group(1))


def test_page_data_holds_every_note_bar_and_pass(tmp_path):
    out = midi_only(tmp_path, count_in=1)
    data = page_data(read_build(out).report, mido.MidiFile(out / "song.mid"), lambda name: False)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    midi = mido.MidiFile(out / "song.mid")
    assert [len(t["notes"]) // 4 for t in data["tracks"]] == [t["notes"] for t in report["tracks"]] == [
        len(played_notes(track)) for track in midi.tracks[1:]]
    assert len(data["bars"]) == report["bars"] == 12
    beat = 60 / 180
    lead = report["lead_in_s"]
    assert data["bars"][0][:2] == [round(lead + 4 * beat, 3), round(lead + 8 * beat, 3)]  # after the one-bar count-in
    assert [(s["label"], s["pass"], s["ending"], s["ending_bar"]) for s in data["sections"]] == [
        ("A", 1, 1, 5), ("A", 2, 2, 11)]
    assert data["chords"][4] == [3, 4, "C7", round(data["bars"][2][0] + 3 * beat, 3)]  # "Gm7 . . C7"
    drums = next(t for t in data["tracks"] if t["drums"])
    assert {name for _, name in drums["lanes"]} >= {"ride", "pedal"}
    assert data["audio"] is None and data["composer"] == "A. Tester"


def test_song_report_rewrites_the_page_the_build_wrote(tmp_path, capsys):
    out = midi_only(tmp_path)
    written = (out / "report.html").read_bytes()
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out / 'report.html'}"
    assert (out / "report.html").read_bytes() == written
    # `.cache` holds the build's up-to-date record (issue 11); `song report` adds nothing beside the page
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".songspec-manifest.json", "report.html", "report.json",
                                                     "song.mid"]


def test_page_is_one_self_contained_file(tmp_path):
    page = (midi_only(tmp_path) / "report.html").read_text(encoding="utf-8")
    assert "{{" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"<script[^>]+src=", page)
    assert re.findall(r'<link [^>]*href="([a-z]+):', page) == ["data"]  # the icon is inline too
    assert set(re.findall(r"https?://[^\s\"')%]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace, not a fetch
    assert page.count("<script") == 2  # the data and the code


def test_a_title_cannot_end_the_script_or_the_markup(tmp_path):
    page = (midi_only(tmp_path) / "report.html").read_text(encoding="utf-8")
    assert "<title>Page &lt;/script&gt; test · songspec</title>" in page
    assert page.count("</script>") == 2
    assert page_json(page.encode())["title"] == "Page </script> test"


def test_the_same_build_gives_the_same_bytes(tmp_path):
    first = render_page(read_build(midi_only(tmp_path, folder="one")))
    assert render_page(read_build(midi_only(tmp_path, folder="two"))) == first


def test_audio_files_missing_from_the_folder_are_marked(built, tmp_path):
    folder, report = built(next(s for s in SPECS if s.stem == "funk_vamp"))
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("report.json", "song.mid", report["stems"][0]["file"]):
        (partial / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, partial / name)
    data = page_json(render_page(read_build(partial)))
    assert data["audio"]["file"] is None and data["audio"]["named"] == report["master"]["file"]
    stems = [t["stem"] for t in data["tracks"] if t["stem"]]
    assert [s["file"] for s in stems] == [report["stems"][0]["file"]] + [None] * (len(stems) - 1)
    assert data["audio"]["envelope"]["peak"] == report["master"]["envelope"]["peak"]


def _rewrite_report(folder: Path, change) -> None:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    change(report)
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")


def _add_a_note(report: dict) -> None:
    report["tracks"][0]["notes"] += 1


BAD_FOLDERS = {
    "missing": ("no such build folder", lambda out: shutil.rmtree(out)),
    "a file": ("report.json: not a folder; name the build folder that holds it", None),
    "no report": ("not a build folder: there is no report.json", lambda out: (out / "report.json").unlink()),
    "not json": ("report.json:1:2: not valid JSON", lambda out: (out / "report.json").write_text("{oops", encoding="utf-8")),
    "not a report": ("not a songspec report: sections: field required",
                     lambda out: _rewrite_report(out, lambda r: r.pop("sections"))),
    "nan": ("not a songspec report: duration_s", lambda out: (out / "report.json").write_text(
        (out / "report.json").read_text(encoding="utf-8").replace('"duration_s": ', '"duration_s": NaN, "x": '),
        encoding="utf-8")),
    "no midi": ("there is no song.mid beside report.json", lambda out: (out / "song.mid").unlink()),
    "broken midi": ("not a readable MIDI file", lambda out: (out / "song.mid").write_bytes(
        (out / "song.mid").read_bytes()[:60])),
    "other build": ("not from the same build: track", lambda out: _rewrite_report(out, _add_a_note)),
    "unwritable": ("cannot write the page", lambda out: ((out / "report.html").unlink(), (out / "report.html").mkdir())),
}


@pytest.mark.parametrize("case", BAD_FOLDERS, ids=list(BAD_FOLDERS))
def test_a_bad_folder_is_one_line_and_exit_2(case, tmp_path, capsys):
    text, damage = BAD_FOLDERS[case]
    out = midi_only(tmp_path)
    page = (out / "report.html").read_bytes()
    target = out / "report.json" if case == "a file" else out
    if damage:
        damage(out)
    capsys.readouterr()
    assert main(["report", str(target)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"song: {target}") and text in err, err
    if case not in ("missing", "unwritable"):  # the page the build wrote is left as it was
        assert (out / "report.html").read_bytes() == page


def test_song_report_takes_several_folders_and_reports_each(tmp_path, capsys):
    good = midi_only(tmp_path)
    assert main(["report", str(tmp_path / "nowhere"), str(good)]) == 2
    captured = capsys.readouterr()
    assert "no such build folder" in captured.err and captured.out.strip() == f"wrote {good / 'report.html'}"


def test_write_page_returns_the_path(tmp_path):
    out = midi_only(tmp_path)
    assert write_page(out) == out / "report.html"


def test_a_report_from_before_the_page_still_gets_one(built, tmp_path):
    """report.json of an older build (no style, composer, endings or master envelope): `song report` draws
    what there is and leaves out the waveform and loudness curve."""
    folder, _ = built(next(s for s in SPECS if s.stem == "funk_vamp"))
    old = tmp_path / "old"
    old.mkdir()
    shutil.copyfile(folder / "song.mid", old / "song.mid")
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    for key in ("style", "composer"):
        report.pop(key)
    for section in report["sections"]:
        section.pop("ending"), section.pop("ending_bar")
    report["master"].pop("envelope")
    (old / "report.json").write_text(json.dumps(report), encoding="utf-8")
    data = page_json(render_page(read_build(old)))
    assert data["style"] == "" and data["audio"]["envelope"] is None
    assert data["audio"]["integrated_lufs"] == report["master"]["integrated_lufs"]
    assert all(s["ending"] is None for s in data["sections"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6))
def test_a_damaged_midi_file_is_one_line_never_an_internal_error(tmp_path_factory, changes):
    out = _pristine(tmp_path_factory)
    midi = bytearray((out / "pristine.mid").read_bytes())
    for position, value in changes:
        midi[position % len(midi)] = value
    (out / "song.mid").write_bytes(bytes(midi))
    code = _run_report(out)
    assert code in (0, 2)


_PRISTINE: dict[str, Path] = {}


def _pristine(tmp_path_factory) -> Path:
    """One MIDI-only build, made once, whose song.mid the property test damages (kept as pristine.mid)."""
    if "out" not in _PRISTINE:
        out = midi_only(tmp_path_factory.mktemp("damaged"))
        shutil.copyfile(out / "song.mid", out / "pristine.mid")
        _PRISTINE["out"] = out
    return _PRISTINE["out"]


def _run_report(out: Path) -> int:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["report", str(out)])
    assert "internal error" not in err.getvalue() and len(err.getvalue().splitlines()) <= 1, err.getvalue()
    return code


@pytest.mark.parametrize("change", ["tempo", "meter"])
def test_a_tempo_or_meter_of_zero_is_refused(change, tmp_path, capsys):
    out = midi_only(tmp_path)
    midi = mido.MidiFile(out / "song.mid", charset="utf-8")
    for msg in midi.tracks[0]:
        if change == "tempo" and msg.type == "set_tempo":
            msg.tempo = 0
        if change == "meter" and msg.type == "time_signature":
            msg.numerator = 0
    midi.save(out / "song.mid")
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    assert "song.mid: not a MIDI file songspec wrote: a " in capsys.readouterr().err
