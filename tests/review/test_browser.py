"""The review screens in a real browser: Debian's chromium driven by Playwright.

The app runs under uvicorn on a free port of 127.0.0.1 (a thread of the test process) against
the test's SQLite database; staff sign in through the login form and work with the keyboard,
as they do at the Sở.  Playwright never downloads a browser here: it launches the system
chromium (Debian package ``chromium``, installed by ``make setup``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlmodel import Session, col, select

from records.models import AuditEntry, Batch, StaffUser
from records.settings import Settings
from records.vocabulary import FieldStatus
from review.app import create_app
from tests.browser import launch, served
from tests.review.conftest import PASSWORD, ReviewPage

# SQLite is enough here: the database code is tested on PostgreSQL by the other modules.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("settings", ["sqlite"], indirect=True),
]

TIMEOUT_MS = 5_000  # for UI updates that wait on a request to the app


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = launch(playwright)
    yield launched
    launched.close()


@pytest.fixture
def live_app(settings: Settings, review_page: ReviewPage) -> Iterator[str]:
    """The base URL of the running app, whose database holds the review page and staff."""
    with served(create_app(settings)) as url:
        yield url


@pytest.fixture
def new_context(browser: Browser, live_app: str) -> Iterator[Callable[[], BrowserContext]]:
    """Browser contexts (separate cookie jars: separate people) on the app, closed after."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=live_app, locale="vi-VN")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(new_context: Callable[[], BrowserContext]) -> Callable[..., Page]:
    """A page of a new context, signed in as ``username`` through the login form."""

    def signed_in(username: str, path: str = "/") -> Page:
        page = new_context().new_page()
        page.goto(f"/login?next={path}")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_label("Mật khẩu").press("Enter")
        page.wait_for_url(f"**{path}")
        expect(page.locator("header .who")).to_contain_text(f"Cán bộ {username}")
        return page

    return signed_in


@dataclass
class RowScreen:
    """Locators on the row screen of one browser page."""

    page: Page
    review_page: ReviewPage
    session: Session
    row: int

    def field_id(self, name: str) -> int:
        return self.review_page.field(self.session, self.row, name).id or 0

    def input(self, name: str) -> Locator:
        return self.page.locator(f"#input-{self.field_id(name)}")

    def status(self, name: str) -> Locator:
        return self.page.locator(f"#status-{self.field_id(name)}")

    def check(self, code: str) -> Locator:
        return self.page.locator(f'#checks li[data-code="{code}"]')


def _screen(page: Page, review_page: ReviewPage, session: Session, row: int) -> RowScreen:
    page.goto(f"/rows/{review_page.rows[row].id}")
    expect(page.locator("#row")).to_be_visible()
    return RowScreen(page, review_page, session, row)


def _audit(session: Session, field_id: int) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "row_field", AuditEntry.entity_id == field_id)
            .order_by(col(AuditEntry.id))
        )
    )


def test_approver_accepts_suggestion_and_approves_with_the_keyboard(
    sign_in: Callable[..., Page], review_page: ReviewPage, session: Session
) -> None:
    page = sign_in("lan")
    batch = session.exec(select(Batch)).one()
    page.get_by_role("link", name="Duyệt", exact=True).click()
    row_id = review_page.rows[0].id
    page.wait_for_url(f"**/rows/{row_id}?queue={batch.id}")
    screen = RowScreen(page, review_page, session, 0)

    total = screen.input("total")
    expect(total).to_be_focused()
    expect(total).to_have_value("50,5")  # the checks' suggestion, pre-filled
    expect(screen.check("total")).to_have_class("check fail")
    page.keyboard.press("Enter")

    expect(screen.check("total")).to_have_class("check pass", timeout=TIMEOUT_MS)
    expect(screen.check("total")).to_contain_text("✓")
    expect(page.locator("#flash")).to_have_text("Đã lưu.")
    expect(screen.status("total")).to_have_text("đã sửa")
    approve = page.locator("#approve")
    expect(approve).to_be_focused()
    stored = review_page.field(session, 0, "total")
    assert (stored.value, stored.status) == ("50.5", FieldStatus.CORRECTED)

    page.keyboard.press("Enter")  # approve; the queue has nothing more for lan
    page.wait_for_url("**/?done=*")
    expect(page.locator("p.ok")).to_contain_text("không còn trường nào cần bạn duyệt")

    page.goto(f"/rows/{row_id}/audit")
    entries = page.locator("#audit tbody tr")
    correction = entries.filter(has_text="field.correct")
    expect(correction).to_have_count(1)
    cells = correction.locator("td")
    expect(cells.nth(1)).to_have_text("lan")
    expect(cells.nth(4)).to_have_text("56.5")
    expect(cells.nth(5)).to_have_text("50.5")
    approval = entries.filter(has_text="row.approve")
    expect(approval).to_have_count(1)
    expect(approval.locator("td").nth(1)).to_have_text("lan")
    page.goto(f"/rows/{row_id}")
    expect(page.locator("#row-state")).to_have_text("Đã duyệt")


def test_typing_replaces_the_value_and_checks_follow_live(
    sign_in: Callable[..., Page], review_page: ReviewPage, session: Session
) -> None:
    screen = _screen(sign_in("ha"), review_page, session, 1)
    math = screen.input("scores.math")
    expect(screen.check("total")).to_have_class("check pass")
    math.focus()
    screen.page.keyboard.type("9")
    expect(math).to_have_value("9")  # the value was selected on focus: typing replaced it
    expect(screen.check("total")).to_have_class("check fail")
    expect(screen.check("total")).to_contain_text("Tổng không khớp: cộng các môn được 54,5")
    assert review_page.field(session, 1, "scores.math").value == "7"  # nothing saved yet

    screen.page.keyboard.press("Backspace")
    screen.page.keyboard.type("7")
    expect(screen.check("total")).to_have_class("check pass")
    screen.page.keyboard.press("Enter")  # the value as read is right: confirm it
    expect(screen.status("scores.math")).to_have_text("đã xác nhận")
    stored = review_page.field(session, 1, "scores.math")
    assert (stored.value, stored.status) == ("7", FieldStatus.VERIFIED)


def test_decomposed_vietnamese_is_stored_composed(
    sign_in: Callable[..., Page], review_page: ReviewPage, session: Session
) -> None:
    typed = "Tra\u0302\u0300n Thi\u0323 Thuy\u0309"  # "Trần Thị Thuỷ" in NFD
    composed = unicodedata.normalize("NFC", typed)
    assert typed != composed
    screen = _screen(sign_in("ha"), review_page, session, 1)
    name = screen.input("full_name")
    name.focus()
    screen.page.keyboard.insert_text(typed)
    expect(name).to_have_value(typed)
    screen.page.keyboard.press("Enter")

    expect(screen.status("full_name")).to_have_text("đã sửa – chờ người thứ hai")
    expect(name).to_have_value(composed)  # the screen shows what was stored
    stored = review_page.field(session, 1, "full_name")
    assert stored.value == composed
    assert stored.status is FieldStatus.CORRECTED
    [entry] = _audit(session, stored.id or 0)
    assert (entry.old_value, entry.new_value) == ("Nguyễn Thị Hoà", composed)


def test_f8_blanks_a_field_and_f9_marks_it_illegible(
    sign_in: Callable[..., Page], review_page: ReviewPage, session: Session
) -> None:
    screen = _screen(sign_in("ha"), review_page, session, 2)
    ranking, birth = screen.input("ranking"), screen.input("birth_date")
    expect(screen.status("ranking")).to_have_text("máy tin cậy")

    ranking.focus()
    screen.page.keyboard.press("F8")
    expect(screen.status("ranking")).to_have_text("đã sửa")
    expect(ranking).to_have_value("")
    birth.focus()
    screen.page.keyboard.press("F9")
    expect(screen.status("birth_date")).to_have_text("không đọc được")
    expect(screen.page.locator(f"#field-{screen.field_id('birth_date')}")).to_have_class(
        "field status-illegible"
    )

    blank = review_page.field(session, 2, "ranking")
    assert (blank.value, blank.status) == (None, FieldStatus.CORRECTED)
    illegible = review_page.field(session, 2, "birth_date")
    assert (illegible.value, illegible.status) == (None, FieldStatus.ILLEGIBLE)
    assert [e.action for e in _audit(session, illegible.id or 0)] == ["field.illegible"]


def test_concurrent_edit_is_refused_with_who_changed_it(
    sign_in: Callable[..., Page], review_page: ReviewPage, session: Session
) -> None:
    ha = _screen(sign_in("ha"), review_page, session, 1)
    hung = _screen(sign_in("hung"), review_page, session, 1)  # both see version 1 of the row

    ha.input("scores.physics").focus()
    ha.page.keyboard.type("5,5")
    ha.page.keyboard.press("Enter")
    expect(ha.status("scores.physics")).to_have_text("đã sửa")
    expect(ha.input("scores.physics")).to_have_value("5,5")

    physics = hung.input("scores.physics")
    expect(physics).to_have_value("5")  # hung's screen is stale
    physics.focus()
    hung.page.keyboard.type("6")
    hung.page.keyboard.press("Enter")
    flash = hung.page.get_by_role("alert")
    expect(flash).to_have_text(
        "ha vừa thay đổi trường này. Hãy xem giá trị mới rồi quyết định lại."
    )
    expect(physics).to_have_value("5,5")  # ha's value, to decide on again
    expect(hung.status("scores.physics")).to_have_text("đã sửa")

    stored = review_page.field(session, 1, "scores.physics")
    ha_user = session.exec(select(StaffUser).where(StaffUser.username == "ha")).one()
    assert (stored.value, stored.status, stored.corrected_by) == (
        "5.5",
        FieldStatus.CORRECTED,
        ha_user.id,
    )
    assert [(e.actor, e.new_value) for e in _audit(session, stored.id or 0)] == [("ha", "5.5")]


def test_reviewer_cannot_approve_and_strangers_must_sign_in(
    sign_in: Callable[..., Page],
    new_context: Callable[[], BrowserContext],
    review_page: ReviewPage,
    session: Session,
) -> None:
    row_id = review_page.rows[1].id
    stranger = new_context().new_page()
    stranger.goto(f"/rows/{row_id}")
    stranger.wait_for_url(f"**/login?next=/rows/{row_id}")
    expect(stranger.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(stranger.locator("#row")).to_have_count(0)

    reviewer = _screen(sign_in("ha", f"/rows/{row_id}"), review_page, session, 1)
    expect(reviewer.input("total")).to_be_editable()
    expect(reviewer.page.locator("#approve")).to_have_count(0)
    expect(reviewer.page.locator("form.approve")).to_have_count(0)

    approver = _screen(sign_in("lan"), review_page, session, 1)
    expect(approver.page.locator("#approve")).to_be_visible()
