"""The built HTML loads no script, stylesheet or font from another host."""

import re

import pytest

from conftest import HTML

REMOTE_ASSET = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\bhref)\s*=\s*[\"'](?:https?:)?//(?!127\.0\.0\.1)",
    re.I,
)


@pytest.mark.site
def test_no_remote_scripts_or_stylesheets():
    pages = list(HTML.rglob("*.html"))
    assert pages, f"no HTML pages under {HTML}: run `make build` first"
    offenders = {
        str(p.relative_to(HTML)): REMOTE_ASSET.findall(p.read_text(encoding="utf-8"))
        for p in pages
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"pages that load assets from other hosts: {offenders}"


@pytest.mark.site
def test_mathjax_is_served_locally():
    for part in ["startup.js", "core.js", "input/tex.js", "output/chtml.js",
                 "a11y/assistive-mml.js"]:
        assert (HTML / "_static/vendor/mathjax" / part).is_file(), part
    assert (HTML / "_static/vendor/mathjax/output/chtml/fonts/woff-v2").is_dir()
