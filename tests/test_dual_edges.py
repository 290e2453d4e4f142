"""Tests that kill mutants of bplib.dual that the main tests let survive: the
reflected operations ``c - x`` and ``c / x``, what a Dual may hold (empty and
non-finite arrays), tangents left out of ``jvp``, gradients of several
parameters at once, the repr's cut-off and precision, and whole messages."""

import numpy as np
import pytest

from bplib.dual import Dual, forward_gradient, jvp


def test_reflected_subtraction_and_division_follow_the_rules_of_calculus():
    x = Dual(2.0, 1.0)
    d = 3.0 - x
    assert (d.value, d.tangent) == (1.0, -1.0)
    q = 3.0 / x  # d(3/x) = -3/x^2
    assert q.value == pytest.approx(1.5) and q.tangent == pytest.approx(-0.75)


def test_a_dual_may_be_empty_or_hold_non_finite_numbers():
    empty = Dual(np.empty(0), np.empty(0))
    assert empty.shape == (0,) and empty.tangent.shape == (0,)
    d = Dual([np.inf, np.nan, 1.0], [1.0, np.inf, np.nan])
    np.testing.assert_array_equal(d.value, [np.inf, np.nan, 1.0])
    np.testing.assert_array_equal(d.tangent, [1.0, np.inf, np.nan])


def test_a_bad_tangent_is_named():
    with pytest.raises(TypeError, match="^tangent must hold real numbers"):
        Dual(1.0, "a")


def test_matmul_of_a_1d_operand_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"got shapes \(3,\) @ \(3, 2\)$"):
        Dual(np.ones(3)) @ np.ones((3, 2))


def test_an_array_exponent_is_refused_by_its_type():
    with pytest.raises(TypeError, match="^the exponent must be a plain number, got ndarray$"):
        Dual(2.0) ** np.ones(2)


def test_repr_shows_up_to_six_numbers_to_four_decimals():
    assert repr(Dual(1 / 3, 2 / 3)) == "Dual(value=0.3333, tangent=0.6667)"
    assert repr(Dual([1.0, 2.0])) == "Dual(value=[1., 2.], tangent=[0., 0.])"
    assert repr(Dual(np.zeros(6))).startswith("Dual(value=[0., 0., 0., 0., 0., 0.], ")
    assert repr(Dual(np.zeros(7))) == "Dual(<arrays of shape (7,)>)"


def test_jvp_takes_a_missing_tangent_as_zero():
    def f(d):
        return (d["a"] * d["b"]).sum()

    value, tangent = jvp(f, {"a": [1.0, 2.0], "b": [3.0, 4.0]}, {"a": [1.0, 0.0]})
    assert value == 11.0 and tangent == 3.0  # d/da_0 of a . b is b_0


def test_forward_gradient_of_several_parameters():
    W, b = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -1.0])

    def f(d):
        return ((d["W"] * d["b"]) ** 2.0).sum()

    grads, passes = forward_gradient(f, {"W": W, "b": b})
    assert passes == 6
    np.testing.assert_allclose(grads["W"], 2 * W * b**2)
    np.testing.assert_allclose(grads["b"], (2 * W**2 * b).sum(axis=0))


def test_whole_messages_name_what_was_received():
    with pytest.raises(TypeError, match="^params must be a non-empty dict of arrays, got list$"):
        forward_gradient(lambda p: p, [1.0])
    with pytest.raises(TypeError, match=r"^params\['x'\] must hold real numbers"):
        jvp(lambda p: p["x"], {"x": ["a"]}, {})
    with pytest.raises(TypeError, match="^f must return a Dual, got float$"):
        jvp(lambda p: 1.0, {"x": 1.0}, {"x": 1.0})
    with pytest.raises(ValueError, match=r"^f must return a Dual holding a single number"):
        forward_gradient(lambda p: p["x"] * 2.0, {"x": np.ones(2)})


def test_forward_gradient_hands_f_float64_tangents_for_every_parameter():
    """Dual's tangent is float64, also for the parameters not being varied."""
    seen = set()

    def f(d):
        seen.update(d[k].tangent.dtype for k in d)
        return (d["W"] * d["b"]).sum()

    grads, _ = forward_gradient(f, {"W": np.ones((2, 2)), "b": np.array([2.0, 3.0])})
    assert seen == {np.dtype(np.float64)}
    np.testing.assert_array_equal(grads["W"], [[2.0, 3.0], [2.0, 3.0]])
