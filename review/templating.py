"""Rendering pages: every template gets the signed-in user, the CSRF token and the keeper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from records.vocabulary import Role
from records.web import templates_in

TEMPLATES = templates_in(Path(__file__).parent / "templates")

ROLE_LABELS = {
    Role.OPERATOR: "vận hành",
    Role.REVIEWER: "người duyệt",
    Role.APPROVER: "người phê duyệt",
    Role.ADMIN: "quản trị",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    signed_in = getattr(request.state, "signed_in", None)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "me": signed_in.user if signed_in else None,
            "csrf_token": signed_in.csrf_token if signed_in else "",
            "role_labels": ROLE_LABELS,
            "keeper": request.app.state.settings.record_keeper,
            **context,
        },
        status_code=status_code,
    )
