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


@pytest.mark.parametrize("b, message", [
    (np.ones((1, 1)), r"^b must be 1-D, got a 2-D array of shape \(1, 1\)"),
    (["a"], r"^b must hold real numbers"),
    (np.ones(2), r"^b must have shape \(1,\), got b.shape=\(2,\)"),
])
def test_the_bias_check_names_b(b, message):
    with pytest.raises((ValueError, TypeError), match=message):
        linear.predict(X, W, b)


def test_a_shape_message_without_hint_ends_at_the_shape():
    with pytest.raises(ValueError) as info:
        linear.gradient(X, np.zeros((2, 1)), W)
    assert str(info.value).endswith("got T.shape=(2, 1)")


def test_predict_without_bias_is_the_product():
    np.testing.assert_array_equal(linear.predict(X, W), X @ W)


# Data whose loss is NaN before any update: X @ W is inf - inf (finite inputs).
HUGE_X = np.array([[1e300, 1e300]])
HUGE_W = np.array([[1e10], [-1e10]])


@pytest.mark.parametrize("b0", [None, np.array([0.5])])
def test_a_loss_not_finite_at_the_start_raises_at_step_0_with_an_empty_history(b0):
    with pytest.raises(linear.DivergenceError) as info:
        linear.gradient_descent(HUGE_X, [[0.0]], HUGE_W, 0.25, 3, b0=b0)
    error = info.value
    assert error.step == 0
    assert "at step 0 (eta=0.25); the data or the starting parameters" in str(error)
    history = error.history
    assert isinstance(history, linear.History)
    assert history.W.shape == (0, 2, 1)
    assert history.b is None if b0 is None else history.b.shape == (0, 1)
    assert history.loss.shape == (0,)
    assert history.diverged_at == 0


@pytest.mark.parametrize("train", [
    lambda b0: linear.gradient_descent(HUGE_X, [[0.0]], HUGE_W, 0.25, 3, b0=b0,
                                       on_divergence="stop"),
    lambda b0: linear.lms(HUGE_X, [[0.0]], HUGE_W, 0.25, 2, b0=b0, on_divergence="stop"),
])
@pytest.mark.parametrize("b0", [None, np.array([0.5])])
def test_a_loss_not_finite_at_the_start_can_be_flagged_instead(train, b0):
    history = train(b0)
    assert history.diverged_at == 0
    assert history.W.shape == (0, 2, 1)
    assert history.b is None if b0 is None else history.b.shape == (0, 1)
    assert history.loss.shape == (0,)


@pytest.mark.parametrize("b0", [None, np.array([0.5])])
def test_divergence_at_the_first_step_keeps_the_start_only(b0):
    """eta = 1e200 overflows the first update: the history holds step 0."""
    Xd, Td = np.array([[1.0, -1.0], [2.0, 1.0]]), np.array([[1.0], [0.0]])
    history = linear.gradient_descent(Xd, Td, np.zeros((2, 1)), 1e200, 10, b0=b0,
                                      on_divergence="stop")
    assert history.diverged_at == 1
    np.testing.assert_array_equal(history.W, np.zeros((1, 2, 1)))
    if b0 is None:
        assert history.b is None
    else:
        np.testing.assert_array_equal(history.b, [[0.5]])
    assert history.loss.shape == (1,)


def test_divergence_later_keeps_every_finite_step():
    Xd, Td = np.array([[1.0, -1.0], [2.0, 1.0]]), np.array([[1.0], [0.0]])
    history = linear.gradient_descent(Xd, Td, np.zeros((2, 1)), 1e100, 10,
                                      on_divergence="stop")
    assert history.diverged_at == 2
    assert history.W.shape == (2, 2, 1)
    np.testing.assert_array_equal(history.W[0], np.zeros((2, 1)))
    assert np.all(np.isfinite(history.loss)) and history.loss.shape == (2,)


def test_the_recorded_loss_includes_the_bias_at_every_step():
    b = np.array([0.75])
    for history in (linear.gradient_descent(X, T, W, 0.05, 3, b0=b),
                    linear.lms(X, T, W, 0.05, 1, b0=b)):
        assert history.b.shape == (len(history.loss), 1)
        for Wk, bk, Lk in zip(history.W, history.b, history.loss):
            assert Lk == pytest.approx(linear.loss(linear.predict(X, Wk, bk), T), rel=1e-12)


def test_lms_trains_the_bias_one_example_at_a_time():
    b = np.array([0.75])
    history = linear.lms(X, T, W, 0.1, 1, b0=b, rng=3)
    order = np.random.default_rng(3).permutation(len(X))
    Wk, bk = W, b
    for i in order:
        E = X[i : i + 1] @ Wk + bk - T[i : i + 1]
        Wk, bk = Wk - 0.1 * X[i : i + 1].T @ E, bk - 0.1 * E.sum(axis=0)
    np.testing.assert_allclose(history.W[-1], Wk, rtol=1e-12)
    np.testing.assert_allclose(history.b[-1], bk, rtol=1e-12)


def test_lms_default_seed_is_0():
    default = linear.lms(X, T, W, 0.1, 2)
    np.testing.assert_array_equal(default.W, linear.lms(X, T, W, 0.1, 2, rng=0).W)
