"""What both web apps share: security headers and the Jinja2 set-up.

Both apps are served from the project itself (no CDN: the Sở's network may have no internet),
and both send the same conservative headers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Pure ASGI middleware adding SECURITY_HEADERS (and HSTS over HTTPS) where a response
    has not set its own.

    Not ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs every request in a
    task group with a memory stream between the layers, which cost the public search about
    as much as the search itself; this only rewrites the response's start message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)


def templates_in(folder: Path) -> Jinja2Templates:
    return Jinja2Templates(directory=str(folder))
