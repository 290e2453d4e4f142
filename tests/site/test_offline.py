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
def test_mathjax_and_widget_manager_are_served_locally():
    assert (HTML / "_static/vendor/mathjax/tex-mml-chtml.js").is_file()
    assert (HTML / "_static/vendor/mathjax/output/chtml/fonts/woff-v2").is_dir()
    assert (HTML / "_static/vendor/html-manager/embed-amd.js").is_file()
    assert (HTML / "_static/vendor/require.js").is_file()
