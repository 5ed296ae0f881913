"""The public lookup service: a Vietnamese page and a JSON API, reading published records only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlmodel import Session

from lookup_api.search import LookupQuery, find_records
from records.db import get_engine
from records.settings import Settings, load_settings
from records.web import add_security_headers, templates_in

TEMPLATES = templates_in(Path(__file__).parent / "templates")
_BIRTH = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


class PublicRecord(BaseModel):
    """What the public may see of a verified record (no scores, no birthplace, no ethnicity)."""

    full_name: str
    birth_date: str | None
    exam_year: int | None
    level: str | None
    council: str | None
    result: str | None
    ranking: str | None
    match: str  # exact | tone | folded: how the name matched


class LookupAnswer(BaseModel):
    records: list[PublicRecord]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(
        title="Tra cứu bảng điểm tốt nghiệp",
        description=f"Dịch vụ tra cứu công khai của {settings.record_keeper}. "
        "Chỉ trả về hồ sơ đã được xác minh và công bố.",
        version="1",
    )
    add_security_headers(app)

    def lookup(full_name: str, birth: str, exam_year: int | None) -> list[PublicRecord]:
        if not _BIRTH.match(birth):
            raise HTTPException(422, "Ngày sinh phải có dạng NNNN-TT-NN hoặc năm sinh NNNN.")
        with Session(get_engine(settings)) as session:
            found = find_records(session, LookupQuery(full_name, birth, exam_year))
        return [
            PublicRecord(
                full_name=r.full_name,
                birth_date=r.birth_date,
                exam_year=r.exam_year,
                level=r.level,
                council=r.council,
                result=r.result,
                ranking=r.ranking,
                match=level.name.lower(),
            )
            for r, level in found
        ]

    @app.get(
        "/api/v1/records", response_model=LookupAnswer, summary="Tra cứu theo họ tên và ngày sinh"
    )
    def api_records(
        full_name: Annotated[str, Query(min_length=2, max_length=200, description="Họ và tên")],
        birth: Annotated[str, Query(description="Ngày sinh NNNN-TT-NN hoặc năm sinh NNNN")],
        exam_year: Annotated[int | None, Query(ge=1975, le=2005, description="Năm thi")] = None,
    ) -> LookupAnswer:
        return LookupAnswer(records=lookup(full_name, birth, exam_year))

    @app.get("/api/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, full_name: str = "", birth: str = "") -> HTMLResponse:
        records: list[PublicRecord] | None = None
        error = ""
        if full_name and birth:
            try:
                records = lookup(full_name, birth, None)
            except HTTPException as problem:
                error = str(problem.detail)
        return TEMPLATES.TemplateResponse(
            request,
            "lookup.html",
            {
                "keeper": settings.record_keeper,
                "records": records,
                "error": error,
                "full_name": full_name,
                "birth": birth,
            },
        )

    return app
