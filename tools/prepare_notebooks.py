"""Make chapter notebooks read the same in Jupyter, Colab and Binder as on the website.

Run on the notebooks given (``make prepare`` runs it on every chapter);
running it twice changes nothing the second time. For each notebook it

1. **turns code listings into code cells.** JupyterLab (with or without
   jupyterlab-myst), Colab and GitHub drop Sphinx's ``literalinclude``, so
   the code a chapter discusses was missing there. Each Markdown block

   .. code-block:: text

       ```{literalinclude} ../bplib/linear.py
       :pyobject: predict
       ```

   becomes a code cell ``listing(linear.predict)`` tagged ``remove-input``
   (on the website only its output, the highlighted source, shows), placed
   where the block was: the Markdown cell is split around it.
   ``:start-at:`` and ``:end-before:`` become the keyword arguments of
   :func:`bplib.listing.listing`; ``:dedent:`` and ``:language: python``
   are what it does anyway. Other options are refused with the notebook's
   name. The chapter's import cell gains ``from bplib.listing import
   listing`` and an import of every module a listing needs. The new cell's
   output is computed here (the source as a Markdown code block and as
   plain text), so that the notebook is complete before it is re-executed.
2. **puts an install cell first**, tagged ``remove-cell`` (hidden on the
   website), which also applies the book's figure style
   (:mod:`bplib._figure_style`: its rcParams, and its PNG formatter for
   IPython, so that every figure is stored at print resolution with its
   display size in the output's metadata): when ``bplib`` is missing (Colab, a fresh Jupyter) it
   ``pip install``-s it from the source that ``repository.url`` in
   ``_config.yml`` names, or from the environment variable
   ``BPLIB_INSTALL_SOURCE`` (a wheel, a folder or a git URL) when that is
   set. While the URL is the placeholder the cell says how to install
   ``bplib`` from a checkout instead.

``--readme`` also rewrites the launch badges of ``README.md`` from the same
setting. ``--check`` changes nothing and exits with status 1 when a file
would change.
"""

import argparse
import ast
import copy
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from book_settings import read_repository  # noqa: E402 - the book's one setting

INSTALL_MARKER = "# Installs bplib, the book's library, when it is missing"
INSTALL_CELL_ID = "install-bplib"
LISTING_IMPORT = "from bplib.listing import listing"
README_START = "<!-- launch badges: written by tools/prepare_notebooks.py -->"
README_END = "<!-- end of launch badges -->"

# ```{literalinclude} path  (or a longer backtick fence, or a colon fence)
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{literalinclude\}\s+(?P<path>\S+)\s*$")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
_DIRECTIVE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{[\w:-]+\}")
_SUPPORTED = {"pyobject", "start-at", "end-before", "dedent", "language"}


class PrepareError(ValueError):
    """A notebook holds something the tool cannot convert faithfully."""


# --------------------------------------------------------------------------
# the install cell


# The book's figure style (bplib._figure_style), applied where the notebook
# may change matplotlib's global state: fonts and sizes from its RC, and
# IPython's PNG formatter replaced by figure_style.png (print resolution, the
# CSS size in the output's metadata, the smallest text size in the PNG).
FIGURE_STYLE = (
    "\n"
    "# The book's figure style: readable text at the width the website shows figures.\n"
    "import matplotlib.pyplot as plt\n"
    "from IPython import get_ipython\n"
    "from matplotlib.figure import Figure\n"
    "\n"
    "from bplib import _figure_style as figure_style\n"
    "\n"
    "if get_ipython() is not None:  # load the backend now: it sets its formatters first\n"
    "    plt.switch_backend(plt.get_backend())\n"
    "    get_ipython().display_formatter.formatters[\"image/png\"].for_type(\n"
    "        Figure, figure_style.png)\n"
    "plt.rcParams.update(figure_style.RC)"
)


def install_cell_source(repository):
    """The install cell's code for the book's repository setting."""
    if repository.is_placeholder:
        where = (
            "# The book's repository is not published yet (repository.url in _config.yml\n"
            "# is a placeholder): install bplib from a checkout of the book with\n"
            "# `pip install -e .`, or set BPLIB_INSTALL_SOURCE to a wheel, folder or git URL.\n"
        )
        default = ""
    else:
        where = f"# From {repository.url} (or BPLIB_INSTALL_SOURCE: a wheel, folder or git URL).\n"
        default = repository.install_source
    return (
        f"{INSTALL_MARKER}\n"
        "# (Colab, a fresh Jupyter); hidden on the book's website.\n"
        f"{where}"
        "import importlib\n"
        "import os\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "try:\n"
        "    import bplib\n"
        "except ModuleNotFoundError:\n"
        f"    source = os.environ.get(\"BPLIB_INSTALL_SOURCE\", {default!r})\n"
        "    if not source:\n"
        "        raise ModuleNotFoundError(\n"
        "            \"bplib is not installed: run `pip install -e .` in a checkout of the \"\n"
        "            \"book, or set BPLIB_INSTALL_SOURCE\") from None\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", source],\n"
        "                   check=True)\n"
        "    importlib.invalidate_caches()\n"
        "    import bplib\n"
        f"{FIGURE_STYLE}"
    )


def _is_install_cell(cell):
    return cell["cell_type"] == "code" and _text(cell).startswith(INSTALL_MARKER)


def _ensure_install_cell(nb, repository):
    source = install_cell_source(repository)
    cells = nb["cells"]
    existing = [i for i, cell in enumerate(cells) if _is_install_cell(cell)]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    if existing:
        cell = cells.pop(existing[0])
        for i in reversed(existing[1:]):
            cells.pop(i - 1)
    else:
        cell = _code_cell(nb, source, ["remove-cell"], INSTALL_CELL_ID)
    cell["source"] = _lines(source)
    tags = cell["metadata"].setdefault("tags", [])
    if "remove-cell" not in tags:
        tags.append("remove-cell")
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, cell)


# --------------------------------------------------------------------------
# listings


def _module_of(path, where):
    """``../bplib/explorers/xor.py`` -> ``bplib.explorers.xor``."""
    parts = pathlib.PurePosixPath(path).parts
    if "bplib" not in parts or not path.endswith(".py"):
        raise PrepareError(f"{where}: literalinclude of {path!r}: only files of bplib/ "
                           "can become listing cells")
    parts = parts[parts.index("bplib"):]
    return ".".join(parts)[: -len(".py")]


def _parse_block(lines, start, where):
    """The literalinclude block starting at ``lines[start]``: (end, module, options)."""
    opening = _FENCE_OPEN.match(lines[start])
    fence = opening["fence"]
    options, i = {}, start + 1
    while i < len(lines) and lines[i].strip() != fence:
        line = lines[i].strip()
        option = _OPTION.match(line)
        if option:
            options[option["name"]] = option["value"]
        elif line:
            raise PrepareError(f"{where}: unexpected content {line!r} in a literalinclude block")
        i += 1
    if i == len(lines):
        raise PrepareError(f"{where}: literalinclude block opened with {fence} is not closed")
    unsupported = sorted(set(options) - _SUPPORTED)
    if unsupported:
        raise PrepareError(f"{where}: literalinclude option(s) {unsupported} have no "
                           f"listing() equivalent (supported: {sorted(_SUPPORTED)})")
    if options.get("language", "python") != "python":
        raise PrepareError(f"{where}: only Python listings are supported")
    return i + 1, _module_of(opening["path"], where), options


def listing_call(module, options, alias):
    """The code of a listing cell: ``listing(linear.predict, start_at=...)``."""
    target = alias + (f".{options['pyobject']}" if "pyobject" in options else "")
    arguments = [target]
    for option, keyword in (("start-at", "start_at"), ("end-before", "end_before")):
        if option in options:
            arguments.append(f"{keyword}={options[option]!r}")
    return f"listing({', '.join(arguments)})"


def _split_markdown(cell, where):
    """Split a Markdown cell at its literalinclude blocks: [("md", text) | ("listing", ...)]."""
    lines = _text(cell).split("\n")
    pieces, buffer, depth, i = [], [], [], 0
    while i < len(lines):
        line = lines[i]
        if _FENCE_OPEN.match(line):
            if depth:
                raise PrepareError(f"{where}: a literalinclude inside a {depth[-1]}"
                                   "-fenced directive cannot become a code cell; move it out")
            end, module, options = _parse_block(lines, i, where)
            pieces.append(("md", "\n".join(buffer)))
            pieces.append(("listing", module, options))
            buffer, i = [], end
            continue
        opened = _DIRECTIVE_OPEN.match(line.strip())
        if opened:
            depth.append(opened["fence"])
        elif depth and line.strip() == depth[-1]:
            depth.pop()
        buffer.append(line)
        i += 1
    pieces.append(("md", "\n".join(buffer)))
    return [p for p in pieces if p[0] != "md" or p[1].strip()]


def _bound_modules(code):
    """Names that the code binds to bplib modules: {name: dotted module}."""
    bound = {}
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return bound
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bplib"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bplib.") and alias.asname:
                    bound[alias.asname] = alias.name
    return bound


def _import_cell_index(nb):
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and not _is_install_cell(cell):
            if re.search(r"^\s*(import|from)\s", _text(cell), re.M):
                return i
    raise PrepareError("no import cell (a code cell with an import) to add "
                       f"{LISTING_IMPORT!r} to")


def _add_imports(cell, modules):
    """Add ``from bplib import listing`` and the modules' imports to the import cell.

    Returns {module: name bound to it}.
    """
    code = _text(cell)
    bound = _bound_modules(code)
    names = {module: name for name, module in bound.items()}
    new_lines = []
    if bound.get("listing") != "bplib.listing.listing" and LISTING_IMPORT not in code:
        new_lines.append(LISTING_IMPORT)
    for module in modules:
        if module in names:
            continue
        package, _, name = module.rpartition(".")
        if name in bound or name == "listing":
            raise PrepareError(f"the import cell binds {name!r} to something other than "
                               f"{module}; import {module} under another name first")
        new_lines.append(f"from {package} import {name}")
        names[module] = name
        bound[name] = module
    if new_lines:
        lines = code.split("\n")
        last = max((i for i, line in enumerate(lines)
                    if re.match(r"^(from bplib|import bplib)", line)), default=None)
        if last is None:
            last = max(i for i, line in enumerate(lines) if re.match(r"^(import|from)\s", line))
        # after the whole statement (a parenthesised import spans lines)
        tree = ast.parse(code)
        for node in tree.body:
            if node.lineno - 1 <= last <= node.end_lineno - 1:
                last = node.end_lineno - 1
        lines[last + 1:last + 1] = new_lines
        cell["source"] = _lines("\n".join(lines))
    return names


def _listing_output(call, module, options):
    """The execute_result a kernel would store for the listing cell."""
    import importlib

    from IPython.core.formatters import DisplayFormatter

    from bplib.listing import listing

    obj = importlib.import_module(module)
    for part in options.get("pyobject", "").split(".") if "pyobject" in options else []:
        obj = getattr(obj, part)
    kwargs = {k: options[o] for o, k in (("start-at", "start_at"), ("end-before", "end_before"))
              if o in options}
    data, metadata = DisplayFormatter().format(listing(obj, **kwargs))
    return {"output_type": "execute_result", "execution_count": None,
            "data": {k: _lines(v) for k, v in data.items()}, "metadata": metadata}


def _convert_listings(nb, name):
    found, new_cells = [], []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown" or "{literalinclude}" not in _text(cell):
            new_cells.append(cell)
            continue
        pieces = _split_markdown(cell, f"{name}, cell {index}")
        for n, piece in enumerate(pieces):
            if piece[0] == "md":
                md = copy.deepcopy(cell)
                md["source"] = _lines(piece[1].strip("\n"))
                if n and "id" in md:
                    md["id"] = _cell_id(name, "md", md["source"])
                new_cells.append(md)
            else:
                found.append(piece)
                new_cells.append(piece)  # placeholder, filled once imports are known
    if not found:
        return
    import_cell = nb["cells"][_import_cell_index(nb)]
    modules = list(dict.fromkeys(p[1] for p in found))
    names = _add_imports(import_cell, modules)
    for i, cell in enumerate(new_cells):
        if isinstance(cell, tuple):
            _, module, options = cell
            call = listing_call(module, options, names[module])
            code = _code_cell(nb, call, ["remove-input"], _cell_id(name, "listing", call))
            code["outputs"] = [_listing_output(call, module, options)]
            new_cells[i] = code
    nb["cells"] = new_cells


# --------------------------------------------------------------------------
# notebooks and the README


def _text(cell):
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _lines(text):
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _cell_id(name, kind, source):
    text = source if isinstance(source, str) else "".join(source)
    digest = hashlib.sha1(f"{name}:{kind}:{text}".encode()).hexdigest()[:12]
    return f"{kind}-{digest}"


def _code_cell(nb, source, tags, cell_id):
    cell = {"cell_type": "code", "execution_count": None,
            "metadata": {"tags": list(tags)}, "outputs": [], "source": _lines(source)}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = cell_id
    return cell


def prepare_notebook(nb, repository, name="notebook"):
    """Prepare one notebook (a dict, changed in place)."""
    _convert_listings(nb, name)
    _ensure_install_cell(nb, repository)
    return nb


def readme_badges(repository, notebook="chapters/01_linear_neuron.ipynb"):
    """The README's launch badges (or the note that stands for them)."""
    if repository.is_placeholder:
        body = ("Launch badges (Binder, Colab) appear here once `repository.url` in "
                "`_config.yml` names the book's published repository.")
    else:
        body = (f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]"
                f"({repository.binder_url(notebook)}) "
                f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                f"({repository.colab_url(notebook)})")
    return f"{README_START}\n{body}\n{README_END}"


def prepare_readme(text, repository):
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise PrepareError(f"README.md has no launch-badge block ({README_START!r} ... "
                           f"{README_END!r})")
    return pattern.sub(lambda _: readme_badges(repository), text)


def _dump(nb):
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--readme", action="store_true", help="also rewrite README.md's badges")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    repository = read_repository(ROOT)
    targets = [(path, "nb") for path in args.notebooks]
    if args.readme:
        targets.append((ROOT / "README.md", "readme"))
    stale = []
    for path, kind in targets:
        old = path.read_text(encoding="utf-8")
        if kind == "readme":
            new = prepare_readme(old, repository)
        else:
            new = _dump(prepare_notebook(json.loads(old), repository, path.name))
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "prepared"
    for path in stale:
        print(f"{verb}: {path}")
    if repository.is_placeholder:
        print("note: repository.url in _config.yml is the placeholder; the install cells "
              "say how to install bplib from a checkout")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
