"""The book's equation <-> code index, and the check that keeps it honest.

Every display equation a page of the book labels (``$$ ... $$ (eq-name)``) is
listed, in the order of ``_toc.yml`` and of the page, with its formula and the
``bplib`` functions that implement it. A function *implements* the labels its
docstring names (``:eq:`eq-name```); when its source marks computing lines
with comments (``# eq-name``), as CONTRIBUTING.md asks, only the labels so
marked count, and the docstring's other labels are references ("multiplied by
sigma' this gives :eq:`eq-bce-grad`"). The check fails when

* a docstring names a label that no page defines (a dangling reference:
  the website build would fail on it too, but later and less clearly);
* a chapter labels a *gradient equation* (one stating a derivative: ``\\partial``,
  ``\\nabla`` or a prime) that no ``bplib`` function implements, unless it is
  listed in ``DERIVATION_ONLY`` with the reason;
* a function claims an equation but computes a different quantity. For the
  labels in ``CASES`` the check evaluates every implementing function on a
  small case and compares its output with the equation's value computed
  independently from the formula. This is what catches a gradient labelled
  with the wrong equation (``dL/dY`` under the label of ``dL/dZ``), which a
  reader would otherwise multiply by an activation's derivative twice;
* a case names a label no page defines, or can call none of the label's
  implementers (their arguments were renamed): the case must follow.

Usage::

    python tools/equation_index.py          # rewrite chapters/equation_index.md
    python tools/equation_index.py --check  # fail on any problem or a stale page
"""

import argparse
import ast
import importlib
import inspect
import json
import pathlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "chapters" / "equation_index.md"

LABEL_AFTER = re.compile(r"\A[ \t]*\((eq-[A-Za-z0-9_-]+)\)")
DOC_LABEL = re.compile(r":eq:`(eq-[A-Za-z0-9_-]+)`")
CODE_LABEL = re.compile(r"\beq-[A-Za-z0-9_-]*[A-Za-z0-9]")
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
    "eq-vanish-sigmoid-bound": "a bound on the deltas' size, not a computation",
    "eq-ad-fanout": "realised by every VJP adding (+=) into its parents' adjoints, not by one function",
    "eq-bptt-bound": "a bound on the gradient's size through time, not a computation",
    "eq-train-unbiased": "the expectation of the minibatch gradient, a property rather than a computation",
}


# --------------------------------------------------------------------------
# Pages and their equations


@dataclass
class Equation:
    label: str
    page: str
    title: str
    tex: str
    chapter: int = 0  # position of the page in _toc.yml
    position: int = 0  # position of the equation in its page
    functions: list = field(default_factory=list)

    @property
    def is_gradient(self):
        return bool(GRADIENT.search(self.tex))


def toc_pages(root=ROOT):
    """The book's pages in the order of ``root/_toc.yml`` (globs skipped)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections"))
            walk(item.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    pages = []
    for entry in entries:
        found = [root / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
        found = [path for path in found if path.exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {entry}, which has no .ipynb or .md file")
        pages.append(found[0])
    return pages


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


def collect_equations(pages):
    """Every labelled equation of ``pages``, keyed by label.

    ``pages`` is a list of page paths in reading order (see :func:`toc_pages`)
    or a directory, whose notebooks and Markdown files are read in name order.
    """
    if isinstance(pages, pathlib.Path) and pages.is_dir():
        pages = sorted(pages.glob("*.ipynb")) + sorted(pages.glob("*.md"))
    found = {}
    for chapter, path in enumerate(pages):
        texts = _page_texts(path)
        title = next(
            (line[2:].strip() for t in texts for line in t.splitlines() if line.startswith("# ")),
            path.stem,
        )
        position = 0
        for text in texts:
            for label, tex in equations_in(text):
                if label in found:
                    raise ValueError(f"{label} is defined twice: {found[label].page} and {path.name}")
                found[label] = Equation(label, path.name, title, tex, chapter, position)
                position += 1
    return found


# --------------------------------------------------------------------------
# Docstrings: which function implements which equation


def collect_docstring_labels(package):
    """Map each label a function under ``package`` implements to its functions.

    A function (or class, or module) implements the labels its docstring
    names; if its source carries ``# eq-...`` comments, only the labels that
    appear in them (the others are references). See :func:`collect_references`.
    """
    return _collect(package)[0]


def collect_references(package):
    """Map each label a docstring names without implementing it to the functions."""
    return _collect(package)[1]


def _collect(package):
    implements, references = {}, {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        module = ".".join((package.name, *parts)).removesuffix(".__init__")
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node, qualname in _documented(tree):
            named = list(dict.fromkeys(DOC_LABEL.findall(ast.get_docstring(node) or "")))
            if not named:
                continue
            marked = _comment_labels(source, node)
            name = f"{module}.{qualname}" if qualname else module
            for label in named:
                target = implements if not marked or label in marked else references
                target.setdefault(label, []).append(name)
    return implements, references


def _comment_labels(source, node):
    """Labels named in ``#`` comments of a function's or class's source."""
    if isinstance(node, ast.Module):
        return set()
    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    return {label for line in lines if "#" in line for label in CODE_LABEL.findall(line.split("#", 1)[1])}


def _documented(tree, prefix=""):
    yield tree, prefix.rstrip(".")
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            yield from _documented(node, f"{prefix}{node.name}.")


# --------------------------------------------------------------------------
# Numerical cases: does the function compute the quantity its label names?


@dataclass(frozen=True)
class Case:
    """A small numerical case of one equation.

    ``inputs(rng)`` returns named arrays that are consistent with each other
    (for example ``Z`` and ``Y = sigmoid(Z)``); a function is called with the
    ones its required parameters name. ``values(inputs)`` returns the
    equation's value computed straight from its formula, or a list of values
    when the equation states several (a function and its derivative); the
    function's output must match one of them (a tuple output, such as
    ``(dW, db)``, matches a tuple value entry by entry, and a value that is
    not a tuple when one of its entries does: ``(loss, delta)`` computes
    both equations).
    """

    inputs: Callable
    values: Callable


def _sig(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _logits(rng):
    Z = rng.normal(size=(5, 3)) * 2.0
    T = (rng.uniform(size=(5, 3)) < 0.5).astype(float)
    return {"Z": Z, "Y": _sig(Z), "T": T}


def _regression(rng):
    return {"Y": rng.normal(size=(5, 3)), "T": rng.normal(size=(5, 3))}


def _classes(rng):
    Z = rng.normal(size=(5, 4)) * 2.0
    return {"Z": Z, "T": np.eye(4)[rng.integers(0, 4, size=5)]}


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _linear(rng):
    X, W = rng.normal(size=(6, 2)), rng.normal(size=(2, 1))
    return {"X": X, "W": W, "T": rng.normal(size=(6, 1))}


def _linear_grad(c):
    dW = c["X"].T @ (c["X"] @ c["W"] - c["T"]) / len(c["X"])
    return [dW, (dW, None)]  # a neuron without bias: dW, or (dW, db=None)


def _pair(rng):
    return {"analytic": rng.normal(size=(4,)), "numerical": rng.normal(size=(4,))}


def _z(rng):
    Z = rng.normal(size=(6, 3)) * 2.0
    return {"Z": np.where(np.abs(Z) < 1e-3, 0.5, Z)}


CASES = {
    "eq-sigmoid": Case(_z, lambda c: _sig(c["Z"])),
    "eq-sigmoid-derivative": Case(_z, lambda c: _sig(c["Z"]) * (1 - _sig(c["Z"]))),
    "eq-tanh": Case(_z, lambda c: np.tanh(c["Z"])),
    "eq-tanh-derivative": Case(_z, lambda c: 1 - np.tanh(c["Z"]) ** 2),
    "eq-relu": Case(_z, lambda c: [np.maximum(c["Z"], 0), (c["Z"] > 0).astype(float)]),
    "eq-softplus": Case(_z, lambda c: [np.log1p(np.exp(c["Z"])), _sig(c["Z"])]),
    "eq-mse": Case(_regression, lambda c: np.sum((c["Y"] - c["T"]) ** 2) / (2 * len(c["Y"]))),
    "eq-mse-grad": Case(_regression, lambda c: (c["Y"] - c["T"]) / len(c["Y"])),
    "eq-bce": Case(
        _logits,
        lambda c: -np.sum(c["T"] * np.log(c["Y"]) + (1 - c["T"]) * np.log(1 - c["Y"])) / len(c["Y"]),
    ),
    "eq-bce-logit": Case(
        _logits, lambda c: np.sum(np.log1p(np.exp(c["Z"])) - c["T"] * c["Z"]) / len(c["Z"])
    ),
    "eq-bce-dy": Case(_logits, lambda c: (c["Y"] - c["T"]) / (c["Y"] * (1 - c["Y"])) / len(c["Y"])),
    "eq-bce-grad": Case(_logits, lambda c: (_sig(c["Z"]) - c["T"]) / len(c["Z"])),
    "eq-softmax": Case(_classes, lambda c: [_softmax(c["Z"]), np.log(_softmax(c["Z"]))]),
    "eq-softmax-ce": Case(_classes, lambda c: -np.sum(c["T"] * np.log(_softmax(c["Z"]))) / len(c["Z"])),
    "eq-softmax-grad": Case(_classes, lambda c: (_softmax(c["Z"]) - c["T"]) / len(c["Z"])),
    "eq-linear-grad": Case(_linear, _linear_grad),
    "eq-relative-error": Case(
        _pair,
        lambda c: np.abs(c["analytic"] - c["numerical"])
        / (np.abs(c["analytic"]) + np.abs(c["numerical"])),
    ),
}


def _matches(output, value):
    if value is None or output is None:
        return value is None and output is None
    if isinstance(value, tuple) and isinstance(output, tuple):
        return len(value) == len(output) and all(_matches(o, v) for o, v in zip(output, value))
    if isinstance(output, tuple):  # a function computing several equations at once
        return any(_matches(entry, value) for entry in output)
    if isinstance(value, tuple):
        return False
    try:
        output, value = np.asarray(output, dtype=float), np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return output.shape == value.shape and np.allclose(output, value, rtol=1e-7, atol=1e-12)


def _call(fn, inputs):
    """``fn`` called with the inputs its required parameters name, or None."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    required = [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if not required or any(name not in inputs for name in required):
        return None
    return lambda: fn(**{name: np.array(inputs[name], copy=True) for name in required})


def resolve(qualname):
    """The object a dotted name such as ``bplib.losses.loss`` refers to."""
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(f"cannot import {qualname}")


def numerical_problems(equations, labels, cases=None, resolve=resolve):
    """Functions whose output disagrees with the equation they claim."""
    cases = CASES if cases is None else cases
    out = []
    for label, case in sorted(cases.items()):
        if label not in equations:
            out.append(f"the numerical case for {label} names a label that no page defines")
            continue
        inputs = case.inputs(np.random.default_rng(0))
        values = case.values(inputs)
        values = values if isinstance(values, list) else [values]
        evaluated, callables = 0, []
        for name in labels.get(label, []):
            fn = resolve(name)
            if inspect.isclass(fn) or inspect.ismodule(fn) or not callable(fn):
                continue
            callables.append(name)
            call = _call(fn, inputs)
            if call is None:
                continue
            evaluated += 1
            try:
                output = call()
            except TypeError:  # it takes other types (an autodiff Tensor): not comparable here
                evaluated -= 1
                continue
            except Exception as error:  # noqa: BLE001 - reported, not raised
                out.append(f"{name} names {label}, but raised {type(error).__name__} on its case: {error}")
                continue
            if not any(_matches(output, value) for value in values):
                out.append(
                    f"{name} names {label}, but on a small case its output differs from the "
                    f"equation's value: does the label name the quantity it computes?"
                )
        if callables and not evaluated:
            out.append(
                f"the numerical case for {label} can call none of its functions "
                f"({', '.join(callables)}): give it inputs named like their parameters"
            )
    return out


# --------------------------------------------------------------------------
# The check and the page


def problems(equations, labels):
    """The structural reasons the index is not consistent (empty when it is)."""
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
                "function implements it (name it with :eq:`...` in the implementing "
                "function's docstring and `# eq-...` on its computing line, or list "
                "it in DERIVATION_ONLY with a reason)"
            )
    return out


def display_tex(tex):
    """An equation's TeX on one line, for a display block inside a list item."""
    return " ".join(tex.split()).rstrip(" .,")


def render(equations, labels):
    """The Markdown of the index page: one list per page, in reading order.

    Each entry shows the equation's number and label, the functions that
    implement it (plain text, so it wraps at any width) and the formula as
    display math (which scrolls in its own box when it is wider than the
    column).
    """
    lines = [
        "# Index of equations and code",
        "",
        "Every labelled equation of the book in reading order, chapter by",
        "chapter, with the `bplib` functions that implement it (their",
        "docstrings name the label, and a comment marks the computing line).",
        "Generated by `tools/equation_index.py`; the test command fails if a",
        "docstring names an equation no chapter defines, if a chapter's",
        "gradient equation has no implementation, or if a function's output",
        "on a small numerical case differs from the value of the equation it",
        "names.",
    ]
    by_page = {}
    for eq in sorted(equations.values(), key=lambda e: (e.chapter, e.position)):
        by_page.setdefault((eq.page, eq.title), []).append(eq)
    for (page, title), eqs in by_page.items():
        lines += ["", f"## [{title}]({page})", ""]
        for eq in eqs:
            fns = labels.get(eq.label, [])
            if fns:
                where = "implemented by " + ", ".join(f"{{py:obj}}`~{f}`" for f in fns)
            elif eq.label in DERIVATION_ONLY:
                where = f"not computed by `bplib`: {DERIVATION_ONLY[eq.label]}"
            else:
                where = "not computed by `bplib`"
            lines += [
                f"- {{eq}}`{eq.label}` `{eq.label}`, {where}",
                "",
                "  $$",
                f"  {display_tex(eq.tex)}",
                "  $$",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail instead of writing")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    equations = collect_equations(toc_pages(ROOT))
    labels = collect_docstring_labels(ROOT / "bplib")
    found = problems(equations, labels) + numerical_problems(equations, labels)
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
