"""The chapters' citations and cross-references, readable in JupyterLab.

jupyterlab-myst (2.7) renders MyST in a notebook one notebook at a time: it
resolves references to equations, sections and exercises of the same
notebook, but it has no bibliography (every ``{cite:p}`` shows its key with
a "Citation Not Found" mark), it cannot see figures named in code-cell
metadata, it knows no other chapter, and Sphinx-only roles (``{py:func}``,
``{glue:text}``) show their raw target. The website (Jupyter Book, Sphinx)
resolves all of them, and numbers each chapter's title.

:class:`BookContentsManager` closes that gap in the server, without touching
the stored notebooks: when JupyterLab opens a chapter, each Markdown cell
that holds such a reference is shown with it written out as the website
writes it ("[Widrow and Hoff, 1960]", "Fig. 1.2", "(4.7)", "Exercise 3.1",
``least_squares()``, a glued number), and the chapter's own equations and
exercises are numbered as on the website: with the chapter's prefix
(equation (4.1), not (1)), and only labelled equations numbered; the title
carries the chapter's number ("# 4. The delta recursion"). The cell's
own text is kept in its metadata and put back when the notebook is saved; in
a cell the reader edited, each written-out reference still there becomes its
role again. references.bib, the notebooks and _toc.yml stay the one
source of truth; nothing is generated on disk.

``make lab``, Binder and ``tests/lab`` start JupyterLab with
``binder/jupyter_server_config.py``, which selects this contents manager.
"""

import functools
import json
import pathlib
import re

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

__all__ = ["Book", "BookContentsManager", "resolve_cell"]

KEY = "book_lab"  # cell metadata: {"source": the stored text, "shown": what JupyterLab got}
ROLE = re.compile(r"\{(cite:p|cite:t|numref|ref|eq|py:func|py:meth|py:class|py:mod|py:data"
                  r"|glue:text|glue:md|glue)\}`([^`]+)`")
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$([ \t]*\([^)\s]+\))?", re.S)
EQ_LABEL = re.compile(r"\$\$[ \t]*\(([^)\s]+)\)")
TARGET = re.compile(r"^\(([^)\s]+)\)=[ \t]*\n+(#+)[ \t]+(.+)$", re.M)
EXERCISE = re.compile(r"^:{3,}\{exercise\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*?:label:[ \t]*(\S+)", re.M)
FIGURE_FORMAT = "Fig. {}"
TITLE = re.compile(r"^# (.+)$", re.M)


def _explicit(body):
    """``text <label>`` -> (text, label); ``label`` -> (None, label)."""
    m = re.match(r"^(.*?)\s*<([^<>]+)>$", body, re.S)
    return (m.group(1), m.group(2).strip()) if m else (None, body.strip())


class Book:
    """The website's numbering of every label, and its citation texts.

    Parameters
    ----------
    root : path
        The book's folder (holding ``_toc.yml``, ``references.bib`` and
        ``chapters/``).
    """

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.labels = {}  # label -> (file name, text shown by a reference)
        self.prefix = {}  # file name -> chapter number or None
        for number, path in self._documents():
            self.prefix[path.name] = number
            self._read(path, number)
        self.citations = self._bibliography()

    def _documents(self):
        import yaml

        toc = yaml.safe_load((self.root / "_toc.yml").read_text(encoding="utf-8"))
        entries = [(None, toc["root"])]
        for part in toc.get("parts", []):
            for i, chapter in enumerate(part.get("chapters", []), start=1):
                entries.append((i if part.get("numbered") else None, chapter["file"]))
        for number, name in entries:
            for suffix in (".ipynb", ".md"):
                path = self.root / f"{name}{suffix}"
                if path.exists():
                    yield number, path

    def _read(self, path, number):
        def numbered(k):
            return f"{number}.{k}" if number else str(k)

        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        else:
            cells = [{"cell_type": "markdown", "source": path.read_text(encoding="utf-8")}]
        equations = figures = exercises = 0
        for cell in cells:
            text = _text(cell)
            if cell["cell_type"] == "code":
                figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
                if figure.get("name"):
                    figures += 1
                    shown = FIGURE_FORMAT.format(numbered(figures))
                    self.labels[figure["name"]] = (path.name, shown)
                continue
            for m in sorted([(m.start(), "eq", m.group(1)) for m in EQ_LABEL.finditer(text)]
                            + [(m.start(), "ex", m.group(1)) for m in EXERCISE.finditer(text)]):
                if m[1] == "eq":
                    equations += 1
                    self.labels[m[2]] = (path.name, f"({numbered(equations)})")
                else:
                    exercises += 1
                    self.labels[m[2]] = (path.name, f"Exercise {numbered(exercises)}")
            for m in TARGET.finditer(text):
                self.labels[m.group(1)] = (path.name, m.group(3).strip())

    def _bibliography(self):
        try:
            from pybtex.database import parse_file
            from pybtex.plugin import find_plugin
        except ImportError:  # pybtex comes with the reader's requirements
            return {}
        data = parse_file(str(self.root / "references.bib"))
        style = find_plugin("pybtex.style.formatting", "plain")()
        full = {e.key: e.text.render_as("text")
                for e in style.format_entries(data.entries.values())}
        out = {}
        for key, entry in data.entries.items():
            last = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
            authors = (last[0] if len(last) == 1 else " and ".join(last) if len(last) == 2
                       else f"{last[0]} et al.")
            out[key] = (_latex_free(authors), entry.fields.get("year", ""), full.get(key, key))
        return out

    def cite(self, body, narrative):
        parts = []
        for key in (k.strip() for k in body.split(",")):
            if key not in self.citations:
                return None
            authors, year, _ = self.citations[key]
            parts.append(f"{authors} [{year}]" if narrative else f"{authors}, {year}")
        return ", ".join(parts) if narrative else "[" + ", ".join(parts) + "]"


def _latex_free(text):
    return re.sub(r"[{}\\]", "", text)


def _text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _glued(cells):
    """Glue key -> (text/plain, text/markdown) from the stored outputs."""
    out = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook", {})
            if record.get("name"):
                data, prefix = output.get("data", {}), record.get("mime_prefix", "")
                out[record["name"]] = (_text({"source": data.get(f"{prefix}text/plain", "")}),
                                       _text({"source": data.get(f"{prefix}text/markdown", "")}))
    return out


def _glue_text(value, spec):
    import ast

    value = re.sub(r"^np\.\w+\((.*)\)$", r"\1", value.strip())
    if not spec:
        return value.strip("'\"")
    try:
        return format(ast.literal_eval(value), spec)
    except (ValueError, SyntaxError):
        return value


def resolve_cell(text, name, book, local, glued):
    """``text`` with what jupyterlab-myst cannot resolve written out.

    Parameters
    ----------
    text : str
        A Markdown cell of notebook ``name``.
    book : Book
    local : set of str
        Labels jupyterlab-myst resolves itself (equations, sections and
        exercises of this notebook).
    glued : dict
        This notebook's glued values (:func:`_glued`).

    Returns
    -------
    str
        The same text where nothing needed writing out.
    """

    def link(shown, label):
        where = book.labels[label][0]
        return shown if where == name else f"[{shown}]({where})"

    def replace(m):
        role, body = m.group(1), m.group(2)
        if role in ("cite:p", "cite:t"):
            shown = book.cite(body, narrative=role == "cite:t")
            return m.group(0) if shown is None else shown
        if role.startswith("py:"):
            target = body.strip()
            target = target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target
            return f"`{target}()`" if role in ("py:func", "py:meth") else f"`{target}`"
        if role.startswith("glue"):
            key, _, spec = body.partition(":")
            if key not in glued:
                return m.group(0)
            plain, markdown = glued[key]
            return markdown if role == "glue:md" and markdown else _glue_text(plain, spec)
        if role == "glue":  # a glued figure: not written out
            return m.group(0)
        explicit, label = _explicit(body)
        if label in local:  # jupyterlab-myst resolves it, given its text on one line
            one_line = " ".join(body.split())
            return f"{{{role}}}`{one_line}`" if "\n" in body else m.group(0)
        if label not in book.labels:
            return m.group(0)
        shown = book.labels[label][1]
        if explicit:
            number = shown.rsplit(" ", 1)[-1].strip("()")
            shown = explicit.replace("%s", number).replace("{number}", number)
        return link(shown, label)

    return ROLE.sub(replace, text)


def _unnumbered(match):
    """An unlabelled display equation kept unnumbered, as on the website.

    jupyterlab-myst numbers every display equation, Sphinx only labelled
    ones; an ``equation*`` environment is jupyterlab-myst's "not numbered".
    """
    if match.group(2):
        return match.group(0)
    return f"$$\\begin{{equation*}}{match.group(1)}\\end{{equation*}}$$"


def _local_labels(cells):
    labels = set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text = _text(cell)
            labels.update(m.group(1) for m in EQ_LABEL.finditer(text))
            labels.update(m.group(1) for m in TARGET.finditer(text))
            labels.update(m.group(1) for m in EXERCISE.finditer(text))
            labels.update(re.findall(r"^:label:[ \t]*(\S+)", text, re.M))
    return labels


def show(notebook, name, book):
    """Rewrite ``notebook`` (nbformat dict) in place for JupyterLab.

    Each rewritten cell keeps in its metadata the stored text, the text
    shown, the front matter added and each (role, written-out) pair, for
    :func:`restore`.
    """
    cells = notebook["cells"]
    local, glued = _local_labels(cells), _glued(cells)
    number = book.prefix.get(name)
    first = True
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        source = _text(cell)
        pairs = [(m.group(0), resolve_cell(m.group(0), name, book, local, glued))
                 for m in ROLE.finditer(source)]
        shown = DISPLAY_MATH.sub(_unnumbered, resolve_cell(source, name, book, local, glued))
        front = ""
        if first and number:  # the chapter's numbers: (4.1), Exercise 4.1, its title
            front = f"---\nnumbering:\n  enumerator: {number}.%s\n---\n"
            title = TITLE.search(shown)
            if title:
                numbered = f"# {number}. {title.group(1)}"
                pairs.insert(0, (title.group(0), numbered))
                shown = shown[:title.start()] + numbered + shown[title.end():]
        first = False
        if front + shown != source:
            cell["metadata"][KEY] = {"source": source, "shown": front + shown, "front": front,
                                     "pairs": [p for p in pairs if p[0] != p[1]]}
            cell["source"] = front + shown
    return notebook


def restore(notebook):
    """Undo :func:`show` in place.

    A cell as shown gets its stored text back; in a cell the reader edited,
    the added front matter and ``equation*`` are removed and each
    written-out reference still present becomes its role again.
    """
    for cell in notebook.get("cells", []):
        kept = cell.get("metadata", {}).pop(KEY, None)
        if not kept:
            continue
        text = _text(cell)
        if text == kept["shown"]:
            cell["source"] = kept["source"]
            continue
        if kept.get("front"):
            text = text.replace(kept["front"], "", 1)
        text = text.replace("$$\\begin{equation*}", "$$").replace("\\end{equation*}$$", "$$")
        at = 0
        for role, shown in kept.get("pairs", []):
            i = text.find(shown, at)
            if i >= 0:
                text, at = text[:i] + role + text[i + len(shown):], i + len(role)
        cell["source"] = text
    return notebook


@functools.lru_cache(maxsize=4)
def _book(root, stamp):
    return Book(root)


def book_for(path):
    """The :class:`Book` a notebook at ``path`` belongs to, or None."""
    for folder in pathlib.Path(path).resolve().parents:
        if (folder / "_toc.yml").exists() and (folder / "references.bib").exists():
            files = [folder / "_toc.yml", folder / "references.bib",
                     *sorted((folder / "chapters").glob("*.ipynb"))]
            stamp = tuple(f.stat().st_mtime_ns for f in files)
            return _book(str(folder), stamp)
    return None


class BookContentsManager(AsyncLargeFileManager):
    """Contents manager that shows the chapters' references written out."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):  # noqa: A002
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model.get("type") == "notebook" and model.get("content"):
            book = book_for(self._get_os_path(path))
            if book is not None and pathlib.Path(path).name in book.prefix:
                show(model["content"], pathlib.Path(path).name, book)
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content"):
            restore(model["content"])
        return await super().save(model, path)
