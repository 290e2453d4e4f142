"""Tests for bplib.linear (chapter 1): the linear neuron and its training."""

import numpy as np
import pytest

from bplib import data, linear


def central_differences(f, W, h=1e-6):
    """Numerical gradient of a scalar function of W, one entry at a time."""
    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[idx] = h
        grad[idx] = (f(W + step) - f(W - step)) / (2 * h)
    return grad


@pytest.fixture
def problem():
    X, T = data.regression(30, bias=0.5, rng=3)
    return X, T


def test_tiny_case_by_hand():
    # X = [[1, 2], [3, 4]], W = [[1], [-1]], b = [0.5], T = [[0], [1]]
    # Y = [1 - 2 + 0.5, 3 - 4 + 0.5] = [-0.5, -0.5]; errors E = Y - T = [-0.5, -1.5]
    # loss = (0.25 + 2.25) / (2 * 2) = 0.625
    # dW = X^T E / 2 = [1*-0.5 + 3*-1.5, 2*-0.5 + 4*-1.5] / 2 = [-5, -7] / 2 = [-2.5, -3.5]
    # db = (-0.5 - 1.5) / 2 = -1
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W, b, T = np.array([[1.0], [-1.0]]), np.array([0.5]), np.array([[0.0], [1.0]])
    Y = linear.predict(X, W, b)
    np.testing.assert_allclose(Y, [[-0.5], [-0.5]])
    assert linear.loss(Y, T) == pytest.approx(0.625)
    dW, db = linear.gradient(X, T, W, b)
    np.testing.assert_allclose(dW, [[-2.5], [-3.5]])
    np.testing.assert_allclose(db, [-1.0])


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_central_differences(problem, seed):
    X, T = problem
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(2, 1)) * 3, rng.normal(size=1)
    dW, db = linear.gradient(X, T, W, b)
    num_dW = central_differences(lambda V: linear.loss(linear.predict(X, V, b), T), W)
    num_db = central_differences(lambda c: linear.loss(linear.predict(X, W, c), T), b)
    np.testing.assert_allclose(dW, num_dW, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, num_db, rtol=1e-6, atol=1e-8)


def test_gradient_without_bias_returns_none(problem):
    X, T = problem
    dW, db = linear.gradient(X, T, np.zeros((2, 1)))
    assert dW.shape == (2, 1) and db is None


def test_hessian_is_the_second_derivative(problem):
    X, T = problem
    H = linear.hessian(X)
    # the gradient is linear in W: its central difference is exact up to rounding
    dW = lambda W: linear.gradient(X, T, W)[0][:, 0]  # noqa: E731
    numeric = np.column_stack([
        (dW(np.eye(2)[:, [k]]) - dW(-np.eye(2)[:, [k]])) / 2 for k in range(2)
    ])
    np.testing.assert_allclose(H, numeric, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(H) >= 0)
    assert linear.hessian(X, bias=True).shape == (3, 3)
    np.testing.assert_allclose(linear.hessian(X, bias=True)[2, 2], 1.0)


def test_least_squares_zeroes_the_gradient():
    X, T = data.regression(40, rng=1)
    W = linear.least_squares(X, T)
    np.testing.assert_allclose(linear.gradient(X, T, W)[0], 0, atol=1e-12)


def test_gradient_descent_records_history_and_converges():
    X, T = data.regression(40, rng=1)
    eta = 0.5 * linear.max_stable_eta(X)
    h = linear.gradient_descent(X, T, np.zeros((2, 1)), eta, 300)
    assert h.W.shape == (301, 2, 1) and h.loss.shape == (301,) and h.b is None
    assert h.diverged_at is None
    assert np.all(np.diff(h.loss) <= 1e-15)  # monotone below the threshold
    np.testing.assert_allclose(h.W[-1], linear.least_squares(X, T), atol=1e-8)


def test_gradient_descent_with_bias_and_input_untouched():
    X, T = data.regression(40, bias=1.5, rng=2)
    W0, b0 = np.zeros((2, 1)), np.zeros(1)
    h = linear.gradient_descent(X, T, W0, 0.3, 500, b0)
    assert h.b.shape == (501, 1)
    assert h.b[-1, 0] == pytest.approx(1.5, abs=0.2)
    assert np.all(W0 == 0) and np.all(b0 == 0)


def test_threshold_separates_convergence_from_divergence():
    X, T = data.regression(50, rng=0)
    limit = linear.max_stable_eta(X)  # 2 / lambda_max, computed from the data
    W0 = np.array([[-0.5], [2.5]])
    below = linear.gradient_descent(X, T, W0, 0.98 * limit, 3000)
    W_star = linear.least_squares(X, T)
    np.testing.assert_allclose(below.W[-1], W_star, atol=1e-6)
    with pytest.raises(linear.DivergenceError, match=r"non-finite at step \d+") as info:
        linear.gradient_descent(X, T, W0, 1.02 * limit, 100_000)
    err = info.value
    assert err.step == len(err.history.loss)
    assert np.all(np.isfinite(err.history.loss))
    # just above the limit the loss grows, slowly but without end
    grows = linear.gradient_descent(X, T, W0, 1.02 * limit, 200)
    assert grows.loss[-1] > grows.loss[-2] > grows.loss[0]


def test_divergence_can_be_flagged_instead_of_raised(problem):
    X, T = problem
    h = linear.gradient_descent(X, T, np.ones((2, 1)), 50.0, 1000, on_divergence="stop")
    assert h.diverged_at is not None and len(h.loss) == h.diverged_at
    with pytest.raises(ValueError, match="on_divergence must be"):
        linear.gradient_descent(X, T, np.ones((2, 1)), 0.1, 5, on_divergence="warn")


def test_lms_averages_to_the_full_batch_step():
    X, T = data.regression(20, rng=4)
    W0 = np.array([[1.0], [1.0]])
    h = linear.lms(X, T, W0, 1e-4, epochs=1, rng=0)
    assert h.W.shape == (21, 2, 1)
    # n tiny per-example steps ~ one full-batch step with n times the rate
    gd = linear.gradient_descent(X, T, W0, 20 * 1e-4, 1)
    np.testing.assert_allclose(h.W[-1], gd.W[-1], rtol=1e-3)


def test_lms_is_seeded_and_converges_near_the_minimum():
    X, T = data.regression(50, rng=0)
    W0 = np.zeros((2, 1))
    a = linear.lms(X, T, W0, 0.02, epochs=40, rng=7)
    b = linear.lms(X, T, W0, 0.02, epochs=40, rng=7)
    np.testing.assert_array_equal(a.W, b.W)
    # a constant rate leaves LMS jittering near the minimum, closer for smaller eta
    near = lambda h: np.linalg.norm(h.W[-200:] - linear.least_squares(X, T), axis=1).mean()  # noqa: E731
    assert near(a) < 0.1
    assert near(linear.lms(X, T, W0, 0.002, epochs=400, rng=7)) < near(a) / 2


BAD_CALLS = [
    (lambda X, T, W: linear.predict(X, np.zeros((3, 1))), r"W must have shape \(2, 1\)"),
    (lambda X, T, W: linear.predict(X[:, 0], W), "X must be 2-D"),
    (lambda X, T, W: linear.loss(X @ W, T[:, 0]), r"reshape T with T.reshape\(\(30, 1\)\)"),
    (lambda X, T, W: linear.gradient(X, T[:, 0], W), r"reshape it with T.reshape\(30, 1\)"),
    (lambda X, T, W: linear.gradient(X, T[:-1], W),
     r"T must have shape \(30, 1\).*got T.shape=\(29, 1\)"),
    (lambda X, T, W: linear.gradient(X, T, W, np.zeros(2)), r"b must have shape \(1,\)"),
    (lambda X, T, W: linear.gradient(np.where(X > 1, np.nan, X), T, W), "X must be finite"),
    (lambda X, T, W: linear.gradient(X, np.full_like(T, np.inf), W), "T must be finite"),
    (lambda X, T, W: linear.gradient_descent(X, T, W, 0.0, 5), "eta must be a positive"),
    (lambda X, T, W: linear.gradient_descent(X, T, W, -0.1, 5), "eta must be a positive"),
    (lambda X, T, W: linear.gradient_descent(X, T, W, 0.1, 0), "steps must be an integer >= 1"),
    (lambda X, T, W: linear.gradient(X[:0], T[:0], W), "X must not be empty"),
    (lambda X, T, W: linear.lms(X, T, W, 0.1, 0), "epochs must be an integer >= 1"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS)
def test_bad_input_raises_a_clear_error(problem, call, message):
    X, T = problem
    with pytest.raises(ValueError, match=message):
        call(X, T, np.zeros((2, 1)))


def test_non_numeric_input_is_a_type_error(problem):
    X, T = problem
    with pytest.raises(TypeError, match="eta must be a positive number"):
        linear.gradient_descent(X, T, np.zeros((2, 1)), "fast", 5)


def test_lms_reshuffles_every_epoch():
    X, T = data.regression(8, rng=0)
    h = linear.lms(X, T, np.zeros((2, 1)), 1e-3, epochs=3, rng=0)
    # recover which example each update used from the direction of its step
    steps = np.diff(h.W[:, :, 0], axis=0)
    E = X @ h.W[:-1, :, 0][..., None] - T[None]  # (updates, n, 1) errors before each step
    used = [int(np.argmin([np.linalg.norm(s + 1e-3 * X[i] * E[k, i, 0]) for i in range(8)]))
            for k, s in enumerate(steps)]
    epochs = [used[i : i + 8] for i in (0, 8, 16)]
    assert all(sorted(e) == list(range(8)) for e in epochs)  # each example once per epoch
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]
