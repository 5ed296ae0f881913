"""Propose the spelling of a doubted name syllable: the marks the engine most likely misread.

Why: on printed sheets the engine confuses marks while staying confident ("Đinh" read "Định",
"Lò" read "Lô", "Vi" read "Vị", "NGUYỄN" read "NGUYÊN").  The name checks already send such a
name to review ("dấu dễ đọc nhầm", "tên không có trong thống kê"), but a reviewer then has to
retype it.  Both spellings of such a pair are usually real syllables, so no list can say which
one is wrong; what can is how often each occurs *in that place of a name* (Đinh is a common
surname and "Định" almost never one, while "Định" is a common given name) together with what the
engine itself saw (its per-character alternatives).

How: for a doubted token, every spelling with the same letters but other marks (same
``folded_key``, which also merges ư/u, ơ/o, ă/â/a and đ/d: "Hưỳnh" → "Huỳnh") that is known at
the token's position (surname = first token, given name = last, middle tokens between) is a
candidate.  Its odds against the reading are

    prior × likelihood

- prior: how much more often the candidate occurs at that position than the read spelling,
  counted (with ½ added to both, so that an absent spelling is not infinitely rare) in both name
  tables, the large 2016–2017 one and the one of people born 1950–1990 (the sheets' cohort), and
  the *smaller* of the two ratios taken: a spelling must be far more frequent in both.
- likelihood: what the engine says of the candidate relative to what it read: its alternative's
  confidence over the reading's (at most 1), or ``unseen_likelihood`` when the engine did not
  offer the candidate at all (it misread a mark without a second thought: possible, but rare).

The best candidate replaces the token only when its odds reach ``min_odds``.  This only proposes
a value for a person to confirm: the caller keeps the name in review and keeps the engine's
reading; a rare but real spelling ("Thản", "Vù") may still be changed into its common twin, which
is why the reason shows the change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from records.reference_data import NamePeriod, name_statistics
from records.vntext import folded_key, nfc, normalize_tone_placement, tone_key

# The Icelandic eth the engine offers for Đ.
_SAME_LETTER = str.maketrans({"Ð": "Đ", "ð": "đ"})

# Added to every count so that a spelling absent from a table is rare, not impossible.
_SMOOTHING = 0.5


class Position(StrEnum):
    SURNAME = "surname"
    MIDDLE = "middle"
    GIVEN = "given"


def position(index: int, length: int) -> Position:
    """Surname first, given name last, middle tokens in between (DOMAIN.md §3)."""
    if index == 0:
        return Position.SURNAME
    return Position.GIVEN if index == length - 1 else Position.MIDDLE


@dataclass(frozen=True)
class SyllableTable:
    """The name syllables of one place in a name (surname, middle, given), as tone keys."""

    counts: dict[str, int]  # tone key -> count at this position
    by_fold: dict[str, frozenset[str]]  # folded key -> tone keys at this position


def _table(counts: Counter[str]) -> SyllableTable:
    groups: dict[str, set[str]] = {}
    for key in counts:
        groups.setdefault(folded_key(key), set()).add(key)
    return SyllableTable(dict(counts), {k: frozenset(v) for k, v in groups.items()})


@cache
def syllable_tables(period: NamePeriod) -> dict[Position, SyllableTable]:
    """A period's name syllables by their place in a name, counted: built once per process and
    shared by the name checks (``ocr.person_checks``) and the respelling here."""
    stats = name_statistics(period)
    surnames: Counter[str] = Counter()
    middles: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for surname, count in stats.surnames.items():
        surnames[tone_key(surname)] += count
    for part, count in stats.middles.items():
        for token in part.split():
            middles[tone_key(token)] += count
    for name, counts in stats.given.items():
        given[tone_key(name)] += counts.count
    return {
        Position.SURNAME: _table(surnames),
        Position.MIDDLE: _table(middles),
        Position.GIVEN: _table(given),
    }


@cache
def _written_forms() -> dict[str, str]:
    """Tone key -> the commonest way the large table writes it (upper case, as in the source)."""
    stats = name_statistics(NamePeriod.ALL_2016_2017)
    best: dict[str, tuple[int, str]] = {}

    def add(spelling: str, count: int) -> None:
        key = tone_key(spelling)
        if key not in best or count > best[key][0]:
            best[key] = (count, spelling)

    for syllable, count in stats.syllables():
        add(syllable, count)
    return {key: spelling for key, (_, spelling) in best.items()}


def _written_like(key: str, read: str, offered: str | None) -> str:
    """The candidate written as the sheet writes: the engine's own spelling when it offered it,
    else the table's, in the read token's case and tone placement (hòa / hoà)."""
    word = offered if offered is not None else _written_forms().get(key, key)
    old, new = normalize_tone_placement(read, "old"), normalize_tone_placement(read, "new")
    if old != new:
        word = normalize_tone_placement(word, "old" if read == old else "new")
    if read.isupper():
        return word.upper()
    return word[:1].upper() + word[1:].lower()


@dataclass(frozen=True)
class Respelling:
    index: int
    read: str
    corrected: str
    odds: float


def _prior(candidate: str, read: str, where: Position) -> float:
    ratios = []
    for period in (NamePeriod.ALL_2016_2017, NamePeriod.BORN_1950_1990):
        counts = syllable_tables(period)[where].counts
        ratios.append((counts.get(candidate, 0) + _SMOOTHING) / (counts.get(read, 0) + _SMOOTHING))
    return min(ratios)


def _offered(
    tokens: Sequence[str], index: int, alternatives: Iterable[tuple[str, float]]
) -> dict[str, tuple[str, float]]:
    """What the engine proposed for token ``index`` alone: tone key -> (spelling, confidence)."""
    out: dict[str, tuple[str, float]] = {}
    tokens = [t.translate(_SAME_LETTER) for t in tokens]
    for text, confidence in alternatives:
        words = nfc(text).translate(_SAME_LETTER).split()
        if len(words) != len(tokens) or words[index] == tokens[index]:
            continue
        if any(w != t for i, (w, t) in enumerate(zip(words, tokens, strict=True)) if i != index):
            continue
        key = tone_key(words[index])
        if key not in out or confidence > out[key][1]:
            out[key] = (words[index], confidence)
    return out


def respell(
    tokens: Sequence[str],
    doubted: Collection[int],
    alternatives: Iterable[tuple[str, float]],
    read_confidence: float,
    *,
    min_odds: float,
    unseen_likelihood: float,
) -> list[Respelling]:
    """The doubted tokens (by index) whose marks another spelling explains far better.

    ``alternatives`` are the engine's other readings of the whole name with their confidences
    (one character changed each); ``read_confidence`` is the confidence of the reading itself.
    """
    alternatives = list(alternatives)
    changes: list[Respelling] = []
    for index in sorted(doubted):
        token = tokens[index]
        read = tone_key(token.translate(_SAME_LETTER))
        where = position(index, len(tokens))
        candidates = syllable_tables(NamePeriod.ALL_2016_2017)[where].by_fold.get(
            folded_key(read), ()
        )
        offered = _offered(tokens, index, alternatives)
        best: tuple[float, str] | None = None
        for candidate in sorted(candidates):
            if candidate == read:
                continue
            if candidate in offered and read_confidence > 0:
                likelihood = min(1.0, offered[candidate][1] / read_confidence)
            else:
                likelihood = unseen_likelihood
            odds = _prior(candidate, read, where) * likelihood
            if best is None or odds > best[0]:
                best = (odds, candidate)
        if best is None or best[0] < min_odds:
            continue
        odds, candidate = best
        spelling = offered[candidate][0] if candidate in offered else None
        changes.append(Respelling(index, token, _written_like(candidate, token, spelling), odds))
    return changes
