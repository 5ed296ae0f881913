"""Reading a page: image in, structured sheet with per-field confidence out.

The steps, each in its own module:
  upright (preprocess) → blank? → rules and table (table) → sheet header, inherited from the
  page before where it lacks one (header_reading, parsed by sheet_header) → column layout
  (column_layout, titles matched by columns, unnamed columns named by column_content) → cells,
  a column at a time with its alphabet, joined into rows (cell_reading, cut by cells, read by
  engine) → checks and repairs (checks) → other readings of the numbers of rows whose sum
  failed, by a second model and by the page's own glyphs (row_readings) → sequences across
  rows (row_sequences).
This module runs them on a page (``read_page``) and judges a page again with the page before's
header (``reassess``).
Pure: no database, no files; the caller decides what to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from ocr import checks, field_state
from ocr import columns as cols
from ocr.cell_reading import Cell, assemble_row, has_numbers, read_cells
from ocr.cells import GrayImage, target_scale
from ocr.column_layout import (
    find_columns,
    has_name,
    layout_for,
    name_by_content,
    with_columns_before,
)
from ocr.engine import Engine, Reading, engine, latin_engine
from ocr.header_reading import INHERITED_HEADER, OTHER_LIST, inherit, read_header, same_list
from ocr.model import Box, ListContext, PageOutcome, RowResult, SheetResult
from ocr.preprocess import (
    Upright,
    erase_small_specks,
    estimate_dpi,
    flatten_background,
    is_blank,
    make_upright,
    rotate_image,
)
from ocr.row_readings import (
    JudgedRow,
    checked_fields,
    for_checks,
    take_other_readings,
    with_variants,
)
from ocr.row_sequences import as_neighbour, confirm_candidate_numbers, row_number_sequence
from ocr.table import erase_rules, page_table
from records.export_format import SheetHeader


def reassess(
    sheet: SheetResult,
    context: ListContext,
    *,
    sample_key: str = "",
    sample_rate: float | None = None,
) -> SheetResult | None:
    """Judge a page again with the header of the page before, without reading it again.

    A continuation page whose columns were recognised but whose header (year, level) is on an
    earlier page was read in full; only the checks need the year's rule.  Returns None when
    the page lacks its columns too, or its name column (which the page before's columns may
    name): then it must be read again with the context.
    """
    if sheet.columns is None or sheet.outcome is not PageOutcome.TABLE:
        return None
    if not has_name(sheet.columns) and context.columns is not None:
        return None  # read again: the page before's columns may name what its titles did not
    header = inherit(sheet.header, context.header)
    rows: list[RowResult] = []
    previous: field_state.Reading | None = None
    sequence = row_number_sequence(
        [row.printed_number[0] if row.printed_number else None for row in sheet.rows]
    )
    for row, (checked, previous_printed) in zip(sheet.rows, sequence, strict=True):
        printed = (
            field_state.Reading(*row.printed_number) if row.printed_number and checked else None
        )
        readings = {
            name: field_state.Reading(
                field.raw_text,
                max(0.0, min(1.0, field.engine_confidence or 0.0)),
                tuple(field_state.Alternative(text, conf) for text, conf in field.alternatives),
                field.box,
            )
            for name, field in row.fields.items()
        }
        judge = partial(
            checks.assess_row,
            exam_year=header.exam_year,
            level=header.level,
            row_number=row.row_number,
            sample_key=f"{sample_key}:{row.row_number}",
            sample_rate=sample_rate,
            previous_candidate_number=previous,
            printed_row_number=printed,
            previous_printed_row_number=previous_printed,
            box=row.box,
        )
        again = with_variants(judge, readings, row.variants)
        again.printed_number = row.printed_number
        previous = as_neighbour(again.fields.get("candidate_number")) or previous
        rows.append(again)
    confirm_candidate_numbers(rows, sample_key=sample_key, sample_rate=sample_rate)
    return replace(
        sheet,
        header=header,
        rows=rows,
        needs_context=False,
        notes=[*sheet.notes, INHERITED_HEADER if header != sheet.header else OTHER_LIST],
    )


def read_page(
    gray: GrayImage,
    *,
    context: ListContext | None = None,
    reader: Engine | None = None,
    second_reader: Engine | None = None,
    sample_key: str = "",
    sample_rate: float | None = None,
) -> tuple[SheetResult, GrayImage]:
    """Read one page; return the sheet and the page image in reading orientation.

    ``reader`` defaults to this process's Vietnamese engine and then ``second_reader`` to its
    English one (``latin_engine``: a second opinion on doubtful numbers); a caller that
    passes its own reader gets a second opinion only when it passes one too.

    When no column title can be recognised the page may be upside down (the orientation test
    errs on a few per hundred pages): unless its way up was beyond doubt, it is read once more
    turned half a turn.  (A page that continues a list has no titles: reading it turned was a
    third of its time, and it is read again anyway with the page before's columns.)
    """
    if reader is None:
        reader, second_reader = engine(), second_reader or latin_engine()
    readers = _Readers(reader, second_reader)
    dpi = estimate_dpi(gray)
    upright = make_upright(gray, dpi)
    sheet, image = _read_upright(
        upright, context=context, readers=readers, sample_key=sample_key, sample_rate=sample_rate
    )
    if sheet.outcome is PageOutcome.UNKNOWN_COLUMNS and context is None and not upright.sure:
        turned = Upright(
            gray=rotate_image(upright.gray, 180),
            binary=rotate_image(upright.binary, 180),
            rotation=(upright.rotation + 180) % 360,
            deskew=upright.deskew,
        )
        second, image2 = _read_upright(
            turned, context=None, readers=readers, sample_key=sample_key, sample_rate=sample_rate
        )
        if second.outcome is PageOutcome.TABLE:
            return second, image2
    return sheet, image


@dataclass(frozen=True)
class _Readers:
    first: Engine
    second: Engine | None  # a second opinion on the numbers of the sum


def _read_upright(
    upright: Upright,
    *,
    context: ListContext | None,
    readers: _Readers,
    sample_key: str,
    sample_rate: float | None = None,
) -> tuple[SheetResult, GrayImage]:
    reader = readers.first
    height, width = upright.gray.shape
    base = SheetResult(
        outcome=PageOutcome.BLANK,
        rotation=upright.rotation,
        deskew_angle=upright.deskew,
        width=width,
        height=height,
    )
    if is_blank(upright.binary):
        return base, upright.gray
    found_table = page_table(upright.binary)
    rules, table = found_table.rules, found_table.table
    clean = erase_small_specks(found_table.clean)
    # Cells are read from the gray page (paper flattened to white, rules erased): the engine
    # reads anti-aliased strokes better than thresholded ones (commas, thin serifs survive).
    flat = flatten_background(upright.gray)
    cells_image = erase_rules(flat, rules)
    header_bottom = table.box.y if table else height // 3
    found, header_text = read_header(reader, upright.gray, flat, header_bottom)
    own_header = header = SheetHeader(
        exam_year=found.exam_year, level=found.level, council=found.council, school=found.school
    )
    if header.exam_year is None or header.level is None:
        if context is not None:
            inherited = inherit(header, context.header)
            base.notes.append(INHERITED_HEADER if inherited != header else OTHER_LIST)
            header = inherited
        else:
            base.needs_context = True
    base.header = header
    base.issuing_body, base.title, base.header_text = found.issuing_body, found.title, header_text
    if table is None:
        base.outcome = PageOutcome.NO_TABLE
        base.needs_context = False
        return base, upright.gray
    base.outcome = PageOutcome.TABLE
    own_layout, title_bands = find_columns(reader, clean, table, cells_image)
    if own_layout is None:
        # The page before's columns fit only a page of the same list (another list's columns
        # laid on this table would read every cell as the wrong field).
        if context is None or context.columns is None or not same_list(own_header, context.header):
            base.needs_context = context is None
            base.outcome = PageOutcome.UNKNOWN_COLUMNS
            return base, upright.gray
        own_layout, table = layout_for(table, context.columns)
        base.notes.append("Dùng tiêu đề cột của trang trước")
    elif not has_name(own_layout):
        # Titles read, but not the name's: a list of candidates without names is no list.
        # The page before's columns, when it is of the same list, name what this page's
        # titles could not (a dot-matrix page whose "Họ và tên" came out "Hụ và").
        if context is None:
            base.needs_context = True
        elif context.columns is not None and same_list(own_header, context.header):
            own_layout, table = with_columns_before(own_layout, table, context.columns)
            if has_name(own_layout):
                base.notes.append("Dùng tiêu đề cột của trang trước")
    data_bands = table.bands[title_bands:]
    own_layout = name_by_content(reader, cells_image, clean, table, own_layout, data_bands, header)
    base.columns = own_layout
    cells = read_cells(reader, cells_image, table, own_layout, data_bands, ink=clean)
    previous_number: field_state.Reading | None = None
    rows_read: list[tuple[tuple[int, int], dict[str, Cell], dict[str, tuple[Reading, Box]]]] = []
    for band, row_cells in zip(data_bands, cells, strict=True):
        assembled = assemble_row(row_cells)
        if has_numbers(assembled):  # else a title's second line, or an empty ruled row
            rows_read.append((band, row_cells, assembled))
    printed_cells = [row_cells.get(cols.ROW_NUMBER) for _, row_cells, _ in rows_read]
    sequence = row_number_sequence([c.reading.text if c else None for c in printed_cells])
    judged_rows: list[JudgedRow] = []
    for (band, row_cells, assembled), printed, (checked, previous_printed) in zip(
        rows_read, printed_cells, sequence, strict=True
    ):
        number = len(judged_rows) + 1
        judge = partial(
            checks.assess_row,
            exam_year=header.exam_year,
            level=header.level,
            row_number=number,
            sample_key=f"{sample_key}:{number}",
            sample_rate=sample_rate,
            previous_candidate_number=previous_number,
            printed_row_number=(
                for_checks(printed.reading, printed.box) if printed and checked else None
            ),
            previous_printed_row_number=previous_printed,
            box=Box(table.box.x, band[0], table.box.w, band[1] - band[0]),
        )
        row = judge(checked_fields(assembled))
        previous_number = as_neighbour(row.fields.get("candidate_number")) or previous_number
        judged_rows.append(JudgedRow(row, judge, assembled, row_cells))
    take_other_readings(readers.second, judged_rows, cells_image, target_scale(data_bands))
    for judged, printed in zip(judged_rows, printed_cells, strict=True):
        if printed is not None:
            judged.row.printed_number = (
                printed.reading.text,
                max(0.0, min(1.0, printed.reading.confidence)),
            )
        base.rows.append(judged.row)
    confirm_candidate_numbers(base.rows, sample_key=sample_key, sample_rate=sample_rate)
    return base, upright.gray
