"""The public lookup service: a Vietnamese portal page and a JSON API over the public read
model only (``records.public_db``), never the staff database.

Every request passes the guard (rate limits per client network and overall, the optional
CAPTCHA), every search and verification is written to the processing log, and an answer
never tells "nothing found" from "too many found".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lookup_api import processing_log, shares
from lookup_api.driver import HeldConnections
from lookup_api.guard import RateLimiter, client_prefix, load_verifier
from lookup_api.log_writer import LogWriter
from lookup_api.search import (
    Match,
    Query,
    QueryError,
    clean_birth,
    clean_name,
    find_with_driver,
    shown_fields,
)
from records.public_db import open_read_model, public_engine
from records.settings import Settings, load_settings
from records.vocabulary import SUBJECTS
from records.web import add_security_headers, templates_in

TEMPLATES = templates_in(Path(__file__).parent / "templates")
STATIC = Path(__file__).parent / "static"
NOT_FOUND = (
    "Không tìm thấy hồ sơ đã công bố khớp với thông tin này, hoặc thông tin chưa đủ để xác "
    "định một hồ sơ. Hãy kiểm tra họ tên, ngày sinh, hoặc thêm năm thi."
)
INVALID = "Dữ liệu gửi lên không hợp lệ."
STARLETTE_DEFAULTS = {
    "Not Found": "Không có trang này.",
    "Method Not Allowed": "Không hỗ trợ cách gửi này.",
}
BIRTH_PATTERN = r"^(\d{4}(-\d{2}-\d{2})?|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$"
SUBJECT_NAMES = {s.code: s.name_vi for s in SUBJECTS}
RESULT_WORDS = {"passed": "Đỗ tốt nghiệp", "failed": "Không đỗ"}


class SearchIn(BaseModel):
    full_name: str = Field(min_length=2, max_length=120, description="Họ và tên đầy đủ")
    birth: str = Field(
        max_length=10,
        pattern=BIRTH_PATTERN,
        description="Ngày sinh NNNN-TT-NN (hoặc NN/TT/NNNN), hoặc năm sinh NNNN",
    )
    exam_year: int | None = Field(default=None, ge=1975, le=2005, description="Năm thi")
    council: str | None = Field(default=None, max_length=200, description="Hội đồng thi")
    captcha_token: str | None = Field(default=None, max_length=4000)


class RecordFields(BaseModel):
    """What the public may see of a verified record; fields the deployment hides are absent."""

    full_name: str
    birth_date: str
    exam_year: int | None = None
    level: str | None = None
    council: str | None = None
    school: str | None = None
    result: str | None = Field(default=None, description="passed | failed")
    ranking: str | None = None
    total: str | None = None
    scores: dict[str, str] | None = None


class PublicRecord(RecordFields):
    """A record found by a search: its fields, its public id and how the name matched."""

    public_id: str = Field(description="Mã hồ sơ công khai (ngẫu nhiên, không theo thứ tự)")
    match: str = Field(description="exact | tone | folded | fuzzy: how the name matched")


class SearchAnswer(BaseModel):
    records: list[PublicRecord]
    message: str | None = None


class Problem(BaseModel):
    detail: str


def public_record_of(row: Any, match: Match) -> PublicRecord:
    return PublicRecord(**shown_fields(row), public_id=row.public_id, match=match.name.lower())


class Guard:
    """Rate limits and CAPTCHA, as a dependency of every public endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.limiter = RateLimiter(settings.lookup_client_rate, settings.lookup_global_rate)
        self.verifier = load_verifier(settings.captcha_verifier)

    def __call__(self, request: Request) -> str:
        address = request.client.host if request.client else ""
        prefix = client_prefix(address)
        wait = self.limiter.wait_for(prefix)
        if wait:
            raise HTTPException(
                429,
                "Quá nhiều yêu cầu. Hãy thử lại sau ít phút.",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return prefix

    async def check_captcha(self, request: Request, token: str | None) -> None:
        if self.verifier is None:
            return
        token = token or request.headers.get("X-Captcha-Token")
        address = request.client.host if request.client else ""
        # A verifier may ask a remote service: off the event loop.
        if not await run_in_threadpool(self.verifier, token, address):
            raise HTTPException(403, "Cần xác nhận bạn không phải máy (CAPTCHA).")


class Service:
    """The state one app holds: settings, the read model's engine, the guard, the reading
    connections and the log's writer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: Engine = public_engine(settings)
        open_read_model(self.engine)
        self.guard = Guard(settings)
        self.log_key = processing_log.log_key(self.engine)  # read once, not per request
        self.readers = HeldConnections(self.engine)
        self.log = LogWriter(self.engine, self.log_key, self._purge)

    async def search(self, query: Query, prefix: str) -> SearchAnswer:
        """Find, log, answer.  The read runs on the event loop: it is one indexed SELECT of a
        few rows (about 0.05 ms in a million records), cheaper than a hop to a worker thread
        and back.  The answer waits for its log entry to be committed (``LogWriter``)."""
        cap = self.settings.lookup_max_results
        found = self.readers.run(
            lambda connection, dialect: find_with_driver(connection, dialect, query, cap)
        )
        logged = (query.full_name, query.birth, query.exam_year, query.council)
        await self.log.write("search", prefix, logged, len(found))
        if not found:
            return SearchAnswer(records=[], message=NOT_FOUND)
        return SearchAnswer(records=[public_record_of(row, level) for row, level in found])

    def _purge(self, connection: Connection) -> None:
        processing_log.purge(connection, self.settings.log_retention_days)
        shares.purge(connection, self.settings.share_retention_days)

    async def refused(self, prefix: str, query: tuple[object, ...]) -> None:
        """Log a refused query too (a fragment, a wildcard): probing must leave a trace."""
        await self.log.write("refused", prefix, query, 0)


async def guarded(request: Request) -> str:
    """The client's network prefix, once the guard lets the request through."""
    service: Service = request.app.state.service
    return service.guard(request)


Guarded = Annotated[str, Depends(guarded)]


def _query(body: SearchIn) -> Query:
    try:
        return Query(
            clean_name(body.full_name), clean_birth(body.birth), body.exam_year, body.council
        )
    except QueryError as error:
        raise HTTPException(422, str(error)) from error


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    service = Service(settings)
    app = FastAPI(
        title="Tra cứu bảng điểm tốt nghiệp 1975–2005",
        description=(
            f"Dịch vụ tra cứu công khai của {settings.record_keeper}. Chỉ trả về hồ sơ đã được "
            "xác minh và công bố; cần họ tên đầy đủ và ngày sinh (hoặc năm sinh). Mỗi lượt tra "
            "cứu được ghi nhật ký xử lý."
        ),
        version="1",
    )
    app.state.service = service
    add_security_headers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, _: RequestValidationError) -> Response:
        return await _problem(request, HTTPException(422, INVALID))

    @app.exception_handler(StarletteHTTPException)
    async def _problem(request: Request, error: StarletteHTTPException) -> Response:
        # Starlette's own errors (an unparsable body, an unknown path) answer in the shape
        # the OpenAPI description declares, and in Vietnamese.
        if error.status_code == 400:
            error = HTTPException(422, INVALID)
        elif error.detail in STARLETTE_DEFAULTS:
            error = HTTPException(
                error.status_code, STARLETTE_DEFAULTS[error.detail], headers=error.headers
            )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)
        return TEMPLATES.TemplateResponse(
            request,
            "lookup.html",
            _page_context(settings, error=str(error.detail)),
            status_code=error.status_code,
            headers=error.headers,
        )

    @app.post(
        "/api/v1/search",
        response_model=SearchAnswer,
        response_model_exclude_none=True,
        summary="Tra cứu theo họ tên và ngày sinh",
        responses={422: {"model": Problem}, 429: {"model": Problem}, 403: {"model": Problem}},
    )
    async def api_search(body: SearchIn, request: Request, prefix: Guarded) -> Response:
        await service.guard.check_captcha(request, body.captcha_token)
        try:
            query = _query(body)
        except HTTPException:
            await service.refused(prefix, (body.full_name, body.birth))
            raise
        answer = await service.search(query, prefix)
        # Serialised here, once (pydantic's own JSON), instead of FastAPI validating the
        # returned model again against response_model, which still documents the schema.
        return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # no icon; answering keeps browsers' consoles clean

    @app.get("/api/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def portal(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "lookup.html", _page_context(settings))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def portal_search(
        request: Request,
        prefix: Guarded,
        full_name: Annotated[str, Form(max_length=120)] = "",
        birth: Annotated[str, Form(max_length=10)] = "",
        exam_year: Annotated[str, Form(max_length=4)] = "",
        captcha_token: Annotated[str | None, Form(max_length=4000)] = None,
    ) -> Response:
        await service.guard.check_captcha(request, captcha_token)
        year = int(exam_year) if exam_year.isdigit() else None
        try:
            query = Query(clean_name(full_name), clean_birth(birth), year)
            answer = await service.search(query, prefix)
        except QueryError as error:
            await service.refused(prefix, (full_name, birth))
            raise HTTPException(422, str(error)) from error
        return TEMPLATES.TemplateResponse(
            request,
            "lookup.html",
            _page_context(
                settings, answer=answer, full_name=full_name, birth=birth, exam_year=exam_year
            ),
        )

    from lookup_api.routes_shares import share_router  # it imports this module

    app.include_router(share_router(service))
    return app


@cache
def _widget(path: str) -> str:
    return Path(path).read_text(encoding="utf-8") if path else ""


def _page_context(settings: Settings, **values: Any) -> dict[str, Any]:
    return {
        "keeper": settings.record_keeper,
        "captcha_widget": _widget(settings.captcha_widget_file),
        "share_days": settings.share_days,
        "subject_names": SUBJECT_NAMES,
        "result_words": RESULT_WORDS,
        "answer": None,
        "error": None,
        "full_name": "",
        "birth": "",
        "exam_year": "",
        **values,
    }
