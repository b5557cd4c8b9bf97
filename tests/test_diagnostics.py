"""Diagnostics: every bad input gets its stable code at the exact file, line and column; never a traceback."""

from __future__ import annotations

import json

import pytest

from compiler.cli import compile_front, main
from compiler.errors import severity_of

# (name, song text, text of lib.song beside it or None, (code, file, line, column) of the first diagnostic)
BAD_INPUTS = [
    ('unterminated_string', 'title "Autumn\n', None,
     ('E004', 'song.song', 1, 7)),
    ('bad_character', 'tempo 120 $\n', None,
     ('E002', 'song.song', 1, 11)),
    ('bad_indent', 'style jazz.swing\nsection A\n  | C |\n   | F |\n', None,
     ('E003', 'song.song', 4, 4)),
    ('dedent_mismatch', 'style jazz.swing\nsection A\n    | C |\n  | F |\n', None,
     ('E003', 'song.song', 4, 1)),
    ('tab_indent', 'style jazz.swing\nsection A\n\t| C |\n', None,
     ('E003', 'song.song', 3, 1)),
    ('unclosed_bar', 'style jazz.swing\nsection A\n  | C | F\n', None,
     ('E001', 'song.song', 3, 10)),
    ('empty_bar', 'style jazz.swing\nsection A\n  | C | | F |\n', None,
     ('E001', 'song.song', 3, 9)),
    ('section_without_body', 'style jazz.swing\nsection A\nform A\n', None,
     ('E001', 'song.song', 2, 10)),
    ('misspelt_block', 'style jazz.swing\nsectoin A\n  | C |\n', None,
     ('E003', 'song.song', 3, 3)),
    ('stray_paren', 'style jazz.swing\nsection A\n  | C |\nform A )\n', None,
     ('E032', 'song.song', 4, 8)),
    ('unknown_setting', 'tmepo 120\n', None,
     ('E010', 'song.song', 1, 1)),
    ('tempo_out_of_range', 'tempo 500\n', None,
     ('E012', 'song.song', 1, 7)),
    ('tempo_with_unit', 'tempo 120 bpm fast\n', None,
     ('E011', 'song.song', 1, 15)),
    ('tempo_missing', 'tempo\n', None,
     ('E011', 'song.song', 1, 6)),
    ('duplicate_setting', 'tempo 120\ntempo 130\n', None,
     ('E013', 'song.song', 2, 1)),
    ('bad_mode', 'key G minr\n', None,
     ('E011', 'song.song', 1, 7)),
    ('bad_tonic', 'key H minor\n', None,
     ('E011', 'song.song', 1, 5)),
    ('bad_time', 'time 4/5\n', None,
     ('E012', 'song.song', 1, 6)),
    ('swing_range', 'swing 90%\n', None,
     ('E012', 'song.song', 1, 7)),
    ('seed_fraction', 'seed 1.5\n', None,
     ('E011', 'song.song', 1, 6)),
    ('unknown_chord_quality', 'style jazz.swing\nsection A\n  | Cmaj77 |\n', None,
     ('E020', 'song.song', 3, 10)),
    ('unknown_chord_root', 'style jazz.swing\nsection A\n  | C | H7 |\n', None,
     ('E020', 'song.song', 3, 9)),
    ('uneven_bar', 'style jazz.swing\nsection A\n  | C F G |\n', None,
     ('E021', 'song.song', 3, 5)),
    ('repeat_first_bar', 'style jazz.swing\nsection A\n  | % | C |\n', None,
     ('E022', 'song.song', 3, 5)),
    ('hold_first', 'style jazz.swing\nsection A\n  | . C |\n', None,
     ('E022', 'song.song', 3, 5)),
    ('percent_not_alone', 'style jazz.swing\nsection A\n  | C % |\n', None,
     ('E022', 'song.song', 3, 7)),
    ('ending_numbering', 'style jazz.swing\nsection A\n  | C |\n  ending 2 | F |\n  ending 1 | G |\n', None,
     ('E023', 'song.song', 4, 3)),
    ('single_ending', 'style jazz.swing\nsection A\n  | C |\n  ending 1 | F |\n', None,
     ('E023', 'song.song', 4, 3)),
    ('bars_after_ending', 'style jazz.swing\nsection A\n  | C |\n  ending 1 | F |\n  ending 2 | G |\n  | C |\n', None,
     ('E023', 'song.song', 6, 5)),
    ('not_ending', 'style jazz.swing\nsection A\n  | C |\n  endng 1 | F |\n', None,
     ('E001', 'song.song', 4, 3)),
    ('undefined_section', 'style jazz.swing\nsection A\n  | C |\nform A B\n', None,
     ('E030', 'song.song', 4, 8)),
    ('unused_section', 'style jazz.swing\nsection A\n  | C |\nsection B\n  | F |\nform A\n', None,
     ('W001', 'song.song', 4, 9)),
    ('duplicate_section', 'style jazz.swing\nsection A\n  | C |\nsection A\n  | F |\n', None,
     ('E013', 'song.song', 4, 9)),
    ('repeat_zero', 'style jazz.swing\nsection A\n  | C |\nform A x0\n', None,
     ('E012', 'song.song', 4, 8)),
    ('unknown_instrument', 'style jazz.swing\nsection A\n  | C |\ntrack horn frnch_horn\n', None,
     ('E040', 'song.song', 4, 12)),
    ('track_needs_instrument', 'style jazz.swing\nsection A\n  | C |\ntrack sax\n', None,
     ('E040', 'song.song', 4, 10)),
    ('unknown_track_option', 'style jazz.swing\nsection A\n  | C |\ntrack bass acoustic_bass volum -2dB\n', None,
     ('E014', 'song.song', 4, 26)),
    ('pan_out_of_range', 'style jazz.swing\nsection A\n  | C |\ntrack bass pan +150\n', None,
     ('E012', 'song.song', 4, 16)),
    ('volume_twice', 'style jazz.swing\nsection A\n  | C |\ntrack bass volume -2dB volume -3dB\n', None,
     ('E013', 'song.song', 4, 24)),
    ('duplicate_track', 'style jazz.swing\nsection A\n  | C |\ntrack x piano\ntrack x piano\n', None,
     ('E013', 'song.song', 5, 7)),
    ('unknown_pattern', 'style jazz.swing\nsection A\n  | C |\ntrack bass pattern walkin\n', None,
     ('E041', 'song.song', 4, 7)),
    ('unknown_style', 'style jazz.swng\n', None,
     ('E042', 'song.song', 1, 7)),
    ('unknown_style_family', 'style polka.oompah\n', None,
     ('E042', 'song.song', 1, 7)),
    ('unknown_mark', 'style jazz.swing\nsection A\n  | C |\narrange\n  A mf biuld\n', None,
     ('E070', 'song.song', 5, 8)),
    ('arrange_unplayed', 'style jazz.swing\nsection A\n  | C |\narrange\n  B mf\n', None,
     ('E030', 'song.song', 5, 3)),
    ('arrange_twice', 'style jazz.swing\nsection A\n  | C |\narrange\n  A mf\n  A f\n', None,
     ('E013', 'song.song', 6, 3)),
    ('tacet_unknown_track', 'style jazz.swing\nsection A\n  | C |\narrange\n  A tacet guitar\n', None,
     ('E043', 'song.song', 5, 11)),
    ('unknown_melody', 'style jazz.swing\nsection A\n  | C |\ntrack lead alto_sax melody tune\n', None,
     ('E044', 'song.song', 4, 7)),
    ('bad_note', 'style jazz.swing\nsection A\n  | C |\ntrack lead alto_sax melody m\nmelody m\n  | G4 H4 A4 B4 |\n', None,
     ('E050', 'song.song', 6, 8)),
    ('melody_bar_length', 'style jazz.swing\nsection A\n  | C |\ntrack lead alto_sax melody m\nmelody m\n  | G4 A4 B4 |\n', None,
     ('E021', 'song.song', 6, 5)),
    ('tie_pitch', 'style jazz.swing\nsection A\n  | C |\ntrack lead alto_sax melody m\nmelody m\n  | G4/2~ A4/2 |\n', None,
     ('E050', 'song.song', 6, 11)),
    ('bad_duration', 'style jazz.swing\nsection A\n  | C |\ntrack lead alto_sax melody m\nmelody m\n  | G4/3 A4 |\n', None,
     ('E050', 'song.song', 6, 5)),
    ('unused_melody', 'style jazz.swing\nsection A\n  | C |\nmelody m\n  | G4/1 |\n', None,
     ('W002', 'song.song', 4, 8)),
    ('empty_song', 'title "Blue Monk"\ntempo 120\n', None,
     ('W003', 'song.song', 1, 1)),
    ('stop_longer_than_pass', 'style jazz.swing\nsection A\n  | C | F | G7 | C |\narrange\n  A mf stop 8\n', None,
     ('W004', 'song.song', 5, 8)),
    ('break_longer_than_last_pass', 'style jazz.swing\nsection A\n  | C | F |\nform A A\narrange\n  last A break 3\n', None,
     ('W004', 'song.song', 6, 10)),
    ('two_dynamics', 'style jazz.swing\nsection A\n  | C |\narrange\n  A mp f\n', None,
     ('W005', 'song.song', 5, 8)),
    ('tempo_twice_on_a_line', 'style jazz.swing\nsection A\n  | C |\narrange\n  A tempo 100 mf tempo 120\n', None,
     ('W005', 'song.song', 5, 18)),
    ('style_in_another_meter', 'time 7/8\nstyle rock.straight\nsection A\n  | C |\n', None,
     ('W006', 'song.song', 1, 6)),
    ('section_in_another_meter', 'style rock.straight\nsection A\n  | C |\nsection B time 5/4\n  | F |\nform A B\n', None,
     ('W006', 'song.song', 4, 16)),
    ('setting_synonym', 'meter 3/4\nstyle jazz.waltz\nsection A\n  | C |\n', None,
     ('E010', 'song.song', 1, 1)),
    ('second_drum_kit', 'style pop.eighths\nsection A\n  | C |\ntrack perc power_kit\n', None,
     ('E046', 'song.song', 4, 7)),
    # pop.eighths brings drums, bass, piano and guitar: t12 would be the 16th melodic sound.
    ('sixteen_sounds', 'style pop.eighths\nsection A\n  | C |\ntrack t0 acoustic_grand_piano\ntrack t1 bright_acoustic_piano\ntrack t2 electric_grand_piano\ntrack t3 honky_tonk_piano\ntrack t4 electric_piano_1\ntrack t5 electric_piano_2\ntrack t6 harpsichord\ntrack t7 clavinet\ntrack t8 celesta\ntrack t9 glockenspiel\ntrack t10 music_box\ntrack t11 vibraphone\ntrack t12 marimba\ntrack t13 xylophone\ntrack t14 tubular_bells\ntrack t15 dulcimer\n', None,
     ('E047', 'song.song', 16, 7)),
    ('mix_unknown_track', 'style jazz.swing\nsection A\n  | C |\nmix\n  bas eq lowcut 40Hz\n', None,
     ('E043', 'song.song', 5, 3)),
    ('eq_without_band', 'style jazz.swing\nsection A\n  | C |\nmix\n  bass eq 40Hz\n', None,
     ('E014', 'song.song', 5, 11)),
    ('unknown_reverb', 'style jazz.swing\nsection A\n  | C |\nmix\n  reverb cathedral 20%\n', None,
     ('E080', 'song.song', 5, 10)),
    ('unknown_preset', 'style jazz.swing\nsection A\n  | C |\nmaster stremaing\n', None,
     ('E080', 'song.song', 4, 8)),
    ('loudness_range', 'style jazz.swing\nsection A\n  | C |\nmaster\n  loudness -50 LUFS\n', None,
     ('E012', 'song.song', 5, 12)),
    # A bare `master` line (no preset, no block) is still a master: a second one is a duplicate.
    ('bare_master_twice', 'master\n# note\nstyle jazz.swing\nsection A\n  | C |\nmaster\n  loudness -16 LUFS\n', None,
     ('E013', 'song.song', 6, 1)),
    ('bad_format', 'style jazz.swing\nsection A\n  | C |\nmaster\n  format mp3 24bit\n', None,
     ('E080', 'song.song', 5, 10)),
    ('use_missing', 'use "nothere.song"\n', None,
     ('E090', 'song.song', 1, 5)),
    ('use_outside', 'use "../outside.song"\n', None,
     ('E062', 'song.song', 1, 5)),
    ('bad_drum_piece', 'use "lib.song"\n', 'style my.s "x"\n  pattern p drums\n    kik | x . |\n',
     ('E045', 'lib.song', 3, 5)),
    ('bad_bass_step', 'use "lib.song"\n', 'style my.s "x"\n  pattern p bass\n    bass | R Q |\n',
     ('E045', 'lib.song', 3, 14)),
    ('use_cycle', 'use "lib.song"\n', 'use "song.song"\n',
     ('E061', 'lib.song', 1, 5)),
    ('used_file_not_styles', 'use "lib.song"\n', 'tempo 120\n',
     ('E060', 'lib.song', 1, 1)),
]


def _write_case(tmp_path, song: str, lib: str | None):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "song.song").write_text(song, encoding="utf-8")
    if lib is not None:
        (project / "lib.song").write_text(lib, encoding="utf-8")
    (tmp_path / "outside.song").write_text('style o.x "outside"\n', encoding="utf-8")
    return project / "song.song"


@pytest.mark.parametrize("name, song, lib, expected", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_located(tmp_path, name, song, lib, expected):
    path = _write_case(tmp_path, song, lib)
    result, diagnostics, _ = compile_front(str(path))
    severity = severity_of(expected[0])
    assert (result is None) == (severity == "error"), "errors stop the song, warnings do not"
    first = next(d for d in diagnostics if d.severity == severity)
    assert (first.code, first.span.path.split("/")[-1], first.span.line, first.span.col) == expected
    assert first.help, "every diagnostic says what to write instead"


def test_there_are_at_least_forty_bad_inputs():
    assert len(BAD_INPUTS) >= 40
    assert len({case[0] for case in BAD_INPUTS}) == len(BAD_INPUTS)


def test_all_errors_of_a_file_in_one_run(tmp_path, capsys):
    path = _write_case(tmp_path, "style jazz.swing\ntmepo 120\nsection A\n  | Cmaj77 | H7 |\n  | C F G |\nform A B\n", None)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    for code in ("E010", "E020", "E021", "E030"):
        assert f"error[{code}]" in err
    assert "4 errors" in err or "5 errors" in err


def test_human_format_shows_line_and_carets(tmp_path, capsys):
    path = _write_case(tmp_path, "style jazz.swing\nsection A\n  | Cmaj77 |\n", None)
    main(["check", str(path)])
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{path}:3:10: error[E020]: unknown chord `Cmaj77`: unexpected '7' in 'maj77'"
    assert lines[2] == " 3 |   | Cmaj77 |"
    assert lines[3] == "   |          ^"
    assert lines[4] == "  = help: did you mean 'Cmaj7' or 'Cmaj7+'?"


def test_json_format_is_stable(tmp_path, capsys):
    path = _write_case(tmp_path, "tempo 500\n", None)
    assert main(["check", "--format", "json", str(path)]) == 1
    records = json.loads(capsys.readouterr().out)
    assert list(records[0]) == ["code", "severity", "message", "file", "line", "column", "end_line",
                                "end_column", "help", "notes"]
    assert (records[0]["code"], records[0]["line"], records[0]["column"]) == ("E012", 1, 7)


def test_duplicate_cites_both_places(tmp_path):
    path = _write_case(tmp_path, "style jazz.swing\nsection A\n  | C |\nsection A\n  | F |\n", None)
    _, diagnostics, _ = compile_front(str(path))
    (span, note), = diagnostics[0].notes
    assert (diagnostics[0].span.line, span.line, note) == (4, 2, "first defined here")


def test_exit_codes(tmp_path, capsys):
    good = _write_case(tmp_path, "style jazz.swing\nsection A\n  | C |\n", None)
    assert main(["check", str(good)]) == 0
    assert main(["check", str(tmp_path / "missing.song")]) == 2
    assert main(["check"]) == 2
    assert "the following arguments are required: FILE" in capsys.readouterr().err


def test_internal_error_is_one_line(tmp_path, capsys, monkeypatch):
    import compiler.pipeline

    def boom(*args, **kwargs):
        raise ValueError("synthetic failure\nsecond line")

    monkeypatch.setattr(compiler.pipeline, "front_end", boom)
    good = _write_case(tmp_path, "tempo 120\n", None)
    assert main(["check", str(good)]) == 3
    assert capsys.readouterr().err == "internal error: ValueError: synthetic failure\n"


WARNED = "style jazz.swing\nsection A\n  | C | F |\nsection B\n  | G7 |\nform A A\n"


def test_warnings_do_not_fail_a_check_unless_denied(tmp_path, capsys):
    path = _write_case(tmp_path, WARNED, None)
    assert main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:4:9: warning[W001]: section `B` is never played" in err
    assert "1 warning; `song explain W001` explains a code" in err
    assert main(["check", "--deny-warnings", str(path)]) == 1
    assert main(["check", "--format", "json", str(path)]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert (record["code"], record["severity"], record["line"], record["column"]) == ("W001", "warning", 4, 9)


def test_errors_and_warnings_are_counted_apart(tmp_path, capsys):
    path = _write_case(tmp_path, WARNED.replace("| G7 |", "| G7 |\n  | Hm |"), None)
    assert main(["check", str(path)]) == 1
    assert "1 error, 1 warning;" in capsys.readouterr().err


def test_build_shows_warnings_and_deny_warnings_builds_nothing(tmp_path, capsys):
    path = _write_case(tmp_path, WARNED, None)
    out = tmp_path / "out"
    assert main(["build", str(path), "--midi-only", "--quiet", "-o", str(out), "--deny-warnings"]) == 1
    assert "warning[W001]" in capsys.readouterr().err and not out.exists()
    assert main(["build", str(path), "--midi-only", "--quiet", "-o", str(out)]) == 0
    assert "warning[W001]" in capsys.readouterr().err and (out / "song.mid").is_file()


def test_a_missing_file_among_several_is_reported_and_the_rest_checked(tmp_path, capsys):
    good = _write_case(tmp_path, "style jazz.swing\nsection A\n  | C |\n", None)
    bad = tmp_path / "bad.song"
    bad.write_text("tempo 500\n", encoding="utf-8")
    missing = tmp_path / "missing.song"
    assert main(["check", str(good), str(missing), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"song: no such file: {missing}" in err and "error[E012]" in err
    assert main(["check", "--format", "json", str(missing), str(bad), str(good)]) == 2
    captured = capsys.readouterr()
    assert [r["code"] for r in json.loads(captured.out)] == ["E012"]
    assert "no such file" in captured.err


def test_a_warning_points_at_the_first_place_too(tmp_path):
    path = _write_case(tmp_path, "style jazz.swing\nsection A\n  | C |\narrange\n  A mp f\n", None)
    _, (diag,), _ = compile_front(str(path))
    (span, note), = diag.notes
    assert (diag.code, span.line, span.col, note) == ("W005", 5, 5, "first given here: `mp`")
    assert diag.message == "two dynamics on one line, `mp` and `f`; `f` is used"


def test_a_style_in_another_meter_names_the_styles_that_fit(tmp_path):
    path = tmp_path / "waltz.song"
    path.write_text("time 3/4\nstyle jazz.swing\nsection A\n  | C | F |\n", encoding="utf-8")
    _, diagnostics, _ = compile_front(str(path))
    (warning,) = diagnostics
    assert warning.code == "W006" and "jazz.swing` is written in 4/4" in warning.message
    assert warning.message.endswith("re-cut beat by beat, beats 1 2 4 of the written bar")
    assert "`jazz.waltz`" in warning.help


def test_no_meter_warning_in_the_style_s_own_meter_or_for_an_unplayed_section(tmp_path):
    waltz = tmp_path / "waltz.song"
    waltz.write_text("time 3/4\nstyle jazz.waltz\nsection A\n  | C | F |\n", encoding="utf-8")
    assert compile_front(str(waltz))[1] == []
    unplayed = tmp_path / "unplayed.song"
    unplayed.write_text("style jazz.swing\nsection A\n  | C |\nsection B time 3/4\n  | F |\nform A\n",
                        encoding="utf-8")
    assert [d.code for d in compile_front(str(unplayed))[1]] == ["W001"]


def test_a_setting_named_as_other_tools_name_it_gets_our_word(tmp_path):
    for written, meant in (("meter 3/4", "time"), ("bpm 120", "tempo"), ("artist \"Monk\"", "composer")):
        path = tmp_path / "song.song"
        path.write_text(f"{written}\nstyle jazz.waltz\nsection A\n  | C |\n", encoding="utf-8")
        (error,) = compile_front(str(path))[1]
        assert error.code == "E010" and f"write `{meant}`" in error.help, error.help
