"""Tests that kill mutants of bplib.layers that the main tests let survive:
the defaults of every layer (no bias, no padding, 2 x 2 windows side by
side), the options each passes on to bplib.conv and bplib.norm (a stride,
eps, momentum), inference on images (the per-channel reshapes), the names
of the operations, and whole messages."""

import numpy as np
import pytest

from bplib import conv, layers, norm
from bplib.autodiff import Tensor

RNG = np.random.default_rng(8)
IMAGES = RNG.normal(size=(2, 3, 4, 6))  # C = 3, H = 4, W = 6: no accidental broadcast


def test_conv2d_defaults_no_bias_stride_one_no_padding():
    W = RNG.normal(size=(2, 3, 3, 3))  # C_out = 2 differs from C_in = 3
    Z = layers.conv2d(IMAGES, W)
    expected, _ = conv.conv2d_forward(IMAGES, W, np.zeros(2), stride=1, padding=0)
    assert Z.shape == (2, 2, 2, 4)
    np.testing.assert_array_equal(Z.value, expected)
    X, K = Tensor(IMAGES), Tensor(W)
    (layers.conv2d(X, K) * expected).sum().backward()
    dX, dW, _ = conv.conv2d_backward(expected, conv.conv2d_forward(IMAGES, W)[1])
    np.testing.assert_allclose(X.grad, dX, rtol=1e-13)
    np.testing.assert_allclose(K.grad, dW, rtol=1e-13)
    assert layers.conv2d(IMAGES, W).op == "conv2d"


def test_conv2d_passes_stride_and_padding_to_the_backward_pass():
    W, b = RNG.normal(size=(2, 3, 2, 3)), np.array([0.5, -1.0])
    X, K, c = Tensor(IMAGES), Tensor(W), Tensor(b)
    R = RNG.normal(size=(2, 2, 3, 2))
    Z = layers.conv2d(X, K, c, stride=(2, 3), padding=(1, 0))
    assert Z.shape == R.shape
    (Z * R).sum().backward()
    _, cache = conv.conv2d_forward(IMAGES, W, b, stride=(2, 3), padding=(1, 0))
    for got, ref in zip((X.grad, K.grad, c.grad), conv.conv2d_backward(R, cache)):
        np.testing.assert_allclose(got, ref, rtol=1e-13)


@pytest.mark.parametrize("op, forward, backward, name", [
    (layers.max_pool, conv.max_pool_forward, conv.max_pool_backward, "max_pool"),
    (layers.avg_pool, conv.avg_pool_forward, conv.avg_pool_backward, "avg_pool"),
])
def test_pooling_defaults_and_stride(op, forward, backward, name):
    Y = op(IMAGES)  # 2 x 2 windows side by side
    assert Y.shape == (2, 3, 2, 3) and Y.op == name
    np.testing.assert_array_equal(Y.value, forward(IMAGES, 2, stride=2)[0])
    X = Tensor(IMAGES)
    Y = op(X, (2, 3), stride=1)  # overlapping windows
    assert Y.shape == (2, 3, 3, 4)
    ref, cache = forward(IMAGES, (2, 3), stride=1)
    np.testing.assert_array_equal(Y.value, ref)
    R = RNG.normal(size=Y.shape)
    (Y * R).sum().backward()
    np.testing.assert_allclose(X.grad, backward(R, cache), rtol=1e-13)


def test_batch_norm_passes_eps_and_momentum_and_names_its_operation():
    X, gamma, beta = RNG.normal(size=(5, 3)), np.array([1.0, 2.0, 0.5]), np.zeros(3)
    Y, running = layers.batch_norm(X, gamma, beta, eps=0.5, momentum=0.5)
    ref, cache = norm.batch_norm_forward(X, gamma, beta, eps=0.5)
    np.testing.assert_array_equal(Y.value, ref)
    expected = norm.update_running(norm.RunningStats.start(3), cache, momentum=0.5)
    np.testing.assert_array_equal(running.mean, expected.mean)
    np.testing.assert_array_equal(running.var, expected.var)
    assert Y.op == "batch_norm"
    assert layers.layer_norm(X, np.ones(3), np.zeros(3)).op == "layer_norm"


def test_batch_norm_inference_on_images_is_per_channel():
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    running = norm.RunningStats(np.array([0.1, -0.2, 0.3]), np.array([1.5, 0.5, 2.0]))
    X, g, be = Tensor(IMAGES), Tensor(gamma), Tensor(beta)
    Y, _ = layers.batch_norm(X, g, be, training=False, running=running, eps=0.25)
    np.testing.assert_allclose(
        Y.value, norm.batch_norm_inference(IMAGES, gamma, beta, running, eps=0.25),
        rtol=1e-14)
    R = RNG.normal(size=IMAGES.shape)
    (Y * R).sum().backward()
    c = (slice(None), None, None)
    scale = 1.0 / np.sqrt(running.var + 0.25)
    np.testing.assert_allclose(X.grad, R * (gamma * scale)[c], rtol=1e-13)
    np.testing.assert_allclose(g.grad, (R * (IMAGES - running.mean[c]) * scale[c])
                               .sum(axis=(0, 2, 3)), rtol=1e-13)
    np.testing.assert_allclose(be.grad, R.sum(axis=(0, 2, 3)), rtol=1e-13)


def test_batch_norm_inference_checks_eps_and_says_what_it_needs():
    running = norm.RunningStats.start(3)
    with pytest.raises(ValueError, match=r"^eps must be a positive number"):
        layers.batch_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), training=False,
                          running=running, eps=0.0)
    with pytest.raises(ValueError, match=r"^batch_norm at inference \(training=False\) needs "
                                         r"running statistics; pass running=RunningStats "
                                         r"from training$"):
        layers.batch_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), training=False)


def test_layer_norm_passes_eps():
    X = RNG.normal(size=(4, 3))
    Y = layers.layer_norm(X, np.ones(3), np.zeros(3), eps=2.0)
    np.testing.assert_array_equal(Y.value, norm.layer_norm_forward(X, np.ones(3), np.zeros(3),
                                                                   eps=2.0)[0])


def test_dropout_names_its_operation_and_its_message_is_whole():
    assert layers.dropout(np.ones((3, 4)), 0.5, rng=0).op == "dropout"
    with pytest.raises(ValueError, match=r"^p must be a probability in \[0, 1\), got 1\.5$"):
        layers.dropout(np.ones(3), 1.5, rng=0)


def test_flatten_of_one_axis_and_of_a_scalar():
    F = layers.flatten(np.arange(4.0))  # a batch of four numbers: four rows of one
    assert F.shape == (4, 1) and F.op == "reshape"
    with pytest.raises(ValueError, match=r"^X must have a batch axis, got shape \(\)$"):
        layers.flatten(np.float64(1.0))

