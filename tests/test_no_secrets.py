"""Secrets come only from the environment: none is committed to the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_PATTERNS = [
    re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(rb"postgres(?:ql)?(?:\+\w+)?://[^:\s/]+:(?!bangdiem_test@|[$%{])[^@\s]{6,}@"),
    re.compile(rb"AKIA[0-9A-Z]{16}"),  # an AWS access key id, the commonest leak
]


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_private_keys_or_passwords_in_tracked_files() -> None:
    found = []
    for path in _tracked_files():
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        content = path.read_bytes()
        found += [
            f"{path.relative_to(ROOT)}: {p.pattern!r}" for p in SECRET_PATTERNS if p.search(content)
        ]
    # Allowed: the throwaway test database's password, and placeholders ($password, {PASSWORD}).
    assert found == []
