"""bplib.conv: convolution and pooling against plain loops and by hand."""

import _structure_loops as loops
import numpy as np
import pytest

from bplib import conv, gradcheck

GEOMETRIES = [  # (n, C_in, H, W, C_out, kh, kw, stride, padding)
    (2, 3, 7, 6, 4, 3, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 3, 2, 1),
    (1, 1, 5, 5, 2, 5, 5, 1, 0),  # the kernel covers the whole input
    (3, 2, 8, 8, 5, 3, 3, 3, 2),
    (2, 2, 6, 6, 3, 1, 1, 1, 0),  # 1 x 1 convolution: a dense layer per position
    (2, 2, 6, 5, 3, 2, 3, 1, 1),  # a rectangular kernel
]


@pytest.mark.parametrize("n, C, H, Wd, O, kh, kw, s, p", GEOMETRIES)
def test_conv2d_matches_the_loop_forward_and_backward(n, C, H, Wd, O, kh, kw, s, p):
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(n, C, H, Wd)), rng.normal(size=(O, C, kh, kw)), rng.normal(size=O)
    Z, cache = conv.conv2d_forward(X, W, b, stride=s, padding=p)
    np.testing.assert_allclose(Z, loops.conv2d(X, W, b, s, p), rtol=1e-12, atol=1e-12)
    dZ = rng.normal(size=Z.shape)
    for mine, ref in zip(conv.conv2d_backward(dZ, cache), loops.conv2d_backward(dZ, X, W, s, p)):
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12)


def test_conv2d_backward_matches_central_differences():
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    R = rng.normal(size=conv.conv2d_forward(X, W, b, stride=(2, 1), padding=(1, 0))[0].shape)

    def f(p):
        Z, _ = conv.conv2d_forward(p["X"], p["W"], p["b"], stride=(2, 1), padding=(1, 0))
        return float(np.sum(R * Z))

    _, cache = conv.conv2d_forward(X, W, b, stride=(2, 1), padding=(1, 0))
    dX, dW, db = conv.conv2d_backward(R, cache)
    report = gradcheck.check_gradients(f, {"X": dX, "W": dW, "b": db}, {"X": X, "W": W, "b": b})
    assert report.passed, report


def test_conv1d_by_hand():
    # x = (1, 2, 3, 4), w = (1, -1), b = 0.5: z_i = x_i - x_{i+1} + 0.5 = (-0.5, -0.5, -0.5).
    # With dL/dz = (1, 2, 3): dw_0 = sum_i delta_i x_i = 1 + 4 + 9 = 14,
    # dw_1 = sum_i delta_i x_{i+1} = 2 + 6 + 12 = 20, db = 6, and
    # dx = full convolution of delta with the flipped kernel (-1, 1):
    # (1*1, 2*1 - 1*1, 3*1 - 2*1, -3*1) = (1, 1, 1, -3).
    Z, cache = conv.conv1d_forward([[[1.0, 2.0, 3.0, 4.0]]], [[[1.0, -1.0]]], [0.5])
    np.testing.assert_allclose(Z, [[[-0.5, -0.5, -0.5]]])
    dX, dW, db = conv.conv1d_backward([[[1.0, 2.0, 3.0]]], cache)
    np.testing.assert_allclose(dW, [[[14.0, 20.0]]])
    np.testing.assert_allclose(db, [6.0])
    np.testing.assert_allclose(dX, [[[1.0, 1.0, 1.0, -3.0]]])


def test_input_gradient_is_the_full_convolution_with_the_flipped_kernel():
    rng = np.random.default_rng(2)
    X, W = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 2))
    Z, cache = conv.conv2d_forward(X, W)
    dZ = rng.normal(size=Z.shape)
    dX, _, _ = conv.conv2d_backward(dZ, cache)
    flipped = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C_in, C_out, kh, kw)
    full, _ = conv.conv2d_forward(dZ, flipped, padding=(2, 1))
    np.testing.assert_allclose(dX, full, rtol=1e-12, atol=1e-12)


def test_weight_gradient_is_the_input_correlated_with_delta():
    rng = np.random.default_rng(3)
    X, W = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3))
    Z, cache = conv.conv2d_forward(X, W)
    dZ = rng.normal(size=Z.shape)
    _, dW, _ = conv.conv2d_backward(dZ, cache)
    # batch <-> channel swapped: correlate each input channel with each delta map
    corr, _ = conv.conv2d_forward(X.transpose(1, 0, 2, 3), dZ.transpose(1, 0, 2, 3))
    np.testing.assert_allclose(dW, corr.transpose(1, 0, 2, 3), rtol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_col2im_is_the_adjoint_of_im2col(stride, padding):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 3, 7, 6))
    cols = conv.im2col(X, 3, 2, stride=stride, padding=padding)
    C = rng.normal(size=cols.shape)
    back = conv.col2im(C, X.shape, 3, 2, stride=stride, padding=padding)
    assert np.sum(cols * C) == pytest.approx(np.sum(X * back), rel=1e-12)


def test_im2col_rows_are_windows():
    X = np.arange(16.0).reshape(1, 1, 4, 4)
    cols = conv.im2col(X, 2, 2, stride=2)
    np.testing.assert_array_equal(cols, [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13],
                                         [10, 11, 14, 15]])


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("size, stride", [(2, 2), (3, 1), (2, 1), (3, 2)])
def test_pooling_matches_the_loop(kind, size, stride):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 3, 7, 6))
    forward = conv.max_pool_forward if kind == "max" else conv.avg_pool_forward
    backward = conv.max_pool_backward if kind == "max" else conv.avg_pool_backward
    Y, cache = forward(X, size, stride=stride)
    np.testing.assert_allclose(Y, loops.pool(X, size, stride, kind), rtol=1e-14)
    dY = rng.normal(size=Y.shape)
    np.testing.assert_allclose(backward(dY, cache), loops.pool_backward(dY, X, size, stride, kind),
                               rtol=1e-12, atol=1e-14)


def test_max_pool_tie_goes_to_the_first_entry():
    X = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])  # two winners: (0, 1) and (1, 0)
    Y, cache = conv.max_pool_forward(X, 2)
    dX = conv.max_pool_backward(np.ones_like(Y), cache)
    np.testing.assert_array_equal(dX, [[[[0.0, 1.0], [0.0, 0.0]]]])
    # a central difference sees half a slope at each tie: max is not differentiable there
    h, bumped = 1e-6, X.copy()
    bumped[0, 0, 0, 1] += h
    lower = X.copy()
    lower[0, 0, 0, 1] -= h
    slope = (conv.max_pool_forward(bumped, 2)[0] - conv.max_pool_forward(lower, 2)[0]) / (2 * h)
    assert slope.item() == pytest.approx(0.5)


def test_output_size():
    assert conv.output_size(8, 3, 1, 1) == 8
    assert conv.output_size(8, 3, 2, 0) == 3
    assert conv.output_size(7, 7) == 1
