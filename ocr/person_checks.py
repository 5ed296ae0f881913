"""The checks of who a row is about: name, sex, birth date, birthplace, candidate number and
the row's place in the list.

No sum confirms these, so the checks are weaker: names are made of known surnames and given
names, "Thị" marks a woman (and a given name counted for one sex only marks that sex), a birth
date makes a plausible age for the level, a birthplace is a listed place, candidate numbers and
printed row numbers run on from the row above.  A field that passes is merely checked
(``Support.CHECKED``, normal threshold); only sex, whose two values a sound name witnesses, may
be confirmed (``Support.STRONG``).

Names.  A name whose syllables the statistics doubt ("dấu dễ đọc nhầm", "tên không có trong
thống kê") stays in review, but its value may be respelled for the reviewer when another spelling
of a doubted syllable is far likelier at its position given the engine's own alternatives
(``ocr.name_spelling``; "dấu dễ đọc nhầm: Định → Đinh"); the reading is kept in ``ocr_value``
and the rest of the row is judged on the name as read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from ocr.field_state import FieldState, Reading, Support, stray_mark_at_edge
from ocr.name_spelling import Position, respell, syllable_tables
from ocr.parsing import ParsedDate, clean_name, parse_row_number, split_candidate_number
from ocr.trust_policy import (
    CANDIDATE_SEQUENCE,
    DIACRITIC_DOUBT,
    IMPLAUSIBLE_AGE,
    NAME_CAPITALS,
    NAME_TOO_SHORT,
    NAME_UNKNOWN,
    NO_EXAM_YEAR,
    PLACE_CAPITALS,
    PLACE_NOT_LISTED,
    PLACE_STRAY_MARK,
    PLACE_UNKNOWN,
    ROW_SEQUENCE,
    SEX_GIVEN_MISMATCH,
    SEX_MIDDLE_MISMATCH,
    TrustPolicy,
)
from records.reference_data import (
    HISTORICAL_PLACES,
    NamePeriod,
    brvt_units,
    name_statistics,
    provinces_2004_2021,
    short_place_name,
)
from records.vntext import casefold_vi, folded_key, tone_key
from records.vocabulary import Level, Sex

# Fields that identify the person, checked for a row-sequence break (a row split or merged).
_IDENTITY_FIELDS = ("candidate_number", "full_name", "birth_date", "birthplace", "sex")


@cache
def _name_tokens() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(surnames, middle tokens, given names) of both name periods, as tone keys."""
    tables = [syllable_tables(period) for period in NamePeriod]
    return (
        frozenset(k for t in tables for k in t[Position.SURNAME].counts),
        frozenset(k for t in tables for k in t[Position.MIDDLE].counts),
        frozenset(k for t in tables for k in t[Position.GIVEN].counts),
    )


@cache
def _given_name_sex_counts() -> dict[str, tuple[int, int]]:
    """Given name (tone key) -> (men, women) in the largest table."""
    stats = name_statistics(NamePeriod.ALL_2016_2017)
    return {tone_key(g): (c.male, c.female) for g, c in stats.given.items()}


_PLACE_WORDS = (
    "xã",
    "huyện",
    "tỉnh",
    "thị",
    "trấn",
    "thành",
    "phố",
    "tp",
    "tx",
    "tt",
    "đặc",
    "khu",
)
_PLACE_SEPARATORS = str.maketrans({ch: " " for ch in "-–,.()/"})


@cache
def _unit_keys() -> frozenset[str]:
    """The administrative unit words ("xã", "huyện" …) as tone keys."""
    return frozenset(tone_key(w) for w in _PLACE_WORDS)


def _place_words(text: str) -> list[str]:
    """A place's words, without its separators ("Xã Phước Thuận, Xuyên Mộc")."""
    return text.translate(_PLACE_SEPARATORS).split()


@cache
def _place_tokens() -> frozenset[str]:
    names: list[str] = [p.name for p in HISTORICAL_PLACES]
    names += [n for unit in brvt_units() for n in unit.names]
    names += [n for line in provinces_2004_2021() for n in line]
    tokens = {tone_key(t) for n in names for t in n.replace("-", " ").replace("–", " ").split()}
    return frozenset(tokens | _unit_keys())


@cache
def _any_name_token() -> frozenset[str]:
    """Every name syllable, whatever its place in a name (tone keys)."""
    surnames, middles, given = _name_tokens()
    return surnames | middles | given


@cache
def _birthplace_words() -> frozenset[str]:
    """Words a birthplace may hold: place-name words and name syllables (tone keys)."""
    return _place_tokens() | _any_name_token()


def uniform_capitals(tokens: list[str]) -> bool:
    """Every token Title-case ("Nguyễn") or every token upper-case ("NGUYỄN"): sheets write
    names one way or the other, and a lower-case token is a misreading ("Đinh Thị xanh")."""
    title = all(t[:1].isupper() and t[1:] == t[1:].lower() for t in tokens)
    return title or all(t == t.upper() for t in tokens)


def _expected_sex_from_middle(tokens: list[str]) -> Sex | None:
    middle = {tone_key(t) for t in tokens[1:-1]}
    female, male = tone_key("Thị") in middle, tone_key("Văn") in middle
    if female and not male:
        return Sex.FEMALE
    if male and not female:
        return Sex.MALE
    return None


def _given_name_sex(token: str, policy: TrustPolicy) -> Sex | None:
    counts = _given_name_sex_counts().get(tone_key(token))
    if counts is None:
        return None
    men, women = counts
    known = men + women
    if known < policy.given_name_sex_min_count:
        return None
    if women / known <= policy.given_name_sex_max_share:
        return Sex.MALE
    if men / known <= policy.given_name_sex_max_share:
        return Sex.FEMALE
    return None


def unknown_name_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens of a name that the name statistics do not know in their place (surname
    first, given name last, middle parts anywhere in between)."""
    surnames, _, given = _name_tokens()
    return [
        t
        for i, t in enumerate(tokens)
        if not (
            (i == 0 and tone_key(t) in surnames)
            or (i == len(tokens) - 1 and tone_key(t) in given)
            or (0 < i < len(tokens) - 1 and tone_key(t) in _any_name_token())
        )
    ]


def _respell_name(
    name: FieldState,
    tokens: list[str],
    listed: Sequence[str],
    doubted: set[str],
    policy: TrustPolicy,
) -> str:
    """Respell the doubted tokens whose marks another spelling explains far better
    (``ocr.name_spelling``), keeping the engine's reading in ``ocr_value``; returns the listed
    tokens for the reason, with every change shown as "Định → Đinh".  Only a name that already
    failed its check comes here, so a respelled name is never trusted: a person confirms it."""
    indexes = {i for i, t in enumerate(tokens) if t in doubted}
    alternatives = [
        (parsed, a.confidence)
        for a in name.reading.alternatives
        if a.confidence >= policy.alternative_min_confidence
        and (parsed := clean_name(a.text).value) is not None
    ]
    changes = {
        c.index: c.corrected
        for c in respell(
            tokens,
            indexes,
            alternatives,
            name.engine,
            min_odds=policy.name_spelling_min_odds,
            unseen_likelihood=policy.name_spelling_unseen_likelihood,
        )
    }
    if not changes:
        return " ".join(listed)
    name.ocr_value = name.value
    name.value = " ".join(changes.get(i, t) for i, t in enumerate(tokens))
    shown = [f"{t} → {changes[i]}" if i in changes else t for i, t in enumerate(tokens)]
    return ", ".join(s for i, s in enumerate(shown) if i in changes or tokens[i] in listed)


def check_name_and_sex(fields: Mapping[str, FieldState], policy: TrustPolicy) -> None:
    name, sex = fields.get("full_name"), fields.get("sex")
    tokens = name.value.split() if name is not None and name.value else []
    if name is not None and name.value:
        if len(tokens) < 2:
            name.fail(NAME_TOO_SHORT)
        elif not uniform_capitals(tokens):
            name.fail(NAME_CAPITALS)
        else:
            unknown = unknown_name_tokens(tokens)
            doubtful = diacritic_doubts(tokens, policy.diacritic_dominance)
            if unknown or doubtful:
                reason, listed = (NAME_UNKNOWN, unknown) if unknown else (DIACRITIC_DOUBT, doubtful)
                shown = _respell_name(name, tokens, listed, {*unknown, *doubtful}, policy)
                name.fail(f"{reason}: {shown}")
            else:
                name.supported(Support.CHECKED)
    if sex is None or not sex.value or len(tokens) < 2:
        return
    # Sex has two values, and a name that passed its own checks and was read well is a second,
    # independent witness of it ("Thị", "Văn", a given name of one sex): agreement confirms the
    # reading as the sum confirms a score.  A name in doubt only checks it.
    sound_name = name is not None and not name.failures and name.engine >= policy.min_confidence
    agreement = Support.STRONG if sound_name else Support.CHECKED
    expected = _expected_sex_from_middle(tokens)
    if expected is not None:
        if expected.value != sex.value:
            sex.fail(SEX_MIDDLE_MISMATCH)
            if name is not None:
                name.fail(SEX_MIDDLE_MISMATCH)
            return
        sex.supported(agreement)
    by_given = _given_name_sex(tokens[-1], policy)
    if by_given is not None:
        if by_given.value != sex.value:
            sex.fail(SEX_GIVEN_MISMATCH)
            if name is not None:
                name.fail(SEX_GIVEN_MISMATCH)
        else:
            sex.supported(agreement)


def check_date(
    f: FieldState, exam_year: int | None, level: Level | str | None, policy: TrustPolicy
) -> None:
    parsed = f.parsed
    if not isinstance(parsed, ParsedDate) or parsed.year is None or f.value is None:
        return
    if exam_year is None:
        f.fail(NO_EXAM_YEAR)
        return
    low, high = policy.age_range(level)
    age = exam_year - parsed.year
    if not low <= age <= high:
        f.fail(f"{IMPLAUSIBLE_AGE}: {age}")
    else:
        f.supported(Support.CHECKED)


def check_birthplace(f: FieldState, policy: TrustPolicy) -> None:
    """Every word of a birthplace should be a word of a known place name or at least a known
    name syllable (place names reuse them: "Phước", "Long", "Hòa"); a word that is neither is
    most often a misreading ("Tbuận")."""
    if not f.value:
        return
    words = _place_words(f.value)
    known = _birthplace_words()
    unit_words = _unit_keys()
    unknown = [
        t
        for t in words
        if not t.isdigit()
        and (
            tone_key(t) not in known
            or (t[:1].islower() and tone_key(t) not in unit_words)  # "xà Rịa" for "Bà Rịa"
        )
    ]
    mixed = [t for t in words if t[1:] != t[1:].lower() and t != t.upper()]
    named = [t for t in words if not t.isdigit() and tone_key(t) not in unit_words]
    if not mixed and named and not uniform_capitals(named):
        mixed = named  # "Đất ĐỎ": one word in capitals, the other not
    if mixed:
        # "Long HẢi": a capital inside a word is a misread mark or letter, never print
        f.fail(f"{PLACE_CAPITALS}: {' '.join(mixed)}")
    elif stray_mark_at_edge(f.value):
        # "Phước Tân -": a dash or comma at the edge is a speck or a rule read as a mark
        f.fail(PLACE_STRAY_MARK)
    elif unknown and policy.unknown_place_word_fails:
        f.fail(f"{PLACE_UNKNOWN}: {' '.join(unknown)}")
    elif not is_known_place(f.value):
        # Every word exists, yet the whole is no known place: a misread mark most often
        # ("Vũng Tâu", "Long Điện"), so a person looks.
        f.fail(PLACE_NOT_LISTED)
    else:
        f.supported(Support.CHECKED)


def is_known_place(text: str) -> bool:
    """A known place, or a list of them ("Xã Phước Thuận, Xuyên Mộc")."""
    known = known_places()
    parts = [p for p in text.split(",") if p.strip()]
    return _place_key(text) in known or (bool(parts) and all(_place_key(p) in known for p in parts))


def _place_key(name: str) -> str:
    units = _unit_keys()
    return " ".join(w for w in _place_words(tone_key(name)) if w not in units)


@cache
def known_places() -> frozenset[str]:
    """Every place name of the reference lists, as a key without its unit word."""
    names: list[str] = [p.name for p in HISTORICAL_PLACES]
    names += [short_place_name(n) for unit in brvt_units() for n in unit.names]
    names += [short_place_name(n) for line in provinces_2004_2021() for n in line]
    return frozenset(_place_key(n) for n in names)


@cache
def _fold_groups() -> dict[str, dict[str, int]]:
    """Name syllables that differ only by their marks: folded key -> {tone key: count}, over
    every place in a name."""
    groups: dict[str, dict[str, int]] = {}
    for table in syllable_tables(NamePeriod.ALL_2016_2017).values():
        for key, count in table.counts.items():
            group = groups.setdefault(folded_key(key), {})
            group[key] = group.get(key, 0) + count
    return groups


def diacritic_doubts(tokens: Sequence[str], dominance: float) -> list[str]:
    """Tokens whose marks are a rare choice among syllables spelled alike ("Khối" where
    "Khôi" is far more common): the engine's commonest confusion, and invisible to a check
    against the name lists because both spellings are real names."""
    doubts = []
    for token in tokens:
        group = _fold_groups().get(folded_key(token))
        if not group or len(group) == 1:
            continue
        share = group.get(tone_key(token), 0) / sum(group.values())
        if share < dominance:
            doubts.append(token)
    return doubts


def check_candidate_number(
    f: FieldState, previous: str | Reading | None, policy: TrustPolicy
) -> None:
    """The number must run on from the row above.  The row above is a witness only when it
    was itself read well: a doubtful neighbour agrees as easily with a misreading (a faint
    "B." lost from both "B.0774" and "B.0775"), so it confirms nothing and the number is
    judged as unchecked; a jump from it still fails."""
    if f.value is None or f.failures or previous is None:
        return
    witness = True
    if isinstance(previous, Reading):
        witness = previous.confidence >= policy.min_confidence
        previous = previous.text
    here = split_candidate_number(f.value)
    before = split_candidate_number("".join(previous.split()))
    if here is None or before is None:
        return
    same_prefix = casefold_vi(here[0]).rstrip(".-/") == casefold_vi(before[0]).rstrip(".-/")
    gap = here[1] - before[1]
    if not (same_prefix and 0 < gap <= policy.candidate_number_max_gap):
        f.fail(CANDIDATE_SEQUENCE)
    elif witness:
        f.supported(Support.CHECKED)


def check_row_sequence(
    fields: Mapping[str, FieldState],
    printed: Reading | None,
    previous: int | None,
    policy: TrustPolicy,
) -> None:
    if printed is None or previous is None or printed.confidence < policy.min_confidence:
        return
    number = parse_row_number(printed.text)
    if number is None or number == previous + 1:
        return
    for name in _IDENTITY_FIELDS:
        if name in fields:
            fields[name].fail(ROW_SEQUENCE)
