"""Tests that kill mutants of bplib.linear that the main tests let survive:
each check names its own argument and refuses the wrong number of axes,
DivergenceError's hint fits the step, and the bias takes part in every
formula."""

import numpy as np
import pytest

from bplib import linear

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
T = np.array([[1.0], [0.0], [2.0]])
W = np.array([[0.5], [-0.25]])


@pytest.mark.parametrize("call, message", [
    (lambda: linear.predict(np.ones(2), W), r"^X must be 2-D, got a 1-D array"),
    (lambda: linear.predict(X, np.ones(2)), r"^W must be 2-D, got a 1-D array"),
    (lambda: linear.predict(X, np.ones((2, 1, 1))), r"^W must be 2-D, got a 3-D array"),
    (lambda: linear.predict(X, [["a"], ["b"]]), r"^W must hold real numbers"),
    (lambda: linear.predict([["a", "b"]], W), r"^X must hold real numbers"),
    (lambda: linear.loss(np.ones(3), T), r"^Y must be 2-D, got a 1-D array"),
    (lambda: linear.loss([["a"]], [[1.0]]), r"^Y must hold real numbers"),
    (lambda: linear.loss(np.ones((3, 1)), np.ones((3, 1, 1))),
     r"^T must be 1-D or 2-D, got a 3-D array"),
    (lambda: linear.loss(np.ones((1, 1)), [["a"]]), r"^T must hold real numbers"),
    (lambda: linear.gradient(X, np.ones((3, 1, 1)), W), r"^T must be 1-D or 2-D, got a 3-D"),
    (lambda: linear.hessian(np.ones(3)), r"^X must be 2-D, got a 1-D array"),
    (lambda: linear.hessian([["a"]]), r"^X must hold real numbers"),
])
def test_every_check_names_its_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_targets_of_the_wrong_shape_get_a_reshape_hint_only_when_it_fits():
    with pytest.raises(ValueError, match=r"reshape it with T.reshape\(3, 1\)"):
        linear.gradient(X, np.zeros(3), W)
    with pytest.raises(ValueError) as info:
        linear.gradient(X, np.zeros((2, 1)), W)
    assert "reshape it" not in str(info.value)


def test_divergence_hint_depends_on_the_step():
    at_start = str(linear.DivergenceError(0, 0.1, None))
    later = str(linear.DivergenceError(3, 0.1, None))
    assert at_start.endswith("; the data or the starting parameters are too large for float64")
    assert later.endswith("; try a smaller learning rate")
    assert "at step 3 (eta=0.1)" in later


def test_bias_takes_part_in_predict_gradient_and_training_loss():
    b = np.array([0.75])
    np.testing.assert_allclose(linear.predict(X, W, b), X @ W + 0.75)
    dW, db = linear.gradient(X, T, W, b)
    E = X @ W + 0.75 - T
    np.testing.assert_allclose(dW, X.T @ E / 3)
    assert db.shape == (1,)
    np.testing.assert_allclose(db, E.sum(axis=0) / 3)
    history = linear.gradient_descent(X, T, W, 0.01, 1, b0=b)
    assert history.loss[0] == pytest.approx(np.sum(E**2) / (2 * 3))


def test_max_stable_eta_near_the_largest_float_is_inf_or_finite_without_warning():
    """lam_max near 2 / max: the threshold is about the largest float."""
    big = np.finfo(float).max
    for factor in (0.5, 0.999, 1.0, 1.001, 2.0, 4.0):
        x = np.sqrt(2.0 / big * factor)
        eta = linear.max_stable_eta(np.array([[x]]))
        with np.errstate(over="ignore"):
            expected = float(2.0 / np.float64(x * x))  # inf beyond the largest float
        assert type(eta) is float
        assert eta == pytest.approx(expected, rel=1e-12)


def test_max_stable_eta_of_a_negative_rounding_eigenvalue_is_inf():
    assert linear.max_stable_eta(np.zeros((2, 3)), bias=False) == float("inf")
    assert linear.max_stable_eta(np.zeros((2, 1)), bias=True) == pytest.approx(2.0)
