"""Every built page, opened in a real browser, served from 127.0.0.1.

Per page: no console errors, no request to any other host, every image
loaded and described by alt text, display math typeset by MathJax, hidden
solutions that open on click, widgets rendered from their stored state, no
accessibility violations in the book's own content (axe-core), and a
screenshot saved under ``_build/screenshots``.
"""

import re
import urllib.parse

import pytest

from conftest import HTML, SCREENSHOTS

PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if p.relative_to(HTML).parts[0] not in {"_static", "_sources", "_images"}
)

# Console messages that come from the theme and its bundled extensions, not
# from the book, seen on every page headless (see the closing notes):
KNOWN_CONSOLE_NOISE = [
    re.compile(r"THEBE_JS_URL"),  # sphinx-thebe 0.3.1 declares it twice
    re.compile(r"invalid theme mode", re.I),  # pydata theme, headless
]

# axe-core rules that the sphinx-book-theme itself breaks on every page (its
# sidebar and header), measured on a page with no book content. They are
# reported in the notes; anything else, or these inside the article, fails.
THEME_BASELINE_RULES = {"region", "summary-name"}

MATH_TIMEOUT_MS = 30_000

REDIRECT = re.compile(r'http-equiv="Refresh" content="0; url=([^"]+)"', re.I)

# axe-core's CSSOM preload resolves the theme's relative `@import` against the
# site root and requests a non-existent /basic.css; its only user is the
# css-orientation-lock rule, which does not concern a book.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


def _is_local(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-extension"}:
        return True
    return parts.hostname in {"127.0.0.1", None}


def _open(browser, url):
    """Open ``url`` in a fresh page, recording console errors and requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log = {"errors": [], "foreign": [], "failed": []}

    def on_console(msg):
        if msg.type == "error":
            log["errors"].append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log["errors"].append(f"uncaught: {exc}"))
    page.on(
        "request",
        lambda req: None if _is_local(req.url) else log["foreign"].append(req.url),
    )
    page.on(
        "requestfailed",
        lambda req: log["failed"].append(f"{req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda resp: log["failed"].append(f"{resp.url} (HTTP {resp.status})")
        if resp.status >= 400
        else None,
    )
    # Never let a request leave the machine, even where a network exists.
    page.route(lambda url: not _is_local(url), lambda route: route.abort())
    page.goto(url, wait_until="load")
    return page, log


@pytest.mark.site
@pytest.mark.parametrize("path", PAGES or ["<no pages built>"])
def test_page(browser, axe, site_url, path):
    assert PAGES, f"no HTML pages under {HTML}: run `make build` first"
    redirect = REDIRECT.search((HTML / path).read_text(encoding="utf-8"))
    if redirect:  # index.html: Jupyter Book's redirect to the root chapter
        _check_redirect(browser, f"{site_url}/{path}", redirect.group(1))
        return
    page, log = _open(browser, f"{site_url}/{path}")
    try:
        _check_math(page)
        _check_images(page)
        _check_solutions(page)
        _check_widgets(page)
        page.wait_for_load_state("networkidle")
        _check_accessibility(page, axe)
        shot = SCREENSHOTS / path.replace("/", "__").replace(".html", ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    errors = [
        e for e in log["errors"] if not any(p.search(e) for p in KNOWN_CONSOLE_NOISE)
    ]
    assert not log["foreign"], f"requests to other hosts: {log['foreign']}"
    assert not log["failed"], f"failed requests: {log['failed']}"
    assert not errors, f"console errors: {errors}"


def _check_redirect(browser, url, target):
    page, log = _open(browser, url)
    try:
        page.wait_for_url(f"**/{target}", timeout=10_000)
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1, f"{url} redirected to an empty page"
    finally:
        page.close()
    assert not log["failed"], f"failed requests: {log['failed']}"


def _check_math(page):
    """Every display equation has been typeset by MathJax."""
    n = page.locator("div.math").count()
    if n:
        page.wait_for_function(
            "n => document.querySelectorAll('div.math mjx-container').length >= n",
            arg=n,
            timeout=MATH_TIMEOUT_MS,
        )


def _check_images(page):
    """Every image has loaded (natural width > 0) and has alt text."""
    page.evaluate(
        "() => Promise.all(Array.from(document.images).map(img => img.decode()"
        ".catch(() => null)))"
    )
    broken = page.evaluate(
        "() => Array.from(document.images)"
        ".filter(img => !(img.complete && img.naturalWidth > 0))"
        ".map(img => img.getAttribute('src'))"
    )
    assert not broken, f"images that did not load: {broken}"
    no_alt = page.evaluate(
        "() => Array.from(document.querySelectorAll('main img'))"
        ".filter(img => !(img.getAttribute('alt') || '').trim())"
        ".map(img => img.getAttribute('src'))"
    )
    assert not no_alt, f"images without alt text: {no_alt}"


def _check_solutions(page):
    """Solutions are hidden until their toggle is clicked."""
    solutions = page.locator("div.solution.dropdown")
    if not solutions.count():
        return
    first = solutions.first
    body = first.locator("section").first
    first.scroll_into_view_if_needed()
    assert not body.is_visible(), "a solution is visible before its toggle is clicked"
    first.locator(".admonition-title").click()
    body.wait_for(state="visible", timeout=5_000)


def _check_widgets(page):
    """Stored widget state renders into live controls without a kernel."""
    if not page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
        return
    page.wait_for_selector(".jupyter-widgets.widget-slider, .widget-slider", timeout=15_000)
    assert page.locator("div.cell_output img").count() > 0, (
        "a widget page needs a static figure of the widget's first state"
    )


def _check_accessibility(page, axe):
    """axe-core finds no violations beyond the theme's own known baseline."""
    results = axe.run(page, options=AXE_OPTIONS)
    problems = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            in_article = page.evaluate(
                "sel => { const el = document.querySelector(sel);"
                " return !!(el && el.closest('article')); }",
                node["target"][0] if isinstance(node["target"][0], str) else "",
            )
            if violation["id"] in THEME_BASELINE_RULES and not in_article:
                continue
            problems.append(f"{violation['id']}: {node['target']} {violation['help']}")
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


@pytest.mark.site
def test_search_finds_the_book_s_words(browser, site_url):
    page, log = _open(browser, f"{site_url}/search.html?q=gradient")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=15_000)
        hits = page.locator("#search-results ul.search li").count()
    finally:
        page.close()
    assert hits > 0, "the search page found nothing for 'gradient'"
