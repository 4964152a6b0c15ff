"""The SPARQL editor (/query, YASGUI) in a real headless Chromium against a real server.

An architect opens the page, picks a named query, runs it and reads the answer: the page
loads nothing from another site and logs no error (not even a missing favicon), the named
query's text goes into a new tab, the answer has the rows the named query has over HTTP, and
axe finds no serious accessibility problem in YASGUI as this project mends it
(server/static/ui/query.js).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.chromium import Browser, available, axe_violations
from tests.server_process import running_server
from tests.test_accessibility import AXE, SCREENSHOTS

#: The editor of the tab on show.
ACTIVE_EDITOR = "document.querySelector('.tabPanel.active .CodeMirror')"
ACTIVE_ROWS = "document.querySelectorAll('.tabPanel.active .yasr tbody tr').length"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_server(environment={"EHELSEKG_WORKERS": "1"}) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not available():
        pytest.skip("no Chromium: run scripts/install-chromium.sh")
    opened = Browser()
    try:
        opened.window(1366, 768)
        yield opened
    finally:
        opened.close()


def wait_for(browser: Browser, expression: str, timeout: float = 20.0) -> object:
    """The value of ``expression`` once it is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.evaluate(expression)
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"{expression} never became true")


def test_the_editor_runs_a_named_query_and_shows_its_rows(base_url: str, browser: Browser) -> None:
    report = browser.open(f"{base_url}/query", ready=f"{ACTIVE_EDITOR} !== null")
    assert report.console_errors == [] and report.failed == []
    assert report.requests and all(url.startswith(f"{base_url}/") for url in report.requests)
    # The named queries' texts are fetched after the page loads; a button opens one in a tab.
    wait_for(
        browser,
        "performance.getEntriesByType('resource').some(e => e.name.includes('named-queries.json'))",
    )
    browser.evaluate(
        "document.querySelector('#named-queries button[data-query=\"reports\"]').click()"
    )
    text = str(wait_for(browser, f"{ACTIVE_EDITOR}.CodeMirror.getValue()"))
    assert text.startswith("# title: Source documents") and "ehk:Report" in text
    browser.evaluate("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")
    shown = wait_for(browser, ACTIVE_ROWS)
    expected = httpx.get(f"{base_url}/queries/reports", headers={"Accept": "application/json"})
    assert shown == len(expected.json()["rows"]) > 0
    # A wide answer scrolls in its own box; the page does not scroll sideways.
    assert browser.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    browser.screenshot(SCREENSHOTS / "page-query-editor-1366x768.png")
    assert axe_violations(browser, AXE) == []
