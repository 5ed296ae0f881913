"""The public portal in a real browser at a phone's size: Debian's chromium driven by Playwright.

A citizen on a phone types their name without diacritics and their birth date the Vietnamese
way and sees their record; a wrong date shows the not-found text.  The page loads nothing from
outside the service (the Sở's network may have no internet), breaks no rule of its own Content
Security Policy, logs no error, is Vietnamese (``lang="vi"``) and labels every input.  The app
runs under uvicorn on a free port of 127.0.0.1 in a thread of the test process; Playwright
launches the system chromium, never a downloaded browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlmodel import Session

from lookup_api.app import NOT_FOUND, create_app
from publishing.publish import publish
from records.settings import Settings
from tests.browser import launch, served
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("settings", ["sqlite"], indirect=True),
]

PHONE: ViewportSize = {"width": 375, "height": 740}
TIMEOUT_MS = 5_000
# Collects what the page reports when it breaks its Content Security Policy.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = launch(driver)
        yield launched
        launched.close()


@pytest.fixture
def portal_url(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> Iterator[str]:
    """The lookup app under uvicorn, on a read model holding the approved page's records."""
    publish(settings)
    with served(create_app(settings)) as url:
        yield url


@dataclass
class Watched:
    """A phone-sized page and everything it asked for or complained about."""

    page: Page
    requests: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[Any]:
        found: list[Any] = self.page.evaluate("window.__cspViolations")
        return found


@pytest.fixture
def phone(browser: Browser, portal_url: str) -> Iterator[Watched]:
    context = browser.new_context(
        base_url=portal_url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    watched = Watched(page)

    def on_request(request: Request) -> None:
        watched.requests.append(request.url)

    def on_response(response: Response) -> None:
        watched.responses.append((response.url, response.status))

    def on_console(message: ConsoleMessage) -> None:
        # A resource's HTTP status is checked from the responses (the refused form's page is a
        # 422 on purpose); anything else the browser complains about is a failure.
        if message.type in ("error", "warning") and not message.text.startswith(
            "Failed to load resource: the server responded with a status of"
        ):
            watched.console.append(f"{message.type}: {message.text} @ {message.location}")

    def on_page_error(error: Exception) -> None:
        watched.console.append(f"pageerror: {error}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield watched
    finally:
        context.close()


def _search(page: Page, name: str, birth: str) -> None:
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Ngày sinh").fill(birth)
    page.get_by_role("button", name="Tra cứu").tap()
    page.wait_for_load_state()


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_a_citizen_finds_their_record_on_a_phone(phone: Watched, portal_url: str) -> None:
    page = phone.page
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tra cứu kết quả thi tốt nghiệp")
    _fits_the_screen(page)

    _search(page, "nguyen thi hoa", "12/03/1972")  # no diacritics, the date as Vietnamese write it
    results = page.locator("#results")
    expect(results.locator("article.record")).to_have_count(2)
    first = results.locator("article.record").first
    expect(first.get_by_role("heading", level=3)).to_have_text("Nguyễn Thị Hoà")
    expect(first).to_contain_text("Đỗ tốt nghiệp")
    expect(first).to_contain_text("Toán: 7")
    expect(page.get_by_label("Họ và tên")).to_have_value("nguyen thi hoa")  # kept for a retry
    _fits_the_screen(page)

    _search(page, "Nguyen Thi Hoa", "13/03/1972")  # one day off
    expect(results).to_contain_text(NOT_FOUND)
    expect(results.locator("article.record")).to_have_count(0)

    _search(page, "Hoa", "12/03/1972")  # a fragment is refused, in words
    expect(page.get_by_role("alert")).to_contain_text("đầy đủ họ và tên")
    _fits_the_screen(page)

    # Everything came from the service itself, within its own policy, without an error.
    assert phone.requests, "no request recorded"
    outside = [url for url in phone.requests if urlsplit(url).hostname != "127.0.0.1"]
    assert not outside, outside
    assert any(url.endswith("/static/portal.css") for url in phone.requests)
    assert phone.csp_violations() == []
    assert phone.console == [], phone.console
    assert [status for _, status in phone.responses] == [200, 200] * 3 + [422, 200]


def test_every_input_has_a_label(phone: Watched) -> None:
    page = phone.page
    page.goto("/")
    inputs = page.locator("input, select, textarea")
    assert inputs.count() >= 3
    for index in range(inputs.count()):
        control = inputs.nth(index)
        if control.get_attribute("type") == "hidden":
            continue
        control_id = control.get_attribute("id")
        assert control_id, f"input {index} has no id for a label"
        label = page.locator(f'label[for="{control_id}"]')
        expect(label).to_have_count(1)
        text = label.inner_text().strip()
        assert text, control_id
        expect(page.get_by_label(text, exact=True)).to_have_attribute("id", control_id)
    for name in ("Họ và tên", "Ngày sinh", "Năm thi"):
        expect(page.get_by_label(name)).to_have_count(1)
    expect(page.get_by_role("button", name="Tra cứu")).to_be_visible()
