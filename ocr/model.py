"""What the OCR stage returns: a structured sheet with per-field confidence, and nothing else.

These are plain, picklable data classes: workers build them from a page image and the parent
process writes them to the database.  No database types leak in here (ocr/ is pure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from records.export_format import SheetHeader
from records.vocabulary import FieldStatus

if TYPE_CHECKING:  # field_state imports this module
    from ocr.field_state import Reading


@dataclass(frozen=True)
class Box:
    """A rectangle in the page image, in pixels, in reading orientation."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass
class FieldResult:
    """One field of a row: what was read, what it means, and whether to trust it."""

    name: str  # records.vocabulary.ROW_FIELDS name ("scores.math", "full_name", ...)
    raw_text: str  # the engine's text, untouched
    value: str | None  # canonical value ("7.5", "1969-03-12", "Nữ", "passed"), None if unparsed
    confidence: float  # 0..1, after combining the engine's confidence with the checks
    status: FieldStatus = FieldStatus.NEEDS_REVIEW
    reason: str | None = None  # Vietnamese, for the reviewer ("tổng không khớp")
    box: Box | None = None
    ocr_value: str | None = None  # the value before any repair by the checks
    engine_confidence: float | None = None  # the engine's own, before the checks
    alternatives: tuple[tuple[str, float], ...] = ()  # the engine's other readings

    def __post_init__(self) -> None:
        if self.ocr_value is None:
            self.ocr_value = self.value


@dataclass
class RowResult:
    row_number: int  # 1-based, top to bottom in reading orientation
    box: Box | None
    fields: dict[str, FieldResult] = field(default_factory=dict)
    # The row's number printed on the sheet (STT) as read, with the engine's confidence: not a
    # field, but judging the row again with an inherited header repeats its sequence check.
    printed_number: tuple[str, float] | None = None
    # Other readers' readings of numbers of a row whose sum did not hold, each a set of fields
    # to read instead (ocr.row_readings): judging the row again with an inherited header tries
    # them.
    variants: list[dict[str, Reading]] = field(default_factory=list)


class PageOutcome(StrEnum):
    """Why a page produced the rows it did."""

    TABLE = "table"  # a table was found and read
    BLANK = "blank"  # nothing printed on the page
    NO_TABLE = "no_table"  # text, but no score table (a cover letter, a notes page)
    UNKNOWN_COLUMNS = "unknown_columns"  # a table whose column titles could not be recognised


@dataclass
class ColumnLayout:
    """The columns of a table: which field each column holds, and where it is.

    Carried from one page to the next: a list continuing over several pages often prints its
    column titles only on the first page.
    """

    fields: list[str | None]  # per column: field name, or None for STT / Ghi chú / unknown
    edges: list[int]  # x positions of the column boundaries (len(fields) + 1)
    titles: list[str] = field(default_factory=list)  # the header text as read

    def to_json(self) -> str:
        return json.dumps(
            {"fields": self.fields, "edges": self.edges, "titles": self.titles}, ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnLayout:
        data = json.loads(text)
        return cls(fields=data["fields"], edges=data["edges"], titles=data.get("titles", []))


@dataclass
class SheetResult:
    """Everything read from one page."""

    outcome: PageOutcome
    header: SheetHeader = field(default_factory=SheetHeader)
    issuing_body: str | None = None
    title: str | None = None
    header_text: str = ""
    rows: list[RowResult] = field(default_factory=list)
    rotation: int = 0  # degrees clockwise applied to reach reading orientation
    deskew_angle: float = 0.0
    width: int = 0
    height: int = 0
    columns: ColumnLayout | None = None
    notes: list[str] = field(default_factory=list)  # warnings for the page, Vietnamese
    # The page continues a list: its column titles or its header (year, level) are not on it.
    # The batch reads it again with the context of the page before when it has it.
    needs_context: bool = False


@dataclass(frozen=True)
class ListContext:
    """What a continuation page inherits from the page before it: columns and header."""

    columns: ColumnLayout | None
    header: SheetHeader
