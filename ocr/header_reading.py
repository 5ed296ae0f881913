"""Reading a page's sheet header, and taking what it lacks from the page before.

Why apart from ``ocr.sheet_header`` (which parses the header's text): reading is about images
and the engine (the header is read enlarged, from up to three renderings of the page until the
year and level are found), and inheritance is about lists of pages: a continuation page has no
header of its own, and may borrow the page before's only when nothing it says shows another list
(a wrong year applies a wrong rule to every row).
"""

from __future__ import annotations

from collections.abc import Iterator

from rapidfuzz import fuzz

from ocr.cells import GrayImage, crop, scaled
from ocr.engine import Engine
from ocr.model import Box
from ocr.preprocess import darken, estimate_dpi
from ocr.sheet_header import HeaderFields, parse_header
from records.export_format import SheetHeader
from records.vntext import folded_key

HEADER_SCALE_DPI = 300  # the header's small print is read as if scanned at 300 dpi
INHERITED_HEADER = "Dùng tiêu đề danh sách của trang trước"
OTHER_LIST = "Tiêu đề trang khác danh sách trang trước: không dùng năm thi của trang trước"
SAME_NAME_RATIO = 70.0


def same_list(own: SheetHeader, before: SheetHeader) -> bool:
    """Whether what the page says of itself allows it to continue the list before it: a level
    or a council of its own that differs from the page before's shows another list (whose year
    the page before cannot lend: a wrong year applies a wrong rule to every row)."""
    if own.level is not None and before.level is not None and own.level != before.level:
        return False
    for mine, theirs in ((own.council, before.council), (own.school, before.school)):
        if mine and theirs and fuzz.ratio(folded_key(mine), folded_key(theirs)) < SAME_NAME_RATIO:
            return False
    return True


def inherit(own: SheetHeader, before: SheetHeader) -> SheetHeader:
    if not same_list(own, before):
        return own
    return SheetHeader(
        exam_year=own.exam_year or before.exam_year,
        level=own.level or before.level,
        council=own.council or before.council,
        school=own.school or before.school,
    )


def read_header(
    reader: Engine, gray: GrayImage, flat: GrayImage, bottom: int
) -> tuple[HeaderFields, str]:
    """The sheet header above ``bottom``, and its text.

    Read from the page as scanned first; when that gives no year or no level (a faded or
    gray photocopy: the engine's own threshold loses the light print), read again from the
    page with its paper flattened to white, then from that page darkened (a typewriter's
    worn ribbon leaves a school-year line so pale that even the flattened page loses it),
    and take from each reading what the ones before lacked.
    """
    if bottom <= 10:
        return parse_header(""), ""
    width = gray.shape[1]
    scale = HEADER_SCALE_DPI / estimate_dpi(gray)
    found, texts = parse_header(""), []
    for source in _header_sources(gray, flat):
        # The header's small print is read enlarged, as if scanned at 300 dpi (a misread year
        # would send every score of the page to the wrong rule).
        header_image = scaled(crop(source, Box(0, 0, width, bottom)), scale)
        text = reader.read_block(header_image, layout=True)
        texts.append(text)
        found = _fill_gaps(found, parse_header(text))
        if found.exam_year is not None and found.level is not None:
            break
    return found, "\n".join(t for t in texts if t)


def _header_sources(gray: GrayImage, flat: GrayImage) -> Iterator[GrayImage]:
    """The header's images in the order they are read, each made only when asked for."""
    yield gray
    yield flat
    yield darken(flat)


def _fill_gaps(found: HeaderFields, other: HeaderFields) -> HeaderFields:
    """``found`` with what it lacks taken from ``other``."""
    return HeaderFields(
        **{
            name: getattr(found, name) if getattr(found, name) is not None else getattr(other, name)
            for name in HeaderFields.__dataclass_fields__
        }
    )
