"""Real-browser tests: a headless Chromium (Debian's) against pytest-django's live server.

Every test in this folder is marked ``browser`` (``-m "not browser"`` skips them)
and ``db_independent``: what they check is the page in the browser (what it
shows, what its scripts do, what requests it sends), which no database changes,
so scripts/test.sh runs them on SQLite only. What they touch of the database's
own behavior is checked on both databases by tests outside this folder: racing
grades (tests/cards/test_concurrency.py), a database out of reach
(tests/security/test_database_unavailable.py), the payloads stored and shown
(tests/security/test_xss.py), restores (tests/accounts/).
The ``page`` fixture here wraps pytest-playwright's: it points the browser at
the live server and fails the test on any JavaScript error, any dialog
(alert/confirm/prompt), any console error and any HTTP response >= 400 or
failed request, unless the test said it expects it (``browser_problems.allow``).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is fine (it is: the
# loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Auto-waiting assertions and actions give up after this long (Playwright's default is 5 s
# for expect and 30 s for actions; one slow CI machine should not fail, a hang should).
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.db_independent)
            # pytest-playwright's own base_url fallback fixture trips a pytest 9 deprecation.
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Session-scoped fixtures defined as instance methods"
                )
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Report browser problems as the test's failure (the page fixture's teardown
    checks again for anything that happens later)."""
    result = yield
    problems = getattr(item, "funcargs", {}).get("browser_problems")
    if problems is not None:
        problems.check()
    return result


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url}


class BrowserProblems:
    """Collects what should never happen in a page; ``check()`` fails the test if anything did."""

    def __init__(self):
        self.problems: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, url_pattern: str) -> None:
        """Expect failures (4xx, console 'Failed to load resource') for URLs matching this."""
        self._allowed.append(re.compile(url_pattern))

    def _is_allowed(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self._allowed)

    def watch(self, page) -> None:
        page.on("pageerror", self._on_page_error)
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_page_error(self, error) -> None:
        self.problems.append(f"JavaScript error: {error}")

    def _on_dialog(self, dialog) -> None:
        self.problems.append(f"Unexpected {dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # Chromium reports the URL of a resource that failed to load as the location.
        if "Failed to load resource" in message.text and self._is_allowed(url):
            return
        self.problems.append(f"Console error: {message.text} ({url})")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not self._is_allowed(response.url):
            self.problems.append(
                f"HTTP {response.status} for {response.request.method} {response.url}"
            )

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: the page navigated on before a request it started had
        # finished (a favicon, say). The page did not fail; it left.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        if not self._is_allowed(request.url):
            self.problems.append(
                f"Request failed: {request.method} {request.url}: {request.failure}"
            )

    def check(self) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(problems))


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def page(page, live_server, transactional_db, browser_problems):
    """pytest-playwright's page, on the live server, failing the test on browser problems."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    browser_problems.watch(page)
    yield page
    browser_problems.check()
