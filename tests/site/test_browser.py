"""Every built page, opened in a real browser, served from 127.0.0.1.

Per page, at 1280 px: no console errors, no request to any other host, at
most 3 MB transferred up to the network falling idle after load (the five
heaviest pages are printed at the end), every image loaded and described by
alt text, display math typeset by MathJax, figure text no smaller than the
captions (test_figures.py), hidden solutions that open on click, no frozen
Jupyter widget (the precomputed explorers serve on the website), a body no
wider than the window, no accessibility violations in the book's own content
(axe-core: every rule in light mode, the colour rules again in dark mode;
the colour rules check one element of each style class, see
``AXE_COLOUR_RULES``). Then the same page at 390 px (the window narrowed; the
layout follows it): no sideways scrolling, and the figures' text again.
Screenshots of the first screen at both widths, light and dark, go under
``_build/screenshots``. axe and the screenshots cover every hand-written
page and a sample of the generated ones (``GENERATED``).
"""

import os
import re
import urllib.parse

import pytest

from conftest import HTML, PAGE_WEIGHT, SCREENSHOTS
from test_figures import CHAPTERS as FIGURE_PAGES
from test_figures import check_figure_text

PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if p.relative_to(HTML).parts[0] not in {"_static", "_sources", "_images"}
)

# The API reference's pages (autosummary's, one per module) and the
# highlighted sources (viewcode's, one per module) are generated from one
# template each. Every one of them is loaded and checked at both widths;
# axe and the screenshots run on every other page, and on a sample of each
# family that shows every (tag, class) pair found in the family's articles
# at least once (a greedy cover, read from the HTML; the first page is
# always in it).
GENERATED = ("_modules/", "chapters/generated/")


def _style_pairs(path):
    html = (HTML / path).read_text(encoding="utf-8")
    article = html[html.find("<article"):html.rfind("</article>")]
    return {(tag, (re.search(r'class="([^"]*)"', attrs) or [None, ""])[1])
            for tag, attrs in re.findall(r"<([a-z][a-z0-9-]*)\b([^>]*)>", article)}


def _sample(paths):
    """The fewest pages (greedily) that together show every pair of ``paths``."""
    pairs = {p: _style_pairs(p) for p in paths}
    chosen, left = paths[:1], set().union(*pairs.values()) - pairs[paths[0]]
    while left:
        best = max(paths, key=lambda p: len(pairs[p] & left))
        chosen.append(best)
        left -= pairs[best]
    return chosen


FULLY_CHECKED = {p for p in PAGES if not p.startswith(GENERATED)} | {
    p for family in GENERATED for p in _sample([q for q in PAGES if q.startswith(family)])}

# Console messages to tolerate: none. (The THEBE_JS_URL double declaration is
# removed by _ext/book_html.py; the theme's "invalid theme mode" is gone since
# html_context sets default_mode.)
KNOWN_CONSOLE_NOISE = []

# axe-core rules that the sphinx-book-theme itself breaks on every page (its
# sidebar and header), measured on a page with no book content. They are
# reported in the notes; anything else, or these inside the article, fails.
THEME_BASELINE_RULES = {"region", "summary-name"}

MATH_TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# book.js re-marks wide equations and figures 150 ms after a resize
LAYOUT_SETTLE_MS = 400
BUDGET_BYTES = 3_000_000
# How far the page scrolls sideways: its width beyond the layout viewport's
# (clientWidth; under mobile emulation innerWidth grows with the content)
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

REDIRECT = re.compile(r'http-equiv="Refresh" content="0; url=([^"]+)"', re.I)

# axe-core's CSSOM preload resolves the theme's relative `@import` against the
# site root and requests a non-existent /basic.css; its only user is the
# css-orientation-lock rule, which does not concern a book.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}

# The rules that read colours. They cost most of axe's time (about 1.5 ms per
# text element; a chapter has 8 000 to 10 000), and their verdict for an
# element depends only on its style: its tag and classes, its colour, font
# size and weight, text shadow, the colour of the text around it, and the
# backgrounds and opacities behind it. So they run on one element of each
# such style class (a chapter has 100 to 300; every text element of the page
# belongs to one), while every other rule runs on the whole page. In dark
# mode (the theme switches CSS variables on the same DOM) only the colour
# rules run again, on the classes recomputed from the dark colours.
AXE_COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_COLOUR_OPTIONS = {**AXE_OPTIONS, "runOnly": {"type": "rule", "values": AXE_COLOUR_RULES}}
AXE_OTHER_OPTIONS = {**AXE_OPTIONS, "rules": {r: {"enabled": False} for r in AXE_COLOUR_RULES}}

STYLE_CLASSES_JS = """within => {
  const root = within ? document.querySelector(within) : document.body;
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.opacity !== '1') layers.push('opacity ' + s.opacity);
      if (s.backgroundImage !== 'none') layers.push(s.backgroundImage.slice(0, 80));
      if (s.backgroundColor !== 'rgba(0, 0, 0, 0)') {
        layers.push(s.backgroundColor);
        if (!s.backgroundColor.startsWith('rgba')) break;  // opaque: nothing behind counts
      }
    }
    return layers.join(' | ');
  };
  const classes = new Map();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.nodeValue.trim()) continue;
    const s = getComputedStyle(el);
    const around = el.parentElement ? getComputedStyle(el.parentElement).color : '';
    const key = [el.tagName, el.className, s.color, around, s.fontSize, s.fontWeight,
                 s.textShadow, s.textDecorationLine, behind(el)].join(' ; ');
    const shown = el.getClientRects().length > 0;
    const known = classes.get(key);
    if (!known || (!known.shown && shown)) classes.set(key, {el, shown});
  }
  window.__bookStyleClasses = Array.from(classes.values(), c => c.el);
  return classes.size;
}"""

AXE_RUN_JS = """([within, options]) =>
  axe.run(within ? {include: [[within]]} : document, options)"""
AXE_ON_STYLE_CLASSES_JS = """options =>
  axe.run({include: window.__bookStyleClasses}, options)"""

# Screenshots of the first screen of every page (for a reviewer's eyes, under
# _build/screenshots); BOOK_FULL_SCREENSHOTS=1 takes whole pages instead.
FULL_SCREENSHOTS = os.environ.get("BOOK_FULL_SCREENSHOTS") == "1"


def _is_local(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-extension"}:
        return True
    return parts.hostname in {"127.0.0.1", None}


def _open(browser, url, viewport=DESKTOP):
    """Open ``url`` in a fresh page, recording console errors, requests and
    the size of every response's body (``log["sizes"]``, url -> bytes)."""
    page = browser.new_page(viewport=viewport)
    log = {"errors": [], "foreign": [], "failed": [], "sizes": {}}

    def on_response(response):
        if response.status >= 400:
            log["failed"].append(f"{response.url} (HTTP {response.status})")
        try:
            log["sizes"][response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or aborted request has no body
            pass

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
    page.on("response", on_response)
    # Never let a request leave the machine, even where a network exists.
    page.route(lambda url: not _is_local(url), lambda route: route.abort())
    page.goto(url, wait_until="load")
    return page, log


@pytest.mark.site
@pytest.mark.parametrize("path", PAGES or ["<no pages built>"])
def test_page(browser, axe, site_url, path, record_property):
    assert PAGES, f"no HTML pages under {HTML}: run `make build` first"
    redirect = REDIRECT.search((HTML / path).read_text(encoding="utf-8"))
    if redirect:  # index.html: Jupyter Book's redirect to the root chapter
        _check_redirect(browser, f"{site_url}/{path}", redirect.group(1))
        return
    full = path in FULLY_CHECKED
    page, log = _open(browser, f"{site_url}/{path}")
    shot = SCREENSHOTS / path.replace("/", "__").replace(".html", "")
    shot.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.wait_for_load_state("networkidle")
        at_load = dict(log["sizes"])  # before the image check loads every image
        _check_math(page)
        _check_images(page)
        if path in FIGURE_PAGES:
            check_figure_text(page, path)
        _check_solutions(page)
        _check_no_widgets(page)
        _check_width(page, path)
        page.wait_for_load_state("networkidle")
        if full:
            _check_axe_rules(page, axe)
            _to_top(page)
            page.screenshot(path=f"{shot}.png", full_page=FULL_SCREENSHOTS)
            set_mode(page, "dark")
            page.screenshot(path=f"{shot}--dark.png")
        # the same page at a phone's width: the layout follows the window
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(LAYOUT_SETTLE_MS)
        _check_width(page, path)
        if path in FIGURE_PAGES:
            check_figure_text(page, path)
        if full:
            _to_top(page)
            page.screenshot(path=f"{shot}--390-dark.png")
            set_mode(page, "light")
            page.screenshot(path=f"{shot}--390.png")
            # last, as it takes the math out of the page
            page.set_viewport_size(DESKTOP)
            page.wait_for_timeout(LAYOUT_SETTLE_MS)
            _remove_math_for_colour_rules(page)
            _check_colour(page, axe, "light")
            set_mode(page, "dark")
            _check_colour(page, axe, "dark")
    finally:
        page.close()
    errors = [
        e for e in log["errors"] if not any(p.search(e) for p in KNOWN_CONSOLE_NOISE)
    ]
    assert not log["foreign"], f"requests to other hosts: {log['foreign']}"
    assert not log["failed"], f"failed requests: {log['failed']}"
    assert not errors, f"console errors: {errors}"
    _check_page_weight(path, at_load, record_property)


def _to_top(page):
    """Scroll back to the page's first screen (the checks scroll to figures
    and solutions), for the screenshots."""
    page.evaluate("() => new Promise(done => { window.scrollTo(0, 0);"
                  " requestAnimationFrame(() => requestAnimationFrame(done)); })")


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


def _check_page_weight(path, sizes, record_property):
    """At most ``BUDGET_BYTES`` transferred up to the network falling idle
    after load (every response's body, uncompressed)."""
    total = sum(sizes.values())
    record_property(PAGE_WEIGHT, (path, total, len(sizes)))
    heaviest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total <= BUDGET_BYTES, (
        f"{path} transfers {total / 1e6:.2f} MB (budget 3 MB); heaviest: "
        + ", ".join(f"{u.rsplit('/', 1)[-1]} {s / 1e6:.2f} MB" for u, s in heaviest))


def _check_width(page, path):
    """The page does not scroll sideways at the window's width; names what
    sticks out."""
    extra = page.evaluate(OVERFLOW_JS)
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('#main-content *'))
             .filter(el => el.getBoundingClientRect().right
                             > document.documentElement.clientWidth + 1
                      && getComputedStyle(el).position !== 'fixed'
                      && !el.closest('mjx-container, pre, .highlight, .table-wrapper,'
                                     + ' .pst-scrollable-table-container, .cell_output'))
             .slice(0, 5).map(el => el.tagName + '.' + el.className)""") if extra > 0 else []
    width = page.viewport_size["width"]
    assert extra <= 0, f"{path} is {extra} px wider than a {width} px window: {wide}"


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
    # book.js re-marks code that now scrolls (150 ms after the page's size
    # changes), before axe looks for scrolling regions without keyboard access
    page.wait_for_timeout(LAYOUT_SETTLE_MS)


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


def _check_accessibility(page, axe, mode="light", within=None):
    """axe-core finds no violations beyond the theme's own known baseline.

    In light mode every rule runs: all but the colour rules on the page (or
    on the element ``within`` selects), the colour rules on one element of
    each style class there (``STYLE_CLASSES_JS``); in dark mode the colour
    rules only.
    """
    if mode == "light":
        _check_axe_rules(page, axe, within)
    _check_colour(page, axe, mode, within)


def _check_axe_rules(page, axe, within=None):
    """Every axe rule but the colour rules, on the page or on ``within``."""
    _inject_axe(page, axe)
    _report(page, page.evaluate(AXE_RUN_JS, [within, AXE_OTHER_OPTIONS])["violations"], "light")


def _check_colour(page, axe, mode, within=None):
    """The colour rules, on one element of each style class."""
    _inject_axe(page, axe)
    assert page.evaluate(STYLE_CLASSES_JS, within) > 0, f"no text to check in {within}"
    _report(page, page.evaluate(AXE_ON_STYLE_CLASSES_JS, AXE_COLOUR_OPTIONS)["violations"], mode)


def _inject_axe(page, axe):
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe.axe_script)


def _remove_math_for_colour_rules(page):
    """Take the typeset math out of the page, once its colour is known to be
    that of the text around it.

    MathJax draws its glyphs with CSS (no text nodes), so the colour rules
    never check them; its 10 000 to 15 000 elements on a chapter only slow
    down the page-wide grid those rules build (from 6 s to 2 s per run on
    chapter 4). The math's contrast is the surrounding text's, which they do
    check."""
    differs = page.evaluate(
        """() => {
          const all = Array.from(document.querySelectorAll('mjx-container'));
          const bad = all.filter(m => getComputedStyle(m).color
                                      !== getComputedStyle(m.parentElement).color)
                         .slice(0, 3).map(m => m.textContent.slice(0, 40));
          all.forEach(m => m.remove());
          return bad;
        }""")
    assert not differs, f"math not in the colour of the text around it: {differs}"


def _report(page, violations, mode):
    problems = []
    for violation in violations:
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


@pytest.mark.site
def test_only_the_search_page_loads_the_search_index():
    """The 180 kB index is loaded where it is used (_ext/templates/layout.html)."""
    loading = sorted(p for p in PAGES if "searchindex.js" in (HTML / p).read_text(encoding="utf-8"))
    assert loading == ["search.html"], f"pages that load the search index: {loading[:5]}"


@pytest.mark.site
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_accessibility_check_finds_faint_text_among_many(browser, axe, site_url, mode):
    """The colour rules, run on one element per style class, still catch one
    faint word among the text of the book's introduction."""
    page, _ = _open(browser, f"{site_url}/chapters/00_introduction.html")
    try:
        _check_math(page)
        set_mode(page, mode)
        page.evaluate("""() => {
          const style = document.createElement('style');
          style.textContent = '.book-test-faint { color: #b9b9b9 !important; }'
            + 'html[data-theme=dark] .book-test-faint { color: #4a4a4a !important; }';
          document.head.appendChild(style);
          const paragraphs = document.querySelectorAll('article p');
          const p = paragraphs[Math.floor(paragraphs.length * 2 / 3)];
          const faint = document.createElement('span');
          faint.className = 'book-test-faint';
          faint.textContent = 'hard to read';
          p.appendChild(faint);
        }""")
        with pytest.raises(AssertionError, match="color-contrast.*book-test-faint"):
            _check_accessibility(page, axe, mode=mode)
    finally:
        page.close()
