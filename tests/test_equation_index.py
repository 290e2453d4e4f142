"""The equation <-> code index: its check on small fixtures, then on the book."""

import textwrap

import numpy as np
import pytest

import tools.equation_index as index


def _book(tmp_path, chapter_md, module_py):
    chapters, package = tmp_path / "chapters", tmp_path / "pkg"
    chapters.mkdir()
    package.mkdir()
    (chapters / "01_fixture.md").write_text(textwrap.dedent(chapter_md))
    (package / "mod.py").write_text(textwrap.dedent(module_py))
    return index.collect_equations(chapters), index.collect_docstring_labels(package)


CHAPTER = r"""
    # A fixture chapter

    $$
    Y = X W
    $$ (eq-fix-model)

    $$
    \frac{\partial \mathcal{L}}{\partial W} = X^\top (Y - T) / n
    $$ (eq-fix-grad)

    An unlabelled one: $$ a = b $$ and inline $x$.
"""


def test_a_consistent_fixture_has_no_problems(tmp_path):
    equations, labels = _book(
        tmp_path,
        CHAPTER,
        '''
        def gradient(X):
            """Gradient, :eq:`eq-fix-grad`."""
        ''',
    )
    assert set(equations) == {"eq-fix-model", "eq-fix-grad"}
    assert equations["eq-fix-grad"].is_gradient and not equations["eq-fix-model"].is_gradient
    assert labels == {"eq-fix-grad": ["pkg.mod.gradient"]}
    assert index.problems(equations, labels) == []


def test_a_docstring_naming_an_undefined_label_is_caught(tmp_path):
    equations, labels = _book(
        tmp_path,
        CHAPTER,
        '''
        def gradient(X):
            """Gradient, :eq:`eq-fix-grad`; see also :eq:`eq-fix-typo`."""
        ''',
    )
    assert index.problems(equations, labels) == [
        "pkg.mod.gradient names eq-fix-typo, which no chapter defines"
    ]


def test_a_gradient_equation_without_implementation_is_caught(tmp_path):
    equations, labels = _book(
        tmp_path,
        CHAPTER,
        '''
        def predict(X):
            """Outputs, :eq:`eq-fix-model`."""
        ''',
    )
    (problem,) = index.problems(equations, labels)
    assert "01_fixture.md states the gradient equation eq-fix-grad" in problem


def test_a_label_defined_twice_is_an_error(tmp_path):
    twice = CHAPTER + "\n    $$\n    c\n    $$ (eq-fix-model)\n"
    with pytest.raises(ValueError, match="eq-fix-model is defined twice"):
        _book(tmp_path, twice, "")


def test_code_fences_are_not_equations():
    text = "```md\n$$ x $$ (eq-in-code)\n```\n$$ y $$ (eq-real)"
    assert list(index.equations_in(text)) == [("eq-real", "y")]


def test_the_book_s_index_is_consistent_and_up_to_date(capsys):
    status = index.main(["--check"])
    assert status == 0, capsys.readouterr().err


def test_a_docstring_label_without_its_code_comment_is_a_reference(tmp_path):
    equations, _ = _book(tmp_path, CHAPTER, "")
    (tmp_path / "pkg" / "mod.py").write_text(textwrap.dedent(
        '''
        def output_gradient(Y, T):
            """dL/dY, :eq:`eq-fix-model`; times f' it gives :eq:`eq-fix-grad`."""
            return Y - T  # eq-fix-model
        '''
    ))
    package = tmp_path / "pkg"
    assert index.collect_docstring_labels(package) == {"eq-fix-model": ["pkg.mod.output_gradient"]}
    assert index.collect_references(package) == {"eq-fix-grad": ["pkg.mod.output_gradient"]}


def test_pages_come_in_the_order_of_the_toc_and_equations_in_page_order(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_toc.yml").write_text(textwrap.dedent(
        """
        format: jb-book
        root: chapters/intro
        parts:
          - caption: Main
            chapters:
              - file: chapters/10_late
              - file: chapters/02_early
                sections:
                  - file: chapters/02a_section
        """
    ))
    for name, labels in [("intro.md", []), ("10_late.md", ["eq-b", "eq-a"]),
                         ("02_early.md", ["eq-c"]), ("02a_section.md", ["eq-d"]),
                         ("99_not_in_toc.md", ["eq-z"])]:
        text = "# T\n" + "".join(f"\n$$\nx\n$$ ({label})\n" for label in labels)
        (tmp_path / "chapters" / name).write_text(text)
    pages = index.toc_pages(tmp_path)
    assert [p.name for p in pages] == ["intro.md", "10_late.md", "02_early.md", "02a_section.md"]
    equations = index.collect_equations(pages)
    ordered = sorted(equations.values(), key=lambda e: (e.chapter, e.position))
    assert [e.label for e in ordered] == ["eq-b", "eq-a", "eq-c", "eq-d"]
    assert "eq-z" not in equations
    page = index.render(equations, {})
    assert page.index("{eq}`eq-b`") < page.index("{eq}`eq-a`") < page.index("{eq}`eq-c`")


def test_the_page_shows_each_formula_and_its_implementers_in_reading_order():
    equations = {
        "eq-n": index.Equation("eq-n", "01.md", "One", "r = |a - n|\n / \\|x\\|", 0, 0),
        "eq-m": index.Equation("eq-m", "02.md", "Two", "m", 1, 0),
    }
    page = index.render(equations, {"eq-n": ["pkg.mod.f", "pkg.mod.g"]})
    lines = page.splitlines()
    entry = lines.index("- {eq}`eq-n` `eq-n`, implemented by "
                        "{py:obj}`~pkg.mod.f`, {py:obj}`~pkg.mod.g`")
    assert lines[entry + 2 : entry + 5] == ["  $$", "  r = |a - n| / \\|x\\|", "  $$"]
    assert "- {eq}`eq-m` `eq-m`, not computed by `bplib`" in lines
    assert page.index("## [One](01.md)") < page.index("## [Two](02.md)")


# -- the numerical check: a label that names the wrong quantity -------------

NUMERIC_CHAPTER = r"""
    # Fixture losses

    $$
    \frac{\partial \mathcal{L}}{\partial Y} = \frac{1}{n}\,\frac{Y - T}{Y(1 - Y)}
    $$ (eq-fix-dy)

    $$
    \delta = \frac{\partial \mathcal{L}}{\partial Z} = \frac{1}{n}\,\bigl(\sigma(Z) - T\bigr)
    $$ (eq-fix-dz)
"""

# The fixture's own cases, written from the two equations above.
FIXTURE_CASES = {
    "eq-fix-dy": index.Case(
        index._logits,
        lambda c: (c["Y"] - c["T"]) / (c["Y"] * (1 - c["Y"])) / len(c["Y"])),
    "eq-fix-dz": index.Case(index._logits, lambda c: (index._sig(c["Z"]) - c["T"]) / len(c["Z"])),
}

MODULE = '''
    import numpy as np


    def gradient_from_probabilities(Y, T):
        """dL/dY, :eq:`{label}`."""
        return (Y - T) / (Y * (1 - Y)) / len(Y)  # {label}


    def gradient_from_logits(Z, T):
        """dL/dZ, :eq:`eq-fix-dz`."""
        return (1 / (1 + np.exp(-Z)) - T) / len(Z)  # eq-fix-dz
'''


def _numeric_book(tmp_path, monkeypatch, label):
    chapters = tmp_path / "chapters"
    package = tmp_path / f"fixpkg_{label.replace('-', '_')}"
    chapters.mkdir()
    package.mkdir()
    (chapters / "01_fixture.md").write_text(textwrap.dedent(NUMERIC_CHAPTER))
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(textwrap.dedent(MODULE).replace("{label}", label))
    monkeypatch.syspath_prepend(str(tmp_path))
    return index.collect_equations(chapters), index.collect_docstring_labels(package)


def test_correctly_labelled_functions_pass_the_numerical_check(tmp_path, monkeypatch):
    equations, labels = _numeric_book(tmp_path, monkeypatch, "eq-fix-dy")
    assert index.problems(equations, labels) == []
    assert index.numerical_problems(equations, labels, FIXTURE_CASES) == []


def test_a_function_labelled_with_the_wrong_quantity_fails_the_numerical_check(
        tmp_path, monkeypatch):
    # The mistake of issue 18, item 5: dL/dY labelled as the delta dL/dZ. The
    # structural check cannot see it (the label exists, the gradient equation
    # has an implementer); only evaluating the function can.
    equations, labels = _numeric_book(tmp_path, monkeypatch, "eq-fix-dz")
    name = "fixpkg_eq_fix_dz.mod.gradient_from_probabilities"
    assert name in labels["eq-fix-dz"]
    assert not any("eq-fix-dz" in line for line in index.problems(equations, labels))
    (problem,) = index.numerical_problems(equations, labels, FIXTURE_CASES)
    assert problem.startswith(f"{name} names eq-fix-dz, but on a small case its output differs")


def test_a_case_that_can_call_no_function_or_names_no_equation_is_reported(tmp_path, monkeypatch):
    equations, labels = _numeric_book(tmp_path, monkeypatch, "eq-fix-dy")
    renamed = {"eq-fix-dy": index.Case(lambda rng: {"P": np.ones((2, 2))}, lambda c: c["P"]),
               "eq-fix-gone": FIXTURE_CASES["eq-fix-dz"]}
    found = index.numerical_problems(equations, labels, renamed)
    assert any("can call none of its functions" in line and "eq-fix-dy" in line for line in found)
    assert any("eq-fix-gone names a label that no page defines" in line for line in found)


def test_every_case_of_the_book_checks_at_least_one_function():
    import sys

    sys.path.insert(0, str(index.ROOT))
    equations = index.collect_equations(index.toc_pages())
    labels = index.collect_docstring_labels(index.ROOT / "bplib")
    assert index.numerical_problems(equations, labels) == []
    # and the check would catch the historical mislabel of item 5
    wrong = {k: list(v) for k, v in labels.items()}
    wrong.setdefault("eq-bce-grad", []).append("bplib.losses.binary_cross_entropy_gradient")
    assert any("binary_cross_entropy_gradient names eq-bce-grad" in line
               for line in index.numerical_problems(equations, wrong))
