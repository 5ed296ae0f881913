"""The page's own glyphs as a reader: cut, learnt from what the page vouches for, and named by
the sums they balance when nothing vouches for them."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ocr.cell_reading import Cell
from ocr.cells import GrayImage
from ocr.engine import Reading
from ocr.glyph_templates import (
    GlyphBank,
    PageGlyphs,
    Sample,
    glyph_boxes,
    template_opinions,
    vouched_numbers,
)
from ocr.model import Box
from scans.fonts import FontRole, load_font

CELL_W, CELL_H = 110, 44
PAPER, INK = 235, 110  # a pale ribbon on aged paper


def _sheet(rows: list[list[str]], ink: int = INK) -> tuple[GrayImage, list[list[Box]]]:
    """A typewritten table without rules: one cell per text, in the typewriter's face."""
    columns = max(len(row) for row in rows)
    image = Image.new("L", (columns * CELL_W, len(rows) * CELL_H), PAPER)
    draw = ImageDraw.Draw(image)
    font = load_font(FontRole.MONO, 26)
    boxes: list[list[Box]] = []
    for r, row in enumerate(rows):
        boxes.append([])
        for c, text in enumerate(row):
            box = Box(c * CELL_W, r * CELL_H, CELL_W, CELL_H)
            draw.text((box.x + 20, box.y + 8), text, fill=ink, font=font)
            boxes[-1].append(box)
    return np.asarray(image, dtype=np.uint8).copy(), boxes


def _texts(bank: GlyphBank, boxes: list[Box]) -> list[str | None]:
    return [reading.text if (reading := bank.read(box)) else None for box in boxes]


def test_a_cell_is_cut_into_its_characters_without_dust_or_a_rules_remnant() -> None:
    image, [[box]] = _sheet([["7,5"]])
    image[box.y + 1, box.x + 5 : box.right - 5] = 60  # the remnant of an erased rule
    image[box.y + 6 : box.y + 8, box.x + 95 : box.x + 97] = 60  # dust above the line
    image[box.y + 10 : box.y + 34, box.x + 12] = 60  # the hairline left of a vertical rule
    glyphs = glyph_boxes(image, box)
    assert len(glyphs) == 3
    assert [g.x for g in glyphs] == sorted(g.x for g in glyphs)
    assert glyphs[1].h < glyphs[0].h and glyphs[1].bottom > glyphs[0].bottom  # the comma
    blank, [[empty]] = _sheet([[""]])
    assert glyph_boxes(blank, empty) == []


def test_a_faint_glyph_is_found_under_a_dark_remnant() -> None:
    # the cell's own threshold, found with the remnant, would fall below the faint stroke
    image, [[box]] = _sheet([["7"]], ink=200)  # 35 grey levels below the paper
    image[box.y + 2 : box.y + 4, box.x + 30 : box.x + 70] = 90
    [glyph] = glyph_boxes(image, box)
    assert glyph.h > 10


SEEN = ["1,5", "2,0", "3,5", "4,5", "6,0", "8,5", "9,0", "10", "23", "46", "58", "69"]


def test_the_bank_reads_the_pages_own_glyphs_and_nothing_it_has_not_seen() -> None:
    image, [seen, unseen] = _sheet([SEEN, ["98,5", "60", "7,5", "17"]])
    bank = GlyphBank(
        PageGlyphs(image), [Sample(box, text) for box, text in zip(seen, SEEN, strict=True)]
    )
    assert bank.characters == ",0123456789".replace("7", "")
    assert _texts(bank, unseen) == ["98,5", "60", None, None]  # no 7 was vouched for
    reading = bank.read(unseen[0])
    assert reading is not None and reading.confidence >= 0.8
    assert reading.alternatives() == []  # a second-best correlation is no rival reading


def test_a_sample_whose_glyphs_do_not_match_its_text_teaches_nothing() -> None:
    image, [boxes] = _sheet([["35", "35"]])
    bank = GlyphBank(
        PageGlyphs(image), [Sample(box, "3") for box in boxes]
    )  # two glyphs, one character
    assert bank.characters == ""
    assert bank.read(boxes[0]) is None


def test_unknown_glyphs_are_named_by_the_sums_they_balance() -> None:
    # Rows of two scores and their total; the 7s were never vouched for.
    rows = [["7", "5", "12"], ["2", "7", "9"], ["7", "7", "14"], ["6", "3", "9"]]
    image, [seen, *boxes] = _sheet([SEEN, *rows])
    bank = GlyphBank(
        PageGlyphs(image), [Sample(box, text) for box, text in zip(seen, SEEN, strict=True)]
    )
    numbers = [dict(zip(("scores.a", "scores.b", "total"), row, strict=True)) for row in boxes]
    assert bank.learn_from_sums(numbers) == "7"
    assert _texts(bank, [box for row in boxes for box in row]) == [t for r in rows for t in r]


def test_an_unknown_glyph_that_balances_no_sum_stays_unknown() -> None:
    rows = [["7", "5", "30"], ["2", "7", "40"]]  # no digit makes these add up
    image, [seen, *boxes] = _sheet([SEEN, *rows])
    bank = GlyphBank(
        PageGlyphs(image), [Sample(box, text) for box, text in zip(seen, SEEN, strict=True)]
    )
    numbers = [dict(zip(("scores.a", "scores.b", "total"), row, strict=True)) for row in boxes]
    assert bank.learn_from_sums(numbers) == ""
    assert bank.read(boxes[0][0]) is None


def test_cells_the_page_called_blank_are_read_too() -> None:
    image, [seen, [faint, blank, agreed]] = _sheet([SEEN, ["6,5", "", "8"]])
    bank = GlyphBank(
        PageGlyphs(image), [Sample(box, text) for box, text in zip(seen, SEEN, strict=True)]
    )
    row = {
        "scores.math": Cell("scores.math", faint, Reading("", 0.0), has_ink=False),
        "bonus": Cell("bonus", blank, Reading("", 0.99), has_ink=False),
        "total": Cell("total", agreed, Reading("8", 0.99), has_ink=True),
        "full_name": Cell("full_name", faint, Reading("", 0.0), has_ink=False),  # not a number
    }
    [opinions] = template_opinions(bank, [row])
    assert {part: reading.text for part, reading in opinions.items()} == {"scores.math": "6,5"}


BOX = Box(0, 0, 1, 1)


def _numbers(**texts: str) -> dict[str, tuple[str, Box]]:
    return {name.replace("__", "."): (text, BOX) for name, text in texts.items()}


def test_a_row_vouches_for_its_numbers_only_when_they_add_up() -> None:
    plain = _numbers(scores__math="7,5", scores__physics="6", total="13,5", bonus="")
    assert [s.text for s in vouched_numbers(plain)] == ["7,5", "6", "13,5"]
    with_bonus = _numbers(scores__math="7,5", scores__physics="6", total="15", bonus="1,5")
    assert len(vouched_numbers(with_bonus)) == 4
    absent = _numbers(scores__math="V", scores__physics="6", total="6")
    assert [s.text for s in vouched_numbers(absent)] == ["V", "6", "6"]
    assert vouched_numbers(_numbers(scores__math="7,5", scores__physics="6", total="14")) == []
    assert vouched_numbers(_numbers(scores__math="7?", scores__physics="6", total="13")) == []
    assert vouched_numbers(_numbers(scores__math="7", scores__physics="6")) == []  # no total
