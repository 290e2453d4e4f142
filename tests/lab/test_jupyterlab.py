"""Every chapter in JupyterLab, as a reader running ``make lab`` sees it.

Per chapter, in Chromium against the JupyterLab of ``make lab`` (with
jupyterlab-myst): open the notebook; in a chapter with an explorer, Run All
and wait for the kernel (the other chapters' cells are run by nbval, in the
same environment, so their stored outputs are checked here); no cell shows
an error; no rendered Markdown shows MyST source (``:::{``, ``{cite``,
``{numref``, ``:pyobject:``, ``literalinclude``), and jupyterlab-myst marks
no citation or cross-reference as not found (binder/lab_references.py writes
them out as the website does); every code listing cell (``listing(...)``)
shows its code; and in each ipywidgets explorer, moving
one slider from the keyboard redraws the figure.

Depends on the notebooks being prepared (``make prepare``: listings as code
cells, the install cell): ``test_chapter_is_prepared`` says so plainly when
they are not, and the listing check then has nothing to find.
"""

import contextlib
import functools
import json
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb"))
MYST_SOURCE = [":::{", "{cite", "{numref", ":pyobject:", "{literalinclude}", "```{"]
RUN_TIMEOUT_MS = 300_000
UNRESOLVED_JS = """() => Array.from(document.querySelectorAll(
    '.jp-MarkdownCell [title$="Not Found"], .jp-MarkdownCell [title$="Has No Label"]'))
    .map(e => e.title + ': ' + e.textContent.trim())"""
LINKS_JS = """() => Array.from(document.querySelectorAll('.jp-MarkdownCell a[href^="#"]'))
    .map(a => [a.getAttribute('href').slice(1), a.innerText.replace(/\\s+/g, ' ').trim()])"""
REDRAW_TIMEOUT_MS = 60_000


@functools.cache
def _book():
    sys.path.insert(0, str(ROOT / "binder"))
    import lab_references

    return lab_references.Book(ROOT)


def _cells(name):
    nb = json.loads((ROOT / "chapters" / name).read_text(encoding="utf-8"))
    return nb["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _widget_cells(name):
    return [c for c in _cells(name) if c["cell_type"] == "code" and any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for o in c.get("outputs", []))]


def _listing_cells(name):
    return [c for c in _cells(name)
            if c["cell_type"] == "code" and _source(c).lstrip().startswith("listing(")]


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_is_prepared(name):
    """Conversion check: no literalinclude left, an install cell first."""
    cells = _cells(name)
    left = [i for i, c in enumerate(cells)
            if c["cell_type"] == "markdown" and "{literalinclude}" in _source(c)]
    assert not left, (f"{name}: literalinclude in cells {left}; JupyterLab drops it. "
                      "Run `make prepare` (tools/prepare_notebooks.py)")
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert "BPLIB_INSTALL_SOURCE" in _source(first_code), (
        f"{name}: the first code cell does not install bplib when it is missing; "
        "run `make prepare`")


def _open(browser, lab, name):
    base, token, _ = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    workspace = name.removesuffix(".ipynb")  # one per page: open pages do not share one
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/chapters/{name}?token={token}&reset",
              wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return s && s.getAttribute('data-status') === 'idle'; }", timeout=60_000)
    return page, errors


def _start_run_all(page):
    page.wait_for_selector(".jp-Spinner", state="detached", timeout=60_000)
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _wait_run_all(page):
    # every code cell has run: no prompt is empty or [*], and the kernel is idle
    page.wait_for_function(
        """() => {
          const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
          const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
          return prompts.length > 0 && s && s.getAttribute('data-status') === 'idle'
            && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=RUN_TIMEOUT_MS)


class _Runs:
    """Chapters opened (and, with an explorer, Run All started) one ahead of
    the test that checks them.

    While one chapter is checked (its widgets moved), the next selected
    chapter already runs in its own page and kernel: the machine's second
    core works instead of waiting.
    """

    def __init__(self, browser, lab, order):
        self.browser, self.lab, self.order, self.pages = browser, lab, order, {}

    def _start(self, name):
        if name not in self.pages:
            page, errors = _open(self.browser, self.lab, name)
            try:
                if _widget_cells(name):
                    _start_run_all(page)
            except Exception:
                page.close()
                raise
            self.pages[name] = page, errors

    def take(self, name):
        """(page, errors) of ``name``, its cells run (or their outputs stored)."""
        self._start(name)
        later = self.order[self.order.index(name) + 1:] if name in self.order else []
        if later:
            # a failure here is reported by that chapter's own test, which retries
            with contextlib.suppress(Exception):
                self._start(later[0])
        page, errors = self.pages.pop(name)
        try:
            _wait_run_all(page)
        except Exception:
            page.close()
            raise
        return page, errors

    def close(self):
        for page, _ in self.pages.values():
            page.close()


@pytest.fixture(scope="module")
def runs(browser, lab, request):
    test = "test_chapter_runs_and_reads_in_jupyterlab"
    order = [item.callspec.params["name"] for item in request.session.items
             if item.originalname == test]
    runner = _Runs(browser, lab, order)
    yield runner
    runner.close()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_and_reads_in_jupyterlab(runs, name):
    page, errors = runs.take(name)
    try:
        tracebacks = page.locator(".jp-OutputArea-output[data-mime-type="
                                  "'application/vnd.jupyter.stderr'] .ansi-red-fg, "
                                  ".jp-RenderedText[data-mime-type='application/"
                                  "vnd.jupyter.error']")
        assert tracebacks.count() == 0, (
            f"{name}: a cell failed: {tracebacks.first.inner_text()[:1500]}")

        markdown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown, "
                                ".jp-MarkdownCell .jp-RenderedMySTMarkdown, "
                                ".jp-MarkdownCell .myst")
        texts = markdown.all_inner_texts()
        assert texts, f"{name}: no rendered Markdown cell found"
        raw = [(s, t[:160]) for t in texts for s in MYST_SOURCE if s in t]
        assert not raw, f"{name}: Markdown cells show MyST source: {raw[:5]}"

        # jupyterlab-myst marks what it cannot resolve ("Citation Not Found",
        # "Cross Reference Not Found"): binder/lab_references.py writes those out
        unresolved = page.evaluate(UNRESOLVED_JS)
        assert not unresolved, (f"{name}: {len(unresolved)} unresolved citations or "
                                f"cross-references in JupyterLab: {unresolved[:5]}")
        # the chapter's own equations, figures and exercises carry the website's numbers
        shown = page.evaluate(LINKS_JS)
        numbered = {label: text for label, (where, text) in _book().labels.items()
                    if where == name and re.match(r"\(|Fig\. |Exercise ", text)}
        wrong = [(label, text, numbered[label]) for label, text in shown
                 if label in numbered and text and text != numbered[label]]
        assert not wrong, f"{name}: (label, JupyterLab, website) numbers differ: {wrong[:5]}"

        expected = len(_listing_cells(name))
        shown = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-CodeCell'))
                 .filter(c => /^\\s*listing\\(/.test(
                    c.querySelector('.jp-InputArea-editor').textContent))
                 .map(c => { const o = c.querySelector('.jp-OutputArea-output');
                             return o ? o.innerText : ''; })""")
        assert len(shown) == expected, f"{name}: {len(shown)} listing cells, expected {expected}"
        empty = [i for i, text in enumerate(shown)
                 if not any(text.lstrip().startswith(w) for w in ("def ", "class ", "@"))]
        assert not empty, f"{name}: listing cells {empty} show no code: {shown[empty[0]][:200]}"

        moved = _move_each_explorer(page, name)
        assert moved == len(_widget_cells(name)), (
            f"{name}: moved {moved} explorers, the notebook stores {len(_widget_cells(name))}")
        shot = ROOT / "_build" / "screenshots" / f"lab--{name.replace('.ipynb', '.png')}"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    finally:
        page.close()
    assert not errors, f"{name}: uncaught errors in JupyterLab: {errors[:3]}"


def _figure_of(widget):
    return widget.evaluate(
        """w => Array.from(w.querySelectorAll('img')).map(i => i.src.length + ':'
                  + i.src.slice(-200)).join('|')""")


def _slider_value(handle):
    return handle.evaluate("h => h.getAttribute('aria-valuenow') ?? h.value")


def _move_each_explorer(page, name):
    """In every ipywidgets explorer, one slider moved by keyboard redraws the figure.

    The first slider moves three steps right, or left when it starts at the
    top of its range (chapter 7's capacity explorer opens at the widest
    network); an explorer with a Run button (it trains on demand) is run.
    """
    explorers = page.locator(".jp-OutputArea-output .widget-vbox:has(.widget-slider)"
                             ":not(.widget-vbox .widget-vbox)")
    for i in range(explorers.count()):
        widget = explorers.nth(i)
        widget.scroll_into_view_if_needed()
        page.wait_for_function("w => w.querySelector('img')", arg=widget.element_handle(),
                               timeout=30_000)
        before = _figure_of(widget)
        handle = widget.locator(".widget-slider .noUi-handle, .widget-slider input").first
        start = _slider_value(handle)
        handle.focus()
        for key in ("ArrowRight", "ArrowLeft"):
            for _ in range(3):
                page.keyboard.press(key)
            if _slider_value(handle) != start:
                break
        assert _slider_value(handle) != start, (
            f"{name}: explorer {i}: its first slider did not move from {start}")
        run = widget.locator("button:has-text('Run')")
        if run.count():  # an explorer that trains on demand (chapter 7's capacity)
            run.first.click()
        try:
            page.wait_for_function(
                "([w, before]) => Array.from(w.querySelectorAll('img')).map(i => i.src.length"
                " + ':' + i.src.slice(-200)).join('|') !== before",
                arg=[widget.element_handle(), before], timeout=REDRAW_TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 - re-raised with the explorer named
            raise AssertionError(
                f"{name}: explorer {i} did not redraw within {REDRAW_TIMEOUT_MS // 1000} s "
                f"of its slider moving from {start} to {_slider_value(handle)}") from exc
    return explorers.count()
