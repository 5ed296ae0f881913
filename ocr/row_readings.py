"""Other readings of a row's numbers, and the choice among them by the row's own sum.

A row whose sum fails as first read is not yet lost: another reader may read its doubtful
numbers differently.  Two other readers are asked here:
  - the second model (Tesseract's English one), for the numbers the first read doubtfully
    (``cell_reading.second_opinions``);
  - the page's own glyphs (``glyph_templates``), for every number of the row: the digits of the
    rows that add up show what this page's 7 looks like, which the models may never have seen.
Each reader's readings make variants of the row (``cell_reading.opinion_variants``); a variant
is taken only when with it the sum holds on values that were read, not repaired, and no other
variant holds on other values.  The variants stay on the row (``RowResult.variants``), so a
page judged again with an inherited header (``reader.reassess``) chooses among them then: a
page that continues a list has no year of its own, and no sum can hold before it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ocr import field_state, trust_policy
from ocr.cell_reading import Cell, is_summed, opinion_variants, second_opinions
from ocr.cells import GrayImage
from ocr.engine import Engine, Reading
from ocr.field_state import squeeze_digits
from ocr.glyph_templates import (
    GlyphBank,
    PageGlyphs,
    Sample,
    template_opinions,
    vouched_numbers,
)
from ocr.model import Box, RowResult
from records.vocabulary import FieldStatus

Judge = Callable[[dict[str, field_state.Reading]], RowResult]  # assess_row, all else bound
Fields = dict[str, tuple[Reading, Box]]  # a row's readings by field, with their cells
Variant = dict[str, field_state.Reading]  # the fields a variant reads otherwise

# Rounds of the page's glyphs as a reader: the rows a round balances vouch for more glyphs.
TEMPLATE_ROUNDS = 2


def for_checks(reading: Reading, box: Box) -> field_state.Reading:
    """An engine reading as the checks take it."""
    alternatives = tuple(
        field_state.Alternative(text, conf) for text, conf in reading.alternatives()
    )
    return field_state.Reading(
        reading.text, max(0.0, min(1.0, reading.confidence)), alternatives, box
    )


def checked_fields(fields: Fields) -> dict[str, field_state.Reading]:
    return {name: for_checks(reading, box) for name, (reading, box) in fields.items()}


def sum_holds(row: RowResult) -> bool:
    """The row's total is trusted: its scores, bonus and total agree (or it was drawn for the
    random review sample, which says nothing against it)."""
    total = row.fields.get("total")
    return total is not None and (
        total.status is FieldStatus.AUTO or total.reason == trust_policy.SAMPLED
    )


@dataclass
class JudgedRow:
    """A row of a page as judged so far, with what judging it again needs."""

    row: RowResult
    judge: Judge
    fields: Fields  # ``cell_reading.assemble_row`` of ``cells``
    cells: dict[str, Cell]
    second: list[Fields] = field(default_factory=list)  # the second model's variants

    @cached_property
    def readings(self) -> dict[str, field_state.Reading]:
        return checked_fields(self.fields)

    def changed(self, variants: Iterable[Fields]) -> list[Variant]:
        """Each variant as the fields it reads otherwise, ready for the checks."""
        return [
            {
                name: for_checks(reading, box)
                for name, (reading, box) in variant.items()
                if self.fields.get(name) != (reading, box)
            }
            for variant in variants
        ]


def _numbers_of(row: RowResult) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted((n, f.value) for n, f in row.fields.items() if is_summed(n)))


def _digits(text: str) -> str:
    return squeeze_digits(text).rstrip("0")


def _repaired(row: RowResult, fields: Iterable[str]) -> bool:
    """The checks changed a digit of one of these fields (a repair by the sum), not only its
    comma ("75" → 7,5): a variant whose sum holds only after such a repair is a third
    reading, not another reader agreeing with the sum.  (On a generated page the templates
    read a 3,5 as 2,5, which the sum then "repaired" to 5,5.)"""
    for name in fields:
        f = row.fields.get(name)
        if f is None or f.value is None or f.value == f.ocr_value:
            continue
        if _digits(f.value) != _digits(f.raw_text):
            return True
    return False


def with_variants(
    judge: Judge,
    readings: dict[str, field_state.Reading],
    variants: list[Variant],
    first: RowResult | None = None,
) -> RowResult:
    """The row judged on its first readings (``first``, when already judged) or, when its sum
    fails there and holds with exactly one set of values among ``variants``, on that variant.
    Two variants that hold on different values say nothing about which is right; the row
    then keeps its first reading for the reviewer.  The row keeps ``variants``."""
    row = first or judge(readings)
    row.variants = variants
    if sum_holds(row) or not variants:
        return row
    held: dict[tuple[tuple[str, str | None], ...], RowResult] = {}
    for variant in variants:
        other = judge({**readings, **variant})
        if sum_holds(other) and not _repaired(other, variant):
            held.setdefault(_numbers_of(other), other)
    if len(held) != 1:
        return row
    [chosen] = held.values()
    chosen.variants = variants
    return chosen


def _numbers_read(fields: Mapping[str, tuple[Reading, Box]]) -> dict[str, tuple[str, Box]]:
    return {part: (reading.text, box) for part, (reading, box) in fields.items() if is_summed(part)}


def _vouched_samples(judged: list[JudgedRow]) -> list[Sample]:
    """The numbers the page vouches for: those of rows whose sum holds by the year's rule
    (as read, not repaired), and of other rows whose first or second reading adds up."""
    samples: list[Sample] = []
    for j in judged:
        if sum_holds(j.row):
            samples.extend(
                Sample(f.box, f.raw_text)
                for name, f in j.row.fields.items()
                if is_summed(name) and f.box is not None and f.value == f.ocr_value
            )
            continue
        for fields in (j.fields, *j.second):
            found = vouched_numbers(_numbers_read(fields))
            if found:
                samples.extend(found)
                break
    return samples


def take_other_readings(
    second: Engine | None, judged: list[JudgedRow], cells_image: GrayImage, scale: float
) -> None:
    """Rows whose sum did not hold get variants from the second model, then from the page's
    glyphs (learnt afresh each round); each row takes one when ``with_variants`` says so."""
    open_rows = [j for j in judged if not sum_holds(j.row)]
    if not open_rows:
        return
    if second is not None:
        opinions = second_opinions(
            second, [j.cells for j in open_rows], cells_image, scale, trust_policy.DEFAULT_POLICY
        )
        for j, found in zip(open_rows, opinions, strict=True):
            j.second = opinion_variants(j.fields, j.cells, found)
            j.row = with_variants(j.judge, j.readings, j.changed(j.second), first=j.row)
    page = PageGlyphs(cells_image)
    for _ in range(TEMPLATE_ROUNDS):
        still_open = [j for j in judged if not sum_holds(j.row)]
        if not still_open:
            return
        bank = GlyphBank(page, _vouched_samples(judged))
        bank.learn_from_sums(
            [{p: c.box for p, c in j.cells.items() if is_summed(p)} for j in still_open]
        )
        opinions = template_opinions(bank, [j.cells for j in still_open])
        for j, found in zip(still_open, opinions, strict=True):
            from_page = opinion_variants(j.fields, j.cells, found)
            j.row = with_variants(
                j.judge, j.readings, j.changed([*j.second, *from_page]), first=j.row
            )
        if all(not sum_holds(j.row) for j in still_open):
            return  # nothing newly vouched for: another round would learn the same
