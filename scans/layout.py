"""Sheet layout: which columns a list has, how values are written, where everything goes.

Why here: the same list can be set in many ways (DOMAIN.md §1): column sets and titles vary by
year and council, numbers are written "7,5" or "7.5" or "7", dates "12/03/1970" or "12.3.70" or
only the year, sex as "Nam/Nữ" or an "x" in a "Nữ" column.  How a value is written on the page
is what the ground truth records ("as written" for the ranking, canonical for numbers), so the
writing conventions and the drawing live together here, and every drawn cell reports its box
and its truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from records.exam_rules import ExamRules
from records.export_format import FieldReading, SheetHeader
from records.vocabulary import SCORE_PREFIX, ExamResult, Sex
from scans.canvas import Box, Canvas, Ink
from scans.content import Candidate, ExamList, SheetFacts
from scans.marks import STAMP_TEXTS, box_stamp, round_seal, signature, strike_through, wobbly_line
from scans.styles import (
    Painter,
    PrintPainter,
    Style,
    hand_painter,
    painter_for,
    pin_pitch,
)


class Ruling(StrEnum):
    FULL = "full"  # every row and column ruled, boxed
    PARTIAL = "partial"  # vertical rules and the header rules only
    NONE = "none"  # no rules at all


class Orientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


A4_MM = (210.0, 297.0)


# ---------------------------------------------------------------------------------------------
# Writing conventions


@dataclass(frozen=True)
class Conventions:
    """How this document writes its values (one clerk, one machine, one habit)."""

    decimal_comma: bool
    pad_integers: bool  # "7,0" rather than "7"
    date_style: str  # "slash" 12/03/1970, "dash" 12-3-1970, "dot" 12.3.70, "year" 1970
    name_upper: bool
    split_name: bool  # "Họ và tên đệm" + "Tên"
    sex_mode: str  # "word" (Nam/Nữ), "female_x" (x in a Nữ column), "two_x" (Nam | Nữ)
    ranking_style: str  # "full", "abbrev" (G/K/TB), "mixed" (TB only abbreviated)
    result_variant: int
    bonus_mode: str  # "column", "in_total" ("47 + 3,5"), "none"
    birthplace: bool
    notes: bool
    stt: bool
    absent_word: str  # "V" or "VẮNG"
    short_titles: bool


def choose_conventions(rng: random.Random, facts: SheetFacts, style: Style) -> Conventions:
    rules = facts.rules
    return Conventions(
        decimal_comma=rng.random() < 0.75,
        pad_integers=rules.score_step < 1 and rng.random() < 0.3,
        date_style=rng.choice(("slash", "slash", "dash", "dot", "year")),
        name_upper=rng.random() < 0.2,
        split_name=rng.random() < 0.35,
        sex_mode=rng.choice(("word", "word", "female_x", "two_x")),
        ranking_style=rng.choice(("full", "abbrev", "mixed")),
        result_variant=rng.randrange(len(rules.result_words)),
        bonus_mode=rng.choice(("column", "column", "in_total", "none")),
        birthplace=rng.random() < 0.75,
        notes=rng.random() < 0.5,
        stt=rng.random() < 0.85,
        absent_word="V" if rng.random() < 0.7 else "VẮNG",
        short_titles=style is not Style.COMPUTER_PRINT and rng.random() < 0.5,
    )


def canonical(value: Decimal) -> str:
    """Canonical text of a number in the export contract: "7.5", "7", "47.5"."""
    text = format(value.normalize(), "f")
    return text


def written_number(value: Decimal, conv: Conventions) -> str:
    if value == value.to_integral_value():
        text = f"{int(value)}"
        if conv.pad_integers:
            text += ".0"
    else:
        text = canonical(value)
    return text.replace(".", ",") if conv.decimal_comma else text


def written_date(cand: Candidate, conv: Conventions) -> tuple[str, str]:
    """(text on the sheet, canonical truth)."""
    d = cand.birth
    if conv.date_style == "year":
        return f"{d.year}", f"{d.year}"
    iso = d.isoformat()
    if conv.date_style == "slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}", iso
    if conv.date_style == "dash":
        return f"{d.day}-{d.month}-{d.year}", iso
    return f"{d.day}.{d.month}.{d.year % 100:02d}", iso


RANK_ABBREV = {"Giỏi": "G", "Khá": "K", "Trung bình": "TB"}


def written_ranking(word: str | None, conv: Conventions) -> str:
    if word is None:
        return ""
    if conv.ranking_style == "abbrev":
        return RANK_ABBREV.get(word, word)
    if conv.ranking_style == "mixed" and word == "Trung bình":
        return "TB"
    return word


# ---------------------------------------------------------------------------------------------
# Columns


class Col(StrEnum):
    STT = "stt"
    SBD = "sbd"
    NAME = "name"
    SURNAME_MIDDLE = "surname_middle"
    GIVEN = "given"
    BIRTH = "birth"
    BIRTHPLACE = "birthplace"
    SEX = "sex"
    MALE_X = "male_x"
    FEMALE_X = "female_x"
    SUBJECT = "subject"
    TOTAL = "total"
    BONUS = "bonus"
    RANKING = "ranking"
    RESULT = "result"
    NOTES = "notes"


SUBJECT_TITLES: dict[str, tuple[str, str]] = {  # (long, short)
    "literature": ("Văn", "Văn"),
    "math": ("Toán", "Toán"),
    "physics": ("Vật lý", "Lý"),
    "chemistry": ("Hóa học", "Hóa"),
    "biology": ("Sinh vật", "Sinh"),
    "history": ("Lịch sử", "Sử"),
    "geography": ("Địa lý", "Địa"),
    "foreign_language": ("Ngoại ngữ", "N.Ngữ"),
    "civics": ("Chính trị", "C.Trị"),
}


@dataclass
class Column:
    kind: Col
    titles: tuple[str, ...]  # title lines
    align: str = "center"  # "left" or "center"
    subject: str | None = None
    width: float = 0.0
    x: float = 0.0

    @property
    def label(self) -> str:
        return " ".join(self.titles)


def choose_columns(rng: random.Random, facts: SheetFacts, conv: Conventions) -> list[Column]:
    short = conv.short_titles
    cols: list[Column] = []
    if conv.stt:
        cols.append(Column(Col.STT, (rng.choice(("STT", "TT", "Số TT")),)))
    cols.append(
        Column(Col.SBD, ("SBD",) if short else rng.choice((("Số", "BD"), ("Số báo", "danh"))))
    )
    if conv.split_name:
        mid = rng.choice((("Họ và tên đệm",), ("Họ và chữ lót",), ("Họ và", "tên đệm")))
        cols.append(Column(Col.SURNAME_MIDDLE, mid, align="left"))
        cols.append(Column(Col.GIVEN, ("Tên",), align="left"))
    else:
        title = rng.choice((("Họ và tên",), ("HỌ VÀ TÊN",), ("Họ và tên thí sinh",)))
        cols.append(Column(Col.NAME, title, align="left"))
    if conv.date_style == "year":
        cols.append(Column(Col.BIRTH, ("Năm", "sinh") if short else ("Năm sinh",)))
    else:
        cols.append(
            Column(Col.BIRTH, ("Ngày sinh",) if rng.random() < 0.7 else ("Ngày tháng", "năm sinh"))
        )
    if conv.sex_mode == "word":
        cols.append(Column(Col.SEX, (rng.choice(("Giới tính", "Phái", "Nam/Nữ")),)))
    if conv.sex_mode == "two_x":
        cols.append(Column(Col.MALE_X, ("Nam",)))
    if conv.sex_mode in ("female_x", "two_x"):
        cols.append(Column(Col.FEMALE_X, ("Nữ",)))
    if conv.birthplace:
        cols.append(Column(Col.BIRTHPLACE, ("Nơi sinh",), align="left"))
    rules = facts.rules
    for code in rules.subjects:
        long, abbr = SUBJECT_TITLES[code]
        text = abbr if short else long
        lines: tuple[str, ...] = (text,)
        if code in rules.doubled and rng.random() < 0.5:
            lines = (text, "(hệ số 2)" if not short else "(x2)")
        cols.append(Column(Col.SUBJECT, lines, subject=code))
    cols.append(
        Column(
            Col.TOTAL,
            ("TĐ",) if short else rng.choice((("Tổng", "điểm"), ("Tổng điểm",), ("Tổng", "cộng"))),
        )
    )
    if conv.bonus_mode == "column":
        cols.append(
            Column(
                Col.BONUS,
                ("KK",)
                if short
                else rng.choice((("Điểm", "KK"), ("Điểm", "ưu tiên"), ("Điểm KK",))),
            )
        )
    cols.append(
        Column(
            Col.RANKING,
            ("XL",) if short else rng.choice((("Xếp", "loại"), ("Loại", "TN"), ("Xếp loại",))),
        )
    )
    cols.append(
        Column(Col.RESULT, ("KQ",) if short else rng.choice((("Kết quả",), ("Kết", "quả"))))
    )
    if conv.notes:
        cols.append(Column(Col.NOTES, ("Ghi chú",), align="left"))
    return cols


def cell(
    col: Column, cand: Candidate, number: int, conv: Conventions, rules: ExamRules
) -> tuple[str, dict[str, FieldReading]]:
    """Text written in one cell, and the truth it carries (field name -> value)."""
    k = col.kind
    if k is Col.STT:
        return f"{number}", {}
    if k is Col.SBD:
        return cand.number, {"candidate_number": FieldReading(cand.number)}
    name = cand.person.full_name.upper() if conv.name_upper else cand.person.full_name
    if k is Col.NAME:
        return name, {"full_name": FieldReading(name)}
    if k is Col.SURNAME_MIDDLE:
        text = cand.person.surname_and_middle
        text = text.upper() if conv.name_upper else text
        return text, {"full_name": FieldReading(name)}
    if k is Col.GIVEN:
        text = cand.person.given.upper() if conv.name_upper else cand.person.given
        return text, {"full_name": FieldReading(name)}
    if k is Col.BIRTH:
        written, iso = written_date(cand, conv)
        return written, {"birth_date": FieldReading(iso)}
    if k is Col.BIRTHPLACE:
        return cand.birthplace, {"birthplace": FieldReading(cand.birthplace)}
    sex = cand.person.sex
    if k is Col.SEX:
        return sex.value, {"sex": FieldReading(sex.value)}
    if k is Col.FEMALE_X:
        mark = "x" if sex is Sex.FEMALE else ""
        carries = sex is Sex.FEMALE or conv.sex_mode == "female_x"
        return mark, {"sex": FieldReading(sex.value)} if carries else {}
    if k is Col.MALE_X:
        return ("x", {"sex": FieldReading(sex.value)}) if sex is Sex.MALE else ("", {})
    if k is Col.SUBJECT:
        code = col.subject or ""
        value = cand.scores.get(code)
        key = SCORE_PREFIX + code
        if value is None:
            return conv.absent_word, {key: FieldReading("V")}
        return written_number(value, conv), {key: FieldReading(canonical(value))}
    if k is Col.TOTAL:
        if cand.total is None:
            return "", {"total": FieldReading(None)}
        truth = {"total": FieldReading(canonical(cand.total))}
        if conv.bonus_mode == "in_total" and cand.bonus > 0:
            base = written_number(cand.total - cand.bonus, conv)
            text = f"{base} + {written_number(cand.bonus, conv)}"
            truth["bonus"] = FieldReading(canonical(cand.bonus))
            return text, truth
        return written_number(cand.total, conv), truth
    if k is Col.BONUS:
        if cand.bonus == 0:
            return "", {"bonus": FieldReading(None)}
        return written_number(cand.bonus, conv), {"bonus": FieldReading(canonical(cand.bonus))}
    if k is Col.RANKING:
        text = written_ranking(cand.ranking, conv)
        return text, {"ranking": FieldReading(text or None)}
    if k is Col.RESULT:
        result = ExamResult.PASSED if cand.passed else ExamResult.FAILED
        return rules.result_word(cand.passed, conv.result_variant), {
            "result": FieldReading(result.value)
        }
    # notes
    return ("Vắng" if cand.absent_everywhere else ""), {}


# ---------------------------------------------------------------------------------------------
# Geometry


@dataclass
class DocumentPlan:
    """Everything fixed for a whole document before its pages are drawn."""

    style: Style
    ruling: Ruling
    orientation: Orientation
    dpi: int
    width: int
    height: int
    margins: tuple[float, float, float, float]  # left, top, right, bottom (px)
    size: float  # body text size, px
    row_h: float
    title_h: float
    columns: list[Column]
    conv: Conventions
    exam: ExamList
    header_h: float
    footer_h: float
    repeat_table_header: bool
    rule_ink: Ink
    rule_wobble: float
    body: Painter
    form: Painter  # header, titles (a printed form for handwritten ledgers)
    pages: list[list[int]] = field(default_factory=list)  # candidate indices per page

    @property
    def sheet(self) -> SheetHeader:
        f = self.exam.facts
        return SheetHeader(f.year, f.level.value, f.council, f.school)


def page_size(dpi: int, orientation: Orientation) -> tuple[int, int]:
    w_mm, h_mm = A4_MM if orientation is Orientation.PORTRAIT else A4_MM[::-1]
    return round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi)


def _fit_columns(
    plan_cols: list[Column],
    painter: Painter,
    size: float,
    exam: ExamList,
    conv: Conventions,
    avail: float,
    pad: float,
) -> float:
    """Set natural widths; return their sum."""
    rules = exam.facts.rules
    for col in plan_cols:
        w = max(painter.measure(t, size) for t in col.titles)
        for i, cand in enumerate(exam.candidates):
            text, _ = cell(col, cand, i + 1, conv, rules)
            if text:
                w = max(w, painter.measure(text, size))
        if col.kind is Col.SUBJECT:
            w = max(w, painter.measure("10,0", size) * 1.6)  # room for a correction
        if col.kind in (Col.MALE_X, Col.FEMALE_X, Col.SEX):
            w = max(w, size * 1.2)
        col.width = w + 2 * pad
    return sum(c.width for c in plan_cols)


def plan_document(
    rng: random.Random,
    style: Style,
    ruling: Ruling,
    orientation: Orientation,
    dpi: int,
    exam: ExamList,
) -> DocumentPlan:
    """Choose conventions, columns, sizes and page capacities for ``exam``."""
    conv = choose_conventions(rng, exam.facts, style)
    columns = choose_columns(rng, exam.facts, conv)
    width, height = page_size(dpi, orientation)
    mm = dpi / 25.4
    margins = (
        rng.uniform(15, 22) * mm,
        rng.uniform(12, 18) * mm,
        rng.uniform(10, 15) * mm,
        rng.uniform(12, 18) * mm,
    )
    body = painter_for(style, rng, dpi)
    if style is Style.HANDWRITTEN and rng.random() < 0.5:
        form: Painter = PrintPainter(rng)  # a printed form filled in by hand
    else:
        form = body
    avail = width - margins[0] - margins[2]
    pt = {
        Style.TYPEWRITER: 11.0,
        Style.TYPEWRITER_PEN_MARKS: 11.0,
        Style.DOT_MATRIX: 11.0,
        Style.COMPUTER_PRINT: 12.0,
        Style.HANDWRITTEN: 11.0,
    }[style] * rng.uniform(0.92, 1.08)
    size = pt * dpi / 72
    pad = size * 0.35
    total = _fit_columns(columns, body, size, exam, conv, avail, pad)
    while total > avail and size > 6.5 * dpi / 72:
        size *= 0.93
        pad = size * 0.35
        total = _fit_columns(columns, body, size, exam, conv, avail, pad)
    for drop in (Col.NOTES, Col.BIRTHPLACE, Col.STT):
        if total <= avail:
            break
        columns = [c for c in columns if c.kind is not drop]
        total = _fit_columns(columns, body, size, exam, conv, avail, pad)
    if total > avail:  # squeeze proportionally: crowded sheets happen
        for c in columns:
            c.width *= avail / total
    else:
        wide = (Col.NAME, Col.SURNAME_MIDDLE, Col.BIRTHPLACE, Col.NOTES)
        stretch = [c for c in columns if c.kind in wide]
        extra = (avail - total) * rng.uniform(0.5, 1.0)
        for c in stretch:
            c.width += extra / len(stretch)
    x = margins[0]
    for c in columns:
        c.x = x
        x += c.width
    line = size * 1.25
    row_h = line * (1.45 if ruling is Ruling.FULL else 1.3)
    if style is Style.HANDWRITTEN:
        row_h *= 1.15
    title_lines = max(len(c.titles) for c in columns)
    title_h = line * title_lines + size * 0.8
    header_h = line * (8.5 + (1 if exam.facts.school else 0))
    footer_h = line * 9.5
    old = style in (Style.TYPEWRITER, Style.TYPEWRITER_PEN_MARKS, Style.HANDWRITTEN)
    rule_ink = Ink.PEN if style is Style.HANDWRITTEN or (old and rng.random() < 0.4) else Ink.PRINT
    return DocumentPlan(
        style=style,
        ruling=ruling,
        orientation=orientation,
        dpi=dpi,
        width=width,
        height=height,
        margins=margins,
        size=size,
        row_h=row_h,
        title_h=title_h,
        columns=columns,
        conv=conv,
        exam=exam,
        header_h=header_h,
        footer_h=footer_h,
        repeat_table_header=rng.random() < 0.75,
        rule_ink=rule_ink,
        rule_wobble=(rng.uniform(0.8, 2.0) if old else 0.0) * dpi / 200,
        body=body,
        form=form,
    )


def capacities(plan: DocumentPlan) -> tuple[int, int, int, int]:
    """Rows that fit: (first page, later page, first page with footer, later with footer)."""
    body_h = plan.height - plan.margins[1] - plan.margins[3] - plan.size * 2
    first = body_h - plan.header_h - plan.title_h
    later = body_h - (plan.title_h if plan.repeat_table_header else 0) - plan.size * 2
    return (
        max(1, int(first / plan.row_h)),
        max(1, int(later / plan.row_h)),
        max(1, int((first - plan.footer_h) / plan.row_h)),
        max(1, int((later - plan.footer_h) / plan.row_h)),
    )


def paginate(rng: random.Random, plan: DocumentPlan, pages: int) -> int:
    """Decide how many rows each page carries; return the number of candidates needed
    (never more than the plan's list holds)."""
    first, later, first_f, later_f = capacities(plan)
    if pages == 1:
        counts = [rng.randint(max(1, first_f * 2 // 3), first_f)]
    else:
        counts = [first] + [later] * (pages - 2) + [rng.randint(max(1, later_f // 3), later_f)]
    available = len(plan.exam.candidates)
    for i in range(len(counts)):
        room = available - sum(counts[:i]) - (len(counts) - i - 1)
        counts[i] = max(1, min(counts[i], room))
    plan.pages = []
    start = 0
    for n in counts:
        plan.pages.append(list(range(start, start + n)))
        start += n
    return start


# ---------------------------------------------------------------------------------------------
# Drawing


@dataclass
class RowRecord:
    row: int  # 1-based on the page
    number: int  # STT, 1-based in the list
    box: Box
    cells: dict[str, Box]
    fields: dict[str, FieldReading]


@dataclass
class PageRender:
    canvas: Canvas
    rows: list[RowRecord]
    marks: list[str]  # content-level degradations: correction, stamp_over_text, seal_over_text


def _centered(
    painter: Painter,
    canvas: Canvas,
    cx: float,
    y: float,
    text: str,
    size: float,
    bold: bool = False,
) -> Box:
    w = painter.measure(text, size, bold)
    return painter.draw(canvas, cx - w / 2, y, text, size, bold)


def _fit_size(painter: Painter, text: str, size: float, width: float, bold: bool) -> float:
    w = painter.measure(text, size, bold)
    return size if w <= width else size * width / w * 0.98


def _hline(
    canvas: Canvas,
    plan: DocumentPlan,
    rng: random.Random,
    x0: float,
    x1: float,
    y: float,
    heavy: bool = False,
) -> None:
    _rule(canvas, plan, rng, (x0, y), (x1, y), heavy)


def _rule(
    canvas: Canvas,
    plan: DocumentPlan,
    rng: random.Random,
    p0: tuple[float, float],
    p1: tuple[float, float],
    heavy: bool = False,
) -> None:
    if plan.style is Style.DOT_MATRIX:
        p = canvas.pin_pitch
        canvas.grid_draw().line(
            [(p0[0] / p, p0[1] / p), (p1[0] / p, p1[1] / p)], fill=255, width=2 if heavy else 1
        )
        return
    width = canvas.px(1.0 if heavy else 0.6)
    wobble = plan.rule_wobble
    wobbly_line(canvas.draw(plan.rule_ink), rng, p0, p1, width, wobble)


def draw_header(canvas: Canvas, plan: DocumentPlan, rng: random.Random, top: float) -> float:
    f = plan.exam.facts
    p = plan.form
    s = plan.size
    left, _, right, _ = plan.margins
    avail = plan.width - left - right
    lcx = left + avail * 0.2
    rcx = left + avail * 0.72
    block = avail * 0.44
    y = top + s
    for i, text in enumerate(f.issuing):
        sz = _fit_size(p, text, s, block, i == 1)
        _centered(p, canvas, lcx, y + i * s * 1.3, text, sz, bold=i == 1)
    motto1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto2 = "Độc lập - Tự do - Hạnh phúc"
    sz = _fit_size(p, motto1, s, block, True)
    _centered(p, canvas, rcx, y, motto1, sz, bold=True)
    b = _centered(p, canvas, rcx, y + s * 1.3, motto2, sz, bold=True)
    uy = y + s * 1.3 + s * 0.35
    _hline(canvas, plan, rng, b[0] + s, b[2] - s, uy)
    _hline(canvas, plan, rng, lcx - s * 2.5, lcx + s * 2.5, uy)
    y += s * 4.2
    big = s * 1.3
    title = f"{f.title} {f.level_text}"
    if p.measure(title, big, True) <= avail:
        _centered(p, canvas, left + avail / 2, y, title, big, bold=True)
        y += big * 1.4
    else:
        _centered(
            p,
            canvas,
            left + avail / 2,
            y,
            f.title,
            _fit_size(p, f.title, big, avail, True),
            bold=True,
        )
        y += big * 1.3
        _centered(p, canvas, left + avail / 2, y, f.level_text, big, bold=True)
        y += big * 1.4
    _centered(p, canvas, left + avail / 2, y, f.year_text, s, bold=False)
    y += s * 1.6
    council = f"Hội đồng thi: {f.council}"
    _centered(p, canvas, left + avail / 2, y, council, s, bold=True)
    y += s * 1.4
    if f.school:
        _centered(p, canvas, left + avail / 2, y, f"Trường: {f.school}", s)
        y += s * 1.4
    return max(y, top + plan.header_h - s)


def draw_table_header(canvas: Canvas, plan: DocumentPlan, rng: random.Random, top: float) -> float:
    s = plan.size
    line = s * 1.25
    bottom = top + plan.title_h
    for col in plan.columns:
        n = len(col.titles)
        y0 = top + (plan.title_h - n * line) / 2 + line * 0.85
        for i, t in enumerate(col.titles):
            sz = _fit_size(plan.form, t, s, col.width - s * 0.3, True)
            _centered(plan.form, canvas, col.x + col.width / 2, y0 + i * line, t, sz, bold=True)
    return bottom


def draw_rules(
    canvas: Canvas,
    plan: DocumentPlan,
    rng: random.Random,
    top: float,
    title_bottom: float | None,
    row_lines: list[float],
    bottom: float,
) -> None:
    x0 = plan.columns[0].x
    x1 = plan.columns[-1].x + plan.columns[-1].width
    if plan.ruling is Ruling.NONE:
        if title_bottom is not None and rng.random() < 0.5:
            _hline(canvas, plan, rng, x0, x1, title_bottom)
        return
    _hline(canvas, plan, rng, x0, x1, top, heavy=True)
    if title_bottom is not None:
        _hline(canvas, plan, rng, x0, x1, title_bottom)
    _hline(canvas, plan, rng, x0, x1, bottom, heavy=True)
    xs = [c.x for c in plan.columns] + [x1]
    for i, x in enumerate(xs):
        if plan.ruling is Ruling.PARTIAL and i in (0, len(xs) - 1) and rng.random() < 0.5:
            continue
        _rule(canvas, plan, rng, (x, top), (x, bottom), heavy=i in (0, len(xs) - 1))
    if plan.ruling is Ruling.FULL:
        for y in row_lines:
            _hline(canvas, plan, rng, x0, x1, y)


def _draw_cell(
    canvas: Canvas, plan: DocumentPlan, col: Column, text: str, top: float
) -> Box | None:
    if not text:
        return None
    s = plan.size
    baseline = top + plan.row_h * 0.5 + s * 0.33
    avail = col.width - s * 0.5
    sz = _fit_size(plan.body, text, s, avail, False)
    if col.align == "left":
        return plan.body.draw(canvas, col.x + s * 0.3, baseline, text, sz)
    return _centered(plan.body, canvas, col.x + col.width / 2, baseline, text, sz)


def _draw_correction(
    canvas: Canvas,
    plan: DocumentPlan,
    rng: random.Random,
    col: Column,
    wrong: str,
    right: str,
    top: float,
) -> Box:
    """The wrong value as the machine wrote it, struck through, the right one by pen beside."""
    s = plan.size
    baseline = top + plan.row_h * 0.5 + s * 0.33
    pen = hand_painter(rng)
    b1 = plan.body.draw(canvas, col.x + s * 0.35, baseline, wrong, s)
    strike_through(canvas, rng, b1[0], b1[2], baseline, s)
    room = col.x + col.width - b1[2] - s * 0.2
    if pen.measure(right, s * 0.9) <= room:
        b2 = pen.draw(canvas, b1[2] + s * 0.25, baseline, right, s * 0.9)
    else:
        b2 = pen.draw(canvas, b1[0] + s * 0.4, baseline - plan.row_h * 0.55, right, s * 0.8)
    return (min(b1[0], b2[0]), min(b1[1], b2[1]), max(b1[2], b2[2]), max(b1[3], b2[3]))


def _union(a: Box | None, b: Box) -> Box:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def draw_footer(canvas: Canvas, plan: DocumentPlan, rng: random.Random, top: float) -> Box:
    """Date line, signers, signatures and the seal over the right-hand signer; returns the
    seal's box."""
    f = plan.exam.facts
    p = plan.form
    s = plan.size
    left, _, right, _ = plan.margins
    avail = plan.width - left - right
    lcx = left + avail * 0.22
    rcx = left + avail * 0.72
    y = top + s * 1.8
    n = len(plan.exam.candidates)
    passed = sum(1 for c in plan.exam.candidates if c.passed)
    summary = f"Tổng số thí sinh: {n}. Đỗ: {passed}. Hỏng: {n - passed}."
    if rng.random() < 0.6:
        p.draw(canvas, left, y, summary, s * 0.95)
        y += s * 1.6
    d = f.signed
    dateline = f"{f.place}, ngày {d.day} tháng {d.month} năm {d.year}"
    _centered(p, canvas, rcx, y, dateline, _fit_size(p, dateline, s, avail * 0.45, False))
    y += s * 1.5
    (ltitle, lname), (rtitle, rname) = f.signers
    if rtitle.startswith("KT."):
        _centered(p, canvas, rcx, y, rtitle, s, bold=True)
        _centered(p, canvas, rcx, y + s * 1.3, "PHÓ GIÁM ĐỐC", s, bold=True)
        title_y = y + s * 1.3
    else:
        _centered(p, canvas, rcx, y, rtitle, s, bold=True)
        title_y = y
    _centered(p, canvas, lcx, y, ltitle, s, bold=True)
    sig_y = title_y + s * 3.2
    signature(canvas, rng, rcx - s * 3, sig_y, s * rng.uniform(5, 8))
    signature(canvas, rng, lcx - s * 3, sig_y, s * rng.uniform(4, 7))
    name_y = title_y + s * 5.5
    pen = hand_painter(rng)
    for cx, name in ((lcx, lname), (rcx, rname)):
        painter: Painter = pen if rng.random() < 0.3 else p
        _centered(painter, canvas, cx, name_y, name, s, bold=painter is p)
    issuing_top = f.issuing[1]
    issuing_bottom = f.issuing[0].removeprefix("UBND ")
    seal_cx = rcx - s * rng.uniform(2.5, 4.5)
    seal_cy = title_y + s * rng.uniform(1.5, 2.8)
    return round_seal(canvas, rng, seal_cx, seal_cy, issuing_top, issuing_bottom)


def render_page(
    plan: DocumentPlan,
    page_index: int,
    rng: random.Random,
    *,
    correction_rows: frozenset[int] = frozenset(),
    stamp_over_text: bool = False,
) -> PageRender:
    """Draw page ``page_index`` (0-based) of the document; ``correction_rows`` are candidate
    indices whose correction (planted in content) is drawn."""
    canvas = Canvas(
        plan.width,
        plan.height,
        plan.dpi,
        pin_pitch=pin_pitch(plan.dpi) if plan.style is Style.DOT_MATRIX else 0,
    )
    marks: list[str] = []
    indices = plan.pages[page_index]
    first = page_index == 0
    last = page_index == len(plan.pages) - 1
    _, top, right, _ = plan.margins
    y = top
    if first:
        y = draw_header(canvas, plan, rng, y)
    else:
        n = page_index + 1
        label = rng.choice((f"Trang {n}", f"Tờ số {n}", f"- {n} -"))
        _centered(
            plan.form, canvas, plan.width - right - plan.size * 4, y + plan.size, label, plan.size
        )
        y += plan.size * 2
    table_top = y
    title_bottom: float | None = None
    if first or plan.repeat_table_header:
        title_bottom = draw_table_header(canvas, plan, rng, y)
        y = title_bottom
    rows: list[RowRecord] = []
    row_lines: list[float] = []
    rules = plan.exam.facts.rules
    for r, idx in enumerate(indices):
        cand = plan.exam.candidates[idx]
        row_top = y
        cells: dict[str, Box] = {}
        fields: dict[str, FieldReading] = {}
        for col in plan.columns:
            text, truth = cell(col, cand, idx + 1, plan.conv, rules)
            corr = cand.correction
            cell_box: Box = (
                round(col.x),
                round(row_top),
                round(col.x + col.width),
                round(row_top + plan.row_h),
            )
            if (
                corr is not None
                and idx in correction_rows
                and col.kind is Col.SUBJECT
                and col.subject == corr.subject
            ):
                wrong = written_number(corr.wrong, plan.conv)
                _draw_correction(canvas, plan, rng, col, wrong, text, row_top)
                marks.append("correction")
            else:
                _draw_cell(canvas, plan, col, text, row_top)
            for name, reading in truth.items():
                fields[name] = reading
                cells[name] = _union(cells.get(name), cell_box)
        y += plan.row_h
        row_lines.append(y)
        box = (
            round(plan.columns[0].x),
            round(row_top),
            round(plan.columns[-1].x + plan.columns[-1].width),
            round(y),
        )
        rows.append(RowRecord(r + 1, idx + 1, box, cells, fields))
    draw_rules(canvas, plan, rng, table_top, title_bottom, row_lines[:-1], y)
    if last:
        seal = draw_footer(canvas, plan, rng, y)
        marks.append("seal_over_text")
        del seal
    if stamp_over_text and rows:
        target = rows[rng.randrange(len(rows))].box
        cx = rng.uniform(
            target[0] + (target[2] - target[0]) * 0.3, target[0] + (target[2] - target[0]) * 0.8
        )
        if rng.random() < 0.5:
            box_stamp(canvas, rng, cx, (target[1] + target[3]) / 2, rng.choice(STAMP_TEXTS))
        else:
            f = plan.exam.facts
            round_seal(
                canvas,
                rng,
                cx,
                (target[1] + target[3]) / 2,
                f.issuing[1],
                f.issuing[0].removeprefix("UBND "),
            )
        marks.append("stamp_over_text")
    if plan.style is not Style.HANDWRITTEN and rng.random() < 0.3:
        # a page number typed at the bottom
        _centered(
            plan.form,
            canvas,
            plan.width / 2,
            plan.height - plan.margins[3] * 0.6,
            f"{page_index + 1}",
            plan.size * 0.9,
        )
    return PageRender(canvas, rows, marks)
