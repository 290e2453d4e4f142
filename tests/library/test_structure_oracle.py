"""Chapter 8's gradients against an independent oracle (autograd).

Each layer is written a second time from its definition in
``autograd.numpy``: the convolution as a sum over kernel offsets of shifted
slices (no im2col, no matrix product), pooling by reshaping into windows,
the normalisations with ``mean`` and ``var`` (autograd differentiates
through the statistics by itself, so the three-term formula is not used),
the residual network block by block. autograd's reverse mode computes the
gradients; ``bplib``'s hand-derived VJPs must agree to ``RTOL = 1e-10``.
"""

import os

import numpy as np
import pytest

if os.environ.get("BPLIB_REQUIRE_ORACLE") == "1":
    import autograd  # noqa: F401 - a missing oracle fails loudly here
else:
    pytest.importorskip("autograd")

import autograd.numpy as anp  # noqa: E402
from autograd import grad  # noqa: E402

from bplib import autodiff, conv, layers, norm, residual  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12


def a_conv2d(X, W, b, stride, padding):
    Xp = anp.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)), "constant")
    O, C, kh, kw = W.shape
    Ho = (Xp.shape[2] - kh) // stride + 1
    Wo = (Xp.shape[3] - kw) // stride + 1
    Z = 0.0
    for u in range(kh):
        for v in range(kw):
            rows = slice(u, u + stride * (Ho - 1) + 1, stride)
            cols = slice(v, v + stride * (Wo - 1) + 1, stride)
            patch = Xp[:, :, rows, cols]
            Z = Z + anp.einsum("nchw,oc->nohw", patch, W[:, :, u, v])
    return Z + b[None, :, None, None]


def a_pool(X, size, kind):
    n, C, H, W = X.shape
    windows = X.reshape(n, C, H // size, size, W // size, size)
    return anp.max(anp.max(windows, axis=5), axis=3) if kind == "max" else \
        anp.mean(windows, axis=(3, 5))


def a_norm(X, gamma, beta, axes, eps=1e-5):
    mean = anp.mean(X, axis=axes, keepdims=True)
    var = anp.mean((X - mean) ** 2, axis=axes, keepdims=True)
    return gamma * (X - mean) / anp.sqrt(var + eps) + beta


def _close(mine, oracle):
    np.testing.assert_allclose(mine, oracle, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 1), (3, 2)])
def test_conv2d(stride, padding):
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(2, 3, 7, 7)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    Z, cache = conv.conv2d_forward(X, W, b, stride=stride, padding=padding)
    _close(Z, a_conv2d(X, W, b, stride, padding))
    R = rng.normal(size=Z.shape)
    mine = conv.conv2d_backward(R, cache)
    for i, got in enumerate(mine):
        oracle = grad(lambda *a: anp.sum(R * a_conv2d(*a, stride, padding)), i)(X, W, b)
        _close(got, oracle)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling(kind):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 3, 6, 8))  # continuous draws: no ties
    forward = conv.max_pool_forward if kind == "max" else conv.avg_pool_forward
    backward = conv.max_pool_backward if kind == "max" else conv.avg_pool_backward
    Y, cache = forward(X, 2)
    _close(Y, a_pool(X, 2, kind))
    R = rng.normal(size=Y.shape)
    _close(backward(R, cache), grad(lambda x: anp.sum(R * a_pool(x, 2, kind)))(X))


@pytest.mark.parametrize("kind, shape", [("batch", (6, 4)), ("batch", (3, 2, 3, 3)),
                                         ("layer", (5, 4)), ("layer", (3, 2, 3, 3))])
def test_normalisation(kind, shape):
    rng = np.random.default_rng(2)
    X = rng.normal(loc=1.0, scale=3.0, size=shape)
    if kind == "batch":
        pshape, axes = (shape[1],), (0,) if len(shape) == 2 else (0, 2, 3)
        bshape = (1, -1) + (1,) * (len(shape) - 2)
        forward, backward = norm.batch_norm_forward, norm.batch_norm_backward
    else:
        pshape, axes, bshape = shape[1:], tuple(range(1, len(shape))), shape[1:]
        forward, backward = norm.layer_norm_forward, norm.layer_norm_backward
    gamma, beta = rng.normal(size=pshape) + 1, rng.normal(size=pshape)
    R = rng.normal(size=shape)

    def oracle(x, g, b):
        return anp.sum(R * a_norm(x, anp.reshape(g, bshape), anp.reshape(b, bshape), axes))

    Y, cache = forward(X, gamma, beta)
    _close(Y, a_norm(X, gamma.reshape(bshape), beta.reshape(bshape), axes))
    for i, got in enumerate(backward(R, cache)):
        _close(got, grad(oracle, i)(X, gamma, beta))


@pytest.mark.parametrize("res, norm_kind", [(False, None), (True, None), (False, "batch"),
                                            (True, "layer")])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_residual_network(res, norm_kind, activation):
    rng = np.random.default_rng(3)
    params = residual.init_params(6, 5, activation, rng=rng)
    X, T = rng.normal(size=(7, 5)), rng.normal(size=(7, 5))
    f = {"sigmoid": lambda z: 1 / (1 + anp.exp(-z)), "tanh": anp.tanh,
         "relu": lambda z: anp.maximum(z, 0.0)}[activation]

    def oracle(p):
        A = X
        for l in range(1, 7):
            U = A if norm_kind is None else a_norm(A, 1.0, 0.0,
                                                   (0,) if norm_kind == "batch" else (1,))
            H = f(anp.dot(U, p[f"W{l}"]) + p[f"b{l}"])
            A = A + H if res else H
        return anp.sum((A - T) ** 2) / (2 * len(X))

    loss, grads = residual.loss_and_gradients(X, T, params, activation, residual=res,
                                              norm=norm_kind)
    assert loss == pytest.approx(oracle(params), rel=1e-12)
    expected = grad(oracle)(params)
    for key in params:
        _close(grads[key], expected[key])


def test_composed_network_through_the_engine():
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(4, 2, 6, 6)), np.eye(3)[[0, 1, 2, 1]]
    params = {"K": rng.normal(size=(3, 2, 3, 3)) * 0.4, "c": rng.normal(size=3) * 0.1,
              "g": rng.normal(size=3) + 1, "be": rng.normal(size=3) * 0.1,
              "lg": rng.normal(size=27) + 1, "lb": rng.normal(size=27) * 0.1,
              "W": rng.normal(size=(27, 3)) * 0.3, "b": rng.normal(size=3) * 0.1}

    def mine(p):
        Z = layers.conv2d(X, p["K"], p["c"], padding=1)
        Z, _ = layers.batch_norm(Z, p["g"], p["be"])
        H = layers.flatten(layers.max_pool(Z.tanh(), 2))
        H = layers.layer_norm(H, p["lg"], p["lb"])
        return autodiff.softmax_cross_entropy(H @ p["W"] + p["b"], T)

    def oracle(p):
        Z = a_conv2d(X, p["K"], p["c"], 1, 1)
        Z = a_norm(Z, anp.reshape(p["g"], (1, -1, 1, 1)), anp.reshape(p["be"], (1, -1, 1, 1)),
                   (0, 2, 3))
        H = anp.reshape(a_pool(anp.tanh(Z), 2, "max"), (4, -1))
        H = a_norm(H, p["lg"], p["lb"], (1,))
        logits = anp.dot(H, p["W"]) + p["b"]
        shifted = logits - anp.max(logits, axis=1, keepdims=True)
        log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.sum(T * log_p) / len(X)

    value, grads = autodiff.value_and_grad(mine, params)
    assert value == pytest.approx(oracle(params), rel=1e-12)
    expected = grad(oracle)(params)
    for key in params:
        _close(grads[key], expected[key])
