"""Property tests (Hypothesis): every differentiable function in ``bplib``
agrees with central differences, for random shapes, values, depths, widths
and activations, batch size 1 and width 1 included.

What is covered, one property each:

* every activation's derivative (``bplib.activations``), on arrays of any
  shape from 0-D to 3-D;
* every loss's gradient (``bplib.losses``);
* the linear neuron's gradient (chapter 1);
* the two-layer network's four gradients (chapter 3);
* ``bplib.mlp`` of random depth (1-4 layers), widths (1-5) and activation
  per layer, with every loss that applies to its output layer (chapter 4);
* the input gradient of ``bplib.jacobian`` in both orders (chapter 4);
* every operation of the reverse-mode engine ``bplib.autodiff`` (with
  broadcasting, reversed operands and both losses) and of the forward-mode
  ``bplib.dual`` (chapter 5);
* the softmax cross-entropy and chapter 7's minibatch loss with L2 weight
  decay (when those modules exist).

The error measure and its bound
-------------------------------
For elementwise functions and losses the data are drawn so that no gradient
entry is near zero, and the book's entrywise relative error
:func:`bplib.gradcheck.relative_error` must stay below ``TOL = 1e-6``. A
central difference with step ``h`` errs by at most ``h**2 * M3 / 6``
(truncation; ``M3`` bounds the third derivative) plus about
``eps * |f| / h`` (round-off, ``eps = 2.2e-16``). With ``h = 1e-5``,
``|f| <= 20`` and ``M3 <= 2`` (tanh; sigmoid 1/8) for the elementwise draws
that is below ``1e-9``, against derivatives of at least ``1.3e-3``
(tanh' at |z| = 4): a relative error below ``4e-7``. The loss draws keep
every gradient entry at least ``0.02`` in size, with ``|L| <= 20``: below
``1e-7``. A wrong formula is off by ``1e-2`` or more.

Network gradients at random points do have entries near zero (saturated
units, cancellations), where the entrywise relative error means nothing.
For them we measure each parameter array as a whole:
``||a - n|| / max(||a|| + ||n||, FLOOR)`` with ``FLOOR = 1e-3``. Each of at
most 30 entries errs by below ``1e-9`` as above (losses here are below 20),
so the numerator is below ``6e-9``, and ``6e-9 / 1e-3 = 6e-6``; we use
``NET_TOL = 1e-5``. The floor hides nothing that matters: a gradient of norm
below ``1e-3`` that is wrong by more than ``1e-8`` in absolute terms still
fails, and a gradient off by 0.1 % fails (tested below). Over 2000 random
examples per property the largest errors seen were 1.5e-8 entrywise
(bound 1e-6) and 5.6e-8 normwise (bound 1e-5).

Settings: derandomised (the same examples on every run, no example database
written to disk), no deadline (the machine is shared), ``EXAMPLES`` examples
per property.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib import autodiff, dual, init, jacobian, linear, mlp, two_layer
from bplib.activations import ACTIVATIONS, get_activation, sigmoid
from bplib.gradcheck import check_gradient, numerical_gradient, relative_error
from bplib.losses import LOSSES, get_loss

EXAMPLES = int(os.environ.get("BPLIB_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # the strategies below draw several arrays per example; a slow draw on a
    # loaded machine is no bug
    suppress_health_check=[HealthCheck.too_slow],
)

H = 1e-5  # central-difference step (see the module notes)
TOL = 1e-6  # entrywise relative error, elementwise functions and losses
FLOOR = 1e-3  # the denominator's floor in the normwise error
NET_TOL = 1e-5  # normwise relative error, network gradients

sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def normwise_error(analytic, numerical):
    """||a - n|| / max(||a|| + ||n||, FLOOR) (see the module notes)."""
    a, n = np.asarray(analytic, float), np.asarray(numerical, float)
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), FLOOR))


def assert_gradients_match(f, grads, params, h=H, tol=NET_TOL):
    """Each array of ``grads`` against central differences of ``f()``."""
    for key, P in params.items():
        numerical = numerical_gradient(lambda _: f(), P, h)
        err = normwise_error(grads[key], numerical)
        assert err < tol, f"{key}: normwise relative error {err:.2e} >= {tol:g}"


# --- activations --------------------------------------------------------------

z_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
    elements=st.floats(-4.0, 4.0),
)


@PROPERTY
@given(name=st.sampled_from(sorted(ACTIVATIONS)), Z=z_arrays)
@example(name="sigmoid", Z=np.array([[0.0]]))
@example(name="tanh", Z=np.array([4.0, -4.0]))
def test_activation_derivative_matches_central_differences(name, Z):
    f, df = get_activation(name)
    if name == "relu":  # step off the kink: no derivative within h of 0
        Z = np.where(np.abs(Z) < 1e-3, Z + 2e-3, Z)
    numerical = (f(Z + H) - f(Z - H)) / (2 * H)  # elementwise, eq-central-difference
    analytic = df(Z)
    assert analytic.shape == Z.shape
    assert relative_error(analytic, numerical).max(initial=0.0) < TOL


# --- losses -------------------------------------------------------------------


@st.composite
def loss_problems(draw):
    """A loss name, its first argument (outputs or logits) and targets, drawn
    so that every gradient entry is at least 0.02 in size."""
    name = draw(st.sampled_from(sorted(LOSSES)))
    shape = (draw(sizes), draw(sizes))
    rng = np.random.default_rng(draw(seeds))
    sign = rng.choice([-1.0, 1.0], size=shape)
    gap = rng.uniform(0.1, 0.5, size=shape)
    if name == "squared_error":
        Y = rng.uniform(-3, 3, size=shape)
        return name, Y, Y - sign * gap  # |Y - T| >= 0.1
    if name == "binary_cross_entropy":
        Y = rng.uniform(0.05, 0.95, size=shape)
        P = Y
    else:  # from the logits: the gradient is sigmoid(Z) - T
        Y = rng.uniform(-6, 6, size=shape)
        P = sigmoid(Y)
    T = np.where((P + sign * gap >= 0) & (P + sign * gap <= 1), P + sign * gap, P - sign * gap)
    return name, Y, np.clip(T, 0.0, 1.0)


@PROPERTY
@given(problem=loss_problems())
def test_loss_gradient_matches_central_differences(problem):
    name, Y, T = problem
    loss, gradient = get_loss(name)
    result = check_gradient(lambda y: loss(y, T), gradient(Y, T), Y, h=1e-6, tol=TOL)
    assert result.passed, result


# --- chapter 1: the linear neuron --------------------------------------------


@PROPERTY
@given(n=st.integers(1, 6), d=st.integers(1, 4), bias=st.booleans(), seed=seeds)
@example(n=1, d=1, bias=True, seed=0)
def test_linear_gradient_matches_central_differences(n, d, bias, seed):
    rng = np.random.default_rng(seed)
    X, T = rng.normal(size=(n, d)), rng.normal(size=(n, 1))
    params = {"W": rng.normal(size=(d, 1))}
    if bias:
        params["b"] = rng.normal(size=1)
    dW, db = linear.gradient(X, T, params["W"], params.get("b"))
    grads = {"W": dW, "b": db}

    def f():
        return linear.loss(linear.predict(X, params["W"], params.get("b")), T)

    assert_gradients_match(f, grads, params)


# --- chapter 3: two layers by hand -------------------------------------------


@PROPERTY
@given(n=sizes, d_in=st.integers(1, 4), h=sizes, d_out=st.integers(1, 3),
       scale=st.floats(0.3, 2.0), seed=seeds)
@example(n=1, d_in=1, h=1, d_out=1, scale=1.0, seed=0)
def test_two_layer_gradients_match_central_differences(n, d_in, h, d_out, scale, seed):
    rng = np.random.default_rng(seed)
    W1, _, W2, _ = two_layer.init_params(d_in, h, d_out, scale=scale, rng=rng)
    params = {"W1": W1, "b1": rng.normal(size=h), "W2": W2, "b2": rng.normal(size=d_out)}
    X, T = rng.normal(size=(n, d_in)), rng.uniform(size=(n, d_out))

    def f():
        return two_layer.loss_and_gradients(X, T, two_layer.Params(**params))[0]

    _, grads = two_layer.loss_and_gradients(X, T, two_layer.Params(**params))
    grads = dict(zip(params, grads))
    assert_gradients_match(f, grads, params)


# --- chapter 4: any depth, any activations ------------------------------------


@st.composite
def networks(draw, output_losses=True):
    """Layer sizes, activations, loss, parameters, data: a random network."""
    depth = draw(st.integers(1, 4))
    layer_sizes = [draw(sizes) for _ in range(depth + 1)]
    names = [draw(st.sampled_from(sorted(ACTIVATIONS))) for _ in range(depth)]
    losses = ["squared_error"]
    if output_losses and names[-1] == "sigmoid":
        losses += ["binary_cross_entropy", "binary_cross_entropy_with_logits"]
    loss = draw(st.sampled_from(losses))
    rng = np.random.default_rng(draw(seeds))
    params = init.init_params(layer_sizes, rng=rng)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.5, size=params[key].shape)
    n = draw(sizes)
    X = rng.normal(size=(n, layer_sizes[0]))
    if loss == "squared_error":
        T = rng.normal(size=(n, layer_sizes[-1]))
    else:
        T = rng.uniform(size=(n, layer_sizes[-1]))
    return names, loss, params, X, T


def _away_from_kinks(X, params, names):
    """True unless a ReLU's input lies within 1e-4 of its kink."""
    _, cache = mlp.forward(X, params, names)
    return all(np.abs(cache.Z[l]).min() > 1e-4
               for l, name in enumerate(names, start=1) if name == "relu")


@PROPERTY
@given(net=networks())
@example(net=(["sigmoid"], "binary_cross_entropy_with_logits",
              {"W1": np.array([[0.5]]), "b1": np.array([0.1])},
              np.array([[1.0]]), np.array([[1.0]])))
def test_mlp_gradients_match_central_differences(net):
    names, loss, params, X, T = net
    assume(_away_from_kinks(X, params, names))
    _, grads = mlp.loss_and_gradients(X, T, params, names, loss)
    assert grads.keys() == params.keys()

    def f():
        return mlp.loss_and_gradients(X, T, params, names, loss)[0]

    assert_gradients_match(f, grads, params)


@PROPERTY
@given(net=networks(output_losses=False), order=st.sampled_from(jacobian.ORDERS))
def test_input_gradient_matches_central_differences(net, order):
    names, loss, params, X, T = net
    assume(_away_from_kinks(X, params, names))
    analytic = jacobian.input_gradient(X, T, params, names, loss, order=order)
    numerical = numerical_gradient(lambda x: mlp.loss_and_gradients(x, T, params, names)[0],
                                   X.copy(), H)
    # the loss is a mean: row i of dL/dX is example i's gradient over n
    assert normwise_error(analytic, numerical) < NET_TOL


# --- chapter 5: every operation of both engines -------------------------------

# Each operation as a function of operands that may be Tensors or Duals; the
# second entry names the operand shapes: "same", "broadcast" (b of a shape
# that broadcasts against a), "matmul", "unary", and "positive" operands
# where the operation needs them (log, fractional and negative powers, /).
OPERATIONS = {
    "add": (lambda a, b: a + b, "broadcast"),
    "sub": (lambda a, b: a - b, "broadcast"),
    "mul": (lambda a, b: a * b, "broadcast"),
    "div": (lambda a, b: a / b, "broadcast-positive"),
    "matmul": (lambda a, b: a @ b, "matmul"),
    "radd": (lambda a, b: 1.5 + a, "unary"),
    "rsub": (lambda a, b: 1.5 - a, "unary"),
    "rmul": (lambda a, b: -2.0 * a, "unary"),
    "rtruediv": (lambda a, b: 3.0 / a, "unary-positive"),
    "neg": (lambda a, b: -a, "unary"),
    "pow2": (lambda a, b: a ** 2, "unary"),
    "pow3": (lambda a, b: a ** 3, "unary"),
    "pow_half": (lambda a, b: a ** 0.5, "unary-positive"),
    "pow_minus_2": (lambda a, b: a ** -2, "unary-positive"),
    "exp": (lambda a, b: a.exp(), "unary"),
    "log": (lambda a, b: a.log(), "unary-positive"),
    "sum": (lambda a, b: a.sum(), "unary"),
    "sum_axis0": (lambda a, b: a.sum(axis=0), "unary"),
    "sum_axis1_keepdims": (lambda a, b: a.sum(axis=1, keepdims=True), "unary"),
    "mean": (lambda a, b: a.mean(), "unary"),
    "mean_axis0": (lambda a, b: a.mean(axis=0), "unary"),
    "mean_axis1_keepdims": (lambda a, b: a.mean(axis=1, keepdims=True), "unary"),
    "reuse": (lambda a, b: a * a + a, "unary"),  # fan-out: one node used thrice
    **{f"activation_{name}": ((lambda name: lambda a, b: a.activation(name))(name), "unary")
       for name in ACTIVATIONS},
}
ENGINE_ONLY = {  # the reverse-mode engine's losses and reversed matmul
    "squared_error": (lambda a, b: autodiff.squared_error(a, b.value), "same"),
    "bce_with_logits": (lambda a, b: autodiff.binary_cross_entropy_with_logits(
        a, sigmoid(b.value)), "same"),
    "rmatmul": (lambda a, b: b.value @ a, "rmatmul"),
}


@st.composite
def operands(draw, kind):
    """Two arrays for an operation of the given kind (see OPERATIONS)."""
    n, k = draw(sizes), draw(sizes)
    rng = np.random.default_rng(draw(seeds))
    positive = kind.endswith("positive")
    if kind.startswith("broadcast"):
        b_shape = draw(st.sampled_from([(n, k), (k,), (1, k), (n, 1), ()]))
    elif kind == "matmul":
        b_shape = (k, draw(sizes))
    elif kind == "rmatmul":
        b_shape = (draw(sizes), n)
    else:
        b_shape = (n, k)
    a = rng.uniform(-2, 2, size=(n, k))
    b = rng.uniform(-2, 2, size=b_shape)
    if positive:
        a, b = np.abs(a) + 0.5, np.abs(b) + 0.5
    a = np.where(np.abs(a) < 1e-3, a + 2e-3, a)  # away from ReLU's kink
    return np.array(a, dtype=float), np.array(b, dtype=float), rng  # 0-D stays an array


@PROPERTY
@given(data=st.data(), op=st.sampled_from(sorted({**OPERATIONS, **ENGINE_ONLY})))
def test_every_autodiff_operation_matches_central_differences(data, op):
    f, kind = {**OPERATIONS, **ENGINE_ONLY}[op]
    a, b, rng = data.draw(operands(kind))
    wrt = {"a": a} if kind.startswith("unary") or op in ENGINE_ONLY else {"a": a, "b": b}
    const = autodiff.Tensor(b)
    out_shape = np.shape(f(autodiff.Tensor(a), const).value)
    G = rng.normal(size=out_shape)  # a random adjoint for the output

    def scalar(t):
        out = f(t["a"], t.get("b", const))
        return out if out.shape == () else (out * G).sum()

    value, grads = autodiff.value_and_grad(scalar, wrt)
    params = {key: v.copy() for key, v in wrt.items()}

    def numeric():
        return float(scalar({k: autodiff.Tensor(v) for k, v in params.items()}).value)

    assert value == pytest.approx(numeric())
    assert_gradients_match(numeric, grads, params)


@PROPERTY
@given(data=st.data(), op=st.sampled_from(sorted(OPERATIONS)))
def test_every_dual_operation_matches_central_differences(data, op):
    f, kind = OPERATIONS[op]
    a, b, rng = data.draw(operands(kind))
    wrt = {"a": a} if kind.startswith("unary") else {"a": a, "b": b}
    const = dual.Dual(b)
    G = rng.normal(size=np.shape(f(dual.Dual(a), const).value))

    def scalar(d):
        return (f(d["a"], d.get("b", const)) * G).sum()

    grads, passes = dual.forward_gradient(scalar, wrt)
    assert passes == sum(v.size for v in wrt.values())
    params = {key: v.copy() for key, v in wrt.items()}

    def numeric():
        return float(scalar({k: dual.Dual(v) for k, v in params.items()}).value)

    assert_gradients_match(numeric, grads, params)


@PROPERTY
@given(net=networks())
def test_autodiff_reproduces_mlp_gradients(net):
    """The engine, given chapter 4's network as a graph, agrees with the
    delta recursion to round-off (no central differences needed)."""
    names, loss, params, X, T = net
    if loss == "binary_cross_entropy":
        loss = "squared_error"

    def graph(p):
        A = autodiff.Tensor(X)
        for l, name in enumerate(names, start=1):
            Z = A @ p[f"W{l}"] + p[f"b{l}"]
            A = Z.activation(name) if (l < len(names) or loss == "squared_error") else Z
        if loss == "squared_error":
            return autodiff.squared_error(A, T)
        return autodiff.binary_cross_entropy_with_logits(A, T)

    value, grads = autodiff.value_and_grad(graph, params)
    expected_value, expected = mlp.loss_and_gradients(X, T, params, names, loss)
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-15)
    for key in params:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-9, atol=1e-14)


# --- chapter 7: softmax cross-entropy, L2 weight decay ----------------------


@PROPERTY
@given(n=sizes, K=sizes, soft=st.booleans(), seed=seeds)
@example(n=1, K=1, soft=False, seed=0)
def test_softmax_cross_entropy_gradient_matches_central_differences(n, K, soft, seed):
    softmax = pytest.importorskip("bplib.softmax")
    rng = np.random.default_rng(seed)
    Z = rng.uniform(-5, 5, size=(n, K))
    if soft:
        T = rng.dirichlet(np.ones(K), size=n)
    else:
        T = softmax.one_hot(rng.integers(0, K, size=n), K)
    grads = {"Z": softmax.cross_entropy_gradient(Z, T)}
    params = {"Z": Z}
    assert_gradients_match(lambda: softmax.cross_entropy(params["Z"], T), grads, params)


@PROPERTY
@given(net=networks(output_losses=False), K=st.integers(2, 4),
       weight_decay=st.sampled_from([0.0, 0.1, 1.0]))
def test_training_loss_with_weight_decay_matches_central_differences(net, K, weight_decay):
    train = pytest.importorskip("bplib.train")
    softmax = pytest.importorskip("bplib.softmax")
    names, _, params, X, _ = net
    names = names[:-1] + ["identity"]
    last = len(names)
    rng = np.random.default_rng(len(X))
    params[f"W{last}"] = rng.normal(size=(params[f"W{last}"].shape[0], K))
    params[f"b{last}"] = rng.normal(size=K)
    assume(_away_from_kinks(X, params, names))
    T = softmax.one_hot(rng.integers(0, K, size=len(X)), K)
    _, grads = train._loss_and_grads(X, T, params, tuple(names), weight_decay)

    def f():
        return train._loss_and_grads(X, T, params, tuple(names), weight_decay)[0]

    assert_gradients_match(f, grads, params)


def test_a_parameter_the_function_ignores_gets_a_zero_gradient():
    # Found by the oracle: value_and_grad used to return None for a
    # parameter that is not in the graph, though its documented result is
    # an array shaped like the parameter (the gradient is 0 there).
    value, grads = autodiff.value_and_grad(lambda t: (t["a"] * 2.0).sum(),
                                           {"a": np.ones(2), "unused": np.ones((2, 3))})
    assert value == 4.0
    np.testing.assert_array_equal(grads["unused"], np.zeros((2, 3)))


def test_the_normwise_bound_catches_a_small_formula_error():
    # A gradient off by 0.1 % anywhere fails: the bound separates right from
    # wrong by orders of magnitude, not by luck.
    rng = np.random.default_rng(0)
    params = init.init_params([3, 4, 2], rng=rng)
    X, T = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    names = ["tanh", "identity"]
    _, grads = mlp.loss_and_gradients(X, T, params, names)
    grads["W1"] = grads["W1"] * 1.001

    def f():
        return mlp.loss_and_gradients(X, T, params, names)[0]

    with pytest.raises(AssertionError, match="W1: normwise relative error"):
        assert_gradients_match(f, grads, params)
