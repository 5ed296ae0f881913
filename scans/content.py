"""Synthetic but realistic content of one exam list: the sheet header facts and the candidates.

Why a separate module: the truth must be exact and consistent with the exam rules whatever the
rendering does, so everything that *is* true about a row (name, sex, date, scores, total, result)
is decided here, and everything about how it *looks* is decided by the layout and styles.

Realism choices (DOMAIN.md §1–3):
- names drawn from the 1950–1990 name statistics: 2–5 tokens, "Thị" only for women and "Văn"
  only for men, given name drawn by its sex-specific frequency;
- birth dates giving the right age for the level; birthplaces written as named in that era;
- candidates sorted by given name, then middle, then surname (Vietnamese alphabet order), with
  candidate numbers in sequence in that order, as real lists were;
- scores on the era's step; totals, ranking and result computed with records.exam_rules.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache

from records.exam_rules import ExamRules, rules_for
from records.reference_data import (
    NameStatistics,
    brvt_units,
    historical_places,
    name_statistics,
    short_place_name,
)
from records.vocabulary import Level, Sex

# ---------------------------------------------------------------------------------------------
# Vietnamese alphabetical order

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# tone order: ngang, huyền, sắc, hỏi, ngã, nặng
_TONE_RANK = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_SHAPE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key in Vietnamese alphabet order: letters first, tones as a tie-breaker."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in text.lower():
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        tone = 0
        shape = ""
        for mark in decomposed[1:]:
            if mark in _TONE_RANK:
                tone = _TONE_RANK[mark]
            elif mark in _SHAPE_MARKS:
                shape += mark
        letter = unicodedata.normalize("NFC", base + shape)
        letters.append(_LETTER_RANK.get(letter, 100 + ord(letter) % 1000))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def name_sort_key(person: Person) -> tuple[object, ...]:
    """Lists are sorted by given name, then middle, then surname (DOMAIN.md §3)."""
    return (
        collation_key(person.given),
        collation_key(person.middle),
        collation_key(person.surname),
    )


# ---------------------------------------------------------------------------------------------
# People

# Middle tokens that mark a sex on their own (Thị / Văn by the brief; the others are strong
# conventions that keep generated names plausible).
FEMALE_MIDDLE_TOKENS = frozenset({"THỊ", "THU", "KIM", "MỸ", "TUYẾT", "BÍCH", "LỆ", "DIỄM"})
MALE_MIDDLE_TOKENS = frozenset(
    {"VĂN", "ĐỨC", "HỮU", "CÔNG", "ĐÌNH", "TRỌNG", "MẠNH", "QUỐC", "BÁ", "THẾ", "TIẾN"}
)


@dataclass(frozen=True)
class Person:
    """A name in title case NFC ("Nguyễn", "Thị Thu", "Hà") and the sex it goes with."""

    surname: str
    middle: str  # may be "" (two-token names)
    given: str
    sex: Sex

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.middle, self.given) if p)

    @property
    def surname_and_middle(self) -> str:
        return " ".join(p for p in (self.surname, self.middle) if p)


def title_case(upper: str) -> str:
    return " ".join(t[:1] + t[1:].lower() for t in upper.split())


@dataclass(frozen=True)
class _Weighted:
    items: tuple[str, ...]
    cum: tuple[float, ...]

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum, k=1)[0]


def _weighted(pairs: list[tuple[str, float]]) -> _Weighted:
    items: list[str] = []
    cum: list[float] = []
    acc = 0.0
    for item, weight in pairs:
        if weight <= 0:
            continue
        acc += weight
        items.append(item)
        cum.append(acc)
    return _Weighted(tuple(items), tuple(cum))


@dataclass(frozen=True)
class _NameTables:
    surnames: _Weighted
    given: dict[Sex, _Weighted]
    middles: dict[tuple[Sex, int], _Weighted]  # (sex, token count) -> middle parts
    token_counts: _Weighted


def _middle_sex_ok(part: str, sex: Sex) -> bool:
    tokens = set(part.split())
    if sex is Sex.MALE:
        return not tokens & FEMALE_MIDDLE_TOKENS
    return not tokens & MALE_MIDDLE_TOKENS


@cache
def _tables() -> _NameTables:
    stats: NameStatistics = name_statistics()
    surnames = _weighted(list(stats.surnames.items()))
    given: dict[Sex, _Weighted] = {}
    for sex in Sex:
        pairs: list[tuple[str, float]] = []
        for name, counts in stats.given.items():
            share = counts.female_share
            share = 0.5 if share is None else share
            p = share if sex is Sex.FEMALE else 1.0 - share
            pairs.append((name, counts.count * p))
        given[sex] = _weighted(pairs)
    middles: dict[tuple[Sex, int], _Weighted] = {}
    for sex in Sex:
        marker = "THỊ" if sex is Sex.FEMALE else "VĂN"
        for n in (1, 2):
            pairs = []
            for part, c in stats.middles.items():
                if len(part.split()) != n or not _middle_sex_ok(part, sex):
                    continue
                # people born 1950–1990 carry Thị/Văn far more often than the 2016 cohort
                boost = 6.0 if marker in part.split() else 1.0
                pairs.append((part, c * boost))
            middles[(sex, n)] = _weighted(pairs)
    tokens = _weighted([(str(k), float(v)) for k, v in stats.token_counts.items() if k <= 5])
    return _NameTables(surnames, given, middles, tokens)


def make_person(rng: random.Random) -> Person:
    """A plausible person: sex, then given name by that sex, then a coherent middle part."""
    tables = _tables()
    sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
    given = tables.given[sex].pick(rng)
    n_tokens = int(tables.token_counts.pick(rng))
    surname = tables.surnames.pick(rng)
    if n_tokens == 2:
        middle = ""
    elif n_tokens == 3:
        middle = tables.middles[(sex, 1)].pick(rng)
    elif n_tokens == 4:
        middle = tables.middles[(sex, 2)].pick(rng)
    else:  # 5 tokens: a double surname ("Nguyễn Trần") and a two-token middle part
        second = tables.surnames.pick(rng)
        if second != surname:
            surname = f"{surname} {second}"
        middle = tables.middles[(sex, 2)].pick(rng)
    return Person(title_case(surname), title_case(middle), title_case(given), sex)


# ---------------------------------------------------------------------------------------------
# Candidates


class DatePrecision(StrEnum):
    DAY = "day"
    YEAR = "year"


@dataclass(frozen=True)
class Correction:
    """A score typed wrong, struck through, and the right value written by hand beside it."""

    subject: str
    wrong: Decimal


@dataclass
class Candidate:
    person: Person
    birth: date
    birthplace: str
    number: str = ""
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    bonus: Decimal = Decimal(0)
    total: Decimal | None = None  # None when absent from every subject (cell left blank)
    passed: bool = False
    ranking: str | None = None  # the rule's word; the sheet may abbreviate it
    correction: Correction | None = None

    @property
    def absent_everywhere(self) -> bool:
        return all(v is None for v in self.scores.values())


LEVEL_AGE: dict[Level, tuple[int, int]] = {
    Level.PTCS: (15, 17),
    Level.THCS: (15, 17),
    Level.PTTH: (18, 20),
    Level.THPT: (18, 20),
    Level.BTVH: (18, 38),
}


def _birth_date(rng: random.Random, year: int, level: Level) -> date:
    lo, hi = LEVEL_AGE[level]
    age = lo if rng.random() < 0.6 else rng.randint(lo, hi)
    start = date(year - age, 1, 1)
    return start + timedelta(days=rng.randrange(365))


@cache
def _communes() -> tuple[str, ...]:
    names = {
        short_place_name(u.names[0])
        for u in brvt_units()
        if u.level == 3 and not u.names[0].split()[-1].isdigit()
    }
    return tuple(sorted(names))


def birthplace(rng: random.Random, birth_year: int, local_town: str) -> str:
    """A birthplace as written then: mostly local, sometimes a province that no longer exists.

    Names are those in use in the birth year (sometimes in the exam year: clerks wrote both).
    """
    roll = rng.random()
    if roll < 0.25:
        return local_town
    if roll < 0.5:
        return rng.choice(_communes())
    if roll < 0.75:
        local = historical_places(max(1956, birth_year), local=True)
        return rng.choice(local).name if local else local_town
    far = historical_places(max(1956, birth_year), local=False)
    return rng.choice(far).name if far else local_town


def _score(rng: random.Random, ability: float, rules: ExamRules) -> Decimal:
    raw = rng.gauss(ability, 1.3)
    raw = min(float(rules.max_score), max(0.0, raw))
    step = float(rules.score_step)
    value = round(raw / step) * step
    if value == 0 and rng.random() < 0.7:  # zeros are rare
        value = step
    return Decimal(str(value)).quantize(rules.score_step)


def _normalise(value: Decimal) -> Decimal:
    """Decimal without trailing zeros and never in exponent form ("50", "47.5")."""
    text = format(value.normalize(), "f")
    return Decimal(text)


def score_candidate(rng: random.Random, cand: Candidate, rules: ExamRules) -> None:
    """Draw scores on the era's step, then total, result and ranking by the rule."""
    ability = rng.gauss(6.0, 1.4)
    absent_all = rng.random() < 0.015
    absent_one = not absent_all and rng.random() < 0.02
    missed = rng.choice(rules.subjects) if absent_one else None
    cand.scores = {
        s: None if absent_all or s == missed else _score(rng, ability, rules)
        for s in rules.subjects
    }
    cand.bonus = Decimal(0) if absent_all else rng.choice(rules.bonus_values)
    cand.total = None if absent_all else _normalise(rules.total(cand.scores, cand.bonus))
    cand.passed = rules.passes(cand.scores, cand.bonus)
    cand.ranking = rules.ranking(cand.scores, cand.bonus)


# ---------------------------------------------------------------------------------------------
# Sheet facts


@dataclass(frozen=True)
class SheetFacts:
    """What the header and footer say; ``council`` and ``school`` are written as printed."""

    year: int
    level: Level
    rules: ExamRules
    issuing: tuple[str, ...]  # lines of the issuing body block, top first
    title: str
    level_text: str
    year_text: str
    council: str
    school: str | None
    place: str  # of the date line
    signed: date
    signers: tuple[tuple[str, str], ...]  # (title, name) left to right
    local_town: str


@dataclass
class ExamList:
    facts: SheetFacts
    candidates: list[Candidate]


LEVEL_TEXTS: dict[Level, tuple[str, ...]] = {
    Level.PTCS: ("PHỔ THÔNG CƠ SỞ", "PTCS"),
    Level.PTTH: ("PHỔ THÔNG TRUNG HỌC", "PTTH"),
    Level.THCS: ("TRUNG HỌC CƠ SỞ", "THCS"),
    Level.THPT: ("TRUNG HỌC PHỔ THÔNG", "THPT"),
    Level.BTVH: ("BỔ TÚC VĂN HÓA", "BỔ TÚC VĂN HÓA CẤP III", "BTVH"),
}

_SCHOOL_NAMES = ("Trần Nguyên Hãn", "Võ Thị Sáu", "Nguyễn Du", "Đinh Tiên Hoàng", "Nguyễn Trãi")


def local_towns(year: int) -> tuple[str, ...]:
    """Towns and districts of the area in ``year`` that could host an exam council."""
    towns = ["Bà Rịa", "Vũng Tàu", "Xuyên Mộc", "Côn Đảo", "Long Hải", "Ngãi Giao"]
    towns += ["Châu Thành"] if year <= 1994 else ["Châu Đức", "Tân Thành"]
    towns += ["Long Đất"] if year <= 2003 else ["Long Điền", "Đất Đỏ"]
    return tuple(towns)


def _school(rng: random.Random, year: int, level: Level, town: str) -> str:
    if level is Level.BTVH:
        kind = "Trung tâm GDTX" if year >= 1998 else "Trường BTVH"
    else:
        kind = f"Trường {level.value}"
    if rng.random() < 0.3 and level is not Level.BTVH:
        return f"{kind} {rng.choice(_SCHOOL_NAMES)}"
    return f"{kind} {town}"


def _issuing(year: int, town: str) -> tuple[str, ...]:
    if year <= 1978:
        return ("UBND TỈNH ĐỒNG NAI", "TY GIÁO DỤC")
    if year <= 1991:
        if town in ("Vũng Tàu", "Côn Đảo"):
            return ("UBND ĐẶC KHU VŨNG TÀU - CÔN ĐẢO", "SỞ GIÁO DỤC")
        return ("UBND TỈNH ĐỒNG NAI", "SỞ GIÁO DỤC")
    return ("UBND TỈNH BÀ RỊA - VŨNG TÀU", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")


_TITLES = (
    "DANH SÁCH THÍ SINH TỐT NGHIỆP",
    "BẢNG GHI ĐIỂM THI TỐT NGHIỆP",
    "DANH SÁCH KẾT QUẢ THI TỐT NGHIỆP",
)


def make_facts(rng: random.Random, year: int, level: Level) -> SheetFacts:
    rules = rules_for(year, level)
    town = rng.choice(local_towns(year))
    council = _school(rng, year, level, town)
    school = _school(rng, year, level, town) if rng.random() < 0.3 else None
    if rng.random() < 0.5:
        year_text = f"NĂM HỌC {year - 1}-{year}"
    else:
        year_text = f"KỲ THI NGÀY {rng.randint(2, 28)} THÁNG {rng.choice((5, 6, 7))} NĂM {year}"
    issuing = _issuing(year, town)
    place = "Biên Hòa" if issuing[0].endswith("ĐỒNG NAI") and rng.random() < 0.5 else town
    signed = date(year, rng.choice((6, 7, 8)), rng.randint(1, 28))
    left = rng.choice(("NGƯỜI LẬP BẢNG", "THƯ KÝ HỘI ĐỒNG", "NGƯỜI KIỂM TRA"))
    right = rng.choice(("CHỦ TỊCH HỘI ĐỒNG", "GIÁM ĐỐC SỞ", "KT. GIÁM ĐỐC SỞ"))
    signers = ((left, make_person(rng).full_name), (right, make_person(rng).full_name))
    return SheetFacts(
        year=year,
        level=level,
        rules=rules,
        issuing=issuing,
        title=rng.choice(_TITLES),
        level_text=rng.choice(LEVEL_TEXTS[level]),
        year_text=year_text,
        council=council,
        school=school,
        place=place,
        signed=signed,
        signers=signers,
        local_town=town,
    )


def make_exam_list(rng: random.Random, year: int, level: Level, size: int) -> ExamList:
    """One council's list of ``size`` candidates, sorted and numbered as real lists were."""
    facts = make_facts(rng, year, level)
    candidates: list[Candidate] = []
    for _ in range(size):
        person = make_person(rng)
        born = _birth_date(rng, year, level)
        place = birthplace(rng, born.year if rng.random() < 0.7 else year, facts.local_town)
        cand = Candidate(person, born, place)
        score_candidate(rng, cand, facts.rules)
        candidates.append(cand)
    candidates.sort(key=lambda c: name_sort_key(c.person))
    exam = ExamList(facts, candidates)
    number_candidates(rng, exam)
    return exam


def plant_correction(rng: random.Random, cand: Candidate, rules: ExamRules) -> bool:
    """Mark one present score as mistyped-then-corrected; the truth keeps the right value."""
    present = [s for s in rules.subjects if cand.scores.get(s) is not None]
    if not present:
        return False
    subject = rng.choice(present)
    right = cand.scores[subject] or Decimal(0)
    options = [
        Decimal(str(v)) * rules.score_step
        for v in range(int(rules.max_score / rules.score_step) + 1)
        if Decimal(str(v)) * rules.score_step != right
        and abs(Decimal(str(v)) * rules.score_step - right) <= 2
    ]
    cand.correction = Correction(subject, rng.choice(options))
    return True


def number_candidates(rng: random.Random, exam: ExamList) -> None:
    """Candidate numbers in sequence in list order, with the council's width and prefix."""
    start = rng.randint(1, 800)
    width = rng.choice((3, 4, 4, 5))
    prefix = rng.choice(("", "", "", "A", "B."))
    for i, cand in enumerate(exam.candidates):
        cand.number = f"{prefix}{start + i:0{width}d}"


def thin(rng: random.Random, exam: ExamList, size: int) -> None:
    """Keep ``size`` candidates (order kept) and number them again in sequence."""
    if size < len(exam.candidates):
        keep = sorted(rng.sample(range(len(exam.candidates)), size))
        exam.candidates = [exam.candidates[i] for i in keep]
    number_candidates(rng, exam)
