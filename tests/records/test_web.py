"""Both web apps send the security headers; HSTS only over TLS (or behind a TLS proxy)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lookup_api.app import create_app as create_lookup
from records.settings import Settings
from review.app import create_app as create_review


def _apps(settings: Settings) -> list[tuple[str, FastAPI, str]]:
    return [("review", create_review(settings), "/login"), ("lookup", create_lookup(settings), "/")]


@pytest.mark.parametrize("which", ["review", "lookup"])
def test_security_headers(settings: Settings, which: str) -> None:
    _, app, path = next(a for a in _apps(settings) if a[0] == which)
    response = TestClient(app).get(path)
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in headers  # plain HTTP: HSTS would be ignored
    secure = TestClient(app, base_url="https://bangdiem.example").get(path)
    assert secure.headers["strict-transport-security"].startswith("max-age=")
