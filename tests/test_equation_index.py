"""The equation <-> code index: its check on small fixtures, then on the book."""

import textwrap

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
