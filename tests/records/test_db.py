"""The schema comes from migrations, matches the models, and keeps the audit trail intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import exc, inspect, text
from sqlmodel import Session, SQLModel, select

from records.audit import record
from records.db import engine_for, migrate
from records.models import AuditEntry, RowField, TableRow
from records.settings import Settings, load_settings
from records.vocabulary import FieldStatus
from tests.factories import add_page


def test_migrations_match_models(settings: Settings) -> None:
    engine = engine_for(settings.database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migrate_is_idempotent(settings: Settings) -> None:
    migrate(settings)
    tables = set(inspect(engine_for(settings.database_url)).get_table_names())
    assert {
        "batch",
        "scan_file",
        "page",
        "sheet",
        "table_row",
        "row_field",
        "audit_entry",
        "staff_user",
        "publication",
        "staff_session",
        "alembic_version",
    } <= tables


def test_audit_trail_refuses_update_and_delete(session: Session) -> None:
    entry = record(session, actor="tester", action="test", entity="batch", new_value="x")
    session.commit()
    for statement in ("UPDATE audit_entry SET actor = 'someone else'", "DELETE FROM audit_entry"):
        with pytest.raises(exc.DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    kept = session.exec(select(AuditEntry).where(AuditEntry.id == entry.id)).one()
    assert kept.actor == "tester"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    settings = load_settings({"BANGDIEM_DATA_DIR": str(tmp_path)})
    migrate(settings)
    with engine_for(settings.database_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_field_keeps_status_and_unique_name_per_row(session: Session) -> None:
    page = add_page(session)
    row = TableRow(page_id=page.id or 0, row_number=1)
    session.add(row)
    session.flush()
    session.add(
        RowField(row_id=row.id or 0, name="full_name", value="Lê Thị Hoà", status=FieldStatus.AUTO)
    )
    session.commit()
    stored = session.exec(select(RowField)).one()
    assert stored.status is FieldStatus.AUTO and stored.value == "Lê Thị Hoà"
    session.add(RowField(row_id=row.id or 0, name="full_name", value="dup"))
    with pytest.raises(exc.IntegrityError):
        session.commit()
