"""Turn the text of one table cell into the canonical value of the export contract.

Every parser here is pure and small: it takes the engine's text (and what it needs to know about
the sheet, e.g. the exam year for a two-digit birth year) and returns a ``Parsed`` result:

- ``value``: the canonical text ("7.5", "V", "1969-03-12", "1969", "Nữ", "passed"), or None;
- ``reason``: Vietnamese, for a reviewer.  When ``value`` is None it says why nothing could be
  read; when ``value`` is set it says what looked wrong or what was reinterpreted.  **A parser that
  gives a reason doubts its own answer**, and ``ocr.checks`` never accepts such a value
  automatically;
- ``repaired``: the value is not a literal reading of the text (a letter read as a digit, a lost
  decimal comma).  Such repairs are never silent: ``repaired`` implies ``reason``.

A blank cell is not an error in itself (a bonus cell left empty means no bonus, a failed
candidate has no ranking): ``blank`` says so, and each parser decides whether blank is a value.

Canonical forms (the export contract, ``records.export_format``):
scores, totals and bonus as decimal text without trailing zeros ("7", "7.5", "50.5"), an absent
candidate's score "V"; dates ISO "1969-03-12" or "1969" when only the year is written; sex
"Nam"/"Nữ"; result "passed"/"failed"; names and other text in NFC with spacing collapsed,
capitals as written; candidate numbers as written (leading zeros and prefix letters kept).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from records.vntext import casefold_vi, fold_accents, nfc, normalize_spacing
from records.vocabulary import ExamResult, Sex

ABSENT = "V"
"""Canonical value of an absent candidate's score ("V", "VẮNG" on the sheet)."""

# Characters that table rulings, dots of the printer or the edge of a cell add around a value.
_EDGE_NOISE = " \t\r\n|¦[]{}_·•'\"`~"

# Letters an engine returns for a digit in a numeric cell.  Only shapes that cannot be anything
# else in a score cell are listed; "V"/"v" are missing on purpose (they mean absent).
_DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0",
    "o": "0",
    "D": "0",
    "Q": "0",
    "l": "1",
    "I": "1",
    "i": "1",
    "|": "1",
    "!": "1",
    "Z": "2",
    "z": "2",
    "S": "5",
    "s": "5",
    "G": "6",
    "b": "6",
    "T": "7",
    "B": "8",
    "g": "9",
    "q": "9",
}

_SCORE_RE = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")
_TOTAL_RE = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")
_ABSENT_WORDS = frozenset({"v", "vang", "vg", "v.", "vắng"})


@dataclass(frozen=True)
class Parsed:
    """What a parser made of a cell; see the module docstring for the meaning of each field."""

    value: str | None
    reason: str | None = None
    repaired: bool = False
    blank: bool = False

    @property
    def doubtful(self) -> bool:
        """The parser could not read the cell, or doubts what it read."""
        return (self.value is None and not self.blank) or self.reason is not None


@dataclass(frozen=True)
class ParsedNumber(Parsed):
    """A score, total or bonus.  ``number`` is None when absent ("V"), blank or unreadable.

    For a total written with its bonus ("47 + 3,5"), ``number`` is the whole (50.5), ``base`` the
    part before the plus (47) and ``bonus`` the part after (3.5); otherwise both are None.
    """

    number: Decimal | None = None
    base: Decimal | None = None
    bonus: Decimal | None = None

    @property
    def absent(self) -> bool:
        return self.value == ABSENT


@dataclass(frozen=True)
class ParsedDate(Parsed):
    """A birth date; ``date`` is None when only the year is written."""

    year: int | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class ParsedRanking(Parsed):
    """A ranking as written; ``key`` is its folded, lower-case form for matching."""

    key: str | None = None


# ---------------------------------------------------------------------------------------------
# Helpers


def canonical_number(number: Decimal) -> str:
    """Decimal text without trailing zeros and never in exponent form: "7", "7.5", "50"."""
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"


def display_number(number: Decimal) -> str:
    """A number as a Vietnamese reviewer reads it on the sheet: "7", "7,5"."""
    return canonical_number(number).replace(".", ",")


def display_value(value: str | None) -> str:
    """A canonical value for a reason text ("7.5" -> "7,5"; None -> "?")."""
    if value is None:
        return "?"
    try:
        return display_number(Decimal(value))
    except InvalidOperation:
        return value


def _strip_edges(text: str) -> str:
    return nfc(text).strip(_EDGE_NOISE)


def _squeeze(text: str) -> str:
    """Cell text without edge noise and without any whitespace ("7 , 5" -> "7,5")."""
    return "".join(_strip_edges(text).split())


def _word_key(text: str) -> str:
    """Lower case, accents folded, punctuation removed, single spaces: "Không  T.N" -> "khong tn".

    Dots between letters are dropped ("T.N" -> "tn") while other punctuation separates words.
    """
    folded = fold_accents(casefold_vi(text))
    folded = re.sub(r"(?<=\w)\.(?=\w)", "", folded)
    return normalize_spacing(re.sub(r"[^\w\s]", " ", folded))


def _decimal(whole: str, fraction: str | None) -> Decimal:
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _lookalike_digits(text: str) -> str | None:
    """``text`` with look-alike letters turned into digits, or None when nothing changed or a
    character remains that is neither a digit nor a separator."""
    out = "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in text)
    if out == text or not re.fullmatch(r"[\d.,+]+", out):
        return None
    return out


# ---------------------------------------------------------------------------------------------
# Numbers


def parse_score(
    text: str, step: Decimal | None = None, max_score: Decimal = Decimal(10)
) -> ParsedNumber:
    """A subject score: "7,5", "7.5", "7", "10", or absent ("V", "VẮNG", "vắng", "v").

    Range and step are *not* judged here (``ocr.score_checks`` does, against the year's rule), with
    two exceptions that are reinterpretations and therefore marked ``repaired``:

    - look-alike letters in an otherwise numeric cell ("7,S" -> 7.5, "O" -> 0);
    - a lost decimal comma: a two- or three-digit integer above ``max_score`` whose last digit
      turned into a fraction lands on ``step`` within the scale ("75" -> 7.5, "100" -> 10).
      Without a ``step`` the parser does not know the scale's grain and leaves the value as read.

    "7," (a comma and nothing after it) may be a cut-off "7,5": read as 7 but doubted.
    """
    squeezed = _squeeze(text)
    if not squeezed:
        return ParsedNumber(None, "ô trống", blank=True)
    if casefold_vi(squeezed) in _ABSENT_WORDS or _word_key(squeezed) in _ABSENT_WORDS:
        return ParsedNumber(ABSENT)

    reason: str | None = None
    candidate = squeezed
    match = _SCORE_RE.fullmatch(candidate)
    if match is None:
        mapped = _lookalike_digits(candidate)
        if mapped is not None and _SCORE_RE.fullmatch(mapped):
            match = _SCORE_RE.fullmatch(mapped)
            reason = f"đọc lại ký tự: {squeezed} → {mapped}"
            candidate = mapped
    if match is None and re.fullmatch(r"\d{1,2}[.,]", candidate):
        number = Decimal(candidate[:-1])
        return ParsedNumber(canonical_number(number), f"ô điểm bị cắt: {squeezed}", number=number)
    if match is None:
        return ParsedNumber(None, f"không đọc được điểm: {squeezed}")

    number = _decimal(match.group(1), match.group(2))
    if number > max_score and match.group(2) is None and step is not None:
        digits = match.group(1)
        shifted = Decimal(f"{digits[:-1]}.{digits[-1]}")
        if shifted <= max_score and shifted % step == 0:
            note = f"thiếu dấu phẩy: {squeezed} → {display_number(shifted)}"
            reason = f"{reason}; {note}" if reason else note
            number = shifted
    return ParsedNumber(
        canonical_number(number), reason, repaired=reason is not None, number=number
    )


def parse_bonus(text: str) -> ParsedNumber:
    """Bonus points (khuyến khích / ưu tiên): "1", "1,5", "+3,5"; a blank cell means none (0).

    The blank cell keeps ``value`` None (nothing is written) but is not doubtful.
    """
    squeezed = _squeeze(text).lstrip("+")
    if not squeezed or squeezed in {"-", "–", "—"}:
        return ParsedNumber(None, blank=True, number=Decimal(0))
    parsed = parse_score(squeezed)
    if parsed.absent:
        return ParsedNumber(None, f"không đọc được điểm cộng: {squeezed}")
    return parsed


def parse_total(text: str) -> ParsedNumber:
    """Tổng điểm: "47", "47,5", or with the bonus written on top: "47 + 3,5" (value 50.5).

    The canonical total includes the bonus, as ``ExamRules.total`` does.  A total of an absent
    candidate may be written "V" or left blank (``blank``, value None, doubted by the caller only
    if the candidate sat any subject).
    """
    squeezed = _squeeze(text)
    if not squeezed:
        return ParsedNumber(None, blank=True)
    if casefold_vi(squeezed) in _ABSENT_WORDS or _word_key(squeezed) in _ABSENT_WORDS:
        return ParsedNumber(ABSENT)
    reason: str | None = None
    candidate = squeezed
    if not re.fullmatch(r"[\d.,+]+", candidate):
        mapped = _lookalike_digits(candidate)
        if mapped is not None:
            reason = f"đọc lại ký tự: {squeezed} → {mapped}"
            candidate = mapped
    parts = candidate.split("+")
    if len(parts) > 2:
        return ParsedNumber(None, f"không đọc được tổng điểm: {squeezed}")
    matches = [_TOTAL_RE.fullmatch(p) for p in parts]
    numbers = [_decimal(m.group(1), m.group(2)) for m in matches if m is not None]
    if len(numbers) != len(parts):
        return ParsedNumber(None, f"không đọc được tổng điểm: {squeezed}")
    total = sum(numbers, Decimal(0))
    base, bonus = (numbers[0], numbers[1]) if len(numbers) == 2 else (None, None)
    return ParsedNumber(
        canonical_number(total),
        reason,
        repaired=reason is not None,
        number=total,
        base=base,
        bonus=bonus,
    )


def total_with_lost_separators(text: str, ceiling: Decimal) -> ParsedNumber | None:
    """A total read without its decimal separator ("420+2.0" for "42.0+2.0", "445" for
    "44.5"), when the reading as is exceeds ``ceiling`` (the highest total the rule allows):
    every part of three or more digits ending in 0 or 5 gets its separator back.  None when no
    such reading exists or it is still above ``ceiling``."""
    squeezed = _squeeze(text)
    parts = squeezed.split("+")
    if not squeezed or len(parts) > 2:
        return None
    numbers: list[Decimal] = []
    shifted = False
    for part in parts:
        match = _TOTAL_RE.fullmatch(part)
        if match is None:
            return None
        whole, fraction = match.group(1), match.group(2)
        if fraction is None and len(whole) >= 3 and whole[-1] in "05":
            numbers.append(Decimal(f"{whole[:-1]}.{whole[-1]}"))
            shifted = True
        else:
            numbers.append(_decimal(whole, fraction))
    total = sum(numbers, Decimal(0))
    if not shifted or total > ceiling:
        return None
    base, bonus = (numbers[0], numbers[1]) if len(numbers) == 2 else (None, None)
    note = f"thiếu dấu phẩy: {squeezed} → {display_number(total)}"
    return ParsedNumber(
        canonical_number(total), note, repaired=True, number=total, base=base, bonus=bonus
    )


# ---------------------------------------------------------------------------------------------
# Dates

_DATE_RE = re.compile(r"(\d{1,2})[/\-.,](\d{1,2})[/\-.,](\d{4}|\d{2})")
_YEAR_RE = re.compile(r"(\d{4})")
_MONTH_YEAR_RE = re.compile(r"(\d{1,2})[/\-.,](\d{4}|\d{2})")


def resolve_two_digit_year(yy: int, exam_year: int | None, min_age: int = 5) -> int:
    """The birth year meant by "70": the latest century that leaves the candidate at least
    ``min_age`` years old in the exam year (19xx when the exam year is unknown: every sheet here
    is from 1975–2005)."""
    if exam_year is None:
        return 1900 + yy
    year = (exam_year - min_age) // 100 * 100 + yy
    return year if year <= exam_year - min_age else year - 100


def parse_date(text: str, exam_year: int | None = None) -> ParsedDate:
    """A birth date as sheets write it: 12/03/1970, 12-3-1970, 12.3.70, or only the year 1970.

    Day first, always (Vietnamese order).  Two-digit years are resolved with the exam year
    (``resolve_two_digit_year``).  "00/00/1970" is the clerks' way to write "year only".
    Digits run together ("12031970") and look-alike letters are reinterpreted and marked.
    A calendar-invalid date (31/02/1970) or a month without a day gives no value.
    """
    squeezed = _squeeze(text)
    if not squeezed:
        return ParsedDate(None, "ô trống", blank=True)
    reason: str | None = None
    candidate = squeezed
    if not re.fullmatch(r"[\d/\-.,]+", candidate):
        mapped = "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in candidate)
        if re.fullmatch(r"[\d/\-.,]+", mapped):
            reason = f"đọc lại ký tự: {squeezed} → {mapped}"
            candidate = mapped
        else:
            return ParsedDate(None, f"không đọc được ngày sinh: {squeezed}")
    if re.fullmatch(r"\d{8}|\d{6}", candidate):
        year_part = candidate[4:]
        spaced = f"{candidate[:2]}/{candidate[2:4]}/{year_part}"
        note = f"thiếu dấu phân cách: {candidate} → {spaced}"
        reason = f"{reason}; {note}" if reason else note
        candidate = spaced

    if match := _DATE_RE.fullmatch(candidate):
        day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
        year = int(year_text)
        if len(year_text) == 2:
            year = resolve_two_digit_year(year, exam_year)
        if day == 0 and month == 0:
            return ParsedDate(str(year), reason, repaired=reason is not None, year=year)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return ParsedDate(None, f"ngày sinh không hợp lệ: {squeezed}")
        return ParsedDate(
            date.isoformat(), reason, repaired=reason is not None, year=year, date=date
        )
    if _YEAR_RE.fullmatch(candidate):
        year = int(candidate)
        return ParsedDate(str(year), reason, repaired=reason is not None, year=year)
    if _MONTH_YEAR_RE.fullmatch(candidate):
        return ParsedDate(None, f"ngày sinh thiếu ngày: {squeezed}")
    return ParsedDate(None, f"không đọc được ngày sinh: {squeezed}")


# ---------------------------------------------------------------------------------------------
# Sex, result, ranking

_SEX_WORDS: dict[str, Sex] = {"nam": Sex.MALE, "nu": Sex.FEMALE}
_MARKS = frozenset({"x", "+", "v", "✓", "✔", "×", "1"})


def parse_sex(text: str) -> Parsed:
    """ "Nam"/"Nữ" in any case, with or without diacritics ("Nu", "NỮ", "Nứ" -> Nữ).

    Folding is safe here because the two words stay distinct without their marks.  A lone "N" or
    a mark ("x") says nothing without knowing the column: see ``parse_sex_marks``.
    """
    squeezed = _strip_edges(text)
    if not squeezed:
        return Parsed(None, "ô trống", blank=True)
    key = _word_key(squeezed).replace(" ", "")
    sex = _SEX_WORDS.get(key)
    if sex is None:
        return Parsed(None, f"không đọc được giới tính: {squeezed}")
    return Parsed(sex.value)


def is_mark(text: str) -> bool | None:
    """Whether a tick-box cell holds a mark ("x", "X", "+", "✓"): True, False when blank, None when
    it holds something else (a stain, a letter the engine invented)."""
    squeezed = _squeeze(text)
    if not squeezed:
        return False
    return True if casefold_vi(squeezed) in _MARKS else None


def parse_sex_marks(male_mark: str | None, female_mark: str | None) -> Parsed:
    """Sex from tick columns: ``male_mark`` / ``female_mark`` are the texts of the "Nam" and "Nữ"
    columns, or None when the sheet has no such column.

    The common layout has only a "Nữ" column: a mark there means Nữ, blank means Nam.  With both
    columns exactly one must be marked.  Anything else gives no value.
    """
    male = None if male_mark is None else is_mark(male_mark)
    female = None if female_mark is None else is_mark(female_mark)
    if (male_mark is not None and male is None) or (female_mark is not None and female is None):
        return Parsed(None, "không đọc được ô đánh dấu giới tính")
    if male_mark is None and female_mark is None:
        return Parsed(None, "không có cột giới tính")
    if male_mark is None:
        return Parsed(Sex.FEMALE.value if female else Sex.MALE.value)
    if female_mark is None:
        return Parsed(Sex.MALE.value if male else Sex.FEMALE.value)
    if male == female:
        return Parsed(None, "đánh dấu giới tính không rõ")
    return Parsed(Sex.MALE.value if male else Sex.FEMALE.value)


_PASSED_WORDS = frozenset({"do", "dau", "tn", "tot nghiep", "dat", "duoc tn", "duoc cong nhan tn"})
_FAILED_WORDS = frozenset(
    {
        *("hong", "rot", "truot", "ktn", "k tn", "khong tn", "khong do", "khong dau", "kd"),
        *("khong tot nghiep", "khong dat", "khong dat tn", "chua tn", "chua dat", "vang", "v"),
    }
)


def parse_result(text: str) -> Parsed:
    """Kết quả: Đỗ / Đậu / TN -> "passed"; Hỏng / Rớt / Trượt / Không TN / Không đỗ -> "failed".

    Case-insensitive, with or without diacritics ("Dau", "KHONG TN", "K.TN").  "Vắng" (absent)
    is "failed": an absent candidate did not graduate.
    """
    squeezed = _strip_edges(text)
    if not squeezed:
        return Parsed(None, "ô trống", blank=True)
    key = _word_key(squeezed)
    if key in _PASSED_WORDS:
        return Parsed(ExamResult.PASSED.value)
    if key in _FAILED_WORDS or key.replace(" ", "") in {w.replace(" ", "") for w in _FAILED_WORDS}:
        return Parsed(ExamResult.FAILED.value)
    return Parsed(None, f"không đọc được kết quả: {squeezed}")


def ranking_key(text: str) -> str:
    """Folded, lower-case, punctuation-free form of a ranking: "Trung bình" -> "trung binh"."""
    return _word_key(text)


def parse_ranking(text: str) -> ParsedRanking:
    """Xếp loại as written (NFC, trimmed, spacing collapsed): "Khá", "Trung bình", "TB".

    A blank cell is a value-less, undoubted result: failed candidates have no ranking.
    Which word of the year's rule it is, is decided by ``match_ranking``.
    """
    cleaned = normalize_spacing(_strip_edges(text))
    if not cleaned:
        return ParsedRanking(None, blank=True)
    return ParsedRanking(cleaned, key=ranking_key(cleaned))


def match_ranking(text: str, words: Iterable[str]) -> str | None:
    """Which of the rule's ranking ``words`` ``text`` is: the word itself with or without
    diacritics ("Kha"), or its initials ("TB", "T.B" for "Trung bình", "K" for "Khá").

    None when it matches none, or more than one (initials can collide).
    """
    key = ranking_key(text)
    compact = key.replace(" ", "")
    found = []
    for word in words:
        word_key = ranking_key(word)
        initials = "".join(part[0] for part in word_key.split())
        if key == word_key or compact == word_key.replace(" ", "") or compact == initials:
            found.append(word)
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------
# Text

_NAME_NOISE_RE = re.compile(r"[^\w\s\-']|\d|_")


def clean_text(text: str) -> Parsed:
    """Free text (birthplace, notes): NFC, whitespace collapsed, ruling noise at the ends dropped;
    capitals and punctuation inside kept as written."""
    cleaned = normalize_spacing(_strip_edges(text))
    if not cleaned:
        return Parsed(None, "ô trống", blank=True)
    return Parsed(cleaned)


def clean_name(text: str) -> Parsed:
    """A full name: NFC, spacing collapsed, capitals as written ("NGUYỄN VĂN A" stays upper).

    Digits or punctuation inside a name are OCR noise (a ruling line, a stain); the text is kept
    for the reviewer but doubted.
    """
    cleaned = normalize_spacing(_strip_edges(text))
    if not cleaned:
        return Parsed(None, "ô trống", blank=True)
    if _NAME_NOISE_RE.search(cleaned):
        return Parsed(cleaned, "tên có ký tự lạ")
    return Parsed(cleaned)


_CANDIDATE_RE = re.compile(r"([^\W\d_]*[.\-/]?)(\d+)")


def split_candidate_number(value: str) -> tuple[str, int] | None:
    """("B.", 123) for "B.0123": the prefix and the running number, None if it has no such form."""
    match = _CANDIDATE_RE.fullmatch(value)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def parse_candidate_number(text: str) -> Parsed:
    """Số báo danh as written, whitespace removed: "0123", "A0123", "B.0123".

    Letters are kept only as a prefix; a letter among the digits ("01O3") is doubted, not
    guessed, since candidate numbers are the key reviewers search by.
    """
    squeezed = _squeeze(text)
    if not squeezed:
        return Parsed(None, "ô trống", blank=True)
    if _CANDIDATE_RE.fullmatch(squeezed):
        return Parsed(squeezed)
    return Parsed(squeezed, f"số báo danh có ký tự lạ: {squeezed}")


def parse_row_number(text: str) -> int | None:
    """The STT column: a plain integer (a trailing dot allowed), else None."""
    squeezed = _squeeze(text).rstrip(".")
    return int(squeezed) if squeezed.isdigit() else None
