"""suggest: "did you mean ...?" hints for unknown names in diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

CUTOFF = 0.6
# A one-letter prefix matches too much to be a useful hint.
MIN_PREFIX = 2


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """Return up to `n` choices close to `word`, best first.

    A choice qualifies if its difflib similarity ratio to `word` is at least
    `CUTOFF` or if `word` is a prefix of it; comparison ignores case. Ties are
    broken alphabetically, so the result never depends on the order of `choices`.

    Args:
        word: The unknown name the user wrote.
        choices: The valid names.
        n: Maximum number of suggestions; must be positive.

    Returns:
        The matching choices in their original spelling, most similar first.

    Raises:
        ValueError: If `n` is not positive.

    Example:
        >>> did_you_mean("pianno", ["piano", "organ", "pad"])
        ['piano']
        >>> did_you_mean("xyz", ["piano", "organ"])
        []
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    target = word.lower()
    matcher = SequenceMatcher(b=target)
    scored = []
    for key, choice in _by_lowercase(choices).items():
        matcher.set_seq1(key)
        ratio = matcher.ratio()
        if ratio >= CUTOFF or _is_prefix(target, key):
            scored.append((-ratio, key, choice))
    scored.sort()
    return [choice for _, _, choice in scored[:n]]


def suggestion_text(word: str, choices: Iterable[str]) -> str | None:
    """Return the "help:" hint for an unknown `word`, or None if nothing is close.

    Example:
        >>> suggestion_text("maj9", ["maj7", "m7", "dim"])
        "did you mean 'maj7'?"
        >>> suggestion_text("qqq", ["maj7", "m7"]) is None
        True
    """
    matches = did_you_mean(word, choices, n=1)
    return f"did you mean '{matches[0]}'?" if matches else None


def _by_lowercase(choices: Iterable[str]) -> dict[str, str]:
    """Map each lowercased choice to one original spelling (the alphabetically first)."""
    result: dict[str, str] = {}
    for choice in sorted(set(choices)):
        result.setdefault(choice.lower(), choice)
    return result


def _is_prefix(target: str, key: str) -> bool:
    """True if `target` is a proper, long-enough prefix of `key`."""
    return len(target) >= MIN_PREFIX and len(key) > len(target) and key.startswith(target)


def check_track_names(tracks: tuple[str, ...], names: Iterable[str], click: str) -> None:
    """Refuse a name in `names` that is neither one of `tracks` nor `click` (the count-in's track).

    Raises:
        ValueError: with a did-you-mean, naming the tracks there are.

    Example:
        >>> check_track_names(("bass", "drums"), ["bas"], "click")
        Traceback (most recent call last):
        ValueError: no track named 'bas'; did you mean 'bass'? (the tracks are bass, drums; click is the count-in)
    """
    for name in names:
        if name not in tracks and name != click:
            hint = suggestion_text(name, [*tracks, click])
            raise ValueError(f"no track named {name!r}{'; ' + hint if hint else ''} "
                             f"(the tracks are {', '.join(tracks)}; {click} is the count-in)")
