"""Verification for employers: the routes (portal pages and JSON API) over ``shares``.

Every route passes the guard (``Guarded``: rate limits per network and overall) and every
creation, verification, letter and holder action is written to the processing log.  What an
answer may hold is what the public read model holds; nothing of the staff side is reachable.

Portal (Vietnamese pages)            API (JSON)
POST /chia-se                         POST   /api/v1/shares
GET, POST /xac-minh                   POST   /api/v1/verify
GET /ma/{code}/quan-ly?khoa=KEY       GET    /api/v1/shares/{code}/uses    (X-Manage-Token)
POST /ma/{code}/thu-hoi               DELETE /api/v1/shares/{code}         (X-Manage-Token)
POST /ma/{code}/thu-xac-minh.pdf      GET    /api/v1/shares/{code}/letter.pdf (X-Manage-Token)
                                      GET    /api/v1/public-key
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from lookup_api import processing_log, shares
from lookup_api.app import (
    RESULT_WORDS,
    SUBJECT_NAMES,
    TEMPLATES,
    Guarded,
    Problem,
    RecordFields,
    Service,
)
from lookup_api.letters import build_letter, local_time
from lookup_api.shares import MAX_DAYS, Share, ShareError, Status
from lookup_api.signing import ALGORITHM, SigningKey, load_signing_key

UNKNOWN_CODE = "Mã xác minh không đúng hoặc không tồn tại. Hãy kiểm tra lại mã (12 ký tự)."
UNKNOWN_SHARE = "Không tìm thấy mã này, hoặc khoá quản lý không đúng."
NO_RECORD = "Không tìm thấy hồ sơ với thông tin này."
NO_LETTER = "Chỉ cấp thư khi mã còn hiệu lực (mã này: {status})."
NO_STORE = {"Cache-Control": "no-store"}  # codes, keys and records stay out of shared caches


class ShareIn(BaseModel):
    public_id: str = Field(max_length=32, description="Mã hồ sơ công khai (từ kết quả tra cứu)")
    birth: str = Field(max_length=10, description="Ngày sinh (nhắc lại, để chứng minh)")
    for_whom: str = Field(
        min_length=2, max_length=200, description="Mã dành cho ai (cơ quan, người xác minh)"
    )
    days: int | None = Field(default=None, ge=1, le=MAX_DAYS, description="Số ngày hiệu lực")


class ShareOut(BaseModel):
    code: str = Field(description="Mã xác minh, đưa cho nhà tuyển dụng")
    for_whom: str
    expires_at: datetime
    manage_token: str = Field(description="Khoá quản lý: chỉ hiện một lần, hãy lưu lại")
    verify_url: str
    manage_url: str
    qr_svg: str = Field(description="Mã QR của verify_url (SVG)")


class VerifyIn(BaseModel):
    code: str = Field(max_length=40, description="Mã xác minh người học đưa")
    verifier: str = Field(min_length=2, max_length=200, description="Tên cơ quan / người xác minh")


class RecordOut(RecordFields):
    """The record an employer sees through a valid code (the same fields as a search shows)."""


class VerifyOut(BaseModel):
    status: str = Field(description="valid | expired | revoked | withdrawn")
    status_text: str
    for_whom: str
    expires_at: datetime
    record: RecordOut | None = None


class UseOut(BaseModel):
    at: datetime
    verifier: str = Field(description="Người xác minh, như họ tự ghi")


class UsesOut(BaseModel):
    code: str
    for_whom: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    status: str
    status_text: str
    uses: list[UseOut]


class PublicKeyOut(BaseModel):
    algorithm: str
    public_key_pem: str
    key_id: str


class Sharing:
    """What the routes need beyond the service: the base address and the signing key."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.settings = service.settings
        self.base_url = service.settings.public_base_url.rstrip("/")
        self._key: SigningKey | None = None
        self._lock = threading.Lock()

    @property
    def key(self) -> SigningKey:
        with self._lock:
            if self._key is None:
                self._key = load_signing_key(self.settings)
            return self._key

    def verify_url(self, share: Share) -> str:
        return f"{self.base_url}/xac-minh?ma={share.display_code}"

    def manage_url(self, share: Share, token: str) -> str:
        return f"{self.base_url}/ma/{share.display_code}/quan-ly?khoa={quote(token)}"

    def qr_svg(self, share: Share) -> str:
        title = f"Mã QR xác minh {share.display_code}"
        return str(
            segno.make(self.verify_url(share), error="m").svg_inline(
                scale=4, omitsize=True, title=title
            )
        )

    def log(
        self, connection: Connection, kind: str, prefix: str, *query: object, count: int
    ) -> None:
        processing_log.record(connection, self.service.log_key, kind, prefix, query, count)

    def create(
        self, public_id: str, birth: str, for_whom: str, days: int | None, prefix: str
    ) -> shares.CreatedShare:
        """A new code, when the birth date matches the record (ShareError: a bad request)."""
        days = days or self.settings.share_days
        created: shares.CreatedShare | None = None
        with self.service.engine.begin() as connection:
            try:
                created = shares.create(connection, public_id, birth, for_whom, days)
            except LookupError:
                created = None
            self.log(connection, "share", prefix, "create", public_id, count=int(bool(created)))
        if created is None:
            raise HTTPException(404, NO_RECORD)
        return created

    def verify(self, code: str, verifier: str, prefix: str) -> shares.Verification:
        with self.service.engine.begin() as connection:
            found = shares.verify(connection, code, verifier, prefix)
            shown = int(found is not None and found.record is not None)
            self.log(connection, "verify", prefix, shares.normalize_code(code), count=shown)
        if found is None:
            raise HTTPException(404, UNKNOWN_CODE)
        return found

    def holder(
        self, code: str, token: str | None, prefix: str, action: str
    ) -> tuple[Share, Status, Any, list[shares.Use]]:
        """The share (after ``action``: view, revoke or letter) for its holder, else 404."""
        now = datetime.now(UTC)
        with self.service.engine.begin() as connection:
            share = shares.authorized(connection, code, token)
            if share is not None and action == "revoke":
                share = shares.revoke(connection, share, now)
            status, row = (
                shares.status_of(connection, share, now) if share else (Status.REVOKED, None)
            )
            uses = shares.uses(connection, share) if share else []
            kind = "letter" if action == "letter" else "share"
            found = share is not None and (action != "letter" or status is Status.VALID)
            self.log(
                connection, kind, prefix, action, shares.normalize_code(code), count=int(found)
            )
        if share is None:
            raise HTTPException(404, UNKNOWN_SHARE)
        return share, status, row, uses

    def letter(self, share: Share, status: Status, row: Any) -> Response:
        if status is not Status.VALID:
            raise HTTPException(409, NO_LETTER.format(status=shares.STATUS_WORDS[status].lower()))
        pdf = build_letter(
            self.settings.record_keeper,
            shares.SharedRecord.of(row),
            share,
            self.verify_url(share),
            self.key,
            f"{self.base_url}/api/v1/public-key",
        )
        name = f"thu-xac-minh-{share.display_code}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
        )


def _record_out(record: shares.SharedRecord | None) -> RecordOut | None:
    return RecordOut(**record.as_dict()) if record is not None else None


def _uses_out(share: Share, status: Status, uses: list[shares.Use]) -> UsesOut:
    return UsesOut(
        code=share.display_code,
        for_whom=share.for_whom,
        created_at=share.created_at,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
        status=status.value,
        status_text=shares.STATUS_WORDS[status],
        uses=[UseOut(at=use.at, verifier=use.verifier) for use in uses],
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem},
    422: {"model": Problem},
    429: {"model": Problem},
}


def share_router(service: Service) -> APIRouter:
    sharing = Sharing(service)
    router = APIRouter()
    settings = service.settings

    def page(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
        context = {
            "keeper": settings.record_keeper,
            "subject_names": SUBJECT_NAMES,
            "result_words": RESULT_WORDS,
            "local_time": local_time,
            "error": None,
            **values,
        }
        return TEMPLATES.TemplateResponse(
            request, name, context, status_code=status_code, headers=NO_STORE
        )

    # ---- JSON API -------------------------------------------------------------------------

    @router.post(
        "/api/v1/shares",
        response_model=ShareOut,
        status_code=201,
        summary="Tạo mã xác minh cho nhà tuyển dụng",
        responses=ERRORS,
        tags=["xác minh"],
    )
    def api_create(body: ShareIn, prefix: Guarded, response: Response) -> ShareOut:
        response.headers.update(NO_STORE)
        try:
            created = sharing.create(body.public_id, body.birth, body.for_whom, body.days, prefix)
        except ShareError as error:
            raise HTTPException(422, str(error)) from error
        share = created.share
        return ShareOut(
            code=share.display_code,
            for_whom=share.for_whom,
            expires_at=share.expires_at,
            manage_token=created.manage_token,
            verify_url=sharing.verify_url(share),
            manage_url=sharing.manage_url(share, created.manage_token),
            qr_svg=sharing.qr_svg(share),
        )

    @router.post(
        "/api/v1/verify",
        response_model=VerifyOut,
        response_model_exclude_none=True,
        summary="Xác minh hồ sơ bằng mã người học đưa",
        responses=ERRORS,
        tags=["xác minh"],
    )
    def api_verify(body: VerifyIn, prefix: Guarded, response: Response) -> VerifyOut:
        response.headers.update(NO_STORE)
        try:
            found = sharing.verify(body.code, body.verifier, prefix)
        except ShareError as error:
            raise HTTPException(422, str(error)) from error
        return VerifyOut(
            status=found.status.value,
            status_text=found.status_text,
            for_whom=found.share.for_whom,
            expires_at=found.share.expires_at,
            record=_record_out(found.record),
        )

    @router.get(
        "/api/v1/shares/{code}/uses",
        response_model=UsesOut,
        summary="Người học xem ai đã xác minh hồ sơ bằng mã này",
        responses=ERRORS,
        tags=["xác minh"],
    )
    def api_uses(
        code: str,
        prefix: Guarded,
        response: Response,
        x_manage_token: Annotated[str | None, Header(max_length=100)] = None,
    ) -> UsesOut:
        response.headers.update(NO_STORE)
        share, status, _, uses = sharing.holder(code, x_manage_token, prefix, "view")
        return _uses_out(share, status, uses)

    @router.delete(
        "/api/v1/shares/{code}",
        response_model=UsesOut,
        summary="Người học thu hồi mã xác minh",
        responses=ERRORS,
        tags=["xác minh"],
    )
    def api_revoke(
        code: str,
        prefix: Guarded,
        response: Response,
        x_manage_token: Annotated[str | None, Header(max_length=100)] = None,
    ) -> UsesOut:
        response.headers.update(NO_STORE)
        share, status, _, uses = sharing.holder(code, x_manage_token, prefix, "revoke")
        return _uses_out(share, status, uses)

    @router.get(
        "/api/v1/shares/{code}/letter.pdf",
        summary="Thư xác minh (PDF, có chữ ký số) cho người học",
        response_class=Response,
        responses={**ERRORS, 409: {"model": Problem}, 200: {"content": {"application/pdf": {}}}},
        tags=["xác minh"],
    )
    def api_letter(
        code: str,
        prefix: Guarded,
        x_manage_token: Annotated[str | None, Header(max_length=100)] = None,
    ) -> Response:
        share, status, row, _ = sharing.holder(code, x_manage_token, prefix, "letter")
        return sharing.letter(share, status, row)

    @router.get(
        "/api/v1/public-key",
        response_model=PublicKeyOut,
        summary="Khóa công khai kiểm tra chữ ký thư xác minh",
        responses={429: {"model": Problem}},
        tags=["xác minh"],
    )
    def api_public_key(prefix: Guarded) -> PublicKeyOut:
        key = sharing.key
        return PublicKeyOut(algorithm=ALGORITHM, public_key_pem=key.public_pem, key_id=key.key_id)

    # ---- Portal pages -----------------------------------------------------------------------

    @router.post("/chia-se", response_class=HTMLResponse, include_in_schema=False)
    def portal_create(
        request: Request,
        prefix: Guarded,
        public_id: Annotated[str, Form(max_length=32)] = "",
        birth: Annotated[str, Form(max_length=10)] = "",
        for_whom: Annotated[str, Form(max_length=200)] = "",
        days: Annotated[str, Form(max_length=3)] = "",
    ) -> Response:
        chosen = int(days) if days.isdigit() else None
        try:
            created = sharing.create(public_id, birth, for_whom, chosen, prefix)
        except ShareError as error:
            return page(request, "share.html", 422, error=str(error))
        except HTTPException as error:
            return page(request, "share.html", error.status_code, error=str(error.detail))
        share = created.share
        return page(
            request,
            "share.html",
            share=share,
            verify_url=sharing.verify_url(share),
            manage_url=sharing.manage_url(share, created.manage_token),
            manage_token=created.manage_token,
            qr=Markup(sharing.qr_svg(share)),  # noqa: S704 - segno's own SVG of our URL
        )

    @router.get("/xac-minh", response_class=HTMLResponse, include_in_schema=False)
    def portal_verify_form(request: Request, prefix: Guarded, ma: str = "") -> Response:
        return page(request, "verify.html", code=ma[:40], verifier="", found=None)

    @router.post("/xac-minh", response_class=HTMLResponse, include_in_schema=False)
    def portal_verify(
        request: Request,
        prefix: Guarded,
        ma: Annotated[str, Form(max_length=40)] = "",
        nguoi_xac_minh: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        values: dict[str, Any] = {"code": ma, "verifier": nguoi_xac_minh, "found": None}
        try:
            found = sharing.verify(ma, nguoi_xac_minh, prefix)
        except ShareError as error:
            return page(request, "verify.html", 422, error=str(error), **values)
        except HTTPException as error:
            return page(request, "verify.html", error.status_code, error=error.detail, **values)
        values["found"] = found
        return page(request, "verify.html", **values)

    def manage_page(
        request: Request, code: str, khoa: str, prefix: str, action: str, notice: str | None
    ) -> Response:
        try:
            share, status, _, uses = sharing.holder(code, khoa, prefix, action)
        except HTTPException as error:
            return page(request, "manage.html", error.status_code, error=error.detail, share=None)
        return page(
            request,
            "manage.html",
            share=share,
            status=status,
            status_text=shares.STATUS_WORDS[status],
            uses=uses,
            manage_token=khoa,
            verify_url=sharing.verify_url(share),
            qr=Markup(sharing.qr_svg(share)),  # noqa: S704 - segno's own SVG of our URL
            notice=notice,
        )

    @router.get("/ma/{code}/quan-ly", response_class=HTMLResponse, include_in_schema=False)
    def portal_manage(request: Request, code: str, prefix: Guarded, khoa: str = "") -> Response:
        return manage_page(request, code, khoa[:100], prefix, "view", None)

    @router.post("/ma/{code}/thu-hoi", response_class=HTMLResponse, include_in_schema=False)
    def portal_revoke(
        request: Request,
        code: str,
        prefix: Guarded,
        khoa: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        notice = "Đã thu hồi mã. Từ nay mã này không còn cho xem hồ sơ."
        return manage_page(request, code, khoa, prefix, "revoke", notice)

    @router.post("/ma/{code}/thu-xac-minh.pdf", include_in_schema=False)
    def portal_letter(
        request: Request,
        code: str,
        prefix: Guarded,
        khoa: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        try:
            share, status, row, _ = sharing.holder(code, khoa, prefix, "letter")
            return sharing.letter(share, status, row)
        except HTTPException as error:
            return page(request, "manage.html", error.status_code, error=error.detail, share=None)

    return router
