"""bplib.layers: chapter 8's layers as operations of the reverse-mode engine."""

import numpy as np
import pytest

from bplib import autodiff, conv, gradcheck, layers, norm
from bplib.autodiff import Tensor


def _check(f, params, tol=1e-6):
    _, grads = autodiff.value_and_grad(f, params)
    report = gradcheck.check_gradients(lambda p: autodiff.value_and_grad(f, p)[0], grads,
                                       params, tol=tol)
    assert report.passed, report


def _upstream(shape, seed=9):
    return np.random.default_rng(seed).normal(size=shape)


def test_conv2d_operation_matches_central_differences_and_bplib_conv():
    rng = np.random.default_rng(0)
    params = {"X": rng.normal(size=(2, 2, 5, 5)), "W": rng.normal(size=(3, 2, 3, 3)),
              "b": rng.normal(size=3)}
    R = _upstream((2, 3, 3, 3))

    def f(p):
        return (layers.conv2d(p["X"], p["W"], p["b"], stride=2, padding=1) * R).sum()

    _check(f, params)
    _, grads = autodiff.value_and_grad(f, params)
    _, cache = conv.conv2d_forward(params["X"], params["W"], params["b"], stride=2, padding=1)
    for key, ref in zip("XWb", conv.conv2d_backward(R, cache)):
        np.testing.assert_allclose(grads[key], ref, rtol=1e-14)


@pytest.mark.parametrize("op", [layers.max_pool, layers.avg_pool])
def test_pooling_operations(op):
    X = np.random.default_rng(1).permutation(72).reshape(2, 1, 6, 6) / 10.0  # no ties
    R = _upstream((2, 1, 3, 3))
    _check(lambda p: (op(p["X"], 2) * R).sum(), {"X": X})


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 2, 2)])
def test_batch_and_layer_norm_operations(shape):
    rng = np.random.default_rng(2)
    X = rng.normal(size=shape)
    C = (shape[1],)
    R = _upstream(shape)
    _check(lambda p: (layers.batch_norm(p["X"], p["g"], p["be"])[0] * R).sum(),
           {"X": X, "g": rng.normal(size=C) + 1, "be": rng.normal(size=C)})
    _check(lambda p: (layers.layer_norm(p["X"], p["g"], p["be"]) * R).sum(),
           {"X": X, "g": rng.normal(size=shape[1:]) + 1, "be": rng.normal(size=shape[1:])})


def test_batch_norm_inference_mode_matches_bplib_norm_and_is_differentiable():
    rng = np.random.default_rng(3)
    X, g, be = rng.normal(size=(4, 3)), rng.normal(size=3) + 1, rng.normal(size=3)
    Y, running = layers.batch_norm(X, g, be)  # training: updates from the start values
    _, cache = norm.batch_norm_forward(X, g, be)
    expected = norm.update_running(norm.RunningStats.start(3), cache)
    np.testing.assert_allclose(running.mean, expected.mean)
    np.testing.assert_allclose(running.var, expected.var)
    Y_inf, same = layers.batch_norm(X, g, be, training=False, running=running)
    assert same is running
    np.testing.assert_allclose(Y_inf.value, norm.batch_norm_inference(X, g, be, running),
                               rtol=1e-14)
    R = _upstream((4, 3))
    _check(lambda p: (layers.batch_norm(p["X"], p["g"], p["be"], training=False,
                                        running=running)[0] * R).sum(),
           {"X": X, "g": g, "be": be})
    with pytest.raises(ValueError, match="needs running statistics"):
        layers.batch_norm(X, g, be, training=False)


def test_dropout_uses_one_mask_forward_and_backward():
    X = Tensor(np.ones((200, 50)))
    Y = layers.dropout(X, 0.3, rng=0)
    kept = Y.value != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(Y.value[kept], 1 / 0.7)  # inverted scaling
    Y.sum().backward()
    np.testing.assert_array_equal(X.grad, Y.value)  # d(sum x m)/dx = m
    assert layers.dropout(X, 0.3, rng=0, training=False) is X
    assert layers.dropout(X, 0.0, rng=0) is X
    np.testing.assert_array_equal(layers.dropout(X, 0.3, rng=4).value,
                                  layers.dropout(X, 0.3, rng=4).value)  # seeded


@pytest.mark.parametrize("p", [-0.1, 1.0, "half", True])
def test_dropout_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="p must be a probability"):
        layers.dropout(np.ones(3), p, rng=0)


def test_a_small_cnn_matches_central_differences():
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(3, 1, 6, 6)), np.eye(4)[[0, 2, 3]]
    params = {"K": rng.normal(size=(2, 1, 3, 3)) * 0.5, "c": rng.normal(size=2) * 0.1,
              "W": rng.normal(size=(18, 4)) * 0.3, "b": np.zeros(4)}

    def f(p):
        Z = layers.conv2d(X, p["K"], p["c"], padding=1)
        H = layers.flatten(layers.avg_pool(Z.tanh(), 2))
        return autodiff.softmax_cross_entropy(H @ p["W"] + p["b"], T)

    _check(f, params)


def test_flatten_round_trip():
    X = Tensor(np.arange(24.0).reshape(2, 3, 2, 2))
    F = layers.flatten(X)
    assert F.shape == (2, 12)
    (F * np.arange(24.0).reshape(2, 12)).sum().backward()
    np.testing.assert_array_equal(X.grad, X.value)
