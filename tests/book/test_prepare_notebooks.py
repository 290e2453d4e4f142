"""tools/prepare_notebooks.py on small notebooks made here (never the chapters)."""

import ast
import copy
import importlib
import json

import pytest

from tools import prepare_notebooks as prep

# _ext/ is on the path once the tool is imported (the book's one setting lives there)
book_settings = importlib.import_module("book_settings")
PLACEHOLDER, Repository = book_settings.PLACEHOLDER, book_settings.Repository


def _nb(*cells):
    def cell(kind, source, **extra):
        c = {"cell_type": kind, "id": f"c{len(source)}", "metadata": {}, "source": source}
        if kind == "code":
            c.update(outputs=[], execution_count=None)
        c.update(extra)
        return c
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [cell(*c) if isinstance(c, tuple) else c for c in cells]}


MD = ("Before the code.\n\n```{literalinclude} ../bplib/linear.py\n:pyobject: predict\n```\n\n"
      "Between.\n\n```{literalinclude} ../bplib/autodiff.py\n:pyobject: Tensor.backward\n"
      ":dedent: 4\n:start-at: def backward\n:end-before: Parameters\n```\nAfter.")
PUBLISHED = Repository("https://github.com/someone/backprop-book", "main")
PLACE = Repository(PLACEHOLDER)


def _sources(nb):
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def test_listings_become_code_cells_where_the_blocks_were():
    nb = prep.prepare_notebook(_nb(("markdown", "# Title"),
                                   ("code", "import numpy as np\n\nfrom bplib import linear"),
                                   ("markdown", MD)), PLACE)
    kinds = _sources(nb)
    assert [k for k, _ in kinds] == ["markdown", "code", "code", "markdown", "code",
                                     "markdown", "code", "markdown"]
    assert kinds[3][1] == "Before the code."
    assert kinds[4][1] == "listing(linear.predict)"
    assert kinds[5][1] == "Between."
    assert kinds[6][1] == ("listing(autodiff.Tensor.backward, start_at='def backward', "
                           "end_before='Parameters')")
    assert kinds[7][1] == "After."
    imports = kinds[2][1]
    assert "from bplib.listing import listing" in imports
    assert "from bplib import autodiff" in imports  # a module the listings needed
    ast.parse(imports)
    listing_cells = [c for c in nb["cells"] if "".join(c["source"]).startswith("listing(")]
    assert all(c["metadata"]["tags"] == ["remove-input"] for c in listing_cells)
    shown = "".join(listing_cells[0]["outputs"][0]["data"]["text/markdown"])
    assert shown.startswith("```python\ndef predict(")
    assert len({c["id"] for c in nb["cells"]}) == len(nb["cells"])


def test_running_twice_changes_nothing():
    once = prep.prepare_notebook(_nb(("code", "from bplib import linear"), ("markdown", MD)),
                                 PUBLISHED)
    twice = prep.prepare_notebook(copy.deepcopy(once), PUBLISHED)
    assert json.dumps(twice, sort_keys=True) == json.dumps(once, sort_keys=True)


def test_install_cell_first_and_follows_the_repository_setting():
    nb = prep.prepare_notebook(_nb(("markdown", "# T"), ("code", "import numpy as np")),
                               PUBLISHED)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = "".join(first["source"])
    assert first["metadata"]["tags"] == ["remove-cell"]
    assert "'git+https://github.com/someone/backprop-book@main'" in source
    assert "BPLIB_INSTALL_SOURCE" in source
    compile(source, "install cell", "exec")
    nb = prep.prepare_notebook(nb, PLACE)  # the setting changed: the same cell is updated
    cells = [c for c in nb["cells"] if prep._is_install_cell(c)]
    assert len(cells) == 1
    assert "not published yet" in "".join(cells[0]["source"])
    assert "BPLIB_INSTALL_SOURCE\", '')" in "".join(cells[0]["source"])


def test_placeholder_is_recognised():
    assert PLACE.is_placeholder and Repository("").is_placeholder
    assert not PUBLISHED.is_placeholder and PUBLISHED.slug == "someone/backprop-book"


def test_readme_badges_follow_the_setting():
    text = f"intro\n{prep.README_START}\nold\n{prep.README_END}\nrest"
    published = prep.prepare_readme(text, PUBLISHED)
    assert "mybinder.org/v2/gh/someone/backprop-book/main" in published
    assert "colab.research.google.com/github/someone/backprop-book/blob/main" in published
    assert "appear here once" in prep.prepare_readme(text, PLACE)
    with pytest.raises(prep.PrepareError, match="no launch-badge block"):
        prep.prepare_readme("no markers", PLACE)


@pytest.mark.parametrize("block, match", [
    ("```{literalinclude} ../bplib/linear.py\n:lines: 1-3\n```", "lines"),
    ("```{literalinclude} ../tools/x.py\n:pyobject: f\n```", "only files of bplib"),
    (":::{solution} ex\n```{literalinclude} ../bplib/linear.py\n:pyobject: loss\n```\n:::",
     "inside a :::-fenced directive"),
])
def test_what_cannot_be_converted_is_refused_with_the_place(block, match):
    with pytest.raises(prep.PrepareError, match=match):
        prep.prepare_notebook(_nb(("code", "import numpy"), ("markdown", block)), PLACE,
                              name="ch.ipynb")


def test_the_committed_readme_is_in_sync_with_the_setting():
    from pathlib import Path

    readme = (prep.ROOT / "README.md").read_text(encoding="utf-8")
    assert prep.prepare_readme(readme, prep.read_repository(prep.ROOT)) == readme, (
        "README.md's launch badges do not follow repository.url: run `make prepare`")
    assert Path(prep.ROOT / "_config.yml").is_file()


def test_install_cell_applies_the_figure_style():
    import matplotlib
    from IPython.core.formatters import PNGFormatter
    from matplotlib.figure import Figure

    from bplib import _figure_style as figure_style

    nb = prep.prepare_notebook(_nb(("code", "import numpy as np")), PUBLISHED)
    source = "".join(nb["cells"][0]["source"])
    style = source[source.index("# The book's figure style"):]

    class Shell:  # what the cell needs of IPython: its PNG formatter
        def __init__(self):
            self.display_formatter = type("F", (), {})()
            self.display_formatter.formatters = {"image/png": PNGFormatter()}

    shell = Shell()
    with matplotlib.rc_context():
        exec(style.replace("from IPython import get_ipython\n", ""),  # noqa: S102
             {"get_ipython": lambda: shell})
        assert matplotlib.rcParams["font.size"] == figure_style.FONT_SIZE
        assert matplotlib.rcParams["figure.dpi"] == figure_style.CSS_DPI
    assert shell.display_formatter.formatters["image/png"].lookup_by_type(Figure) \
        is figure_style.png


def test_every_chapter_has_the_current_install_cell():
    """Stored notebooks carry the cell the tool writes (`make prepare`)."""
    repository = prep.read_repository(prep.ROOT)
    for path in sorted((prep.ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if prep._is_install_cell(c)]
        assert len(cells) == 1, f"{path.name}: {len(cells)} install cells"
        assert "".join(cells[0]["source"]) == prep.install_cell_source(repository), (
            f"{path.name}: the install cell is out of date: run `make prepare`")
