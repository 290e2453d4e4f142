"""The shared machinery of the self-checking exercises (bplib.exercises.core)."""

import doctest

import numpy as np
import pytest

from bplib.exercises import _compare, core
from bplib.exercises.core import AnswerShapeError, Case, Exercise, Mistake, Verdict, run


def test_doctests():
    result = doctest.testmod(core, optionflags=doctest.NORMALIZE_WHITESPACE)
    compare = doctest.testmod(_compare)
    assert compare.attempted >= 1 and compare.failed == 0
    assert result.attempted >= 8
    assert result.failed == 0


def _cube_exercise(**kw):
    """d/dx of x^3, with two outputs so that per-output diagnosis shows."""
    cases = (Case("x of shape (3,)", (np.array([1.0, -2.0, 0.5]),)),
             Case("x of shape (2, 2)", (np.array([[1.0, 2.0], [3.0, -1.0]]),)),
             Case("x of shape (1,)", (np.array([2.0]),)))
    return Exercise(
        name="cube", parameters=("x",), outputs=("value", "dx"), cases=cases,
        reference=lambda x: (x ** 3, 3 * x ** 2), reference_name="x**3 and 3x**2",
        numerical=lambda x: (None, core.central_differences(lambda v: float(np.sum(v ** 3)), x)),
        mistakes=(Mistake("no-3", "the exponent's factor 3 left out", lambda x: (x ** 3, x ** 2)),
                  Mistake("wide", "a row per entry", None,
                          lambda name, shape, x: name == "dx" and shape == (x.size, x.size))),
        **kw)


def test_correct_answer():
    verdict = run(lambda x: (x ** 3, 3 * x * x), _cube_exercise())
    assert verdict == Verdict(True, None, verdict.message)
    assert verdict.message.startswith("cube: correct on all 3 cases")
    assert "central differences" in verdict.message


def test_known_mistake_named_for_its_output_only():
    verdict = run(lambda x: (x ** 3, x ** 2), _cube_exercise())
    assert not verdict.correct and verdict.mistake == "no-3" and verdict.mistakes == ("no-3",)
    assert "value: right." in verdict.message
    assert "Likely cause of dx" not in verdict.message  # dx is the only wrong output
    assert "Likely cause: the exponent's factor 3 left out." in verdict.message
    assert "wrong on 3 of 3 cases" in verdict.message


def test_generic_factor_sign_and_transpose():
    assert run(lambda x: (x ** 3, 6 * x ** 2), _cube_exercise()).mistake == "factor"
    assert "yours is 2 times" in run(lambda x: (x ** 3, 6 * x ** 2), _cube_exercise()).message
    assert run(lambda x: (x ** 3, -3 * x ** 2), _cube_exercise()).mistake == "sign"

    def transposed_on_square(x):
        return x ** 3, (3 * x ** 2).T
    verdict = run(transposed_on_square, _cube_exercise())
    assert verdict.mistake == "transpose" and "wrong on 1 of 3 cases" in verdict.message


def test_unknown_mistake_has_no_cause_but_says_where():
    verdict = run(lambda x: (x ** 3, 3 * x ** 2 + (x > 1.5)), _cube_exercise())
    assert not verdict.correct and verdict.mistake is None
    assert "the first is x of shape (2, 2)" in verdict.message
    assert "dx: 2 of 4 entries wrong; the worst is dx[0, 1] = 13, expected 12 (off by 1); " \
           "central difference 12." in verdict.message
    assert "Likely cause" not in verdict.message


def test_non_finite_answer():
    verdict = run(lambda x: (x ** 3, 3 * x ** 2 / (x - 0.5) * (x - 0.5)), _cube_exercise())
    assert verdict.mistake == "not-finite"


@pytest.mark.parametrize("stub, how", [
    (lambda x: None, "it returns None; it should return (value, dx)"),
    (lambda x: (x ** 3, None), "its dx is None"),
])
def test_stub_verdicts(stub, how):
    verdict = run(stub, _cube_exercise())
    assert verdict.mistake == "not-implemented" and not verdict.correct
    assert how in verdict.message


def test_not_implemented_error_is_a_verdict():
    def stub(x):
        raise NotImplementedError("write this")
    verdict = run(stub, _cube_exercise())
    assert verdict.message == ("cube: not implemented yet (it raises NotImplementedError). "
                               "Write your code in its body and run the cell again.")


def test_wrong_signature_and_type():
    with pytest.raises(TypeError, match=r"cube must take the arguments \(x\), got a function "
                                        r"with the signature f\(x, y\)"):
        def f(x, y):
            return x
        run(f, _cube_exercise())
    with pytest.raises(TypeError, match="needs your function cube"):
        run(42, _cube_exercise())
    with pytest.raises(TypeError, match=r"must return 2 arrays, \(value, dx\), got 3 values"):
        run(lambda x: (x, x, x), _cube_exercise())
    with pytest.raises(TypeError, match="must return 2 arrays, .*got ndarray"):
        run(lambda x: x, _cube_exercise())
    with pytest.raises(TypeError, match="cube's dx must be an array of real numbers"):
        run(lambda x: (x, "three x squared"), _cube_exercise())


def test_wrong_shape_names_output_shapes_and_known_cause():
    with pytest.raises(AnswerShapeError, match=r"cube returned dx of shape \(3, 3\), but dx must "
                                               r"have shape \(3,\).*Likely cause: a row per entry"
                       ) as info:
        run(lambda x: (x ** 3, np.diag(3 * x ** 2)), _cube_exercise())
    assert info.value.mistake == "wide"
    with pytest.raises(AnswerShapeError, match="A gradient has the shape of its variable") as info:
        run(lambda x: (x ** 3, np.append(3 * x ** 2, 0.0)), _cube_exercise())
    assert info.value.mistake is None
    assert isinstance(info.value, ValueError)


def test_wrong_shape_after_a_wrong_case_counts_as_wrong():
    def wrong_then_wide(x):
        return x ** 3, (x ** 2 if x.ndim == 1 and x.size == 3 else np.zeros((7,)))
    verdict = run(wrong_then_wide, _cube_exercise())
    assert verdict.mistake == "no-3" and "wrong on 3 of 3 cases" in verdict.message


def test_inputs_are_copies_and_warnings_silenced():
    def scribbles(x):
        x[...] = 0.0
        np.log(x)  # would warn: divide by zero
        return x ** 3, x
    verdict = run(scribbles, _cube_exercise())
    assert not verdict.correct
    exercise = _cube_exercise()
    assert exercise.cases[0].args[0][0] == 1.0  # the case itself is untouched


def test_reader_errors_propagate_on_the_first_case():
    def broken(x):
        return x ** 3, x @ np.ones((5, 5))
    with pytest.raises(ValueError, match="matmul"):
        run(broken, _cube_exercise())


def test_messages_are_deterministic_and_rounded():
    answer = lambda x: (x ** 3, 3.000001234 * x ** 2 + 1e-3)  # noqa: E731
    first, second = run(answer, _cube_exercise()), run(answer, _cube_exercise())
    assert first.message == second.message
    assert "(off by 0.001005)" in first.message and "3.000001234" not in first.message


def test_fmt():
    assert core.fmt(-0.0) == "0"
    assert core.fmt(123456.0) == "1.235e+05"


def test_verdict_displays_as_nothing_in_jupyter():
    """The checker prints the message; the returned object must not show it a
    second time as the cell's result (nbval would see an extra output)."""
    formatters = pytest.importorskip("IPython.core.formatters")
    verdict = Verdict(False, "no-3", "cube: wrong")
    assert formatters.DisplayFormatter().format(verdict) == ({}, {})
    assert str(verdict) == "cube: wrong"
