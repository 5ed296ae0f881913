"""Typed dependencies of the review app: the database session, the signed-in user, roles and
CSRF.  Every route states what it needs through these aliases, so a page that forgets its
role check does not type-check against the tests that enumerate routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from records.db import get_engine
from records.settings import Settings
from records.vocabulary import Role
from review import web_sessions
from review.web_sessions import SignedIn

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

REVIEW_ROLES = frozenset({Role.REVIEWER, Role.APPROVER})
APPROVE_ROLES = frozenset({Role.APPROVER})
OPERATE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})


class LoginRequiredError(Exception):
    """No valid session: HTML pages redirect to the login form, the JSON API answers 401."""


class ForbiddenError(Exception):
    """Signed in, but the role does not allow this."""

    def __init__(self, message: str = "Vai trò của bạn không được phép làm việc này.") -> None:
        super().__init__(message)


class CsrfError(Exception):
    """A state-changing request without this session's CSRF token."""


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db(settings: SettingsDep) -> Iterator[Session]:
    with Session(get_engine(settings), expire_on_commit=False) as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def signed_in(request: Request, db: DbSession) -> SignedIn:
    found = web_sessions.resolve(db, request.cookies.get(web_sessions.COOKIE_NAME))
    if found is None:
        raise LoginRequiredError
    request.state.signed_in = found
    return found


CurrentUser = Annotated[SignedIn, Depends(signed_in)]


async def csrf_checked(request: Request, current: CurrentUser) -> SignedIn:
    """The signed-in user, after checking the CSRF token of a state-changing request."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not web_sessions.csrf_matches(current, sent):
        raise CsrfError
    return current


def _role_checker(roles: frozenset[Role], *, write: bool):  # type: ignore[no-untyped-def]
    if write:

        async def check_write(current: Annotated[SignedIn, Depends(csrf_checked)]) -> SignedIn:
            if current.user.role not in roles:
                raise ForbiddenError
            return current

        return check_write

    def check(current: CurrentUser) -> SignedIn:
        if current.user.role not in roles:
            raise ForbiddenError
        return current

    return check


Writer = Annotated[SignedIn, Depends(csrf_checked)]  # any signed-in user, CSRF checked
Reviewer = Annotated[SignedIn, Depends(_role_checker(REVIEW_ROLES, write=True))]
Approver = Annotated[SignedIn, Depends(_role_checker(APPROVE_ROLES, write=True))]
Operator = Annotated[SignedIn, Depends(_role_checker(OPERATE_ROLES, write=True))]
Admin = Annotated[SignedIn, Depends(_role_checker(ADMIN_ROLES, write=True))]
AdminViewer = Annotated[SignedIn, Depends(_role_checker(ADMIN_ROLES, write=False))]
