"""Every built page's head: what a browser needs, once, and no more."""

import re

import pytest

from conftest import HTML

META = re.compile(r'<meta (?:name="(viewport)"|(charset)=)[^>]*>', re.I)


@pytest.mark.site
def test_one_viewport_and_one_charset_per_page():
    pages = sorted(HTML.rglob("*.html"))
    assert pages, f"no HTML pages under {HTML}: run `make build` first"
    wrong = {}
    for page in pages:
        head = page.read_text(encoding="utf-8").partition("</head>")[0]
        found = [name or charset for name, charset in META.findall(head)]
        if "<title>" in head and sorted(found) != ["charset", "viewport"]:
            wrong[str(page.relative_to(HTML))] = found
    assert not wrong, f"pages whose head lacks or repeats a tag: {dict(list(wrong.items())[:5])}"


@pytest.mark.site
def test_only_the_search_page_loads_the_search_index():
    loading = sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                     if 'src="searchindex.js"' in (text := p.read_text(encoding="utf-8"))
                     or '/searchindex.js"' in text)
    assert loading == ["search.html"], f"pages that load the search index: {loading[:5]}"
