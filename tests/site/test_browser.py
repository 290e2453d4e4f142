"""Every built page, opened in a real browser, served from 127.0.0.1.

Per page: no console errors, no request to any other host, every image
loaded and described by alt text, display math typeset by MathJax, hidden
solutions that open on click, no frozen Jupyter widget (the precomputed
explorers serve on the website), a body no wider than the window, no
accessibility violations in the book's own content (axe-core: every rule in
light mode, the colour rules again in dark mode), and a screenshot saved under
``_build/screenshots``.
"""

import os
import re
import urllib.parse

import pytest

from conftest import HTML, SCREENSHOTS

PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if p.relative_to(HTML).parts[0] not in {"_static", "_sources", "_images"}
)

# Console messages to tolerate: none. (The THEBE_JS_URL double declaration is
# removed by _ext/book_html.py; the theme's "invalid theme mode" is gone since
# html_context sets default_mode.)
KNOWN_CONSOLE_NOISE = []

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

# Dark mode changes colours only (the theme switches CSS variables on the
# same DOM), so in dark mode axe runs the rules that read colours; the
# other rules have already run on the same DOM in light mode.
AXE_COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_COLOUR_OPTIONS = {**AXE_OPTIONS, "runOnly": {"type": "rule", "values": AXE_COLOUR_RULES}}

# Screenshots of the first screen of every page (for a reviewer's eyes, under
# _build/screenshots); BOOK_FULL_SCREENSHOTS=1 takes whole pages instead.
FULL_SCREENSHOTS = os.environ.get("BOOK_FULL_SCREENSHOTS") == "1"


def _is_local(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-extension"}:
        return True
    return parts.hostname in {"127.0.0.1", None}


def _open(browser, url, viewport=(1280, 900)):
    """Open ``url`` in a fresh page, recording console errors and requests."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
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
        _check_no_widgets(page)
        _check_width(page)
        page.wait_for_load_state("networkidle")
        _check_accessibility(page, axe)
        shot = SCREENSHOTS / path.replace("/", "__").replace(".html", ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=FULL_SCREENSHOTS)
        set_mode(page, "dark")
        _check_accessibility(page, axe, mode="dark", options=AXE_COLOUR_OPTIONS)
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


def set_mode(page, mode):
    """Switch the theme to "light" or "dark" as its own button does."""
    # Transitions off first: on a busy machine axe could otherwise read a
    # colour halfway between the two modes (it did, on the search button).
    page.evaluate(
        """mode => new Promise(done => {
             if (!document.getElementById('book-test-no-transitions')) {
               const style = document.createElement('style');
               style.id = 'book-test-no-transitions';
               style.textContent = '*, *::before, *::after { transition: none !important;'
                 + ' animation: none !important; }';
               document.head.appendChild(style);
             }
             document.documentElement.dataset.mode = mode;
             document.documentElement.dataset.theme = mode;
             requestAnimationFrame(() => requestAnimationFrame(done));
           })""", mode)


def _check_width(page):
    """The page never scrolls sideways: its body fits the window."""
    extra = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert extra <= 0, f"the page is {extra} px wider than the window"


def _check_images(page):
    """Every image has loaded (natural width > 0) and has alt text."""
    # Images load lazily: bring each into view first.
    page.evaluate(
        "() => Array.from(document.images).forEach(img => { img.loading = 'eager'; })")
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


def _check_no_widgets(page):
    """No frozen Jupyter widget, widget state or widget manager on the page."""
    found = page.evaluate(
        """() => ({
          state: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-state+json"]').length,
          views: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]').length,
          manager: Array.from(document.scripts).filter(
            s => /embed-amd|require[.]js|html-manager/.test(s.src)).length,
        })""")
    assert found == {"state": 0, "views": 0, "manager": 0}, (
        f"Jupyter widgets on a static page (they cannot recompute there): {found}")


def _check_accessibility(page, axe, mode="light", options=AXE_OPTIONS):
    """axe-core finds no violations beyond the theme's own known baseline."""
    results = axe.run(page, options=options)
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
    assert not problems, f"accessibility violations ({mode} mode):\n" + "\n".join(problems)


@pytest.mark.site
def test_search_finds_the_book_s_words(browser, site_url):
    page, log = _open(browser, f"{site_url}/search.html?q=gradient")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=15_000)
        hits = page.locator("#search-results ul.search li").count()
    finally:
        page.close()
    assert hits > 0, "the search page found nothing for 'gradient'"
