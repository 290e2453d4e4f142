"""bplib.norm: batch and layer normalisation, forward and backward."""

import numpy as np
import pytest

from bplib import gradcheck, norm

SHAPES = [(6, 3), (4, 2, 3, 3)]


def _inputs(shape, kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=1.5, scale=2.0, size=shape)
    pshape = (shape[1],) if kind == "batch" else shape[1:]
    gamma, beta = rng.normal(size=pshape) + 1.0, rng.normal(size=pshape)
    R = rng.normal(size=shape)  # L = sum(R * Y): a generic upstream gradient
    return X, gamma, beta, R


FUNCS = {"batch": (norm.batch_norm_forward, norm.batch_norm_backward),
         "layer": (norm.layer_norm_forward, norm.layer_norm_backward)}


@pytest.mark.parametrize("kind", ["batch", "layer"])
@pytest.mark.parametrize("shape", SHAPES)
def test_backward_matches_central_differences(kind, shape):
    forward, backward = FUNCS[kind]
    X, gamma, beta, R = _inputs(shape, kind)
    Y, cache = forward(X, gamma, beta)
    dX, dgamma, dbeta = backward(R, cache)
    params = {"X": X, "gamma": gamma, "beta": beta}
    report = gradcheck.check_gradients(
        lambda p: float(np.sum(R * forward(p["X"], p["gamma"], p["beta"])[0])),
        {"X": dX, "gamma": dgamma, "beta": dbeta}, params)
    assert report.passed, report


def test_batch_norm_output_is_standardised_per_feature_and_channel():
    X, gamma, beta, _ = _inputs((50, 3), "batch")
    Y, _ = norm.batch_norm_forward(X, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=0), 1.0, rtol=1e-4)
    X4, *_ = _inputs((5, 2, 4, 4), "batch")
    Y4, _ = norm.batch_norm_forward(X4, np.ones(2), np.zeros(2))
    np.testing.assert_allclose(Y4.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)


def test_batch_norm_by_hand():
    # x = (1, 3): mean 2, variance 1, x_hat = (-1, 1) (eps = 0 up to 1e-12);
    # with gamma = 2, beta = 5: y = (3, 7). For L = y_1, dL/dx = gamma / sqrt(var)
    # * (d - mean(d) - x_hat mean(d x_hat)) with d = (1, 0): (1 - 1/2 - (-1)(-1/2)) = 0
    # for x_1 and (0 - 1/2 - (1)(-1/2)) = 0 for x_2: shifting either x moves the
    # mean and the spread so that y_1 stays at beta - gamma.
    Y, cache = norm.batch_norm_forward([[1.0], [3.0]], [2.0], [5.0], eps=1e-12)
    np.testing.assert_allclose(Y[:, 0], [3.0, 7.0])
    dX, dgamma, dbeta = norm.batch_norm_backward([[1.0], [0.0]], cache)
    np.testing.assert_allclose(dX, 0.0, atol=1e-9)
    np.testing.assert_allclose(dgamma, [-1.0])
    np.testing.assert_allclose(dbeta, [1.0])


def test_naive_gradient_treating_the_statistics_as_constants_fails_the_check():
    X, gamma, beta, R = _inputs((6, 3), "batch")
    Y, cache = norm.batch_norm_forward(X, gamma, beta)
    naive = R * gamma * cache.inv_std  # the direct term alone
    report = gradcheck.check_gradient(
        lambda x: float(np.sum(R * norm.batch_norm_forward(x, gamma, beta)[0])), naive, X)
    assert not report.passed and report.max_relative_error > 1e-2


def test_running_statistics_and_inference():
    rng = np.random.default_rng(1)
    running = norm.RunningStats.start(3)
    for _ in range(300):
        X = rng.normal(loc=[1.0, -2.0, 0.0], scale=[1.0, 3.0, 0.5], size=(20, 3))
        _, cache = norm.batch_norm_forward(X, np.ones(3), np.zeros(3))
        running = norm.update_running(running, cache, momentum=0.05)
    np.testing.assert_allclose(running.mean, [1.0, -2.0, 0.0], atol=0.25)
    np.testing.assert_allclose(running.var, [1.0, 9.0, 0.25], rtol=0.25)
    one = norm.batch_norm_inference(X[:1], np.ones(3), np.zeros(3), running)
    batch = norm.batch_norm_inference(X, np.ones(3), np.zeros(3), running)
    np.testing.assert_array_equal(one, batch[:1])  # each example on its own


def test_running_update_formula():
    X = np.array([[0.0], [2.0], [4.0]])  # mean 2, biased var 8/3, unbiased 4
    _, cache = norm.batch_norm_forward(X, [1.0], [0.0])
    running = norm.update_running(norm.RunningStats.start(1), cache, momentum=0.5)
    np.testing.assert_allclose(running.mean, [1.0])  # 0.5 * 0 + 0.5 * 2
    np.testing.assert_allclose(running.var, [2.5])  # 0.5 * 1 + 0.5 * 4


def test_layer_norm_is_per_example():
    X, gamma, beta, _ = _inputs((4, 5), "layer")
    Y, _ = norm.layer_norm_forward(X, gamma, beta)
    Y1, _ = norm.layer_norm_forward(X[1:2], gamma, beta)  # a batch of one is fine
    np.testing.assert_allclose(Y[1:2], Y1, rtol=1e-14)


def test_bad_inputs():
    X, gamma, beta, _ = _inputs((6, 3), "batch")
    with pytest.raises(ValueError, match="more than one value per feature"):
        norm.batch_norm_forward(X[:1], gamma, beta)
    with pytest.raises(ValueError, match="more than one value per channel"):
        norm.batch_norm_forward(np.ones((1, 2, 1, 1)), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\)"):
        norm.batch_norm_forward(X, np.ones(4), beta)
    with pytest.raises(ValueError, match="X must be 2-D or 4-D"):
        norm.layer_norm_forward(np.ones(3), gamma, beta)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        norm.batch_norm_forward(X, gamma, beta, eps=0.0)
    _, cache = norm.batch_norm_forward(X, gamma, beta)
    with pytest.raises(ValueError, match="dY must have the shape"):
        norm.batch_norm_backward(X[:2], cache)
    with pytest.raises(TypeError, match="cache must be the NormCache"):
        norm.batch_norm_backward(X, (1, 2))
    with pytest.raises(ValueError, match="momentum must lie in"):
        norm.update_running(norm.RunningStats.start(3), cache, momentum=1.5)
    with pytest.raises(ValueError, match="do not fit"):
        norm.update_running(norm.RunningStats.start(4), cache)
