"""Numerical stability: every activation, loss and softmax at +-1000 and at
tiny values, with every warning turned into an error; and what float32 (and
integer) inputs do.

Warnings: the block ``strict()`` turns every Python warning into an error
and makes NumPy raise ``FloatingPointError`` on overflow, division by zero
and invalid operations (NaN from finite input). Underflow is left alone:
``exp(-1000)`` rounding to 0.0 is the correct float64 answer, not a fault.

float32, decided: ``bplib`` *supports* float32 (and integer, and bool)
input by converting it to float64 at every public entry point
(``bplib._validation.as_float_array``), so the results are float64 and
equal to those for the same numbers given as float64. Nothing is computed
in float32. The one exception is gradient checking, which perturbs its
argument in place: :mod:`bplib.gradcheck` rejects a float32 array with a
``TypeError`` that says to convert it (the bad-input catalogue has that
case).
"""

import contextlib
import warnings

import numpy as np
import pytest

from bplib import activations, autodiff, init, linear, losses, mlp, two_layer
from bplib.activations import ACTIVATIONS
from bplib.losses import LOSSES

try:
    from bplib import softmax
except ImportError:  # pragma: no cover - before chapter 7 exists
    softmax = None

needs_softmax = pytest.mark.skipif(softmax is None, reason="bplib.softmax not written yet")

BIG = [1000.0, -1000.0, 1e300, -1e300]
TINY = [1e-300, -1e-300, 5e-324, -5e-324, 0.0, -0.0]
EXTREMES = BIG + TINY


@contextlib.contextmanager
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


# --- activations ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("z", EXTREMES)
def test_activation_and_derivative_at_extremes(name, z):
    f, df = ACTIVATIONS[name]
    with strict():
        A, D = f(np.array([[z]])), df(np.array([[z]]))
    assert np.isfinite(A).all() and np.isfinite(D).all()
    assert A.dtype == D.dtype == np.float64


# The limits, and at tiny z the first-order values f(0) + f'(0) z.
LIMITS = {  # name: (f(+big), f(-big), f'(+big), f'(-big))
    "sigmoid": (1.0, 0.0, 0.0, 0.0),
    "tanh": (1.0, -1.0, 0.0, 0.0),
    "relu": (1000.0, 0.0, 1.0, 0.0),
    "identity": (1000.0, -1000.0, 1.0, 1.0),
    "softplus": (1000.0, 0.0, 1.0, 0.0),
}
AT_ZERO = {"sigmoid": (0.5, 0.25), "tanh": (0.0, 1.0), "identity": (0.0, 1.0),
           "softplus": (np.log(2.0), 0.5)}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_at_1000(name):
    f, df = ACTIVATIONS[name]
    with strict():
        got = (f(1000.0), f(-1000.0), df(1000.0), df(-1000.0))
    np.testing.assert_allclose(got, LIMITS[name], rtol=0, atol=1e-300)


@pytest.mark.parametrize("name", sorted(AT_ZERO))
@pytest.mark.parametrize("z", TINY)
def test_activation_values_at_tiny_z(name, z):
    f, df = ACTIVATIONS[name]
    value, slope = AT_ZERO[name]
    with strict():
        assert f(z) == pytest.approx(value + slope * z, rel=1e-15, abs=1e-300)
        assert df(z) == pytest.approx(slope, rel=1e-15)


def test_sigmoid_derivative_tail_is_not_lost():
    # sigma'(z) = e^-|z| / (1 + e^-|z|)^2 ~ e^-40 at |z| = 40: computing
    # sigma (1 - sigma) would give 0 for z = +40.
    with strict():
        d = activations.sigmoid_derivative(np.array([40.0, -40.0]))
    np.testing.assert_allclose(d, np.exp(-40.0), rtol=1e-12)


# --- losses -------------------------------------------------------------------

# (output, target) pairs at the extremes: logits of +-1000 and +-1e300,
# probabilities of exactly 0 and 1 and of 1e-300, outputs of +-1e150.
EXTREME_PAIRS = {
    "squared_error": [(1e150, 0.0), (-1e150, 1.0), (1e-300, 0.0), (5e-324, -5e-324)],
    "binary_cross_entropy": [(0.0, 1.0), (1.0, 0.0), (1e-300, 1.0), (1.0 - 1e-16, 0.0),
                             (0.0, 0.0), (5e-324, 0.5)],
    "binary_cross_entropy_with_logits": [(1000.0, 0.0), (-1000.0, 1.0), (1e300, 0.0),
                                         (-1e300, 1.0), (1e-300, 0.5), (5e-324, 1.0)],
}


@pytest.mark.parametrize("name, y, t", [(name, y, t) for name, pairs in EXTREME_PAIRS.items()
                                        for y, t in pairs])
def test_loss_and_gradient_at_extremes(name, y, t):
    loss, gradient = LOSSES[name]
    Y, T = np.array([[y], [0.5 if name != "squared_error" else 0.0]]), np.array([[t], [0.5]])
    with strict():
        value, grad = loss(Y, T), gradient(Y, T)
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert value >= 0.0 or name == "squared_error"


def test_logit_loss_at_1000_is_exact():
    # softplus(1000) - 0 * 1000 = 1000 and softplus(-1000) - 1 * (-1000) = 1000
    with strict():
        value = losses.binary_cross_entropy_with_logits(np.array([[1000.0], [-1000.0]]),
                                                        np.array([[0.0], [1.0]]))
        grad = losses.binary_cross_entropy_with_logits_gradient(
            np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))
    assert value == 1000.0
    np.testing.assert_array_equal(grad, [[0.5], [-0.5]])


# --- softmax (chapter 7) ------------------------------------------------------


@needs_softmax
@pytest.mark.parametrize("scale", [1000.0, -1000.0, 1e300, -1e300, 1e-300, 5e-324])
def test_softmax_and_cross_entropy_at_extremes(scale):
    Z = scale * np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 2.0, 0.5]])
    T = softmax.one_hot(np.array([2, 0, 1]), 3)
    with strict():
        P, logP = softmax.softmax(Z), softmax.log_softmax(Z)
        value, grad = softmax.cross_entropy(Z, T), softmax.cross_entropy_gradient(Z, T)
    assert np.isfinite(P).all() and np.isfinite(value) and np.isfinite(grad).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(logP <= 0.0)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


@needs_softmax
def test_softmax_at_1000_values():
    with strict():
        P = softmax.softmax(np.array([[1000.0, 0.0], [-1000.0, 0.0]]))
        ce = softmax.cross_entropy(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]]))
    np.testing.assert_array_equal(P, [[1.0, 0.0], [0.0, 1.0]])
    assert ce == 1000.0


# --- networks and the engine at extreme inputs --------------------------------


def test_networks_forward_and_backward_quietly_at_huge_inputs():
    X = np.array([[1000.0, -1000.0], [1e300, -1e300], [1e-300, 5e-324]])
    T = np.array([[1.0], [0.0], [1.0]])
    with strict():
        loss, grads = two_layer.loss_and_gradients(X, T, two_layer.init_params(2, 3, rng=0))
        params = init.init_params([2, 3, 1], rng=0)
        for names, lossname in [(["tanh", "sigmoid"], "binary_cross_entropy_with_logits"),
                                (["sigmoid", "sigmoid"], "binary_cross_entropy"),
                                (["softplus", "sigmoid"], "squared_error")]:
            value, g = mlp.loss_and_gradients(X, T, params, names, lossname)
            assert np.isfinite(value) and all(np.isfinite(a).all() for a in g.values())
    assert np.isfinite(loss) and all(np.isfinite(a).all() for a in grads)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_engine_activations_at_1000(name):
    x = autodiff.Tensor(np.array([[1000.0, -1000.0, 1e-300]]))
    with strict():
        y = x.activation(name).sum()
        y.backward()
    assert np.isfinite(y.value) and np.isfinite(x.grad).all()


# --- float32, integers, bools: converted to float64 ------------------------------

rng = np.random.default_rng(0)
Z32 = rng.normal(scale=3, size=(4, 3)).astype(np.float32)
T32 = rng.uniform(size=(4, 3)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_activations_compute_in_float64(name):
    f, df = ACTIVATIONS[name]
    for fn in (f, df):
        got = fn(Z32)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, fn(Z32.astype(np.float64)))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_float32_losses_compute_in_float64(name):
    loss, gradient = LOSSES[name]
    Y = 1 / (1 + np.exp(-Z32)) if name == "binary_cross_entropy" else Z32
    assert loss(Y, T32) == loss(Y.astype(np.float64), T32.astype(np.float64))
    assert gradient(Y, T32).dtype == np.float64


def test_float32_network_matches_float64():
    params = init.init_params([3, 4, 3], rng=0)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    p64 = {k: v.astype(np.float64) for k, v in p32.items()}
    a = mlp.loss_and_gradients(Z32, T32, p32, ["tanh", "sigmoid"])
    b = mlp.loss_and_gradients(Z32.astype(np.float64), T32.astype(np.float64), p64,
                               ["tanh", "sigmoid"])
    assert a[0] == b[0]
    for key in params:
        assert a[1][key].dtype == np.float64
        np.testing.assert_array_equal(a[1][key], b[1][key])


@needs_softmax
def test_float32_softmax_computes_in_float64():
    assert softmax.softmax(Z32).dtype == np.float64
    np.testing.assert_array_equal(softmax.softmax(Z32), softmax.softmax(Z32.astype(float)))


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, np.uint64])
def test_integer_inputs_do_not_wrap_around(dtype):
    # 200 - 10 squared is 36100: in uint8 arithmetic it would wrap to 4, and
    # int8 cannot even hold 200 (so it gets 100 and -10: 110^2 = 12100).
    big, small = (100, -10) if dtype == np.int8 else (200, 10)
    Y, T = np.array([[big]], dtype=dtype), np.array([[small]], dtype=dtype)
    assert losses.squared_error(Y, T) == (big - small) ** 2 / 2
    W = np.array([[big]], dtype=dtype)
    assert linear.predict(Y, W)[0, 0] == float(big) * float(big)


def test_uint64_beyond_int64_is_exact_as_float64():
    x = np.array([[2**63 + 2**11]], dtype=np.uint64)
    assert activations.identity(x)[0, 0] == float(2**63 + 2**11)
