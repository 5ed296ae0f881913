"""The staff review app (FastAPI + Jinja2).  For now: the batch dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from records.db import get_engine
from records.settings import Settings, load_settings
from records.web import add_security_headers, templates_in
from review.dashboard import batch_figures

TEMPLATES = templates_in(Path(__file__).parent / "templates")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(title="bangdiem – duyệt", docs_url=None, redoc_url=None, openapi_url=None)
    add_security_headers(app)

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        with Session(get_engine(settings)) as session:
            batches = batch_figures(session)
        return TEMPLATES.TemplateResponse(
            request, "dashboard.html", {"batches": batches, "keeper": settings.record_keeper}
        )

    return app
