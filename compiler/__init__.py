"""songspec: compile plain-text .song charts into MIDI, stems and a mastered backing track."""

__version__ = "0.1.0"
__all__ = ["__version__"]
