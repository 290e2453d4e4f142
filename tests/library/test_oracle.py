"""An independent oracle: ``bplib``'s gradients against autograd's.

autograd (a test-only dependency, ``requirements-test.txt``) differentiates
plain NumPy code. Each function is written here a second time in its
textbook form with ``autograd.numpy`` (``1 / (1 + exp(-z))``, not bplib's
stable variant), and autograd's reverse mode computes its gradient. That
gradient shares no code with ``bplib``: neither its forward pass nor any
derivative formula. Both are exact up to round-off, so they must agree to
about 1e-10 relative (``RTOL``), far tighter than any central difference.

Inputs stay moderate (``|z| <= 6``) so that the textbook forms are accurate;
stability at the extremes is ``test_stability.py``'s business.

Without autograd installed these tests skip, so ``pytest tests`` still runs;
with ``BPLIB_REQUIRE_ORACLE=1`` (set by the test command, which installs
``requirements-test.txt``) a missing autograd is an error, not a skip.
"""

import os

import numpy as np
import pytest

if os.environ.get("BPLIB_REQUIRE_ORACLE") == "1":
    import autograd  # noqa: F401 - a missing oracle fails loudly here
else:
    pytest.importorskip("autograd")

import autograd.numpy as anp  # noqa: E402
from autograd import elementwise_grad, grad  # noqa: E402

from bplib import autodiff, dual, init, jacobian, linear, losses, mlp, two_layer  # noqa: E402
from bplib.activations import ACTIVATIONS  # noqa: E402

RTOL, ATOL = 1e-10, 1e-13

# The textbook forms, in autograd.numpy.
A_ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
    "softplus": lambda z: anp.log(1.0 + anp.exp(z)),
}
A_LOSSES = {
    "squared_error": lambda Y, T: anp.sum((Y - T) ** 2) / (2 * Y.shape[0]),
    "binary_cross_entropy": lambda Y, T: -anp.sum(T * anp.log(Y) + (1 - T) * anp.log(1 - Y))
    / Y.shape[0],
    "binary_cross_entropy_with_logits": lambda Z, T: anp.sum(
        anp.log(1.0 + anp.exp(Z)) - T * Z) / Z.shape[0],
}

SEEDS = range(8)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL,
                               atol=ATOL * max(1.0, float(np.max(np.abs(expected)))))


def _shape(rng, lo=1, hi=5):
    return int(rng.integers(lo, hi + 1)), int(rng.integers(lo, hi + 1))


def test_every_activation_and_loss_has_a_textbook_twin():
    assert set(A_ACTIVATIONS) == set(ACTIVATIONS)
    assert set(A_LOSSES) == set(losses.LOSSES)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives(name, seed):
    rng = np.random.default_rng(seed)
    Z = rng.uniform(-6, 6, size=_shape(rng))
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)  # ReLU: autograd's choice at 0 may differ
    f, df = ACTIVATIONS[name]
    close(f(Z), A_ACTIVATIONS[name](Z))
    close(df(Z), elementwise_grad(A_ACTIVATIONS[name])(Z))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_loss_gradients(name, seed):
    rng = np.random.default_rng(seed)
    shape = _shape(rng)
    if name == "binary_cross_entropy":
        Y = rng.uniform(0.02, 0.98, size=shape)
    else:
        Y = rng.uniform(-6, 6, size=shape)
    T = rng.uniform(0, 1, size=shape) if seed % 2 else rng.integers(0, 2, size=shape) * 1.0
    loss, gradient = losses.LOSSES[name]
    close(loss(Y, T), A_LOSSES[name](Y, T))
    close(gradient(Y, T), grad(A_LOSSES[name])(Y, T))


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_gradient(seed):
    rng = np.random.default_rng(seed)
    n, d = _shape(rng)
    X, T = rng.normal(size=(n, d)), rng.normal(size=(n, 1))
    W, b = rng.normal(size=(d, 1)), rng.normal(size=1)
    dW, db = linear.gradient(X, T, W, b)

    def loss(W, b):
        return anp.sum((anp.dot(X, W) + b - T) ** 2) / (2 * n)

    close(dW, grad(loss, 0)(W, b))
    close(db, grad(loss, 1)(W, b))


@pytest.mark.parametrize("seed", SEEDS)
def test_two_layer_gradients(seed):
    rng = np.random.default_rng(seed)
    n, h = _shape(rng)
    d_in, d_out = _shape(rng, 1, 3)
    P = two_layer.Params(rng.normal(size=(d_in, h)), rng.normal(size=h),
                         rng.normal(size=(h, d_out)), rng.normal(size=d_out))
    X, T = rng.normal(size=(n, d_in)), rng.uniform(size=(n, d_out))
    value, grads = two_layer.loss_and_gradients(X, T, P)
    s = A_ACTIVATIONS["sigmoid"]

    def loss(params):
        W1, b1, W2, b2 = params
        Y = s(anp.dot(s(anp.dot(X, W1) + b1), W2) + b2)
        return anp.sum((Y - T) ** 2) / (2 * n)

    close(value, loss(list(P)))
    for mine, theirs in zip(grads, grad(loss)(list(P))):
        close(mine, theirs)


def _random_network(seed, output=None):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(1, 6, size=depth + 1)]
    names = [str(a) for a in rng.choice(sorted(ACTIVATIONS), size=depth)]
    if output is not None:
        names[-1] = output
    params = init.init_params(sizes, rng=rng)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.5, size=params[key].shape)
    n = int(rng.integers(1, 6))
    X = rng.normal(size=(n, sizes[0]))
    T = rng.uniform(size=(n, sizes[-1]))
    return names, params, X, T


def _a_forward(X, params, names, logits=False):
    A = X
    for l, name in enumerate(names, start=1):
        Z = anp.dot(A, params[f"W{l}"]) + params[f"b{l}"]
        A = Z if (logits and l == len(names)) else A_ACTIVATIONS[name](Z)
    return A


@pytest.mark.parametrize("seed", range(24))
def test_mlp_gradients(seed):
    # every third network ends in a sigmoid with each of the three losses
    loss = ["squared_error", "binary_cross_entropy", "binary_cross_entropy_with_logits"][seed % 3]
    names, params, X, T = _random_network(seed, None if loss == "squared_error" else "sigmoid")
    value, grads = mlp.loss_and_gradients(X, T, params, names, loss)
    logits = loss == "binary_cross_entropy_with_logits"

    def a_loss(p):
        return A_LOSSES[loss](_a_forward(X, p, names, logits), T)

    close(value, a_loss(params))
    theirs = grad(a_loss)(params)
    for key in params:
        close(grads[key], theirs[key])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("order", jacobian.ORDERS)
def test_input_gradient(seed, order):
    names, params, X, T = _random_network(seed)
    mine = jacobian.input_gradient(X, T, params, names, order=order)
    theirs = grad(lambda x: A_LOSSES["squared_error"](_a_forward(x, params, names), T))(X)
    close(mine, theirs)


# The same functions through bplib's two engines and through autograd: each
# entry is (engine version on Tensors/Duals, autograd version on arrays).
sig, relu, softplus = (A_ACTIVATIONS[k] for k in ("sigmoid", "relu", "softplus"))
COMPOSITES = {
    "affine_sigmoid": (
        lambda x, w, G: ((x @ w + 0.5).sigmoid() * G).sum(),
        lambda x, w, G: anp.sum(sig(anp.dot(x, w) + 0.5) * G)),
    "quotient_power": (
        lambda x, w, G: ((x * x + 1.0) ** 1.5 / (w.sum() ** 2 + 1.0)).sum(),
        lambda x, w, G: anp.sum((x * x + 1.0) ** 1.5 / (anp.sum(w) ** 2 + 1.0))),
    "exp_log": (
        lambda x, w, G: ((x * x + 0.5).log() * (0.1 * x).exp()).mean(),
        lambda x, w, G: anp.mean(anp.log(x * x + 0.5) * anp.exp(0.1 * x))),
    "reuse_and_broadcast": (
        lambda x, w, G: ((x - x.mean(axis=0)) * (x + 1.0)).sum(axis=1).tanh().sum(),
        lambda x, w, G: anp.sum(anp.tanh(
            anp.sum((x - anp.mean(x, axis=0)) * (x + 1.0), axis=1)))),
    "two_layer_softplus_relu": (
        lambda x, w, G: (((x @ w).activation("softplus") @ G).relu() * x).sum(),
        lambda x, w, G: anp.sum(relu(anp.dot(softplus(anp.dot(x, w)), G)) * x)),
    "skip_connection": (
        lambda x, w, G: (((x @ w).tanh() + x @ w) @ G + x).sum() - 2.0 / (1.0 + (x * x).sum()),
        lambda x, w, G: anp.sum(anp.dot(anp.tanh(anp.dot(x, w)) + anp.dot(x, w), G) + x)
        - 2.0 / (1.0 + anp.sum(x * x))),
}


@pytest.mark.filterwarnings("ignore:Output seems independent of input")  # w unused: 0
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_both_engines_agree_with_autograd(name, seed):
    rng = np.random.default_rng(seed)
    n, k = _shape(rng)
    x, w = rng.uniform(-1.5, 1.5, size=(n, k)), rng.normal(size=(k, int(rng.integers(1, 4))))
    engine, a_f = COMPOSITES[name]
    if name in ("two_layer_softplus_relu", "skip_connection"):
        G = rng.normal(size=(w.shape[1], k))  # a constant second layer
    else:
        G = rng.normal(size=(n, w.shape[1]))  # a random adjoint of x @ w
    theirs = {"x": grad(a_f, 0)(x, w, G), "w": grad(a_f, 1)(x, w, G)}
    value, mine = autodiff.value_and_grad(lambda t: engine(t["x"], t["w"], G),
                                          {"x": x, "w": w})
    close(value, a_f(x, w, G))
    forward, _ = dual.forward_gradient(lambda d: engine(d["x"], d["w"], G), {"x": x, "w": w})
    for key in ("x", "w"):
        close(mine[key], theirs[key])
        close(forward[key], theirs[key])


@pytest.mark.parametrize("seed", range(8))
def test_engine_losses(seed):
    rng = np.random.default_rng(seed)
    Z = rng.uniform(-6, 6, size=_shape(rng))
    T = rng.uniform(size=Z.shape)
    for engine, name in ((autodiff.squared_error, "squared_error"),
                         (autodiff.binary_cross_entropy_with_logits,
                          "binary_cross_entropy_with_logits")):
        value, mine = autodiff.value_and_grad(lambda t: engine(t["Z"], T), {"Z": Z})
        close(value, A_LOSSES[name](Z, T))
        close(mine["Z"], grad(A_LOSSES[name])(Z, T))


# --- chapter 7 --------------------------------------------------------------------


def _a_cross_entropy(Z, T):
    m = anp.max(Z, axis=1, keepdims=True)
    log_p = Z - m - anp.log(anp.sum(anp.exp(Z - m), axis=1, keepdims=True))
    return -anp.sum(T * log_p) / Z.shape[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_cross_entropy(seed):
    softmax = pytest.importorskip("bplib.softmax")
    rng = np.random.default_rng(seed)
    Z = rng.uniform(-6, 6, size=_shape(rng))
    T = rng.dirichlet(np.ones(Z.shape[1]), size=len(Z))
    close(softmax.cross_entropy(Z, T), _a_cross_entropy(Z, T))
    close(softmax.cross_entropy_gradient(Z, T), grad(_a_cross_entropy)(Z, T))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.3])
def test_training_loss_with_weight_decay(seed, weight_decay):
    train = pytest.importorskip("bplib.train")
    names, params, X, _ = _random_network(seed, "identity")
    K = params[f"W{len(names)}"].shape[1]
    T = np.eye(K)[np.random.default_rng(seed).integers(0, K, size=len(X))]
    value, grads = train._loss_and_grads(X, T, params, tuple(names), weight_decay)

    def a_loss(p):
        penalty = 0.5 * weight_decay * sum(anp.sum(p[k] ** 2) for k in p if k.startswith("W"))
        return _a_cross_entropy(_a_forward(X, p, names), T) + penalty

    close(value, a_loss(params))
    theirs = grad(a_loss)(params)
    for key in params:
        close(grads[key], theirs[key])
