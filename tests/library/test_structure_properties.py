"""Property tests (Hypothesis) for chapter 8: every VJP of ``bplib.conv``,
``bplib.norm``, ``bplib.layers`` and ``bplib.residual`` agrees with central
differences, over random shapes, channels, kernel sizes, strides and
paddings (batch size 1 included where the layer allows it).

The loss is ``sum(R * layer(inputs))`` with a random upstream gradient
``R``, so every entry of every VJP is exercised. The error measure, its
floor and its bound are those of ``test_properties.py``: the normwise
relative error ``||a - n|| / max(||a|| + ||n||, FLOOR)`` below
``NET_TOL = 1e-5`` with step ``H = 1e-5``. The layers here are linear
(convolution, average pooling) or smooth with moderate third derivatives
(the normalisations, whose inputs are drawn with a spread of at least 0.1
so that ``1/sigma`` stays moderate); max pooling is piecewise linear, and
its inputs are drawn as a random permutation of well separated values so
that no central difference straddles a tie.
"""

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bplib import autodiff, conv, layers, norm, residual
from bplib.gradcheck import numerical_gradient

EXAMPLES = int(os.environ.get("BPLIB_PROPERTY_EXAMPLES", "100")) // 2
PROPERTY = settings(max_examples=max(EXAMPLES, 5), deadline=None, derandomize=True,
                    database=None, suppress_health_check=[HealthCheck.too_slow])
H, FLOOR, NET_TOL = 1e-5, 1e-3, 1e-5
seeds = st.integers(0, 2**32 - 1)


def normwise_error(analytic, numerical):
    a, n = np.asarray(analytic, float), np.asarray(numerical, float)
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), FLOOR))


def assert_vjps(forward, backward_grads, inputs):
    """``backward_grads`` (one per input) against central differences of
    ``sum(R * forward(*inputs))``; ``forward`` returns the output array."""
    for i, x in enumerate(inputs):
        numerical = numerical_gradient(lambda _: float(forward(*inputs)), x, H)
        err = normwise_error(backward_grads[i], numerical)
        assert err < NET_TOL, f"input {i}: normwise relative error {err:.2e}"


@st.composite
def conv_geometry(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H_in = draw(st.integers(max(1, kh - 2 * ph), 6))
    W_in = draw(st.integers(max(1, kw - 2 * pw), 6))
    return dict(n=draw(st.integers(1, 3)), C=draw(st.integers(1, 3)), O=draw(st.integers(1, 3)),
                kh=kh, kw=kw, H=H_in, W=W_in, stride=(draw(st.integers(1, 3)),
                                                     draw(st.integers(1, 3))),
                padding=(ph, pw))


@PROPERTY
@given(g=conv_geometry(), seed=seeds)
def test_conv2d_vjps(g, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(g["n"], g["C"], g["H"], g["W"]))
    W, b = rng.normal(size=(g["O"], g["C"], g["kh"], g["kw"])), rng.normal(size=g["O"])
    Z, cache = conv.conv2d_forward(X, W, b, stride=g["stride"], padding=g["padding"])
    R = rng.normal(size=Z.shape)
    assert_vjps(lambda X, W, b: np.sum(R * conv.conv2d_forward(
        X, W, b, stride=g["stride"], padding=g["padding"])[0]),
        conv.conv2d_backward(R, cache), (X, W, b))


@PROPERTY
@given(n=st.integers(1, 3), C=st.integers(1, 3), O=st.integers(1, 3), length=st.integers(3, 9),
       k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2), seed=seeds)
def test_conv1d_vjps(n, C, O, length, k, stride, padding, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, C, length)), rng.normal(size=(O, C, k)), rng.normal(size=O)
    Z, cache = conv.conv1d_forward(X, W, b, stride=stride, padding=padding)
    R = rng.normal(size=Z.shape)
    assert_vjps(lambda X, W, b: np.sum(R * conv.conv1d_forward(
        X, W, b, stride=stride, padding=padding)[0]), conv.conv1d_backward(R, cache), (X, W, b))


@PROPERTY
@given(kind=st.sampled_from(["max", "avg"]), n=st.integers(1, 2), C=st.integers(1, 3),
       H_in=st.integers(2, 7), W_in=st.integers(2, 7), size=st.integers(1, 3),
       stride=st.integers(1, 3), seed=seeds)
def test_pooling_vjps(kind, n, C, H_in, W_in, size, stride, seed):
    rng = np.random.default_rng(seed)
    size = min(size, H_in, W_in)
    X = rng.permutation(n * C * H_in * W_in).reshape(n, C, H_in, W_in) * 0.01  # no ties
    forward = conv.max_pool_forward if kind == "max" else conv.avg_pool_forward
    backward = conv.max_pool_backward if kind == "max" else conv.avg_pool_backward
    Y, cache = forward(X, size, stride=stride)
    R = rng.normal(size=Y.shape)
    assert_vjps(lambda X: np.sum(R * forward(X, size, stride=stride)[0]),
                (backward(R, cache),), (X,))


@PROPERTY
@given(kind=st.sampled_from(["batch", "layer"]), four_d=st.booleans(), n=st.integers(1, 5),
       d=st.integers(2, 4), seed=seeds)
def test_normalisation_vjps(kind, four_d, n, d, seed):
    rng = np.random.default_rng(seed)
    if kind == "batch":
        n = max(n, 2)
    shape = (n, d, 2, 2) if four_d else (n, d)
    X = rng.normal(loc=rng.normal(), scale=rng.uniform(0.5, 3.0), size=shape)
    pshape = (d,) if kind == "batch" else shape[1:]
    gamma, beta = rng.normal(size=pshape), rng.normal(size=pshape)
    forward = norm.batch_norm_forward if kind == "batch" else norm.layer_norm_forward
    backward = norm.batch_norm_backward if kind == "batch" else norm.layer_norm_backward
    Y, cache = forward(X, gamma, beta)
    R = rng.normal(size=shape)
    assert_vjps(lambda X, g, b: np.sum(R * forward(X, g, b)[0]), backward(R, cache),
                (X, gamma, beta))


@PROPERTY
@given(depth=st.integers(1, 4), width=st.integers(2, 4), n=st.integers(2, 4),
       variant=st.sampled_from(sorted(residual.VARIANTS)),
       activation=st.sampled_from(["sigmoid", "tanh", "softplus"]), seed=seeds)
def test_residual_network_gradients(depth, width, n, variant, activation, seed):
    rng = np.random.default_rng(seed)
    params = residual.init_params(depth, width, activation, rng=rng)
    X, T = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    options = residual.VARIANTS[variant]
    _, grads = residual.loss_and_gradients(X, T, params, activation, **options)
    for key, P in params.items():
        numerical = numerical_gradient(
            lambda _: residual.loss_and_gradients(X, T, params, activation, **options)[0], P, H)
        assert normwise_error(grads[key], numerical) < NET_TOL, key


@PROPERTY
@given(n=st.integers(1, 3), C=st.integers(1, 2), O=st.integers(1, 3), p=st.floats(0.0, 0.8),
       pool=st.sampled_from([layers.max_pool, layers.avg_pool]), seed=seeds)
def test_engine_network_of_new_operations(n, C, O, p, pool, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, C, 4, 4))
    params = {"K": rng.normal(size=(O, C, 3, 3)) * 0.5, "c": rng.normal(size=O) * 0.1,
              "g": rng.normal(size=O * 4) + 1, "be": rng.normal(size=O * 4),
              "W": rng.normal(size=(O * 4, 2))}
    T = np.eye(2)[rng.integers(0, 2, size=n)]
    mask_seed = int(rng.integers(2**31))

    def f(q):  # the dropout mask is drawn from the same seed at every evaluation
        Z = layers.conv2d(X, q["K"], q["c"], padding=1).tanh()
        H = layers.layer_norm(layers.flatten(pool(Z, 2)), q["g"], q["be"])
        H = layers.dropout(H, p, rng=mask_seed)
        return autodiff.softmax_cross_entropy(H @ q["W"], T)

    _, grads = autodiff.value_and_grad(f, params)
    for key, P in params.items():
        numerical = numerical_gradient(lambda _: autodiff.value_and_grad(f, params)[0], P, H)
        assert normwise_error(grads[key], numerical) < NET_TOL, key
