"""The book's equation <-> code index, and the check that keeps it honest.

Every display equation a chapter labels (``$$ ... $$ (eq-name)``) is listed
with its chapter and the ``bplib`` functions whose docstrings name it
(``:eq:`eq-name```). The check fails when

* a docstring names a label that no chapter defines (a dangling reference:
  the website build would fail on it too, but later and less clearly), or
* a chapter labels a *gradient equation* (one stating a derivative: ``\\partial``,
  ``\\nabla`` or a prime) that no ``bplib`` docstring claims to implement,
  unless it is listed in ``DERIVATION_ONLY`` with the reason.

Usage::

    python tools/equation_index.py          # rewrite chapters/equation_index.md
    python tools/equation_index.py --check  # fail on dangling labels or a stale page
"""

import argparse
import ast
import json
import pathlib
import re
import sys
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "chapters" / "equation_index.md"

LABEL_AFTER = re.compile(r"\A[ \t]*\((eq-[A-Za-z0-9_-]+)\)")
DOC_LABEL = re.compile(r":eq:`(eq-[A-Za-z0-9_-]+)`")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
GRADIENT = re.compile(r"\\partial|\\nabla|'\s*\(|\\prime|\\frac\{d")

# Pages that restate equations defined (and implemented) in the chapters.
SUMMARY_PAGES = {"00_introduction", "notation", "equation_index"}

# Labelled gradient equations that are steps of a derivation, not formulas
# the library computes; each with the reason.
DERIVATION_ONLY = {
    "eq-linear-error-recursion": "analysis of the error of gradient descent, not a computation",
    "eq-neuron-chain-rule": "the chain rule written out for one neuron; implemented via eq-bce-grad and eq-mse-grad",
    "eq-forward-difference": "shown only to be compared with the central difference",
    "eq-delta-minibatch": "the mean over examples; the batched recursion eq-delta-recursion computes it",
    "eq-delta-column": "the column convention, for comparison with other texts",
}


@dataclass
class Equation:
    label: str
    page: str
    title: str
    tex: str
    functions: list = field(default_factory=list)

    @property
    def is_gradient(self):
        return bool(GRADIENT.search(self.tex))


def _page_texts(path):
    """The Markdown texts of a page: each cell of a notebook, or the file."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return [path.read_text(encoding="utf-8")]


def equations_in(text):
    """Yield ``(label, tex)`` for each labelled display equation in ``text``."""
    text = FENCE.sub("", text)
    marks = [m.start() for m in re.finditer(r"\$\$", text)]
    for start, end in zip(marks[0::2], marks[1::2]):
        label = LABEL_AFTER.match(text[end + 2 :])
        if label:
            yield label.group(1), text[start + 2 : end].strip()


def collect_equations(chapters):
    """Every labelled equation under ``chapters``, keyed by label."""
    found = {}
    for path in sorted(chapters.glob("*.ipynb")) + sorted(chapters.glob("*.md")):
        texts = _page_texts(path)
        title = next(
            (line[2:].strip() for t in texts for line in t.splitlines() if line.startswith("# ")),
            path.stem,
        )
        for text in texts:
            for label, tex in equations_in(text):
                if label in found:
                    raise ValueError(f"{label} is defined twice: {found[label].page} and {path.name}")
                found[label] = Equation(label, path.name, title, tex)
    return found


def collect_docstring_labels(package):
    """Map each label named in a docstring under ``package`` to its functions."""
    labels = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        module = ".".join((package.name, *parts)).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, qualname in _documented(tree):
            for label in DOC_LABEL.findall(ast.get_docstring(node) or ""):
                labels.setdefault(label, []).append(f"{module}.{qualname}" if qualname else module)
    return labels


def _documented(tree, prefix=""):
    yield tree, prefix.rstrip(".")
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            yield from _documented(node, f"{prefix}{node.name}.")


def problems(equations, labels):
    """The reasons the index is not consistent (empty when it is)."""
    out = [
        f"{fn} names {label}, which no chapter defines"
        for label, fns in sorted(labels.items())
        if label not in equations
        for fn in fns
    ]
    for eq in equations.values():
        if (
            eq.is_gradient
            and pathlib.Path(eq.page).stem not in SUMMARY_PAGES
            and eq.label not in labels
            and eq.label not in DERIVATION_ONLY
        ):
            out.append(
                f"{eq.page} states the gradient equation {eq.label}, but no bplib "
                "docstring names it (add :eq:`...` to the implementing function, "
                "or list it in DERIVATION_ONLY with a reason)"
            )
    return out


def render(equations, labels):
    """The Markdown of the index page."""
    lines = [
        "# Index of equations and code",
        "",
        "Every labelled equation of the book, the page that derives it and the",
        "`bplib` functions that implement it (their docstrings name the label).",
        "Generated by `tools/equation_index.py`; the test command fails if a",
        "docstring names an equation no chapter defines, or a chapter's gradient",
        "equation has no implementation.",
        "",
        "| equation | where | implemented by |",
        "| --- | --- | --- |",
    ]
    for eq in sorted(equations.values(), key=lambda e: (e.page, e.label)):
        fns = ", ".join(f"{{py:obj}}`~{f}`" for f in labels.get(eq.label, [])) or "—"
        if eq.label in DERIVATION_ONLY and not labels.get(eq.label):
            fns = f"— ({DERIVATION_ONLY[eq.label]})"
        lines.append(f"| {{eq}}`{eq.label}` `{eq.label}` | [{eq.title}]({eq.page}) | {fns} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail instead of writing")
    args = parser.parse_args(argv)
    equations = collect_equations(ROOT / "chapters")
    labels = collect_docstring_labels(ROOT / "bplib")
    found = problems(equations, labels)
    page = render(equations, labels)
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != page:
            found.append(f"{PAGE.relative_to(ROOT)} is out of date: run `make index`")
        for line in found:
            print(f"equation index: {line}", file=sys.stderr)
        return 1 if found else 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}: {len(equations)} equations")
    for line in found:
        print(f"equation index: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
