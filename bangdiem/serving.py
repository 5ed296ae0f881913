"""Running the web apps: each alone, or both in one process for the demo."""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI

from records.db import migrate
from records.settings import Settings


def _server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def serve(settings: Settings, *, review: bool, lookup: bool) -> None:
    """Serve the review app and/or the lookup service until interrupted."""
    from lookup_api.app import create_app as create_lookup
    from review.app import create_app as create_review

    migrate(settings)
    servers = []
    if review:
        servers.append(_server(create_review(settings), settings.host, settings.review_port))
    if lookup:
        servers.append(_server(create_lookup(settings), settings.host, settings.lookup_port))

    async def run_all() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(run_all())
