"""Verified records to publish: the review page of tests/review, approved by an approver."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from records.models import StaffUser
from records.settings import Settings
from review import approval
from tests.review.conftest import ReviewPage, add_review_page, password_hash, staff  # noqa: F401


@pytest.fixture
def approved_page(
    session: Session,
    settings: Settings,
    staff: dict[str, StaffUser],  # noqa: F811
) -> ReviewPage:
    """Three rows; rows 2 and 3 (the same name and birth date: a real collision) approved."""
    page = add_review_page(session, settings)
    approval.approve_passing_rows(session, page.page.id or 0, staff["lan"], frozenset())
    return page
