"""Static checks of the chapters as stored: what nbval and the site rely on.

These read the notebooks as JSON (no kernel), so they are fast and catch the
mistakes that otherwise show up only in a clean-clone CI run or on the page.
"""

import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.add(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return files


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks in chapters/"


def test_every_toc_entry_exists():
    for entry in _toc_files():
        matches = [p for p in (ROOT / entry).parent.glob(pathlib.Path(entry).name + ".*")]
        assert matches, f"_toc.yml lists {entry!r}, but no such file exists"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_the_toc(path):
    assert path.relative_to(ROOT).with_suffix("").as_posix() in _toc_files(), (
        f"{path.name} is not listed in _toc.yml"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_top_to_bottom(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, (
        f"{path.name}: {counts.count(None)} code cells were never executed; "
        "run `make execute` and commit the outputs"
    )
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} was not executed top to bottom in one run "
        f"(execution counts {counts}); run `make execute`"
    )
    errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name} has stored errors: {[e['ename'] for e in errors]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_alt_text(path):
    for i, cell in enumerate(_cells(path)):
        images = [
            o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})
            or "image/svg+xml" in o.get("data", {})
        ]
        if not images:
            continue
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 4, (
            f"{path.name}, cell {i}: a figure needs alt text (a sentence saying "
            "what it shows) in the cell metadata mystnb.image.alt"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_output_that_nbval_cannot_reproduce(path):
    bad = re.compile(r"<Figure size|at 0x[0-9a-f]{6,}|matplotlib\.use\(")
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "code":
            continue
        assert "matplotlib.use(" not in _source(cell), (
            f"{path.name}, cell {i}: matplotlib.use() stops images being stored"
        )
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data or "image/svg+xml" in data:
                continue  # a figure's text/plain twin is never shown or compared
            text = "".join(out.get("text", "")) + "".join(data.get("text/plain", ""))
            assert not bad.search(text), (
                f"{path.name}, cell {i}: output {text[:80]!r} changes between runs; "
                "end plotting cells with plt.show() or tag the cell nbval-ignore-output"
            )
