"""The website at a phone's width (390 x 844) and a laptop's (1280 x 800).

* every page has one viewport meta tag, for phones (test_browser.py checks
  each page's width, weight and figures at 390 and 1280 px), and every page
  with figures is among the pages it opens;
* the magnifying glass of a search field (the search page's, the search
  dialog's) sits beside the typed text, not on it;
* headings shrink level by level, and a chapter's title fits a phone in
  three lines;
* the header has one sidebar toggle, one search box, and the toggle opens
  and closes the primary sidebar with the table of contents, by tap at 390 px
  and by click at 1280 px; at 390 px the page-contents button opens and
  closes the list of the page's sections;
* a display equation wider than the column scrolls inside its own box, which
  the keyboard can reach; code listings scroll inside theirs;
* pages outside the numbered chapters number their equations from (1), and
  chapter equations are numbered (chapter.n).
"""

import re

import pytest

from conftest import HTML
from test_browser import PAGES, PHONE, REDIRECT, _is_local
from test_figures import CHAPTERS as FIGURE_PAGES

LAPTOP = {"width": 1280, "height": 800}
CHAPTER = "chapters/01_linear_neuron.html"
CONTENT_PAGES = [p for p in PAGES if not REDIRECT.search((HTML / p).read_text(encoding="utf-8"))]


def _new_page(browser, viewport, touch=False):
    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.route(lambda url: not _is_local(url), lambda route: route.abort())
    return context, page


def _dialog_open(page, name):
    return page.evaluate(
        "id => { const d = document.getElementById(id); return !!(d && d.open); }", name)


def test_every_page_with_figures_is_visited_at_both_widths():
    assert FIGURE_PAGES, f"no chapter pages with figures under {HTML}: run `make build` first"
    missing = sorted(set(FIGURE_PAGES) - set(CONTENT_PAGES))
    assert not missing, f"pages with figures that no browser test opens: {missing}"


@pytest.mark.parametrize("path", CONTENT_PAGES or ["<no pages built>"])
def test_page_sizes_itself_to_a_phone(path):
    html = (HTML / path).read_text(encoding="utf-8")
    metas = re.findall(r'<meta name="viewport" content="([^"]*)"', html)
    assert metas and "width=device-width" in metas[0], (
        f"{path}: no <meta name=viewport content=width=device-width>: phones would lay it"
        " out 980 px wide and shrink it")
    assert len(metas) == 1, f"{path}: {len(metas)} viewport meta tags, not one"


@pytest.mark.site
def test_header_has_one_toggle_and_one_search_box(browser, site_url):
    context, page = _new_page(browser, LAPTOP)
    try:
        page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
        header = page.locator("header.bd-header, .bd-header-article")
        assert page.locator(".primary-toggle").count() == 1, "more than one sidebar toggle"
        fields = page.locator(".search-button-field")
        visible = [fields.nth(i).is_visible() for i in range(fields.count())]
        assert visible.count(True) == 1, f"search boxes visible in the header: {visible}"
        assert header.count() >= 1
    finally:
        context.close()


SEARCH_FIELD_JS = """form => {
  const icon = form.querySelector('.fa-magnifying-glass').getBoundingClientRect();
  const input = form.querySelector('input');
  return [icon.right, input.getBoundingClientRect().left
                      + parseFloat(getComputedStyle(input).paddingLeft)];
}"""


SEARCH_FIELDS = {  # where: (page, what opens the field there, its form)
    "search page": ("search.html", None, ".bd-search-container form.bd-search"),
    "search dialog": (CHAPTER, "Control+k", "dialog[open] form.bd-search"),
}


@pytest.mark.site
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_search_fields_icon_does_not_cover_the_text(browser, site_url, viewport):
    context, page = _new_page(browser, viewport)
    overlaps = {}
    try:
        for where, (path, keys, form) in SEARCH_FIELDS.items():
            page.goto(f"{site_url}/{path}", wait_until="load")
            if keys:
                page.keyboard.press(keys)
            icon_right, text_left = page.locator(form).evaluate(SEARCH_FIELD_JS)
            if icon_right > text_left:
                overlaps[where] = f"icon ends at {icon_right:.0f} px, text starts at {text_left:.0f}"
    finally:
        context.close()
    assert not overlaps, f"the search icon covers the typed text: {overlaps}"


HEADING_SIZES_JS = """() => ['h1', 'h2', 'h3', 'h4'].map(h => {
  const e = document.querySelector('article ' + h);
  return e ? parseFloat(getComputedStyle(e).fontSize) : null; })"""


@pytest.mark.site
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_headings_shrink_level_by_level(browser, site_url, viewport):
    """A section title is smaller than its chapter's, and a chapter title fits
    a phone in at most three lines."""
    context, page = _new_page(browser, viewport)
    try:
        page.goto(f"{site_url}/chapters/08_backprop_through_structure.html", wait_until="load")
        sizes = [s for s in page.evaluate(HEADING_SIZES_JS) if s is not None]
        lines = page.locator("article h1").evaluate(
            "h => Math.round(h.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(h).lineHeight))")
    finally:
        context.close()
    assert len(sizes) >= 3 and sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(
        sizes), f"heading sizes h1, h2, ... in px: {sizes}"
    assert lines <= 3, f"the chapter title takes {lines} lines at {viewport['width']} px"


@pytest.mark.site
def test_phone_sidebar_and_page_contents_open_and_close_by_tap(browser, site_url):
    context, page = _new_page(browser, PHONE, touch=True)
    try:
        page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
        toc = page.locator("#pst-primary-sidebar-modal .bd-sidenav a")
        assert not _dialog_open(page, "pst-primary-sidebar-modal")
        page.locator(".primary-toggle").tap()
        page.wait_for_function(
            "() => document.getElementById('pst-primary-sidebar-modal').open", timeout=5_000)
        assert toc.count() >= 8 and toc.first.is_visible(), "the sidebar shows no chapters"
        titles = " ".join(toc.all_text_contents())
        assert "linear neuron" in titles.lower(), f"table of contents: {titles[:200]}"
        page.mouse.click(PHONE["width"] - 5, PHONE["height"] // 2)  # tap beside it
        page.wait_for_function(
            "() => !document.getElementById('pst-primary-sidebar-modal').open", timeout=5_000)

        page.locator(".secondary-toggle").tap()
        page.wait_for_function(
            "() => document.getElementById('pst-secondary-sidebar-modal').open", timeout=5_000)
        sections = page.locator("#pst-secondary-sidebar-modal nav a")
        assert sections.count() >= 3 and sections.first.is_visible()
        page.mouse.click(5, PHONE["height"] // 2)
        page.wait_for_function(
            "() => !document.getElementById('pst-secondary-sidebar-modal').open", timeout=5_000)
    finally:
        context.close()


@pytest.mark.site
def test_laptop_sidebar_hides_and_shows_by_click(browser, site_url):
    context, page = _new_page(browser, LAPTOP)
    try:
        page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
        sidebar = page.locator("#pst-primary-sidebar")
        toc = page.locator("#pst-primary-sidebar .bd-sidenav a")
        assert sidebar.is_visible() and toc.first.is_visible()
        page.locator(".primary-toggle").click()
        sidebar.wait_for(state="hidden", timeout=5_000)
        page.locator(".primary-toggle").click()
        sidebar.wait_for(state="visible", timeout=5_000)
        assert toc.first.is_visible()
    finally:
        context.close()


@pytest.mark.site
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_wide_equations_and_listings_scroll_in_their_own_box(browser, site_url, viewport):
    context, page = _new_page(browser, viewport, touch=viewport is PHONE)
    try:
        page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
        page.wait_for_function(
            "() => document.querySelectorAll('div.math mjx-container').length"
            " === document.querySelectorAll('div.math').length", timeout=30_000)
        page.wait_for_timeout(400)  # book.js marks wide boxes after typesetting
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                   'div.math mjx-container[display="true"], div.highlight pre'))
                 .filter(el => el.scrollWidth > el.clientWidth + 1)
                 .map(el => ({tag: el.tagName, overflow: getComputedStyle(el).overflowX,
                              focusable: el.tabIndex >= 0,
                              fits: el.getBoundingClientRect().right <= window.innerWidth}))""")
        extra = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    finally:
        context.close()
    assert extra <= 0
    bad = [b for b in boxes if b["overflow"] not in {"auto", "scroll"} or not b["focusable"]
           or not b["fits"]]
    assert not bad, f"boxes wider than their content area that do not scroll by themselves: {bad}"
    if viewport is PHONE:
        assert any(b["tag"] == "MJX-CONTAINER" for b in boxes), (
            "no equation of chapter 1 is wider than a phone: the check above tested nothing")


def _equation_numbers(path):
    html = (HTML / path).read_text(encoding="utf-8")
    return re.findall(r'<span class="eqno">\((\d+(?:\.\d+)*)\)', html)


@pytest.mark.site
def test_unnumbered_pages_count_their_own_equations():
    chapter = _equation_numbers(CHAPTER)
    assert chapter and all(n.startswith("1.") for n in chapter), chapter[:5]
    for path in ["chapters/notation.html", "chapters/00_introduction.html",
                 "chapters/derivatives.html"]:
        numbers = _equation_numbers(path)
        if numbers:
            assert numbers == [str(i) for i in range(1, len(numbers) + 1)], (
                f"{path} numbers its equations {numbers}, not (1), (2), ...")
