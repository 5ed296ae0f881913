"""The staff review app (FastAPI + Jinja2, assets served from the project: no CDN).

Roles: operators run and re-run batches, reviewers correct fields, approvers approve records
and reopen them, admins manage accounts.  Every page needs a signed-in user; every
state-changing request needs the session's CSRF token; every route names the roles it allows
(``review.deps``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from records.settings import Settings, load_settings
from records.web import add_security_headers
from review import routes_rows, routes_staff
from review.decisions import ReviewError
from review.deps import CsrfError, ForbiddenError, LoginRequiredError
from review.routes_staff import ClientThrottle
from review.templating import render
from review.values import InvalidValueError

STATIC = Path(__file__).parent / "static"
DATABASE_DOWN = (
    "Cơ sở dữ liệu tạm thời không truy cập được. Thay đổi vừa gửi chưa được lưu; "
    "hãy thử lại sau ít phút."
)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status, message=message)


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="bangdiem – duyệt", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings or load_settings()
    app.state.login_throttle = ClientThrottle()
    add_security_headers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(routes_staff.router)
    app.include_router(routes_rows.router)

    @app.exception_handler(LoginRequiredError)
    async def _login_required(request: Request, _: LoginRequiredError) -> Response:
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": "Cần đăng nhập."}, status_code=401)
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, error: ForbiddenError) -> Response:
        return _error(request, 403, str(error))

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _: CsrfError) -> Response:
        return _error(
            request, 403, "Phiên làm việc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang."
        )

    @app.exception_handler(ReviewError)
    async def _review(request: Request, error: ReviewError) -> Response:
        return _error(request, error.status_code, str(error))

    @app.exception_handler(InvalidValueError)
    async def _invalid(request: Request, error: InvalidValueError) -> Response:
        return _error(request, 422, str(error))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DisconnectionError)
    async def _database_down(request: Request, _: Exception) -> Response:
        # The request's transaction was rolled back with its session: nothing half-applied.
        # The page is drawn without the user (loading it would need the database).
        request.state.signed_in = None
        response = _error(request, 503, DATABASE_DOWN)
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        return _error(request, 422, "Dữ liệu gửi lên không hợp lệ.")

    return app
