"""The whole-book PDF (``make pdf``): every chapter, typeset, with its figures.

Runs after ``make pdf`` has written ``_build/pdf/book.pdf``; skipped with a
reason when it has not (``make test`` always builds it first).
"""

import json
import pathlib
import re
import unicodedata

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "book.pdf"

pypdf = pytest.importorskip("pypdf")
pdfium = pytest.importorskip("pypdfium2")


def _toc_files():
    """The book's pages in _toc.yml order (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def _title(path):
    """A page's first-level heading, as the reader sees it."""
    for suffix in (".ipynb", ".md"):
        source = ROOT / (path + suffix)
        if source.exists():
            break
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells
                         if c["cell_type"] == "markdown")
    else:
        text = source.read_text()
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def _stored_figures():
    """PNG images stored in the chapters' outputs (matplotlib figures)."""
    count = 0
    for nb in (ROOT / "chapters").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            for out in cell.get("outputs", []):
                count += "image/png" in out.get("data", {})
    return count


@pytest.fixture(scope="module")
def pdf():
    if not PDF.exists():
        pytest.skip(f"{PDF.relative_to(ROOT)} not built (run `make pdf`)")
    return pypdf.PdfReader(str(PDF))


@pytest.fixture(scope="module")
def text(pdf):
    return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _normalise(s):
    """Lower case without whitespace, ligatures (ﬁ, ﬀ) spelled out: extraction
    drops or adds spaces at line breaks and keeps the font's ligatures."""
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"\s+", "", s).replace("\u2019", "'").lower()


def _outline_titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            yield item.title


def test_outline_has_every_chapter_and_appendix(pdf):
    titles = [_normalise(t) for t in _outline_titles(pdf.outline)]
    missing = [f for f in _toc_files()
               if not any(_normalise(_title(f))[:40] in t for t in titles)]
    assert not missing, f"no bookmark for {missing}; outline starts {titles[:10]}"


def test_every_chapter_title_is_in_the_text(text):
    flat = _normalise(text)
    missing = [_title(f) for f in _toc_files() if _normalise(_title(f)) not in flat]
    assert not missing, f"chapter titles not in the PDF text: {missing}"


def test_equations_are_numbered(text):
    """Numbered equations appear as '(chapter.number)' the way the site shows them."""
    numbers = set(re.findall(r"\((\d{1,2})\.(\d{1,2})\)", text))
    chapters = {int(c) for c, _ in numbers}
    assert len(numbers) >= 40, f"only {len(numbers)} distinct equation numbers found"
    assert set(range(1, 10)) <= chapters, f"equation numbers only from {sorted(chapters)}"


@pytest.mark.parametrize("raw", ["$$", "\\(", "\\[", "{eq}", ":::{", "{cite", "{numref",
                                 ":pyobject:", "{glue"])
def test_no_raw_source(text, raw):
    where = text.find(raw)
    assert where < 0, f"raw {raw!r} in the PDF text: ...{text[max(0, where - 80):where + 80]}..."


def test_every_stored_figure_is_embedded(pdf):
    images = sum(len(page.images) for page in pdf.pages)
    figures = _stored_figures()
    assert figures > 0
    assert images >= figures, f"{images} images embedded, {figures} figures stored"


def test_links_inside_the_book(pdf):
    internal = 0
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") == "/Link" and "/Dest" in a or (
                    "/A" in a and a["/A"].get("/S") == "/GoTo"):
                internal += 1
    assert internal >= 50, f"only {internal} internal links"


def _chapter_first_pages(pdf):
    """The page of each chapter's and appendix's bookmark.

    The root page's heading is the outline's first entry; the pages of the
    book are its children (the single-page build nests them under it)."""
    titles = {_normalise(_title(f))[:40] for f in _toc_files()}
    pages = set()

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif any(t in _normalise(item.title) for t in titles):
                pages.add(pdf.get_destination_page_number(item))
    walk(pdf.outline)
    return sorted(pages)


def test_first_page_of_each_chapter_is_not_blank(pdf):
    document = pdfium.PdfDocument(str(PDF))
    firsts = _chapter_first_pages(pdf)
    assert len(firsts) >= len(_toc_files()) - 1
    for index in firsts:
        image = document[index].render(scale=0.5).to_pil().convert("L")
        histogram = image.histogram()
        dark = sum(histogram[:200])  # pixels clearly darker than paper
        assert dark > 0.005 * image.width * image.height, f"page {index + 1} looks blank"


def test_solutions_collected_and_explorers_explained(text):
    flat = _normalise(text)
    assert flat.count("solutionsto") >= 7, "solutions not collected per chapter"
    assert "firstframeofaninteractiveexplorer" in flat
