"""Figures and explorer frames are readable where the website shows them.

The book's rule: a figure's smallest text, after the page scales the image
to its displayed width, is at least as large as the caption text beside it.

* For a stored figure (a PNG) the size of its text in CSS px is
  ``smallest_pt / 72 * dpi * displayed width / pixel width``: the PNG's own
  ``pHYs`` chunk gives its dpi, and the house formatter
  (``bplib._figure_style.png``, registered by every chapter's hidden first
  cell) writes the smallest font size it drew into the PNG
  (``figure_style.TEXT_KEY``). A PNG without that record was not drawn in
  the house style and fails.
* For an explorer frame (an SVG with text as text) the test reads every
  font size in the SVG and scales it by displayed width / viewBox width.

Checked in Chromium at 390 and 1280 px on every chapter page that has a
figure or an explorer (``CHAPTERS``), during the visit that
``test_browser.test_page`` makes anyway (at 1280 px, then with the window
narrowed to 390 px). ``test_stored_figures_use_the_house_style`` checks the
notebooks themselves: every PNG output was made by the house formatter
(resolution, recorded text size, CSS size in the output's metadata),
and no two of its texts drawn over each other.
"""

import base64
import json
import urllib.parse

import pytest

from bplib import _figure_style as figure_style
from conftest import HTML, ROOT

LAPTOP_WIDTH = 1280
CHAPTERS = sorted(p.relative_to(HTML).as_posix() for p in (HTML / "chapters").glob("*.html")
                  if "<figure" in (text := p.read_text(encoding="utf-8"))
                  or "bplib-explorer" in text) if (HTML / "chapters").is_dir() else []
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
png_chunks, png_text_px, svg_text_px = (figure_style.png_chunks, figure_style.png_text_px,
                                        figure_style.svg_text_px)


# ---------------------------------------------------------------------------
# the stored notebooks


def _images(nb):
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name", "?")
                yield name, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_figures_use_the_house_style(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = []
    for name, output in _images(nb):
        data = base64.b64decode(output["data"]["image/png"])
        texts, dpi = png_chunks(data)
        smallest = texts.get(figure_style.TEXT_KEY)
        size = output.get("metadata", {}).get("image/png", {})
        if smallest is None:
            bad.append(f"{name}: not drawn by the house formatter (no {figure_style.TEXT_KEY})")
            continue
        if dpi is None or abs(dpi - figure_style.PRINT_DPI) > 1:
            bad.append(f"{name}: {dpi} dpi, not {figure_style.PRINT_DPI}")
        if smallest != "none" and float(smallest) < figure_style.FONT_SIZE - 1e-6:
            bad.append(f"{name}: text of {smallest} pt (house minimum {figure_style.FONT_SIZE})")
        overlaps = texts.get(figure_style.OVERLAP_KEY)
        if overlaps != "none":
            bad.append(f"{name}: texts drawn over each other: {overlaps}" if overlaps else
                       f"{name}: drawn before the formatter checked overlaps: re-execute it")
        css = figure_style.css_px(data)
        if (size.get("width"), size.get("height")) != css:
            bad.append(f"{name}: output metadata {size}, the PNG's CSS size is {css}")
    assert not bad, f"{path.name}: " + "; ".join(bad)


# ---------------------------------------------------------------------------
# the website


def _measure(page):
    """Every figure image and explorer frame: what the test needs to size its text."""
    page.evaluate("""async () => {
        for (const img of document.querySelectorAll('img')) img.loading = 'eager';
        await Promise.all(Array.from(document.images).map(img => img.complete ? null
            : new Promise(done => { img.onload = img.onerror = done; })));
    }""")
    page.wait_for_timeout(300)  # book.js wraps and marks the figures on load
    return page.evaluate("""() => {
        const caption = el => {
            const c = el.closest('figure')?.querySelector('.caption-text')
                   || document.querySelector('figcaption .caption-text')
                   || document.querySelector('#main-content p');
            return parseFloat(getComputedStyle(c).fontSize);
        };
        const box = el => el.closest('.figure-scroll, .bplib-frame');
        const item = (img, kind) => ({
            kind, src: img.getAttribute('src'), width: img.getBoundingClientRect().width,
            natural: img.naturalWidth, caption: caption(img),
            name: img.closest('figure')?.id || img.id,
            scrolls: !!box(img) && box(img).scrollWidth > box(img).clientWidth + 1,
            focusable: !!box(img) && box(img).tabIndex >= 0,
            fits: !box(img) || box(img).getBoundingClientRect().right <= window.innerWidth + 1});
        return [...Array.from(document.querySelectorAll('figure img'), i => item(i, 'png')),
                ...Array.from(document.querySelectorAll('.bplib-explorer img'),
                              i => item(i, 'svg'))];
    }""")


def _text_px(item, page_url):
    if item["kind"] == "svg":
        svg = urllib.parse.unquote(item["src"].split(",", 1)[1])
        return svg_text_px(svg, item["width"])
    url = urllib.parse.urljoin(page_url, item["src"])
    path = HTML / urllib.parse.urlsplit(url).path.lstrip("/")
    return png_text_px(path.read_bytes(), item["width"])


def check_figure_text(page, path):
    """On the open ``page`` of ``path``: every figure's text is at least its
    caption's size, and a figure wider than its box scrolls in it (at the
    laptop's width, none does). Called by ``test_browser.test_page`` at both
    widths on the pages of ``CHAPTERS``."""
    items = _measure(page)
    url = page.url
    width = page.viewport_size["width"]
    assert items, f"{path}: no figure found"
    small, unmarked = [], []
    for item in items:
        px = _text_px(item, url)
        if px is None:
            small.append(f"{item['name']}: not drawn in the house style")
        elif px < item["caption"] - 0.05:
            small.append(f"{item['name']}: text {px:.1f} px < caption {item['caption']:.1f} px "
                         f"(shown {item['width']:.0f} px wide)")
        if item["scrolls"] and not (item["focusable"] and item["fits"]):
            unmarked.append(item["name"])
    assert not small, f"{path} at {width} px: " + "; ".join(small)
    assert not unmarked, f"{path}: figures wider than their box that do not scroll in it " \
                         f"(focusable, within the screen): {unmarked}"
    if width >= LAPTOP_WIDTH:
        wide = [i["name"] for i in items if i["scrolls"]]
        assert not wide, f"{path}: at 1280 px every figure fits the column, these scroll: {wide}"
