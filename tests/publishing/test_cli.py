"""``bangdiem publish``: a Vietnamese summary, incremental on the second run, reasons for what
it leaves out; ``--grant-role`` only on PostgreSQL (which tests/publishing/test_postgres_role.py
runs)."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bangdiem.cli import app
from records.settings import Settings
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.publishing.test_atomic import add_verified_rows
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "BANGDIEM_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "BANGDIEM_PUBLIC_DATABASE_URL": settings.public_database_url,
    }


def test_publish_summarises_in_vietnamese_and_sends_only_changes(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    add_verified_rows(session, 1, batch="lot-x", people=[("Lê Văn Tám", "")])
    first = runner.invoke(app, ["publish"], env=_env(settings))
    assert first.exit_code == 0, first.output
    assert "Đã công bố: 2 mới, 0 cập nhật, 0 rút lại, 0 không đổi" in first.output
    assert "Không công bố 1 hồ sơ: thiếu ngày sinh" in first.output
    again = runner.invoke(app, ["publish"], env=_env(settings))
    assert again.exit_code == 0, again.output
    assert "Đã công bố: 0 mới, 0 cập nhật, 0 rút lại, 2 không đổi" in again.output


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_grant_role_needs_postgresql(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    refused = runner.invoke(app, ["publish", "--grant-role", "tra_cuu"], env=_env(settings))
    assert refused.exit_code == 2
    assert "--grant-role chỉ dùng với PostgreSQL." in refused.output
