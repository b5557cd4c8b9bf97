"""Lead-sheet spellings and diagnostics that never mislead: each bad input gets one diagnostic at its
cause (code, line, column), with the fix in `help:` — no duplicates, no cascades, no typo as the fix."""

from __future__ import annotations

import pytest

from compiler.cli import compile_front

S = "style jazz.swing\n"
TWO_ENDINGS = "section A\n  | C | F |\n  ending 1 | G7 |\n  ending 2 | C |\n"

# (name, song text, (code, line, column) of the one error, words the help must hold)
CASES = [
    # -- Deliver 4: lead-sheet spellings that cannot mean anything get the right spelling ------------
    ("repeat_never_closed", S + "section A\n  |: C | F |\n", ("E024", 3, 4), "end the repeated bars with `:|`"),
    ("repeat_inside_repeat", S + "section A\n  |: C |: F :|\n", ("E024", 3, 9), "close the first repeat"),
    ("count_without_close", S + "section A\n  | C | F | x3\n", ("E024", 3, 13), "`|: C | F :| x3`"),
    ("repeat_in_an_ending", S + TWO_ENDINGS.replace("| G7 |", "|: G7 :|"), ("E024", 4, 13), "the endings already say"),
    ("repeat_mark_alone", S + "section A\n  | : | C |\n", ("E024", 3, 5), "`|: C | F :|`"),
    ("repeat_count_zero", S + "section A\n  |: C | F :| x0\n", ("E012", 3, 15), "repeat 1 to 64 times"),
    ("slash_bar_short", S + "section A\n  | C / G |\n", ("E021", 3, 5), "`| Gm7 / C7 / |`"),
    ("slash_first", S + "section A\n  | / C / / |\n", ("E022", 3, 5), "start the section with a chord"),
    ("chord_list_bad_chord", S + "section A\n  | Gm7,H7 |\n", ("E020", 3, 9), "write e.g. C7"),
    ("key_lowercase_alone", "key g\n" + S, ("E011", 1, 5), "G minor"),
    ("key_mode_twice", "key Gm major\n" + S, ("E011", 1, 8), "key G minor"),
    ("key_glued_bad_tonic", "key Hm\n" + S, ("E011", 1, 5), "key G minor"),
    ("explicit_ending_missing", S + TWO_ENDINGS + "form A A.3\n", ("E023", 6, 8), "A.1, A.2"),
    ("explicit_ending_none", S + TWO_ENDINGS + "section B\n  | F |\nform A B.1 A\n", ("E023", 8, 8), "`B`"),
    ("form_repeat_zero", S + "section A\n  | C |\nform A x 0\n", ("E012", 4, 8), "repeat 1 to 64 times"),
    ("numeral_case", S + "section A\n  | ii7#9 |\n", ("E020", 3, 5), "uppercase: 'II7#9'"),
    ("chord_says_a_note_twice", S + "section A\n  | Cm7#9 |\n", ("E020", 3, 8), "leave out"),
    ("chord_named_ninth_replaced", S + "section A\n  | C9b9 |\n", ("E020", 3, 7), "write 7b9"),
    ("chord_typo_one_edit", S + "section A\n  | Cmaj77 |\n", ("E020", 3, 10), "'Cmaj7'"),
    # -- Deliver 7: one diagnostic at the cause -------------------------------------------------------
    ("undefined_in_repeated_group", S + "section A\n  | C |\nform (A B) x3\n", ("E030", 4, 9), "define it"),
    ("typo_is_not_the_fix", S + "section A\n  | C |\nsection B\n  | F |\nform A b A\n", ("E030", 6, 8), "'B'"),
    ("unindented_section_body", S + "section A\n| C | F |\n| G | C |\nform A\n", ("E003", 3, 1), "indent the lines"),
    ("unindented_melody_body", S + "section A\n  | C |\nmelody m\n| C4/1 |\n", ("E003", 5, 1), "melody m"),
    ("unclosed_group_in_form", S + "section A\n  | C |\nform intro (A A ending\n", ("E032", 4, 12), "close the group"),
    ("header_keyword_typo", 'tittle "Blue Monk"\n' + S + "section A\n  | C |\n", ("E010", 1, 1), "'title'"),
    ("block_keyword_typo", S + "secton A\n  | C | F |\n", ("E003", 3, 3), "'section'"),
    ("statement_typo", S + "section A\n  | C |\nfrom A A\n", ("E010", 4, 1), "'form'"),
    ("bom_and_crlf", "\ufeff" + (S + "section A\n  | C | F |\n  | Hm |\n").replace("\n", "\r\n"), ("E020", 4, 5),
     "write e.g. C7"),
]


def _write(tmp_path, text: str):
    path = tmp_path / "song.song"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("name, text, where, help_words", CASES, ids=[case[0] for case in CASES])
def test_one_diagnostic_at_the_cause(tmp_path, name, text, where, help_words):
    _, diagnostics, _ = compile_front(str(_write(tmp_path, text)))
    errors = [d for d in diagnostics if d.severity == "error"]
    assert len(errors) == 1, [(d.code, d.span.line, d.span.col, d.message) for d in errors]
    assert not [d for d in diagnostics if d.severity == "warning"], "no warning follows from the error"
    (error,) = errors
    assert (error.code, error.span.line, error.span.col) == where, error.message
    assert help_words in error.help, error.help


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


def test_lead_sheet_spellings_play_as_meant(tmp_path):
    text = (S + "key Gm\nsection A key Bbm\n  |: Cm7 | F7 :| x3\n  | Gm7 / C7 / | Fmaj7,Dm7 |\n"
            "section B\n  | Cm7 |\n  ending 1 | F7 |\n  ending 2 | Bb |\nform A B.1 x 2 B.2\n")
    song, diagnostics, _ = compile_front(str(_write(tmp_path, text)))
    assert diagnostics == []
    assert (song.key.tonic, song.key.mode, song.sections[0].key.mode) == ("G", "minor", "minor")
    chords = [" ".join(f"{s.chord.name}+{s.dur}" for s in bar.slots) for bar in song.bars]
    assert chords == ["Cm7+4", "F7+4"] * 3 + ["Gm7+2 C7+2", "Fmaj7+2 Dm7+2"] + ["Cm7+4", "F7+4"] * 2 + ["Cm7+4", "Bb+4"]
