"""Joining the engine's symbols into a cell's text."""

from __future__ import annotations

from ocr.engine import CharChoice, Symbol, in_reading_order


def _symbol(line: int, left: int, text: str, starts_word: bool = False) -> Symbol:
    return Symbol(line, left, text, 0.99, [CharChoice(text, 0.99)], starts_word)


def _text(symbols: list[Symbol]) -> str:
    out = ""
    for index, symbol in enumerate(symbols):
        out += (" " if symbol.starts_word and index else "") + symbol.text
    return out


def test_engine_order_kept_when_symbol_boxes_overlap() -> None:
    # Seen on a printed date "21.3.64": the recogniser's box of the 4 began left of the 6's.
    boxes = [(60, "2"), (78, "1"), (95, "."), (102, "3"), (121, "."), (131, "6"), (129, "4")]
    symbols = [_symbol(0, left, text, i == 0) for i, (left, text) in enumerate(boxes)]
    assert _text(in_reading_order(symbols)) == "21.3.64"


def test_pieces_of_a_cell_on_separate_lines_are_ordered_left_to_right() -> None:
    # The engine may report the right part of a cell as an earlier text line.
    symbols = [
        _symbol(3, 80, "H", True),
        _symbol(3, 95, "à"),
        _symbol(4, 10, "L", True),
        _symbol(4, 25, "ê"),
    ]
    ordered = in_reading_order(symbols)
    assert _text(ordered) == "Lê Hà"
    assert ordered[0].starts_word and ordered[2].starts_word
