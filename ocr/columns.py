"""Recognising a table's columns from their Vietnamese titles and the variants sheets use.

Titles are compared on their accent-folded form (OCR often loses or confuses diacritics in
small header print), long titles by fuzzy ratio and short ones (TĐ, KQ, Sử, Tên) only exactly,
since a fuzzy match between two-letter words means nothing.  Some columns carry half a field:
"Họ và tên đệm" + "Tên" (a name split in two) or "Nam" / "Nữ" columns marked with an x; those
get part names that the reader joins back into the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from records.vntext import folded_key
from records.vocabulary import SCORE_PREFIX

# Column parts that are not export fields themselves.
ROW_NUMBER = "row_number"  # STT: the row's number on the list
NAME_HEAD = "name_head"  # họ và tên đệm: surname and middle part
NAME_GIVEN = "name_given"  # tên: the given name
MALE_MARK = "sex_male_mark"  # a "Nam" column ticked with x
FEMALE_MARK = "sex_female_mark"  # a "Nữ" column ticked with x
NOTES = "notes"  # ghi chú

# (column part, folded title variants).  Order matters only for equal scores.
TITLE_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ROW_NUMBER, ("stt", "tt", "so tt", "so thu tu")),
    ("candidate_number", ("sbd", "so bd", "so bao danh", "so bao", "so b.d")),
    (NAME_HEAD, ("ho va ten dem", "ho va chu lot", "ho va ten lot", "ho dem", "ho va ten đem")),
    (NAME_GIVEN, ("ten",)),
    ("full_name", ("ho va ten", "ho ten", "ho va ten thi sinh", "ho ten thi sinh")),
    ("birth_date", ("ngay sinh", "ngay thang nam sinh", "nam sinh", "ngay thang sinh")),
    ("birthplace", ("noi sinh",)),
    ("sex", ("gioi tinh", "phai", "nam/nu", "nam nu", "nam-nu")),
    (MALE_MARK, ("nam",)),
    (FEMALE_MARK, ("nu",)),
    (SCORE_PREFIX + "literature", ("van", "ngu van", "van hoc")),
    (SCORE_PREFIX + "math", ("toan",)),
    (SCORE_PREFIX + "physics", ("vat ly", "ly", "vat li", "li")),
    (SCORE_PREFIX + "chemistry", ("hoa hoc", "hoa")),
    (SCORE_PREFIX + "biology", ("sinh vat", "sinh", "sinh hoc")),
    (SCORE_PREFIX + "history", ("lich su", "su")),
    (SCORE_PREFIX + "geography", ("dia ly", "dia", "dia li")),
    (SCORE_PREFIX + "foreign_language", ("ngoai ngu", "n.ngu", "n. ngu", "nn", "anh van")),
    (SCORE_PREFIX + "civics", ("chinh tri", "c.tri", "c. tri", "gdcd")),
    ("total", ("tong diem", "td", "tong cong", "tong", "t.diem", "tong so diem")),
    ("bonus", ("diem kk", "kk", "diem uu tien", "diem khuyen khich", "uu tien", "diem ut")),
    ("ranking", ("xep loai", "xl", "loai tn", "loai", "xep loai tn")),
    ("result", ("ket qua", "kq", "ket qua thi")),
    (NOTES, ("ghi chu",)),
)

SHORT_TITLE = 4  # folded titles up to this length match exactly, or with one letter wrong
MIN_RATIO = 75.0
# A misread title about as close to two columns' titles names neither: a subject column named
# wrongly puts every score of the page under the wrong subject.
AMBIGUOUS_MARGIN = 6.0

# "(hệ số 2)", "/hệ số 2/", "(x2)": the coefficient note under a subject title.
_PARENTHESES = re.compile(r"\(.*?\)|\(.*$|/\s*h.{0,3}\s*s.{0,3}\s*2\s*/?|x\s*2\b")
_NOISE = re.compile(r"[^a-z0-9/. ]+")


# Letters the engine reads for Đ in small title print (the Icelandic eth looks the same).
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def _clean(title: str) -> str:
    folded = folded_key(_PARENTHESES.sub(" ", title.translate(_LOOKALIKES)))
    folded = _NOISE.sub(" ", folded)
    return " ".join(folded.split()).strip(" .")


def match_title(title: str) -> tuple[str | None, float]:
    """The column part a title names, with a score 0..100 (None when nothing fits)."""
    text = _clean(title)
    if not text:
        return None, 0.0
    if len(text.replace(" ", "")) <= 3:
        text = text.replace(" ", "")  # "x<L" cleaned to "x l": a short title is one word
    by_part: dict[str, float] = {}
    for part, variants in TITLE_VARIANTS:
        for variant in variants:
            if len(variant) <= SHORT_TITLE or len(text) <= SHORT_TITLE:
                score = _short_score(text, variant)
            else:
                score = fuzz.ratio(text, variant)
            by_part[part] = max(by_part.get(part, 0.0), score)
    ranked = sorted(by_part.items(), key=lambda item: -item[1])  # stable: table order on ties
    best = ranked[0] if ranked else (None, 0.0)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best[1] < MIN_RATIO:
        return None, best[1]
    if best[1] < 100.0 and runner_up >= best[1] - AMBIGUOUS_MARGIN:
        return None, best[1]  # "Sanh vai": "Sinh vật" (75) or "Anh văn" (80)? Neither.
    return best


def _short_score(text: str, variant: str) -> float:
    """Short titles: equal, or one letter misread in a title of three or more letters."""
    if text == variant:
        return 100.0
    if len(text) == len(variant) >= 3 and Levenshtein.distance(text, variant) == 1:
        return 80.0
    return 0.0


NAME_PARTS = frozenset({"full_name", NAME_HEAD, NAME_GIVEN})


def match_columns(titles: Sequence[str]) -> list[str | None]:
    """Column parts for a row of titles; a part claimed twice keeps its best-scoring column.

    The row number (STT) opens every list, before the name: a title read as "TT" to the
    right of the name is another title misread (a dot-matrix "Nữ" came out "TT,"), and taking
    it would lose that column and check the row sequence against its ticks."""
    matches = [match_title(t) for t in titles]
    first_name = next(
        (i for i, (part, _) in enumerate(matches) if part in NAME_PARTS), len(matches)
    )
    matches = [
        (None, score) if part == ROW_NUMBER and index > first_name else (part, score)
        for index, (part, score) in enumerate(matches)
    ]
    best_for: dict[str, tuple[int, float]] = {}
    for index, (part, score) in enumerate(matches):
        if part is not None and (part not in best_for or score > best_for[part][1]):
            best_for[part] = (index, score)
    keep = {index for index, _ in best_for.values()}
    return [part if index in keep else None for index, (part, _) in enumerate(matches)]


def recognised_count(parts: Sequence[str | None]) -> int:
    return sum(part is not None for part in parts)
