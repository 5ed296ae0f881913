"""Search ranking on the read model itself: slips, year-only sheets, namesakes, apostrophes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, insert, inspect, text

from lookup_api.search import Match, Query, QueryError, clean_name, find
from records.public_db import (
    OutdatedReadModelError,
    ensure_schema,
    open_read_model,
    public_record,
    search_columns,
)


def _record(public_id: str, name: str, birth: str) -> dict[str, object]:
    return {
        "public_id": public_id,
        "full_name": name,
        **search_columns(name),
        "birth_date": birth,
        "birth_year": int(birth[:4]),
        "exam_year": 1990,
        "published_at": datetime(2026, 11, 24, tzinfo=UTC),
    }


@pytest.fixture
def read_model(tmp_path: Path) -> Iterator[Connection]:
    engine = create_engine(f"sqlite:///{tmp_path / 'public.sqlite3'}")
    ensure_schema(engine)
    people = [
        ("a", "Trần Văn Dương", "1972-03-12"),
        ("b", "Trần Minh Anh", "1972-03-12"),
        ("c", "Trần Mạnh Ánh", "1972-03-12"),
        ("d", "Lê Thị Hoa", "1972"),  # the sheet wrote only the year
        ("e", "Lê Thị Hoà", "1972-03-12"),
        ("f", "H'Hen Niê", "1972-03-12"),
    ]
    with engine.begin() as connection:
        connection.execute(insert(public_record), [_record(*p) for p in people])
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _ids(connection: Connection, name: str, birth: str = "1972-03-12") -> list[tuple[str, Match]]:
    return [(row.public_id, level) for row, level in find(connection, Query(name, birth), 3)]


def test_two_swapped_letters_are_one_slip(read_model: Connection) -> None:
    assert _ids(read_model, "Trần Văn Dươgn") == [("a", Match.FUZZY)]


def test_a_record_born_that_day_comes_before_a_year_only_sheet(read_model: Connection) -> None:
    # "Lê Thị Hoa" is folded-equal to both; the one born on the date asked is the answer.
    assert _ids(read_model, "Le Thi Hoa") == [("e", Match.FOLDED)]
    assert _ids(read_model, "Lê Thị Hoa", "1972") == [("d", Match.EXACT)]


def test_among_equal_slips_the_nearest_spelling_comes_first(read_model: Connection) -> None:
    assert [i for i, _ in _ids(read_model, "Trần Mynh Anh")] == ["b", "c"]


def test_apostrophes_in_minority_names(read_model: Connection) -> None:
    assert clean_name("H’Hen  Niê") == "H'Hen Niê"
    assert _ids(read_model, "H’Hen Niê") == [("f", Match.EXACT)]
    for fragment in ("H'", "' Niê", "Niê"):
        with pytest.raises(QueryError):
            clean_name(fragment)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Trầm Văn Dương", "a"),  # the family name, on a record born that day
        ("Tran Vn Duong", "a"),  # the middle name
        ("Lê Thi Hoa Hoa", None),  # a whole word more is more than one slip
        ("Lee Thị Hoa", "d"),  # the family name, on a sheet that gave only the year
    ],
)
def test_one_slip_outside_the_given_name(
    read_model: Connection, typed: str, found: str | None
) -> None:
    """Found through the given-name index: every word but the last may carry the slip."""
    # Only the year-only sheet can answer on another day of 1972.
    birth = "1972-05-05" if found == "d" else "1972-03-12"
    assert [i for i, _ in _ids(read_model, typed, birth)] == ([found] if found else [])


def test_an_old_read_model_is_upgraded_by_publishing_and_refused_by_the_service(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    ensure_schema(engine)
    with engine.begin() as connection:  # back to the layout before given_key
        connection.execute(insert(public_record), [_record("a", "Trần Văn Dương", "1972-03-12")])
        connection.execute(text("DROP INDEX ix_public_record_given"))
        connection.execute(text("ALTER TABLE public_record DROP COLUMN given_key"))
    with pytest.raises(OutdatedReadModelError, match="bangdiem publish"):
        open_read_model(engine)
    ensure_schema(engine)
    open_read_model(engine)  # now accepted
    assert "ix_public_record_given" in {
        i["name"] for i in inspect(engine).get_indexes("public_record")
    }
    with engine.connect() as connection:
        assert connection.execute(text("SELECT given_key FROM public_record")).scalar() == "duong"
        assert _ids(connection, "Trầm Văn Dương") == [("a", Match.FUZZY)]
    engine.dispose()
