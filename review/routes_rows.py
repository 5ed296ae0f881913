"""The reviewer's screens: queue, row, page, images, field decisions, approval, audit."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from publishing.publish import withdraw
from records.models import AuditEntry, Page, RowField, ScanFile, TableRow
from review import approval, crops, queue
from review.decisions import Decision, FieldDecision, NotFoundError, decide
from review.deps import Approver, CurrentUser, DbSession, Reviewer, SettingsDep, Writer
from review.row_checks import check_row
from review.templating import render
from review.values import InvalidValueError, canonical_input
from review.views import (
    STATUS_LABELS,
    audit_for_row,
    checks_json,
    field_label,
    place_of,
    row_json,
    shown_value,
)

router = APIRouter()

AUDIT_COLUMNS = (
    "thời điểm",
    "người",
    "hành động",
    "đối tượng",
    "mã",
    "trường",
    "giá trị cũ",
    "giá trị mới",
    "máy đọc",
    "lý do",
)


class DecisionIn(BaseModel):
    version: int
    decision: Decision = Decision.SET
    value: str = Field(default="", max_length=500)
    reason: str | None = Field(default=None, max_length=500)


class TypedValuesIn(BaseModel):
    values: dict[str, str]


def _png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@router.get("/batches/{batch_id}/queue")
def next_in_queue(
    batch_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep, after: int = 0
) -> Response:
    row_id = queue.take_next(
        db, batch_id, current.user.id or 0, settings.four_eyes_fields, after_row_id=after
    )
    if row_id is None:
        return RedirectResponse(f"/?done={batch_id}", status_code=303)
    return RedirectResponse(f"/rows/{row_id}?queue={batch_id}", status_code=303)


@router.get("/rows/{row_id}", response_class=HTMLResponse)
def row_page(
    request: Request, row_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    state = approval.load_row(db, row_id, settings.four_eyes_fields)
    place = place_of(db, state.page.id or 0)
    data = row_json(state, settings.four_eyes_fields)
    first = queue.next_field_in_row(state.fields, current.user.id or 0, settings.four_eyes_fields)
    return render(
        request,
        "row.html",
        row=data,
        state=state,
        place=place,
        first_field=first.id if first else None,
        queue_batch=request.query_params.get("queue"),
        status_labels=STATUS_LABELS,
    )


@router.get("/api/rows/{row_id}")
def row_state(
    row_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> dict[str, Any]:
    """The row as the screen shows it (fetched again after a concurrent edit)."""
    return row_json(
        approval.load_row(db, row_id, settings.four_eyes_fields), settings.four_eyes_fields
    )


@router.post("/api/fields/{field_id}")
def decide_field(
    field_id: int, body: DecisionIn, current: Reviewer, db: DbSession, settings: SettingsDep
) -> dict[str, Any]:
    four_eyes = settings.four_eyes_fields
    field = decide(
        db,
        FieldDecision(field_id, body.version, body.decision, body.value, body.reason),
        current.user,
        four_eyes,
    )
    state = approval.load_row(db, field.row_id, four_eyes)
    following = queue.next_field_in_row(state.fields, current.user.id or 0, four_eyes, field_id)
    return {"row": row_json(state, four_eyes), "next_field_id": following.id if following else None}


@router.post("/api/rows/{row_id}/checks")
def live_checks(
    row_id: int, body: TypedValuesIn, current: Writer, db: DbSession, settings: SettingsDep
) -> dict[str, Any]:
    """Checks on the values as typed, before they are saved (the row screen calls this)."""
    state = approval.load_row(db, row_id, settings.four_eyes_fields)
    exam_year = state.sheet.exam_year if state.sheet else None
    values: dict[str, str | None] = {f.name: f.value for f in state.fields}
    invalid: dict[str, str] = {}
    for name, text in body.values.items():
        if name not in values:
            continue
        try:
            values[name] = canonical_input(name, text, exam_year)
        except InvalidValueError as error:
            invalid[name] = str(error)
            values[name] = None
    report = check_row(
        values, exam_year=exam_year, level=state.sheet.level if state.sheet else None
    )
    return {
        "checks": checks_json(report),
        "passed": report.passed and not invalid,
        "invalid": invalid,
        "suggestions": {k: shown_value(k, v) for k, v in report.suggestions.items()},
    }


@router.post("/rows/{row_id}/approve")
def approve_row(
    row_id: int,
    current: Approver,
    db: DbSession,
    settings: SettingsDep,
    version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
    queue_batch: Annotated[str, Form(alias="queue")] = "",
) -> Response:
    approval.approve(db, row_id, version, current.user, settings.four_eyes_fields, reason)
    if queue_batch.isdigit():
        return RedirectResponse(f"/batches/{queue_batch}/queue?after={row_id}", status_code=303)
    return RedirectResponse(f"/rows/{row_id}", status_code=303)


@router.post("/rows/{row_id}/reopen")
def reopen_row(
    row_id: int,
    current: Approver,
    db: DbSession,
    settings: SettingsDep,
    version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    approval.reopen(db, row_id, version, current.user, reason, settings.four_eyes_fields)
    withdraw(settings, [row_id])  # no longer verified: off the public side now, not at next publish
    return RedirectResponse(f"/rows/{row_id}", status_code=303)


@router.post("/pages/{page_id}/approve-passing")
def approve_passing(
    page_id: int, current: Approver, db: DbSession, settings: SettingsDep
) -> Response:
    count = approval.approve_passing_rows(db, page_id, current.user, settings.four_eyes_fields)
    return RedirectResponse(f"/pages/{page_id}?approved={count}", status_code=303)


@router.get("/pages/{page_id}", response_class=HTMLResponse)
def page_view(
    request: Request, page_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    place = place_of(db, page_id)
    rows = db.exec(
        select(TableRow).where(TableRow.page_id == page_id).order_by(col(TableRow.row_number))
    ).all()
    open_rows = set(
        db.exec(
            select(RowField.row_id).where(
                col(RowField.row_id).in_([r.id for r in rows]),
                col(RowField.status).in_(["needs_review", "illegible"]),
            )
        )
    )
    scale = 1.0
    if place.page.width:
        scale = min(1.0, crops.MAX_PAGE_WIDTH / place.page.width)
    return render(
        request,
        "page.html",
        place=place,
        rows=rows,
        open_rows=open_rows,
        scale=scale,
        approved=request.query_params.get("approved"),
    )


def _page_image(settings: SettingsDep, page: Page | None) -> Any:
    if page is None or not page.image_path:
        raise NotFoundError("Trang này không có ảnh lưu trữ.")
    try:
        return crops.load_page(settings.data_dir / page.image_path)
    except crops.ImageMissingError as error:
        raise NotFoundError("Không tìm thấy tệp ảnh của trang.") from error


@router.get("/images/pages/{page_id}.png")
def page_image(
    page_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    data, _ = crops.page_preview(_page_image(settings, db.get(Page, page_id)))
    return _png(data)


@router.get("/images/fields/{field_id}.png")
def field_image(
    field_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    found = db.exec(
        select(RowField, Page)
        .join(TableRow, col(RowField.row_id) == col(TableRow.id))
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .where(RowField.id == field_id)
    ).first()
    field, page_row = found if found is not None else (None, None)
    if field is None or field.box_w is None or field.box_h is None:
        raise NotFoundError("Trường này không có vị trí trên ảnh.")
    page = _page_image(settings, page_row)
    return _png(
        crops.crop(
            page, field.box_x or 0, field.box_y or 0, field.box_w, field.box_h, crops.PAD_CELL
        )
    )


@router.get("/images/rows/{row_id}.png")
def row_image(row_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep) -> Response:
    row = db.get(TableRow, row_id)
    if row is None or row.box_h is None:
        raise NotFoundError("Dòng này không có vị trí trên ảnh.")
    page = _page_image(settings, db.get(Page, row.page_id))
    return _png(crops.row_strip(page, row.box_y or 0, row.box_h))


@router.get("/rows/{row_id}/audit", response_class=HTMLResponse)
def row_audit(
    request: Request, row_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    state = approval.load_row(db, row_id, settings.four_eyes_fields)
    entries = audit_for_row(db, state)
    return render(
        request,
        "audit.html",
        state=state,
        entries=entries,
        field_label=field_label,
        place=place_of(db, state.page.id or 0),
    )


def _audit_csv(entries: list[AuditEntry], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.action,
                e.entity,
                e.entity_id,
                e.field_name or "",
                e.old_value or "",
                e.new_value or "",
                e.ocr_value or "",
                e.reason or "",
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: Excel opens UTF-8 CSV with Vietnamese correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/rows/{row_id}/audit.csv")
def row_audit_csv(
    row_id: int, current: CurrentUser, db: DbSession, settings: SettingsDep
) -> Response:
    state = approval.load_row(db, row_id, settings.four_eyes_fields)
    return _audit_csv(audit_for_row(db, state), f"nhat-ky-dong-{row_id}.csv")


def batch_audit(db: Session, batch_id: int) -> list[AuditEntry]:
    """Every entry about the batch's pages, rows and fields."""
    pages = (
        select(Page.id)
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .where(ScanFile.batch_id == batch_id)
    )
    rows = select(TableRow.id).where(col(TableRow.page_id).in_(pages))
    fields = select(RowField.id).where(col(RowField.row_id).in_(rows))
    return list(
        db.exec(
            select(AuditEntry)
            .where(
                ((col(AuditEntry.entity) == "page") & col(AuditEntry.entity_id).in_(pages))
                | ((col(AuditEntry.entity) == "table_row") & col(AuditEntry.entity_id).in_(rows))
                | ((col(AuditEntry.entity) == "row_field") & col(AuditEntry.entity_id).in_(fields))
            )
            .order_by(col(AuditEntry.id))
        )
    )


@router.get("/batches/{batch_id}/audit.csv")
def batch_audit_csv(batch_id: int, current: CurrentUser, db: DbSession) -> Response:
    return _audit_csv(batch_audit(db, batch_id), f"nhat-ky-lo-{batch_id}.csv")
