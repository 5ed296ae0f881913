"""Signing in and out, the batch dashboard with re-runs, and user management."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from ingest.rerun import reset_failed_pages, start_resume
from records.models import Batch, StaffUser
from records.vocabulary import Role
from review import accounts, web_sessions
from review.dashboard import batch_figures
from review.deps import Admin, AdminViewer, CurrentUser, DbSession, Operator, SettingsDep, Writer
from review.templating import render

router = APIRouter()


class ClientThrottle:
    """At most ``limit`` failed logins per client address in ``window`` seconds (on top of the
    per-account lock in ``review.accounts``, which guessing many names would get around)."""

    def __init__(self, limit: int = 20, window: float = 600.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, client: str) -> bool:
        failures = self._failures[client]
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        return len(failures) >= self.limit

    def failed(self, client: str) -> None:
        self._failures[client].append(time.monotonic())


def _safe_next(target: str) -> str:
    # Only a path on this site: an open redirect would let a link send staff elsewhere.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    throttle: ClientThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "?"
    if throttle.blocked(client):
        return render(
            request,
            "login.html",
            429,
            next=_safe_next(next),
            username=username,
            error="Quá nhiều lần đăng nhập sai từ máy này. Hãy thử lại sau ít phút.",
        )
    try:
        user = accounts.authenticate(db, username, password)
    except accounts.LoginRefusedError as refused:
        throttle.failed(client)
        return render(
            request, "login.html", 401, next=_safe_next(next), username=username, error=str(refused)
        )
    token = web_sessions.start(db, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        web_sessions.COOKIE_NAME,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(web_sessions.LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout")
def logout(request: Request, current: Writer, db: DbSession) -> Response:
    web_sessions.end(db, request.cookies.get(web_sessions.COOKIE_NAME))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(web_sessions.COOKIE_NAME)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, current: CurrentUser, db: DbSession) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        "dashboard.html",
        batches=batch_figures(db),
        done=done,
        rerun=request.query_params.get("rerun"),
    )


@router.post("/batches/{batch_id}/rerun")
def rerun_batch(batch_id: int, current: Operator, db: DbSession, settings: SettingsDep) -> Response:
    batch = db.get(Batch, batch_id)
    if batch is None:
        return RedirectResponse("/", status_code=303)
    count = reset_failed_pages(db, batch_id, current.user.username)
    if count:
        start_resume(settings, batch, settings.data_dir / "logs")
    return RedirectResponse(f"/?rerun={count}", status_code=303)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, current: AdminViewer, db: DbSession) -> Response:
    users = db.exec(select(StaffUser).order_by(col(StaffUser.username))).all()
    return render(request, "users.html", users=users, roles=list(Role), error=None)


@router.post("/users")
def add_user(
    request: Request,
    current: Admin,
    db: DbSession,
    username: Annotated[str, Form(max_length=100)],
    full_name: Annotated[str, Form(max_length=200)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        accounts.add_user(db, username, full_name, role, password, actor=current.user.username)
    except accounts.AccountError as error:
        users = db.exec(select(StaffUser).order_by(col(StaffUser.username))).all()
        return render(request, "users.html", 400, users=users, roles=list(Role), error=str(error))
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}/active")
def set_active(
    username: str, current: Admin, db: DbSession, active: Annotated[bool, Form()]
) -> Response:
    accounts.set_active(db, username, active, actor=current.user.username)
    return RedirectResponse("/users", status_code=303)
