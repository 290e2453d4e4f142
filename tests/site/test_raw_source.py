"""No built page shows raw math or MyST source as text.

A source line inside inline math that begins with "- " or "+ " becomes a
list item, and the math around it is printed as TeX; a role or directive
that MyST does not know is printed as written. Both are invisible to the
-W build. This reads every page of the built site (no browser needed),
drops what is meant to show source (code blocks, inline code, math that
MathJax typesets, scripts) and looks for what should never be left.
"""

import pathlib
import re

import pytest

bs4 = pytest.importorskip("bs4")

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
RAW = ["$", "\\(", "\\[", "\\begin{", "{eq}", "{cite", "{numref", "{ref}", ":::{",
       "```{", "{glue", "{py:", ":pyobject:"]
SKIP = ["pre", "code", "script", "style", "kbd", "samp", "textarea"]


def _pages():
    if not HTML.exists():
        return []
    return sorted(p for p in HTML.rglob("*.html")
                  if "_static" not in p.parts and "_modules" not in p.parts
                  and p.name not in ("genindex.html", "search.html", "py-modindex.html"))


def _visible_text(path):
    soup = bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    for tag in main.find_all(SKIP):
        tag.decompose()
    for tag in main.find_all(class_=re.compile(r"^(math|highlight|headerlink)")):
        tag.decompose()
    return main.get_text(" ")


PAGES = _pages()


@pytest.mark.skipif(not PAGES, reason="build the site first (make build)")
@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(HTML)) for p in PAGES])
def test_no_raw_source_on_the_page(path):
    text = _visible_text(path)
    found = {raw: text.find(raw) for raw in RAW if raw in text}
    assert not found, "; ".join(
        f"{raw!r} in ...{text[max(0, i - 60):i + 60]!r}..." for raw, i in found.items())
