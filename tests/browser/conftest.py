"""Browser tests: Debian's chromium driven by Playwright against the live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("BUUDIEN_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the test itself is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# Accessibility: axe-core, vendored from npm, run inside the page under test.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# What a user cannot get past: a missing label, unreadable contrast, a control without a name.
BLOCKING_IMPACTS = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    """The serious and critical axe-core violations on the page, one readable line each.

    The page's CSP stays on: the script is evaluated through the DevTools protocol, which the
    page's script-src does not govern, instead of being added as an inline <script>."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    violations = page.evaluate("() => axe.run(document).then(r => r.violations)")
    found = []
    for v in violations:
        if v["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node["failureSummary"].split())
            found.append(f"{v['id']} ({v['impact']}) at {target}: {summary}")
    return found


@pytest.fixture
def axe() -> Callable[[Page], list[str]]:
    """The checker a browser test calls on each page it wants accessible."""
    return serious_violations
