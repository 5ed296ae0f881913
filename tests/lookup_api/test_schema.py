"""The public API against its own OpenAPI description, fuzzed by schemathesis.

Every operation the lookup app describes (the search, and whatever later endpoints add to the
spec: shares, verification) gets generated requests through the real app on a real read model
with published records: no answer is a server error, and every answer (status code, content
type, headers, body) is one the spec declares.  Rate limits are raised so that fuzzing measures
the API, not the guard (the guard has its own tests).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import APIOperation, Case, CheckFunction, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from lookup_api.app import create_app
from publishing.publish import publish
from records.settings import Settings
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

Operation = APIOperation[Any, Any, Any, Any]
# The read model is a SQLite file whatever the staff database (publishing from PostgreSQL is
# tested in tests/publishing), so the lookup side runs once.
pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

MAX_EXAMPLES = 40
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Requests that reach the records (schema-valid, but random text rarely names a real person).
KNOWN_PEOPLE: tuple[dict[str, Any], ...] = (
    {"full_name": "Nguyễn Thị Hoà", "birth": "1972-03-12"},
    {"full_name": "nguyen thi hoa", "birth": "12/03/1972", "exam_year": 1990},
    {"full_name": "Nguyen Thi Hoan", "birth": "1972-03-12", "council": "Ba Ria"},
    {"full_name": "Nguyễn Thị Hoà", "birth": "1972"},
    {"full_name": "Nguyễn Thị Hoà", "birth": "1972-03-13"},
)


def _operations(settings: Settings) -> list[Operation]:
    fast = replace(settings, lookup_client_rate=(10**6, 1.0), lookup_global_rate=(10**6, 1.0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(fast))
    operations: list[Operation] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), (
            f"the spec has an operation schemathesis cannot read: {result}"
        )
        operations.append(result.ok())
    assert any(op.label == "POST /api/v1/search" for op in operations)
    return operations


def _fuzz(operation: Operation, mode: GenerationMode) -> None:
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Case[Operation]) -> None:
        case.call_and_validate(checks=CHECKS)

    check()


def test_generated_requests_get_declared_answers_and_no_server_error(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    publish(settings)
    for operation in _operations(settings):
        _fuzz(operation, GenerationMode.POSITIVE)


def test_malformed_requests_get_declared_answers_and_no_server_error(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    publish(settings)
    for operation in _operations(settings):
        if operation.body or operation.path_parameters or operation.query:
            _fuzz(operation, GenerationMode.NEGATIVE)


def test_requests_naming_published_people_match_the_schema(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    publish(settings)
    search = next(op for op in _operations(settings) if op.label == "POST /api/v1/search")
    found = 0
    for body in KNOWN_PEOPLE:
        response = search.Case(body=dict(body), media_type="application/json").call_and_validate(
            checks=CHECKS
        )
        assert response.status_code == 200, response.text
        found += bool(response.json()["records"])
    assert found == len(KNOWN_PEOPLE) - 1  # all but the wrong birth date
