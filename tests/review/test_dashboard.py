"""The batch dashboard: what a batch holds, failures with reasons, measured precision."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from ingest.batch import register_paths
from records.models import StaffUser
from records.settings import Settings
from review.dashboard import batch_figures
from review.decisions import Decision, FieldDecision, decide
from tests.review.conftest import ReviewPage, login


def test_dashboard_counts_pages_and_failures(
    settings: Settings,
    session: Session,
    tmp_path: Path,
    client: TestClient,
    staff: dict[str, StaffUser],
) -> None:
    Image.new("L", (50, 50), 200).save(tmp_path / "ok.png")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 40)
    register_paths(session, "lô-1", [tmp_path], settings)
    [figures] = batch_figures(session)
    assert figures.name == "lô-1" and figures.files == 2
    assert figures.pages_by_status["pending"] == 1
    assert [name for name, _ in figures.failed_files] == ["bad.jpg"]
    login(client, "op")
    page = client.get("/")
    assert page.status_code == 200
    assert "Các lô quét" in page.text and "lô-1" in page.text and "Tệp lỗi bad.jpg" in page.text


def test_empty_dashboard_explains_what_to_do(
    client: TestClient, staff: dict[str, StaffUser]
) -> None:
    login(client, "ha")
    assert "Chưa có lô nào" in client.get("/").text


def test_sampled_fields_measure_precision_once_reviewed(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    four_eyes: frozenset[str] = frozenset()
    for row, name, text in (
        (1, "scores.math", "7"),
        (1, "scores.physics", "5"),
        (2, "scores.math", "8"),
    ):
        field = review_page.field(session, row, name)
        field.sampled, field.status = True, "needs_review"  # type: ignore[assignment]
        session.add(field)
        session.commit()
        decide(
            session,
            FieldDecision(field.id or 0, field.version, Decision.SET, text),
            staff["ha"],
            four_eyes,
        )
    [figures] = batch_figures(session)
    assert (figures.sample_kept, figures.sample_changed) == (2, 1)
    assert abs(figures.sample_precision - 2 / 3) < 1e-9
    assert (figures.rows, figures.rows_verified) == (3, 0)
