"""A CAPTCHA verifier for the tests: BANGDIEM_CAPTCHA_VERIFIER=``SPEC`` below.

A deployment plugs in the service it contracts; this one accepts exactly one token, and only
from a client that has an address, which is what the hook's contract lets a verifier check.
"""

from __future__ import annotations

SPEC = "tests.lookup_api.captcha_for_tests:verify"
TOKEN = "nguoi-that-2026"  # noqa: S105 - a test token, not a secret
CALLS: list[tuple[str | None, str]] = []


def verify(token: str | None, client_address: str) -> bool:
    CALLS.append((token, client_address))
    return token == TOKEN and bool(client_address)
