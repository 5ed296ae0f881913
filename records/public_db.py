"""The public read model: its own database (or PostgreSQL schema), separate from staff data.

The lookup service connects only here, so a flaw in it cannot reach staff tables, reviewers'
corrections or unverified rows.  It holds:

- ``public_record``: one verified record with only what the public may see, under a random
  ``public_id``, with precomputed search keys (exact, tone-normalised, folded) and birth date;
- ``share_code`` / ``share_use``: verification codes a holder made for an employer, and each
  use of them (the holder may see who verified their record);
- ``processing_log``: every public search and verification (the controller's log of processing,
  DOMAIN.md §4), with the client's network prefix and a keyed hash of the query, never the query;
- ``public_state``: small settings of the read model (the log's hash key, the publish revision).

``bangdiem publish`` is the only writer of ``public_record``; the service writes the other
tables.  On PostgreSQL the service's role gets SELECT on records and only the writes it needs
(``grant_lookup_role``).  The tables are created here (``ensure_schema``) rather than by the
staff migrations: the read model is derived and can be rebuilt by publishing again.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    inspect,
    select,
    text,
    update,
)

from records.db import engine_for
from records.settings import Settings
from records.vntext import search_keys

metadata = MetaData()

public_record = Table(
    "public_record",
    metadata,
    Column("public_id", String(32), primary_key=True),  # random; never a staff id
    Column("full_name", String(200), nullable=False),
    Column("exact_key", String(200), nullable=False),
    Column("tone_key", String(200), nullable=False),
    Column("folded_key", String(200), nullable=False),
    # The last word of folded_key (the given name, tên): a name with one slip in its other
    # words is found by this and the birth date through an index, not by scanning the day's
    # and the year's records (lookup_api.search).  Nullable only for upgrades (see _upgrade).
    Column("given_key", String(200)),
    Column("birth_date", String(10), nullable=False),  # "YYYY-MM-DD" or "YYYY"
    Column("birth_year", Integer, nullable=False),
    Column("exam_year", Integer),
    Column("level", String(10)),
    Column("council", String(300)),
    Column("school", String(300)),
    Column("result", String(10)),
    Column("ranking", String(30)),
    Column("total", String(10)),
    Column("scores_json", Text),  # {"math": "7.5", ...} in the sheet's subject order
    Column("published_at", DateTime(timezone=True), nullable=False),
    Index("ix_public_record_birth", "birth_date", "folded_key"),
    Index("ix_public_record_year", "birth_year", "folded_key"),
    Index("ix_public_record_given", "birth_date", "given_key"),
)

share_code = Table(
    "share_code",
    metadata,
    Column("code", String(32), primary_key=True),  # random, shown to the holder only
    Column("public_id", String(32), nullable=False, index=True),
    Column("for_whom", String(200), nullable=False),  # as the holder wrote it
    Column("manage_hash", String(64), nullable=False),  # sha256 of the holder's secret
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

share_use = Table(
    "share_use",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("verifier", String(200), nullable=False),  # who the employer said they are
    Column("client_prefix", String(64), nullable=False),
)

processing_log = Table(
    "processing_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # search | verify | share | letter
    Column("client_prefix", String(64), nullable=False),
    Column("query_hash", String(64), nullable=False),
    Column("result_count", Integer, nullable=False),
)

public_state = Table(
    "public_state",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

SERVICE_WRITES = ("share_code", "share_use", "processing_log", "public_state")


def public_engine(settings: Settings) -> Engine:
    """The engine of the public read model (SQLite file or PostgreSQL schema of its own)."""
    return engine_for(settings.public_database_url)


class OutdatedReadModelError(RuntimeError):
    """The read model was made by an older version: ``bangdiem publish`` upgrades it."""


def search_columns(name: str) -> dict[str, str]:
    """The precomputed search keys of a public record's name."""
    exact, tone, folded = search_keys(name)
    return {
        "exact_key": exact,
        "tone_key": tone,
        "folded_key": folded,
        "given_key": folded.rsplit(" ", 1)[-1],
    }


def ensure_schema(engine: Engine) -> None:
    """Create the read model's tables where missing and bring an older one up to date
    (idempotent).  Needs the rights of the publisher, not the service's."""
    metadata.create_all(engine, checkfirst=True)
    _upgrade(engine)


def _upgrade(engine: Engine) -> None:
    """Add what later versions added to ``public_record``: given_key (filled from each
    record's folded key, in Python, as neither database splits words the same way) and its
    index (``create_all`` makes missing tables only, not missing indexes)."""
    missing_given_key = "given_key" not in _record_columns(engine)
    with engine.begin() as connection:
        if missing_given_key:
            connection.execute(text("ALTER TABLE public_record ADD COLUMN given_key VARCHAR(200)"))
            keys = connection.execute(
                select(public_record.c.public_id, public_record.c.folded_key)
            ).all()
            fill = (
                update(public_record)
                .where(public_record.c.public_id == bindparam("pid"))
                .values(given_key=bindparam("given"))
            )
            for start in range(0, len(keys), 10_000):
                connection.execute(
                    fill,
                    [
                        {"pid": pid, "given": folded.rsplit(" ", 1)[-1]}
                        for pid, folded in keys[start : start + 10_000]
                    ],
                )
        for index in public_record.indexes:
            index.create(connection, checkfirst=True)


def _record_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("public_record")}


def open_read_model(engine: Engine) -> None:
    """For the service: create an empty read model where there is none (the portal answers
    before the first publish), and refuse one from an older version with a clear message
    (its role may not alter tables; publishing upgrades it)."""
    metadata.create_all(engine, checkfirst=True)
    if "given_key" not in _record_columns(engine):
        raise OutdatedReadModelError(
            "Cơ sở dữ liệu công khai được tạo bởi phiên bản cũ; hãy chạy `bangdiem publish` "
            "để nâng cấp trước khi mở dịch vụ tra cứu."
        )


def grant_lookup_role(engine: Engine, role: str, schema: str) -> None:
    """PostgreSQL: let ``role`` read records and write only logs, shares and state, in
    ``schema``; it gets nothing else (and no access to staff tables, which live elsewhere)."""
    quoted_role = '"' + role.replace('"', '""') + '"'
    quoted_schema = '"' + schema.replace('"', '""') + '"'
    with engine.begin() as connection:
        connection.execute(text(f"GRANT USAGE ON SCHEMA {quoted_schema} TO {quoted_role}"))
        connection.execute(text(f"GRANT SELECT ON {quoted_schema}.public_record TO {quoted_role}"))
        for table in SERVICE_WRITES:
            connection.execute(
                text(f"GRANT SELECT, INSERT, UPDATE ON {quoted_schema}.{table} TO {quoted_role}")
            )
        for table in ("processing_log", "share_code", "share_use"):
            connection.execute(  # the service applies the retention of these itself
                text(f"GRANT DELETE ON {quoted_schema}.{table} TO {quoted_role}")
            )
        for sequence in ("share_use_id_seq", "processing_log_id_seq"):
            connection.execute(
                text(f"GRANT USAGE ON SEQUENCE {quoted_schema}.{sequence} TO {quoted_role}")
            )
