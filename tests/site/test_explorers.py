"""The explorers stay live on the built website, without a kernel.

Each explorer (``bplib.static_explorer``) is precomputed over a grid; on the
page its controls pick a frame (the frames load when the explorer comes into
view, see ``_ext/book_html.py``). Per explorer: the script ran and showed the
controls; moving each control with the keyboard changes the drawing, its alt
text, the control's shown value and the verdict line; nothing is fetched from
another host and the console stays clean; the page still passes the
accessibility check after the moves (the explorer itself; the page as a
whole is checked by test_browser.py); and without JavaScript the first frame
and its verdict still show.
"""

import re

import pytest

from conftest import HTML
from test_browser import KNOWN_CONSOLE_NOISE, _check_accessibility, _open

# page -> (explorer id, controls in order)
EXPLORERS = {
    "chapters/01_linear_neuron.html": [("learning-rate-explorer", ["eta", "start"])],
    "chapters/03_two_layers.html": [("xor-explorer", ["h", "eta", "seed"])],
    "chapters/06_vanishing_exploding.html": [
        ("gradient-flow-explorer", ["depth", "activation", "scheme", "architecture"])],
    "chapters/07_training_in_practice.html": [
        ("optimiser-explorer", ["optimiser", "eta", "batch"]),
        ("capacity-explorer", ["width", "decay", "n"])],
    "chapters/09_backprop_through_time.html": [
        ("time-lag-explorer", ["radius", "length", "forget"])],
}
CASES = [(page, name, controls) for page, found in EXPLORERS.items()
         for name, controls in found]


def _state(page, name):
    img = page.locator(f"#{name}-img")
    img.evaluate("i => i.decode()")  # the new frame has loaded and is a valid image
    return {
        "src": img.get_attribute("src"),
        "alt": img.get_attribute("alt"),
        "width": img.evaluate("i => i.naturalWidth"),
        "verdict": page.locator(f"#{name}-verdict").text_content(),
    }


def _move(page, control):
    """Change a control from the keyboard; returns (before, after) of its value."""
    control.focus()
    before = control.input_value()
    if control.evaluate("el => el.type") == "range":
        at_end = before == control.get_attribute("max")
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    else:
        n = control.locator("option").count()
        page.keyboard.press("ArrowUp" if int(before) == n - 1 else "ArrowDown")
    return before, control.input_value()


@pytest.mark.site
@pytest.mark.parametrize("path, name, controls", CASES or [("<none>", "", [])],
                         ids=[c[1] for c in CASES] or ["none"])
def test_explorer_controls_redraw_in_the_browser(browser, axe, site_url, path, name,
                                                 controls):
    assert (HTML / path).exists(), f"{path} was not built"
    page, log = _open(browser, f"{site_url}/{path}")
    try:
        root = page.locator(f"#{name}")
        assert root.count() == 1, f"no explorer #{name} on {path}"
        root.scroll_into_view_if_needed()  # its frames load when it comes into view
        page.wait_for_selector(f"#{name}[data-live='1']", timeout=10_000)
        assert page.locator(f"#{name}-controls").is_visible()
        assert page.locator(f"#{name}-verdict").get_attribute("aria-live") == "polite"
        state = _state(page, name)
        assert state["width"] > 0 and state["verdict"].strip() and state["alt"].strip()
        for key in controls:
            control = page.locator(f"#{name}-{key}")
            label = page.locator(f"label[for='{name}-{key}']")
            assert label.count() == 1 and label.text_content().strip(), f"{key}: no label"
            before, after = _move(page, control)
            assert after != before, f"{name}: the keyboard did not move {key}"
            new = _state(page, name)
            assert new["src"] != state["src"], f"{name}: moving {key} did not redraw"
            assert new["alt"] != state["alt"], f"{name}: moving {key} kept the alt text"
            assert new["verdict"] != state["verdict"], (
                f"{name}: moving {key} did not change the verdict")
            assert new["width"] > 0
            if control.evaluate("el => el.type") == "range":
                shown = page.locator(f"#{name}-{key}-out").text_content()
                assert control.get_attribute("aria-valuetext") == shown
            state = new
        page.wait_for_load_state("networkidle")
        _check_accessibility(page, axe, within=f"#{name}")
    finally:
        page.close()
    errors = [e for e in log["errors"] if not any(p.search(e) for p in KNOWN_CONSOLE_NOISE)]
    assert not log["foreign"], f"requests to other hosts: {log['foreign']}"
    assert not log["failed"], f"failed requests: {log['failed']}"
    assert not errors, f"console errors: {errors}"


@pytest.mark.site
@pytest.mark.parametrize("path, name", [(p, n) for p, n, _ in CASES] or [("<none>", "")],
                         ids=[c[1] for c in CASES] or ["none"])
def test_explorer_without_javascript_shows_its_first_frame(browser, site_url, path, name):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.route(re.compile(r"^(?!http://127\.0\.0\.1)(?!data:).*"), lambda r: r.abort())
        page.goto(f"{site_url}/{path}", wait_until="load")
        img = page.locator(f"#{name}-img")
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
        assert img.get_attribute("alt").strip()
        assert page.locator(f"#{name}-verdict").text_content().strip()
        assert not page.locator(f"#{name}-controls").is_visible(), (
            "controls that cannot work without JavaScript should stay hidden")
    finally:
        context.close()


def test_every_explorer_on_the_site_is_tested():
    """The table above names every explorer the site shows, with every control."""
    if not HTML.exists():
        pytest.skip("site not built")
    found = {}
    for page in sorted(HTML.glob("chapters/*.html")):
        text = page.read_text(encoding="utf-8")
        for name in re.findall(r'class="bplib-explorer" id="([\w-]+)"', text):
            keys = re.findall(rf'<label for="{name}-([\w]+)"', text)
            found.setdefault(page.relative_to(HTML).as_posix(), []).append((name, keys))
    listed = {path: [(n, list(c)) for n, c in pairs] for path, pairs in EXPLORERS.items()}
    assert found == listed
