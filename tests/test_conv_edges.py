"""Tests that kill mutants of bplib.conv that the main tests let survive:
the defaults of the public im2col and col2im, 1 x 1 kernels (the least
size), and whole messages naming the argument."""

import numpy as np
import pytest

from bplib import conv

X = np.arange(24.0).reshape(2, 1, 3, 4)


def test_im2col_and_col2im_default_to_stride_one_without_padding():
    cols = conv.im2col(X, 2, 2)
    assert cols.shape == (2 * 2 * 3, 4)
    np.testing.assert_array_equal(cols[:3], [[0, 1, 4, 5], [1, 2, 5, 6], [2, 3, 6, 7]])
    back = conv.col2im(np.ones_like(cols), X.shape, 2, 2)
    np.testing.assert_array_equal(back[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_a_one_by_one_kernel_takes_each_entry_once():
    cols = conv.im2col(X, 1, 1)
    np.testing.assert_array_equal(cols, X.reshape(-1, 1))
    np.testing.assert_array_equal(conv.col2im(cols, X.shape, 1, 1), X)


@pytest.mark.parametrize("call", [lambda: conv.im2col(X, 0, 2),
                                  lambda: conv.col2im(np.ones((6, 0)), X.shape, 0, 2)])
def test_the_kernel_size_is_named(call):
    with pytest.raises(ValueError, match=r"^kernel size must be >= 1, got \(0, 2\)$"):
        call()


def test_col2im_names_cols():
    with pytest.raises(ValueError, match=r"^cols must be 2-D, got a 1-D array of shape "
                                         r"\(5,\)$"):
        conv.col2im(np.ones(5), X.shape, 2, 2)
    with pytest.raises(TypeError, match=r"^cols must hold real numbers"):
        conv.col2im([["a"]], X.shape, 2, 2)


def test_conv1d_backward_names_dZ():
    _, cache = conv.conv1d_forward(np.ones((1, 1, 4)), np.ones((1, 1, 2)))
    with pytest.raises(ValueError, match=r"^dZ must be 3-D, got a 2-D array of shape "
                                         r"\(1, 3\)$"):
        conv.conv1d_backward(np.ones((1, 3)), cache)
    with pytest.raises(TypeError, match=r"^dZ must hold real numbers"):
        conv.conv1d_backward([[["a"] * 3]], cache)


def _pool_loop(X, size, stride, reduce):
    (kh, kw), (sh, sw) = size, stride
    Ho, Wo = (X.shape[2] - kh) // sh + 1, (X.shape[3] - kw) // sw + 1
    return np.array([[[[reduce(X[m, c, i * sh:i * sh + kh, j * sw:j * sw + kw])
                        for j in range(Wo)] for i in range(Ho)]
                      for c in range(X.shape[1])] for m in range(X.shape[0])])


@pytest.mark.parametrize("forward, backward, reduce", [
    (conv.max_pool_forward, conv.max_pool_backward, np.max),
    (conv.avg_pool_forward, conv.avg_pool_backward, np.mean),
])
def test_pooling_with_rectangular_windows_and_strides(forward, backward, reduce):
    """Windows 2 x 3 with strides (3, 1): height and width must not be swapped."""
    X = np.random.default_rng(7).permutation(2 * 3 * 8 * 7).reshape(2, 3, 8, 7) / 10.0
    Y, cache = forward(X, (2, 3), stride=(3, 1))
    assert Y.shape == (2, 3, 3, 5)
    np.testing.assert_allclose(Y, _pool_loop(X, (2, 3), (3, 1), reduce), rtol=1e-14)
    # the VJP against the forward pass: <dY, Y(X + t V)> is linear in t for pooling
    dY, V = np.random.default_rng(8).normal(size=(2,) + Y.shape[1:]), np.zeros_like(X)
    dX = backward(dY, cache)
    V[0, 1, 2, 3] = 1e-3  # inside one window only; no tie is changed
    slope = np.sum(dY * (forward(X + V, (2, 3), stride=(3, 1))[0] - Y)) / 1e-3
    assert slope == pytest.approx(dX[0, 1, 2, 3], rel=1e-9, abs=1e-12)
    with pytest.raises(ValueError, match=r"^dY must have the shape of the forward pass's "
                                         r"output, \(2, 3, 3, 5\), got \(2, 3, 5, 3\)$"):
        backward(np.zeros((2, 3, 5, 3)), cache)


@pytest.mark.parametrize("forward", [conv.max_pool_forward, conv.avg_pool_forward])
def test_pooling_defaults_to_two_by_two_side_by_side(forward):
    X = np.random.default_rng(9).normal(size=(1, 2, 6, 6))
    Y, cache = forward(X)
    assert Y.shape == (1, 2, 3, 3) and cache.size == (2, 2) and cache.stride == (2, 2)
    np.testing.assert_array_equal(Y, forward(X, 2, stride=2)[0])


def test_conv1d_passes_stride_and_padding_and_names_its_arguments():
    rng = np.random.default_rng(10)
    X, W = rng.normal(size=(2, 3, 9)), rng.normal(size=(4, 3, 3))
    Z, _ = conv.conv1d_forward(X, W, stride=2, padding=1)
    ref, _ = conv.conv2d_forward(X[:, :, None], W[:, :, None], stride=(1, 2), padding=(0, 1))
    assert Z.shape == (2, 4, 5)
    np.testing.assert_array_equal(Z, ref[:, :, 0])
    for args, kwargs, error, message in [
        ((X[0], W), {}, ValueError, r"^X must be 3-D, got a 2-D array of shape \(3, 9\)$"),
        ((X, W[0]), {}, ValueError, r"^W must be 3-D, got a 2-D array of shape \(3, 3\)$"),
        ((X, [[["a"] * 3] * 3] * 4), {}, TypeError, r"^W must hold real numbers"),
        ((X, W), {"padding": (1, 1)}, TypeError,
         r"^padding of a 1-D convolution must be an int, got \(1, 1\)$"),
    ]:
        with pytest.raises(error, match=message):
            conv.conv1d_forward(*args, **kwargs)


def test_conv2d_forward_messages_are_whole():
    X4, W4 = np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3))  # W's axes 1 and 2 differ
    for args, error, message in [
        ((X4[0], W4), ValueError, r"^X must be 4-D, got a 3-D array of shape \(3, 5, 5\)$"),
        ((X4, W4), ValueError, r"^X has 3 channels but W expects 2 \(X.shape=\(2, 3, 5, 5\), "
                               r"W.shape=\(4, 2, 3, 3\)\)$"),
        ((X4[:, :2], W4, np.zeros((4, 1))), ValueError,
         r"^b must be 1-D, got a 2-D array of shape \(4, 1\)$"),
        ((X4[:, :2], W4, ["a"] * 4), TypeError, r"^b must hold real numbers"),
    ]:
        with pytest.raises(error, match=message):
            conv.conv2d_forward(*args)


def test_an_empty_or_non_numeric_adjoint_is_named_with_the_shape_expected():
    _, cache = conv.conv2d_forward(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"^dZ must have the shape of the forward pass's "
                                         r"output, \(2, 4, 3, 3\), got \(0, 4, 3, 3\)$"):
        conv.conv2d_backward(np.zeros((0, 4, 3, 3)), cache)
    with pytest.raises(TypeError, match=r"^dZ must hold real numbers"):
        conv.conv2d_backward([[["a"]]], cache)


def test_output_size_defaults_to_stride_one_without_padding():
    assert conv.output_size(8, 3) == 6
    assert conv.output_size(8, 3, padding=1) == 8
    assert conv.output_size(8, 3, 2) == 3


@pytest.mark.parametrize("call", [lambda X: conv.max_pool_forward(X, 2),
                                  lambda X: conv.im2col(X, 2, 2)])
def test_pooling_and_im2col_name_X(call):
    with pytest.raises(ValueError, match=r"^X must be 4-D, got a 3-D array of shape "
                                         r"\(3, 4, 4\)$"):
        call(np.ones((3, 4, 4)))
    with pytest.raises(TypeError, match=r"^X must hold real numbers"):
        call([[[["a"] * 4] * 4]])


def test_a_kernel_too_large_is_measured_against_each_padded_axis():
    with pytest.raises(ValueError, match=r"^the kernel \(5x5\) is larger than the padded input "
                                         r"\(4x5; X.shape=\(1, 1, 2, 5\), padding=\(1, 0\)\); "
                                         r"use a smaller kernel or more padding$"):
        conv.conv2d_forward(np.ones((1, 1, 2, 5)), np.ones((1, 1, 5, 5)), padding=(1, 0))


def test_max_pool_backward_with_a_rectangular_window_and_few_windows():
    """Eight windows of 2 x 3 (48 entries, not a multiple of 9): the routed
    gradient is scattered window by window, six entries each."""
    X = np.random.default_rng(11).permutation(40).reshape(1, 2, 4, 5) / 10.0
    Y, cache = conv.max_pool_forward(X, (2, 3), stride=2)
    assert Y.shape == (1, 2, 2, 2)
    dX = conv.max_pool_backward(np.ones_like(Y), cache)
    assert dX.sum() == 8.0
    won = dX > 0  # each maximum once per window it wins (overlapping windows share one)
    np.testing.assert_array_equal(np.sort(np.repeat(X[won], dX[won].astype(int))),
                                  np.sort(Y.reshape(-1)))
