"""binder/lab_references.py: what JupyterLab is given in place of the
references jupyterlab-myst cannot resolve, and that saving gives it back.

No browser: these check the text the contents manager serves; the browser
test (test_jupyterlab.py) checks that JupyterLab then marks nothing as not
found.
"""

import ast
import asyncio
import concurrent.futures
import copy
import html
import json
import pathlib
import re
import shutil
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "binder"))

import lab_references as lr  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="module")
def book():
    return lr.Book(ROOT)


def _load(path):  # as the contents manager reads it: sources as strings
    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_shown_then_saved_is_the_stored_notebook(book, path):
    stored = _load(path)
    shown = lr.show(copy.deepcopy(stored), path.name, book)
    assert shown != stored or not any(c["cell_type"] == "markdown" for c in stored["cells"])
    assert lr.restore(shown) == stored


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_only_what_jupyterlab_myst_resolves_is_left(book, path):
    nb = _load(path)
    local = lr._local_labels(nb["cells"])
    lr.show(nb, path.name, book)
    left = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for role, body in re.findall(r"\{([a-z:]+)\}`([^`]+)`", lr._text(cell)):
            label = lr._explicit(body)[1]
            if role == "glue" or (role in ("eq", "ref", "numref") and label in local
                                  and "\n" not in body):
                continue
            left.append(f"{{{role}}}`{body}`")
    assert not left, f"{path.name}: left for jupyterlab-myst, which cannot resolve them: {left}"


def test_citations_read_as_on_the_website(book):
    keys = {k for p in CHAPTERS for c in _load(p)["cells"] if c["cell_type"] == "markdown"
            for body in re.findall(r"\{cite:[pt]\}`([^`]+)`", lr._text(c))
            for k in body.split(",")}
    assert keys and all(k.strip() in book.citations for k in keys)
    authors, year, full = book.citations["widrow1960"]
    assert (authors, year) == ("Widrow and Hoff", "1960") and "Adaptive switching" in full
    assert book.cite("widrow1960", narrative=False) == "[Widrow and Hoff, 1960]"
    assert book.cite("widrow1960", narrative=True) == "Widrow and Hoff [1960]"
    assert book.cite("rumelhart1986", narrative=True).startswith("Rumelhart et al. [")
    assert book.cite("no-such-key", narrative=False) is None


def test_numbers_run_by_chapter(book):
    """Figures and equations numbered c.1, c.2, ... in each numbered chapter."""
    for path in CHAPTERS:
        chapter = book.prefix[path.name]
        if chapter is None:
            continue
        for kind, pattern in (("figure", r"Fig\. (\d+)\.(\d+)"),
                              ("equation", r"\((\d+)\.(\d+)\)")):
            numbers = sorted(int(m.group(2)) for where, shown in book.labels.values()
                             if where == path.name and (m := re.fullmatch(pattern, shown)))
            assert all(int(re.fullmatch(pattern, shown).group(1)) == chapter
                       for where, shown in book.labels.values()
                       if where == path.name and re.fullmatch(pattern, shown))
            assert numbers == list(range(1, len(numbers) + 1)), (path.name, kind, numbers)


def test_a_reference_to_another_chapter_links_to_it(book):
    label = next(label for label, (where, _) in book.labels.items()
                 if where == "04_delta_recursion.ipynb" and label.startswith("eq-"))
    text = lr.resolve_cell(f"see {{eq}}`{label}`", "05_autodiff.ipynb", book, set(), {})
    assert text == f"see [{book.labels[label][1]}](04_delta_recursion.ipynb)"
    same = lr.resolve_cell(f"see {{eq}}`{label}`", "04_delta_recursion.ipynb", book,
                           {label}, {})
    assert same == f"see {{eq}}`{label}`"  # jupyterlab-myst numbers it itself


def test_an_edited_cell_keeps_the_edit_and_its_roles(book):
    path = CHAPTERS[0]
    stored = _load(path)
    nb = lr.show(copy.deepcopy(stored), path.name, book)
    i, cell = next((i, c) for i, c in enumerate(nb["cells"])
                   if any(role.startswith("{cite:p}") for role, _ in
                          c["metadata"].get(lr.KEY, {}).get("pairs", [])))
    cell["source"] = "Added by the reader. " + cell["source"]
    lr.restore(nb)
    assert cell["source"] == "Added by the reader. " + lr._text(stored["cells"][i])
    assert lr.KEY not in cell["metadata"]
    first = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    assert not first["source"].startswith("---")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_title_carries_the_chapter_s_number(book, path):
    stored = _load(path)
    nb = lr.show(copy.deepcopy(stored), path.name, book)
    title = next(m for c in nb["cells"] if c["cell_type"] == "markdown"
                 for m in [lr.TITLE.search(lr._text(c))] if m).group(1)
    number = book.prefix[path.name]  # from _toc.yml, as the website numbers it
    if number:
        assert title.startswith(f"{number}. "), title
    else:
        assert not re.match(r"\d+\. ", title), title
    # an edited title cell gets its stored title back, the edit kept
    first = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    edit = "\nAdded by the reader."
    first["source"] += edit
    lr.restore(nb)
    stored_first = next(c for c in stored["cells"] if c["cell_type"] == "markdown")
    assert lr._text(first) == lr._text(stored_first) + edit


def test_contents_manager_serves_written_out_and_saves_the_original(tmp_path):
    for name in ("_toc.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters",
                    ignore=shutil.ignore_patterns("generated", ".ipynb_checkpoints"))
    name = "chapters/01_linear_neuron.ipynb"
    stored = (tmp_path / name).read_text(encoding="utf-8")
    manager = lr.BookContentsManager(root_dir=str(tmp_path))

    async def round_trip():
        model = await manager.get(name)
        text = "".join(c["source"] for c in model["content"]["cells"])
        await manager.save({"type": "notebook", "format": "json",
                            "content": model["content"]}, name)
        return text

    # in a thread of its own: Playwright's sync API holds this thread's event loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        served = pool.submit(asyncio.run, round_trip()).result()
    assert "{cite:p}" in stored and "{cite:p}" not in served
    assert "[Widrow and Hoff, 1960]" in served
    assert json.loads((tmp_path / name).read_text(encoding="utf-8")) == json.loads(stored)


def test_only_labelled_equations_are_numbered():
    text = "a $$x = 1$$ (eq-a) b\n$$\ny = 2\n$$\nc $$z$$ (eq-c)"
    shown = lr.DISPLAY_MATH.sub(lr._unnumbered, text)
    assert shown == ("a $$x = 1$$ (eq-a) b\n$$\\begin{equation*}\ny = 2\n"
                     "\\end{equation*}$$\nc $$z$$ (eq-c)")


def test_numbers_agree_with_the_built_website(book):
    """Every numbered reference on the built site (``make build``, which
    ``make test`` runs first) shows the number :class:`lr.Book` gives."""
    pages = sorted((ROOT / "_build" / "html" / "chapters").glob("*.html"))
    if not pages:
        pytest.skip("no built website in _build/html: `make build`")
    link = re.compile(r'href="(?:[0-9a-z_]*\.html)?#(?:equation-)?([a-z][a-z0-9-]*)"[^>]*>'
                      r'(?:<span class="std std-(?:numref|ref)">)?([^<]+)<')
    checked, wrong = 0, []
    for page in pages:
        for label, text in link.findall(page.read_text(encoding="utf-8")):
            ours = book.labels.get(label, (None, ""))[1]
            text = html.unescape(text).strip()  # (a heading's "#" link is no reference)
            if re.match(r"\(|Fig\. |Exercise ", ours) and text != "#":
                checked += 1
                if text != ours:
                    wrong.append((page.name, label, text, ours))
    assert checked > 100 and not wrong, f"(page, label, website, ours): {wrong[:5]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_glued_numbers_are_written_out(book, path):
    nb = _load(path)
    glued = lr._glued(nb["cells"])
    roles = [m for c in nb["cells"] if c["cell_type"] == "markdown"
             for m in re.finditer(r"\{glue:(text|md)\}`([^`:]+):?([^`]*)`", lr._text(c))]
    for m in roles:
        shown = lr.resolve_cell(m.group(0), path.name, book, set(), glued)
        assert shown and "{glue" not in shown, f"{path.name}: {m.group(0)} -> {shown!r}"
        if m.group(1) == "text" and m.group(3):
            stored = ast.literal_eval(re.sub(r"^np\.\w+\((.*)\)$", r"\1",
                                             glued[m.group(2)][0]))
            assert shown == format(stored, m.group(3))
