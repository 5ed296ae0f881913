"""Database tables of the staff side (SQLModel).

The shape follows the work: a batch holds scan files, a file holds pages, a page holds one
sheet (the header) and its table rows, and a row holds one field per column read.  Fields keep
both the raw OCR text and the parsed value, so a person's correction never erases what the
machine read.  Audit entries are append-only (enforced by database triggers in the migration,
not only by convention).  Published records are the only thing the public side may ever see.

Schema changes go through Alembic migrations in records/migrations; a test fails when these
models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from records.vocabulary import FieldStatus, ProcessingStatus, Role


def utc_now() -> datetime:
    return datetime.now(UTC)


def _enum_column(enum: type[FieldStatus] | type[ProcessingStatus] | type[Role]) -> Column:  # type: ignore[type-arg]
    # Stored as plain strings with a CHECK constraint: readable in SQL, portable to SQLite.
    return Column(
        SAEnum(enum, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )


class Batch(SQLModel, table=True):
    """A named run of scans that archive staff ingest together (lô quét)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    created_by: str | None = Field(default=None, max_length=100)
    note: str | None = None


class ScanFile(SQLModel, table=True):
    """One scanned file; identified by its content hash so re-ingesting is a no-op."""

    __tablename__ = "scan_file"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    sha256: str = Field(max_length=64, unique=True, index=True)
    original_name: str = Field(max_length=500)
    stored_path: str = Field(max_length=1000)  # relative to the data folder
    format: str = Field(max_length=10)  # pdf, tiff, png, jpeg
    size_bytes: int
    page_count: int | None = None
    status: ProcessingStatus = Field(
        default=ProcessingStatus.PENDING, sa_column=_enum_column(ProcessingStatus)
    )
    error: str | None = None  # the reason, in Vietnamese, when status is failed
    created_at: datetime = Field(default_factory=utc_now)


class Page(SQLModel, table=True):
    """One page of a scan file, with how it was straightened."""

    __table_args__ = (UniqueConstraint("scan_file_id", "page_number"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_file_id: int = Field(foreign_key="scan_file.id", index=True)
    page_number: int  # 1-based within the file
    rotation: int | None = None  # degrees clockwise applied to reach reading orientation
    deskew_angle: float | None = None  # degrees
    width: int | None = None
    height: int | None = None
    image_path: str | None = Field(default=None, max_length=1000)  # original page image
    status: ProcessingStatus = Field(
        default=ProcessingStatus.PENDING, sa_column=_enum_column(ProcessingStatus)
    )
    error: str | None = None
    processed_at: datetime | None = None


class Sheet(SQLModel, table=True):
    """The header of the list on a page (exam year, level, council, school)."""

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", unique=True)
    exam_year: int | None = None
    level: str | None = Field(default=None, max_length=10)  # PTCS, PTTH, THCS, THPT, BTVH
    council: str | None = Field(default=None, max_length=300)  # hội đồng thi
    school: str | None = Field(default=None, max_length=300)
    issuing_body: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=500)
    raw_text: str | None = None
    columns_json: str | None = None  # the table's column layout, carried to the next page
    continues_sheet_id: int | None = Field(default=None, foreign_key="sheet.id")


class TableRow(SQLModel, table=True):
    """One data row of a sheet's table: one candidate."""

    __tablename__ = "table_row"
    __table_args__ = (UniqueConstraint("page_id", "row_number"),)

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    sheet_id: int | None = Field(default=None, foreign_key="sheet.id", index=True)
    row_number: int  # 1-based, top to bottom in reading orientation
    box_x: int | None = None
    box_y: int | None = None
    box_w: int | None = None
    box_h: int | None = None
    verified_at: datetime | None = None  # set when the row is approved as a record
    verified_by: int | None = Field(default=None, foreign_key="staff_user.id")
    # The review queue hands a row to one reviewer at a time: a lease, not a lock, so a
    # reviewer who walks away does not hold the row for ever.
    claimed_by: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    claimed_until: datetime | None = None
    version: int = Field(default=1)  # optimistic locking for concurrent reviewers


class RowField(SQLModel, table=True):
    """One cell of a row as read and as decided: raw text, value, confidence and status."""

    __tablename__ = "row_field"
    __table_args__ = (
        UniqueConstraint("row_id", "name"),
        Index("ix_row_field_status", "status"),
        Index("ix_row_field_row_status", "row_id", "status"),  # the review queue's probe
    )

    id: int | None = Field(default=None, primary_key=True)
    row_id: int = Field(foreign_key="table_row.id", index=True)
    name: str = Field(max_length=60)  # see records.vocabulary.ROW_FIELDS
    raw_text: str | None = None  # what OCR read, untouched
    ocr_value: str | None = None  # the machine's parsed value, kept after corrections
    value: str | None = None  # the current value (canonical text)
    confidence: float | None = None
    status: FieldStatus = Field(
        default=FieldStatus.NEEDS_REVIEW, sa_column=_enum_column(FieldStatus)
    )
    reason: str | None = Field(default=None, max_length=500)  # why this status, for a reviewer
    box_x: int | None = None
    box_y: int | None = None
    box_w: int | None = None
    box_h: int | None = None
    # True when the machine trusted the value but the random precision sample sent it to a
    # person: how reviewers resolve these fields measures auto-accept precision.
    sampled: bool = Field(default=False)
    # Who last changed the value: four-eyes fields need someone else to confirm it.
    corrected_by: int | None = Field(default=None, foreign_key="staff_user.id")
    version: int = Field(default=1)


class AuditEntry(SQLModel, table=True):
    """Append-only trail: who changed what, when, from what to what, and why."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(max_length=100)  # a username, or "system:<stage>"
    action: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=40)  # table name
    entity_id: int | None = Field(default=None, index=True)
    field_name: str | None = Field(default=None, max_length=60)
    old_value: str | None = None
    new_value: str | None = None
    ocr_value: str | None = None
    reason: str | None = None


class StaffUser(SQLModel, table=True):
    """A member of staff with one role; passwords are stored only as argon2 hashes."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=300)
    role: Role = Field(sa_column=_enum_column(Role))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utc_now)
    failed_logins: int = Field(default=0)  # consecutive failures; reset by a good login
    locked_until: datetime | None = None  # login throttling


class StaffSession(SQLModel, table=True):
    """A signed-in browser.  Kept on the server (only a hash of the cookie's token is stored)
    so that logging out or disabling a user ends the session at once."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime


class Publication(SQLModel, table=True):
    """Which verified rows are in the public read model, under which random public id.

    The public side never sees staff ids: ``public_id`` is random and is the only key it has.
    ``content_hash`` is the hash of what was last published, so a re-publish sends only what
    changed; ``withdrawn_at`` is set when the row stopped being verified (reopened) and its
    record was taken out of the public model.  A row published again keeps its public id, so
    share codes made for it keep working.
    """

    __tablename__ = "publication"

    id: int | None = Field(default=None, primary_key=True)
    row_id: int = Field(foreign_key="table_row.id", unique=True)
    public_id: str = Field(max_length=32, unique=True)
    content_hash: str | None = Field(default=None, max_length=64)  # None: not yet confirmed
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None
