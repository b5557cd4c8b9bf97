"""charts: lead-sheet readers and writers beside the pipeline (iReal Pro, ChordPro and
MusicXML in, formatted `.song` out).

Every reader turns a file into `model.Chart`s; `song_writer.write_song` turns a chart into `.song` text.
"""

# The codes `song import` reports about a chart file (not about a .song file): docs/diagnostics.md shows
# each with a `song import` example rather than a `.song` one.
IMPORT_CODES = ("E200", "E201", "E202", "E203", "E204", "E205", "E206", "E207", "E208", "E209", "E210", "E211", "E212",
                "W200", "W201", "W202", "W203")
