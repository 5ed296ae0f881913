"""A page that OCR has read, with staff accounts, for the review app's tests.

The page has a real (small) page image, a sheet header of 1990 PTTH (rule: six subjects,
literature and math doubled, half-point step) and rows whose values satisfy the rule, except
that row 1's total was misread ("56,5" for 50,5) and sent to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from records.models import Page, RowField, Sheet, StaffUser, TableRow
from records.settings import Settings
from records.vocabulary import FieldStatus, Role
from review.accounts import hash_password
from review.app import create_app
from tests.factories import add_page

PASSWORD = "mat-khau-du-dai"  # noqa: S105 - a test account in a throwaway database
STAFF = {
    "op": Role.OPERATOR,
    "ha": Role.REVIEWER,
    "hung": Role.REVIEWER,
    "lan": Role.APPROVER,
    "minh": Role.APPROVER,
    "quantri": Role.ADMIN,
}
# 1990 PTTH: literature and math count twice; 6*2 + 7*2 + 5 + 6.5 + 7 + 6 = 50.5 (average 6.31).
ROW_VALUES: dict[str, str | None] = {
    "candidate_number": "0101",
    "full_name": "Nguyễn Thị Hoà",
    "birth_date": "1972-03-12",
    "sex": "Nữ",
    "scores.literature": "6",
    "scores.math": "7",
    "scores.physics": "5",
    "scores.chemistry": "6.5",
    "scores.biology": "7",
    "scores.history": "6",
    "total": "50.5",
    "ranking": "Trung bình",
    "result": "passed",
}
ROW_HEIGHT, FIELD_WIDTH = 40, 60


@dataclass
class ReviewPage:
    page: Page
    rows: list[TableRow]

    def field(self, session: Session, row: int, name: str) -> RowField:
        from sqlmodel import select

        found = session.exec(
            select(RowField).where(RowField.row_id == self.rows[row].id, RowField.name == name)
        ).one()
        session.refresh(found)
        return found


def add_review_page(
    session: Session, settings: Settings, rows: int = 3, batch: str = "lot-1"
) -> ReviewPage:
    page = add_page(session, batch=batch)
    image = np.full((ROW_HEIGHT * (rows + 2), FIELD_WIDTH * len(ROW_VALUES)), 255, np.uint8)
    image[::ROW_HEIGHT, :] = 0  # ruling, so crops are not blank
    relpath = Path("pages") / "test" / f"{page.id:04d}.png"
    (settings.data_dir / relpath).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(settings.data_dir / relpath)
    page.image_path = str(relpath)
    page.height, page.width = image.shape
    page.status = "done"  # type: ignore[assignment]
    session.add(page)
    sheet = Sheet(page_id=page.id or 0, exam_year=1990, level="PTTH", council="Bà Rịa")
    session.add(sheet)
    session.flush()
    table_rows = []
    for number in range(1, rows + 1):
        y = ROW_HEIGHT * number
        row = TableRow(
            page_id=page.id or 0,
            sheet_id=sheet.id,
            row_number=number,
            box_x=0,
            box_y=y,
            box_w=image.shape[1],
            box_h=ROW_HEIGHT,
        )
        session.add(row)
        session.flush()
        for index, (name, value) in enumerate(ROW_VALUES.items()):
            status = FieldStatus.AUTO
            stored = value
            reason = None
            if name == "candidate_number":
                stored = f"01{number:02d}"
            if number == 1 and name == "total":
                stored, status, reason = "56.5", FieldStatus.NEEDS_REVIEW, "tổng không khớp"
            session.add(
                RowField(
                    row_id=row.id or 0,
                    name=name,
                    raw_text=stored,
                    ocr_value=stored,
                    value=stored,
                    confidence=0.97,
                    status=status,
                    reason=reason,
                    box_x=index * FIELD_WIDTH,
                    box_y=y,
                    box_w=FIELD_WIDTH,
                    box_h=ROW_HEIGHT,
                )
            )
        table_rows.append(row)
    session.commit()
    return ReviewPage(page, table_rows)


@pytest.fixture(scope="session")
def password_hash() -> str:
    # argon2 is slow on purpose; hashing once keeps the suite fast (add_user is tested alone).
    return hash_password(PASSWORD)


@pytest.fixture
def staff(session: Session, password_hash: str) -> dict[str, StaffUser]:
    users = {
        name: StaffUser(
            username=name, full_name=f"Cán bộ {name}", role=role, password_hash=password_hash
        )
        for name, role in STAFF.items()
    }
    session.add_all(users.values())
    session.commit()
    return users


@pytest.fixture
def review_page(session: Session, settings: Settings, staff: dict[str, StaffUser]) -> ReviewPage:
    return add_review_page(session, settings)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in; return the session's CSRF token (read from the page, as JS does)."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text  # followed the redirect to the dashboard
    token = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
    assert token is not None
    return token.group(1)
