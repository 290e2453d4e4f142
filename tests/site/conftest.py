"""Fixtures for the browser test of the built website.

The site in ``_build/html`` (``make build``) is served from 127.0.0.1 by a
threaded ``http.server`` and opened in Debian's Chromium, driven by
Playwright. No browser is ever downloaded: ``CHROMIUM`` (default
``/usr/bin/chromium``) must exist; ``make test`` installs it when missing.
"""

import functools
import http.server
import os
import pathlib
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The site under test: `make build`'s output, or another build's (BOOK_HTML).
HTML = pathlib.Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Flags that keep Chromium off the network entirely (it would otherwise try
# Google's update, sync and safe-browsing hosts at start-up).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


# Every page's transfer (bytes of every response, uncompressed): the
# page-weight test records (path, bytes, requests) under this property name,
# and the run reports the five heaviest pages at its end. A test's recorded
# properties reach the main process under pytest-xdist too.
PAGE_WEIGHT = "page_weight"
PAGE_WEIGHTS = {}


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == PAGE_WEIGHT:
            path, size, requests = value
            PAGE_WEIGHTS[path] = (size, requests)


def pytest_terminal_summary(terminalreporter):
    if not PAGE_WEIGHTS:
        return
    heaviest = sorted(PAGE_WEIGHTS.items(), key=lambda kv: -kv[1][0])[:5]
    terminalreporter.section("page weight (uncompressed, at load): five heaviest")
    for path, (size, requests) in heaviest:
        terminalreporter.write_line(f"{size / 1e6:5.2f} MB in {requests:3d} requests  {path}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site at {HTML}: run `make build` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install chromium` "
            "(make test does this as root) or set CHROMIUM=/path/to/chrome"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
