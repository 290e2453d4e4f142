"""Tests that kill mutants of bplib.norm that the main tests let survive:
inference on images (the per-channel reshapes), layer normalisation's own
axes and cached statistics, momentum's range, and whole messages naming
the argument."""

import numpy as np
import pytest

from bplib import norm

RNG = np.random.default_rng(4)
IMAGES = RNG.normal(size=(2, 3, 4, 5))  # C = 3 differs from W = 5: no accidental broadcast


def test_inference_on_images_uses_per_channel_statistics():
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    running = norm.RunningStats(np.array([0.1, -0.2, 0.3]), np.array([1.5, 0.5, 2.0]))
    Y = norm.batch_norm_inference(IMAGES, gamma, beta, running)
    c = (slice(None), None, None)
    expected = ((IMAGES - running.mean[c]) / np.sqrt(running.var[c] + 1e-5) * gamma[c]
                + beta[c])
    np.testing.assert_allclose(Y, expected, rtol=1e-12)


@pytest.mark.parametrize("X, message", [
    (np.float64(1.0), r"^X must be 2-D or 4-D, got a 0-D array of shape \(\)$"),
    (np.ones(1), r"^X must be 2-D or 4-D, got a 1-D array of shape \(1,\)$"),
    ([["a"]], r"^X must hold real numbers"),
])
def test_inference_checks_x_by_name(X, message):
    with pytest.raises((ValueError, TypeError), match=message):
        norm.batch_norm_inference(X, np.ones(1), np.zeros(1), norm.RunningStats.start(1))


@pytest.mark.parametrize("args, message", [
    (([["a", "b"]] * 2, np.ones(2), np.zeros(2)), r"^X must hold real numbers"),
    ((np.ones((2, 2)), ["a", "b"], np.zeros(2)), r"^gamma must hold real numbers"),
    ((np.ones((2, 2)), np.ones(2), ["a", "b"]), r"^beta must hold real numbers"),
])
def test_forward_checks_name_their_argument(args, message):
    with pytest.raises(TypeError, match=message):
        norm.batch_norm_forward(*args)


def test_backward_checks_name_their_argument():
    _, cache = norm.batch_norm_forward(np.eye(2), np.ones(2), np.zeros(2))
    with pytest.raises(TypeError, match=r"^cache must be the NormCache a forward pass "
                                        r"returned, got tuple$"):
        norm.batch_norm_backward(np.ones((2, 2)), tuple(cache))
    with pytest.raises(TypeError, match=r"^dY must hold real numbers"):
        norm.layer_norm_backward([["a", "b"]] * 2, cache)


def test_layer_norm_standardises_each_example_and_caches_its_statistics():
    X = np.array([[1.0, 2.0, 6.0], [-1.0, 0.0, 4.0]])
    Y, cache = norm.layer_norm_forward(X, np.ones(3), np.zeros(3))
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    np.testing.assert_allclose(Y, (X - mean) / np.sqrt(var + 1e-5), rtol=1e-12)
    np.testing.assert_array_equal(cache.mean, mean)
    np.testing.assert_array_equal(cache.var, var)
    one, _ = norm.layer_norm_forward(X[:1], np.ones(3), np.zeros(3))  # one example is enough
    np.testing.assert_allclose(one, Y[:1], rtol=1e-12)


def test_update_running_momentum_one_takes_the_batch_and_messages_are_whole():
    X = np.array([[1.0, 0.0], [3.0, 4.0], [2.0, 2.0]])
    _, cache = norm.batch_norm_forward(X, np.ones(2), np.zeros(2))
    running = norm.update_running(norm.RunningStats.start(2), cache, momentum=1.0)
    np.testing.assert_allclose(running.mean, X.mean(axis=0))
    np.testing.assert_allclose(running.var, X.var(axis=0, ddof=1))
    with pytest.raises(ValueError, match=r"^momentum must be a positive number"):
        norm.update_running(norm.RunningStats.start(2), cache, momentum=0.0)
    with pytest.raises(TypeError, match=r"^running must be a RunningStats and cache a "
                                        r"NormCache$"):
        norm.update_running((np.zeros(2), np.ones(2)), cache)


def test_inference_takes_a_single_one_pixel_image():
    """Any batch size at inference: one image of 1 x 1 pixels is no variance to take."""
    running = norm.RunningStats(np.array([0.5, -1.0]), np.array([4.0, 0.25]))
    X = np.array([2.0, 3.0]).reshape(1, 2, 1, 1)
    Y = norm.batch_norm_inference(X, np.ones(2), np.zeros(2), running)
    expected = (np.array([2.0, 3.0]) - running.mean) / np.sqrt(running.var + 1e-5)
    np.testing.assert_allclose(Y.reshape(2), expected, rtol=1e-12)
