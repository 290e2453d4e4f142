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
def document(pdf):
    """The same file opened with PDFium, which reads text and images in C
    (pypdf takes a minute over the book's 600 pages)."""
    return pdfium.PdfDocument(str(PDF))


@pytest.fixture(scope="module")
def text(document):
    # PDFium reports a hyphen the layout may break at as U+FFFE
    return "\n".join(document[i].get_textpage().get_text_range().replace("\ufffe", "-")
                     for i in range(len(document)))


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
                                 "{literalinclude}", "{glue"])
def test_no_raw_source(text, raw):
    where = text.find(raw)
    assert where < 0, f"raw {raw!r} in the PDF text: ...{text[max(0, where - 80):where + 80]}..."


def test_every_stored_figure_is_embedded(document):
    images = sum(len(list(document[i].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE])))
                 for i in range(len(document)))
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


def test_first_page_of_each_chapter_is_not_blank(pdf, document):
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


# --- the API reference, links, margins, figures, solutions, bibliography ---

# A figure printed below this many pixels per inch (its pixel width over its
# printed width) looks soft on paper; 300 is the usual target for print,
# 150 the floor below which lines and labels visibly blur.
MIN_FIGURE_DPI = 150

# Images narrower than this on paper (points) are icons, not figures.
MIN_FIGURE_WIDTH_PT = 72


def _api_modules():
    """The modules the API reference documents, as autosummary lists them
    (recursive: a package's submodules too)."""
    import importlib
    import pkgutil

    source = (ROOT / "chapters" / "api.md").read_text()
    block = source.split(".. autosummary::", 1)[1]
    names = re.findall(r"^   ([a-z_][a-z0-9_]*)\s*$", block, re.M)
    modules = []
    for name in names:
        module = importlib.import_module(f"bplib.{name}")
        modules.append(module.__name__)
        if hasattr(module, "__path__"):
            modules += [f"{module.__name__}.{m.name}" for m in
                        pkgutil.iter_modules(module.__path__) if not m.name.startswith("_")]
    return modules


def _outline_tree(pdf, outline=None, depth=0):
    """(depth, title, page index, children) for every bookmark."""
    items, outline = [], pdf.outline if outline is None else outline
    for item in outline:
        if isinstance(item, list):
            items[-1][3].extend(_outline_tree(pdf, item, depth + 1))
        else:
            items.append((depth, item.title, pdf.get_destination_page_number(item), []))
    return items


def _find(tree, predicate):
    for entry in tree:
        if predicate(entry[1]):
            return entry
        found = _find(entry[3], predicate)
        if found:
            return found
    return None


def test_api_reference_has_every_module_and_public_name(pdf):
    """Each module of the API reference is a bookmark under "API reference",
    on a page whose text has its name, with its public names beneath it."""
    tree = _outline_tree(pdf)
    api = _find(tree, lambda t: t.strip() == "API reference")
    assert api, "no bookmark for the API reference"
    children = {}  # every bookmark below it: a package's modules sit under the package

    def walk(items):
        for _, title, page, grand in items:
            children.setdefault(title.strip(), (page, grand))
            walk(grand)
    walk(api[3])
    missing, bare = [], []
    for module in _api_modules():
        if module not in children:
            missing.append(module)
            continue
        page, names = children[module]
        assert _normalise(module) in _normalise(pdf.pages[page].extract_text()), module
        import importlib
        public = getattr(importlib.import_module(module), "__all__", [])
        listed = {t.strip() for _, t, _, _ in names}
        if public and not set(public) & listed:
            bare.append(module)
    assert not missing, f"API modules without a bookmark: {missing}; found {sorted(children)[:8]}"
    assert not bare, f"API modules whose public names have no bookmark: {bare}"


def _internal_links(pdf):
    """(page index, destination) of every link that jumps inside the PDF."""
    names = pdf.named_destinations
    for index, page in enumerate(pdf.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            dest = a.get("/Dest")
            if dest is None and "/A" in a and a["/A"].get("/S") == "/GoTo":
                dest = a["/A"].get("/D")
            if dest is not None:
                yield index, dest, names


def test_every_internal_link_lands_on_a_page(pdf):
    broken, count, api_links = [], 0, 0
    for index, dest, names in _internal_links(pdf):
        count += 1
        if isinstance(dest, (str, bytes)) or hasattr(dest, "decode"):
            key = str(dest)
            target = names.get(key) or names.get("/" + key.lstrip("/"))
            if target is None:
                broken.append((index + 1, key))
            elif key.lstrip("/").startswith("bplib."):
                api_links += 1
    assert count >= 500, f"only {count} internal links"
    assert not broken, f"{len(broken)} links to nowhere, e.g. {broken[:5]}"
    assert api_links >= 50, f"only {api_links} links into the API reference"


def test_no_text_runs_past_the_right_margin(document):
    """Nothing is clipped at the margin: no character of a code listing (or
    anything else) is set to the right of the text column."""
    margin = 15 / 25.4 * 72  # tools/build_pdf.py prints with 15 mm side margins
    clipped = []
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        edge = width - margin + 2
        if not textpage.get_text_bounded(left=edge, bottom=0, right=width, top=height).strip():
            continue
        # a character set beyond the column starts beyond it; MathJax's
        # stretched glyphs (an underbrace) report boxes wider than the page
        # and start left of it, and are not text past the margin
        beyond = "".join(
            textpage.get_text_range(k, 1) for k in range(textpage.count_chars())
            if textpage.get_charbox(k)[0] >= edge)
        if beyond.strip():
            clipped.append((index + 1, beyond.strip()[:60]))
    assert not clipped, f"text beyond the right margin on {len(clipped)} pages: {clipped[:5]}"


def _figure_dpis(document):
    """Effective resolution of each embedded figure at its printed size."""
    dpis = []
    for index in range(len(document)):
        for obj in document[index].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
            left, bottom, right, top = obj.get_bounds()
            width_px, _ = obj.get_px_size()
            if right - left >= MIN_FIGURE_WIDTH_PT:
                dpis.append((width_px / ((right - left) / 72), index + 1))
    return dpis


def test_figures_are_printed_at_print_resolution(document):
    dpis = _figure_dpis(document)
    assert len(dpis) >= _stored_figures()
    low = sorted(d for d in dpis if d[0] < MIN_FIGURE_DPI)
    assert not low, (f"{len(low)} of {len(dpis)} figures below {MIN_FIGURE_DPI} dpi on paper, "
                     f"lowest {low[0][0]:.0f} dpi (page {low[0][1]}); median "
                     f"{sorted(d for d, _ in dpis)[len(dpis) // 2]:.0f} dpi")


def test_each_chapters_solutions_follow_it(pdf):
    """A "Solutions to ..." bookmark after each chapter with exercises, before the next."""
    tree = _outline_tree(pdf)
    flat = []

    def walk(items):
        for _depth, title, page, children in items:
            flat.append((title, page))
            walk(children)
    walk(tree)
    for f in _toc_files()[1:10]:
        title = _normalise(_title(f))
        chapter = [p for t, p in flat if title[:30] in _normalise(t)]
        solutions = [p for t, p in flat if _normalise(t).startswith("solutionsto")
                     and title[:30] in _normalise(t)]
        assert chapter and solutions, f"no solutions bookmark for {_title(f)}"
        assert solutions[0] > chapter[0]


def test_every_chapter_starts_on_a_new_page(pdf):
    """A chapter's first page holds no text of the page before it: its title
    is the first line of the page."""
    tree = _outline_tree(pdf)
    for f in _toc_files()[1:]:
        key = _normalise(_title(f))[:30]
        entry = _find(tree, lambda t, key=key: key in _normalise(t))
        assert entry, _title(f)
        first = _normalise(pdf.pages[entry[2]].extract_text())
        assert first.find(_normalise(_title(f))[:20]) < 20, (
            f"{_title(f)} does not open its page: {first[:80]}")


def test_bibliography_lists_the_cited_works(text):
    """Every cited work's title is in the bibliography's text."""
    cited = set()
    chapters = ROOT / "chapters"
    for source in [*chapters.glob("*.ipynb"), *chapters.glob("*.md")]:
        cited |= {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", source.read_text())
                  for k in group.split(",")}
    bib = (ROOT / "references.bib").read_text()
    titles = dict(re.findall(r"@\w+\{([^,]+),.*?\btitle\s*=\s*\{(.+?)\},?\n", bib, re.S))
    flat = _normalise(text)
    start = flat.rfind(_normalise("Bibliography and further reading"))
    missing = [k for k in sorted(cited) if k in titles
               and _normalise(re.sub(r"[{}\\]", "", titles[k]))[:40] not in flat[start:]]
    assert cited and not missing, f"cited works missing from the bibliography: {missing}"
