"""Tests for bplib.autodiff (chapter 5): every VJP against central differences,
fan-out, chapter 4's MLP gradients, graphs the delta recursion does not cover,
deep graphs, and input validation."""

import numpy as np
import pytest

from bplib import init, mlp, softmax
from bplib.autodiff import (
    Tensor,
    binary_cross_entropy_with_logits,
    softmax_cross_entropy,
    squared_error,
    unbroadcast,
    value_and_grad,
)
from bplib.gradcheck import check_gradients


def _check_vjp(f, params, seed=0):
    """Check the reverse-mode gradient of sum(R * f(params)) for a random R.

    A random weighting R makes the seed adjoint of f's output arbitrary, so
    the whole vector-Jacobian product is tested, not just its column sums.
    """
    params = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    shape = np.shape(f({k: Tensor(v) for k, v in params.items()}).value)
    R = np.random.default_rng(seed).normal(size=shape)

    def loss(p):
        return (f(p) * R).sum()

    _, grads = value_and_grad(loss, params)
    result = check_gradients(lambda p: float(loss({k: Tensor(v) for k, v in p.items()}).value),
                             grads, params)
    assert result.passed, result


rng = np.random.default_rng(42)
A, B = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
P = rng.uniform(0.5, 2.0, size=(4, 3))  # positive: for log, division, fractional powers
M = rng.normal(size=(3, 2))
row, col, scalar = rng.normal(size=(3,)), rng.normal(size=(4, 1)), rng.normal(size=())
T01 = rng.integers(0, 2, size=(4, 3)).astype(float)
C3 = rng.normal(size=(2, 4, 3))
ONE_HOT = np.eye(3)[[0, 2, 1, 2]]

CASES = {
    "add": (lambda p: p["a"] + p["b"], {"a": A, "b": B}),
    "add (n,k)+(k,)": (lambda p: p["a"] + p["r"], {"a": A, "r": row}),
    "add (k,)+(n,k)": (lambda p: p["r"] + p["a"], {"a": A, "r": row}),
    "add (n,k)+(n,1)": (lambda p: p["a"] + p["c"], {"a": A, "c": col}),
    "add (n,1)+(k,)": (lambda p: p["c"] + p["r"], {"c": col, "r": row}),
    "add (m,n,k)+(n,1)": (lambda p: p["x"] + p["c"], {"x": C3, "c": col}),
    "add scalar tensor": (lambda p: p["a"] + p["s"], {"a": A, "s": scalar}),
    "add python number": (lambda p: 2.5 + p["a"], {"a": A}),
    "sub": (lambda p: p["a"] - p["r"], {"a": A, "r": row}),
    "rsub ndarray": (lambda p: B - p["a"], {"a": A}),
    "neg": (lambda p: -p["a"], {"a": A}),
    "mul": (lambda p: p["a"] * p["b"], {"a": A, "b": B}),
    "mul (n,k)*(k,)": (lambda p: p["a"] * p["r"], {"a": A, "r": row}),
    "mul (n,k)*(n,1)": (lambda p: p["a"] * p["c"], {"a": A, "c": col}),
    "div": (lambda p: p["a"] / p["q"], {"a": A, "q": P}),
    "rdiv ndarray": (lambda p: B / p["q"], {"q": P}),
    "pow 2": (lambda p: p["a"] ** 2, {"a": A}),
    "pow 3": (lambda p: p["a"] ** 3, {"a": A}),
    "pow -1": (lambda p: p["q"] ** -1, {"q": P}),
    "pow 0.5": (lambda p: p["q"] ** 0.5, {"q": P}),
    "matmul": (lambda p: p["a"] @ p["m"], {"a": A, "m": M}),
    "rmatmul ndarray": (lambda p: A @ p["m"], {"m": M}),
    "sum all": (lambda p: p["a"].sum(), {"a": A}),
    "sum axis 0": (lambda p: p["a"].sum(axis=0), {"a": A}),
    "sum axis -1 keepdims": (lambda p: p["a"].sum(axis=-1, keepdims=True), {"a": A}),
    "sum axes (0, 2)": (lambda p: p["x"].sum(axis=(0, 2)), {"x": C3}),
    "mean all": (lambda p: p["a"].mean(), {"a": A}),
    "mean axis 0": (lambda p: p["a"].mean(axis=0), {"a": A}),
    "exp": (lambda p: p["a"].exp(), {"a": A}),
    "log": (lambda p: p["q"].log(), {"q": P}),
    "sigmoid": (lambda p: p["a"].sigmoid(), {"a": A}),
    "tanh": (lambda p: p["a"].tanh(), {"a": A}),
    "relu": (lambda p: p["a"].relu(), {"a": A}),  # no entry within h of the kink
    "softplus by name": (lambda p: p["a"].activation("softplus"), {"a": A}),
    "identity by name": (lambda p: p["a"].activation("identity"), {"a": A}),
    "squared_error": (lambda p: squared_error(p["a"], B), {"a": A}),
    "bce with logits": (lambda p: binary_cross_entropy_with_logits(p["a"], T01), {"a": A}),
    "softmax cross-entropy": (lambda p: softmax_cross_entropy(p["a"], ONE_HOT), {"a": A}),
    "constant operands": (lambda p: (A @ p["m"]) * Tensor(row[:2], requires_grad=False)
                          + Tensor(2.0, requires_grad=False), {"m": M}),
    "fan-out a*a": (lambda p: p["a"] * p["a"], {"a": A}),
    "fan-out three uses": (lambda p: (p["a"] * p["a"].exp() + p["a"]).sum(axis=0) * p["r"],
                           {"a": A, "r": row}),
    "fan-out through matmul": (lambda p: (p["a"] @ p["m"]).tanh() + p["a"] @ (p["m"] * p["m"]),
                               {"a": A, "m": M}),
}


@pytest.mark.parametrize("name", CASES)
def test_vjp_against_central_differences(name):
    f, params = CASES[name]
    assert np.abs(A).min() > 1e-4  # relu's kink is far from every entry
    _check_vjp(f, params)


def test_hand_computed_tiny_graph():
    # x = 2, w = 3: u = x*w = 6, v = u + x = 8, L = v**2 = 64.
    # Lbar = 1; vbar = 2 v = 16; ubar = vbar = 16;
    # xbar = ubar * w + vbar = 48 + 16 = 64 (x is used twice: the sum of paths);
    # wbar = ubar * x = 32.
    x, w = Tensor(2.0, name="x"), Tensor(3.0, name="w")
    L = (x * w + x) ** 2
    L.backward()
    assert float(L.value) == 64.0
    assert float(x.grad) == 64.0 and float(w.grad) == 32.0


def test_reused_value_b_equals_a_plus_a():
    # b = a + a, c = b + b: c = 4a, so dc/da = 4. A backward pass that
    # visited b once per path (instead of once, after both contributions had
    # arrived) would give a different number.
    a = Tensor(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert float(b.grad) == 2.0 and float(a.grad) == 4.0


def test_backward_twice_gives_the_same_adjoints():
    x = Tensor(np.array([1.0, -2.0]))
    y = (x * x).sum()
    y.backward()
    first = x.grad.copy()
    y.backward()
    np.testing.assert_array_equal(x.grad, first)


def test_backward_with_a_seed_is_a_vjp():
    a, m = Tensor(A), Tensor(M)
    G = np.random.default_rng(3).normal(size=(4, 2))
    (a @ m).backward(G)
    np.testing.assert_allclose(a.grad, G @ M.T, rtol=1e-15)
    np.testing.assert_allclose(m.grad, A.T @ G, rtol=1e-15)


@pytest.mark.parametrize("g_shape, shape, expected", [
    ((4, 3), (4, 3), (4, 3)), ((4, 3), (3,), (3,)), ((4, 3), (1, 3), (1, 3)),
    ((4, 3), (4, 1), (4, 1)), ((4, 3), (), ()), ((2, 4, 3), (4, 1), (4, 1)),
])
def test_unbroadcast_shapes_and_sums(g_shape, shape, expected):
    g = np.arange(np.prod(g_shape), dtype=float).reshape(g_shape)
    out = unbroadcast(g, shape)
    assert out.shape == expected
    assert out.sum() == g.sum()  # summing never loses or invents adjoint


def _engine_mlp(X, T, p, acts, loss):
    A = Tensor(X)
    for l, name in enumerate(acts, start=1):
        Z = A @ p[f"W{l}"] + p[f"b{l}"]
        if l == len(acts) and loss == "binary_cross_entropy_with_logits":
            return binary_cross_entropy_with_logits(Z, T)
        A = Z.activation(name)
    return squared_error(A, T)


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy_with_logits"])
def test_mlp_gradients_equal_chapter_4(loss):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(16, 5))
    T = rng.integers(0, 2, size=(16, 2)).astype(float)
    params = init.init_params([5, 8, 6, 2], rng=rng)
    acts = ["tanh", "relu", "sigmoid"]
    value, grads = mlp.loss_and_gradients(X, T, params, acts, loss=loss)
    ad_value, ad_grads = value_and_grad(lambda p: _engine_mlp(X, T, p, acts, loss), params)
    assert ad_value == pytest.approx(value, rel=1e-12)
    assert ad_grads.keys() == grads.keys()
    for key in grads:
        np.testing.assert_allclose(ad_grads[key], grads[key], rtol=1e-12, atol=0, err_msg=key)


def _residual(p, X, T):
    H1 = (X @ p["W1"] + p["b1"]).tanh()
    H2 = (H1 @ p["W2"] + p["b2"]).tanh() + H1  # the skip connection: H1 used twice
    return squared_error(H2 @ p["W3"] + p["b3"], T)


def _shared(p, X, T):
    H1 = (X @ p["W"] + p["b1"]).tanh()
    H2 = (H1 @ p["W"] + p["b2"]).tanh()  # the same W in a second place
    return squared_error(H2 @ p["V"], T)


@pytest.mark.parametrize("graph", [_residual, _shared])
def test_graphs_outside_the_delta_recursion(graph):
    rng = np.random.default_rng(11)
    X, T = rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    if graph is _residual:
        params = {"W1": rng.normal(size=(4, 4)), "b1": rng.normal(size=4),
                  "W2": rng.normal(size=(4, 4)), "b2": rng.normal(size=4),
                  "W3": rng.normal(size=(4, 1)), "b3": rng.normal(size=1)}
    else:
        params = {"W": rng.normal(size=(4, 4)), "b1": rng.normal(size=4),
                  "b2": rng.normal(size=4), "V": rng.normal(size=(4, 1))}
    _, grads = value_and_grad(lambda p: graph(p, X, T), params)
    result = check_gradients(
        lambda p: float(graph({k: Tensor(v) for k, v in p.items()}, X, T).value), grads, params)
    assert result.passed, result


def test_shared_weight_gradient_is_the_sum_over_its_uses():
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    W, V = rng.normal(size=(3, 3)), rng.normal(size=(3, 1))
    # Untie: two copies W_a, W_b of the same values; the tied gradient is their sum.
    _, tied = value_and_grad(lambda p: squared_error((X @ p["W"]).tanh() @ p["W"] @ V, T),
                             {"W": W})
    _, untied = value_and_grad(lambda p: squared_error((X @ p["Wa"]).tanh() @ p["Wb"] @ V, T),
                               {"Wa": W, "Wb": W})
    np.testing.assert_allclose(tied["W"], untied["Wa"] + untied["Wb"], rtol=1e-13)


def test_ten_thousand_deep_graph_without_recursion_error():
    x = Tensor(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0  # two nodes per step: 20 000 deep
    y.backward()
    assert float(x.grad) == pytest.approx(1.0001 ** 10_000, rel=1e-10)


def test_ndarray_on_the_left_gives_a_tensor():
    assert isinstance(np.ones(3) + Tensor(np.ones(3)), Tensor)
    assert isinstance(np.ones((2, 3)) @ Tensor(np.ones((3, 1))), Tensor)


def test_repr_is_clean():
    assert repr(Tensor([1.0, 2.0], name="w")) == "Tensor([1., 2.], name='w')"
    assert repr(Tensor(2.0) * 3) == "Tensor(6., op='*')"
    assert repr(Tensor(np.zeros((5, 5)))) == "Tensor(<array of shape (5, 5)>)"


def test_inputs_are_float64_and_unchanged():
    x = np.array([1, 2, 3])
    t = Tensor(x)
    assert t.value.dtype == np.float64 and t.grad is None
    (t * t).sum().backward()
    np.testing.assert_array_equal(x, [1, 2, 3])


@pytest.mark.parametrize("value", [["a", "b"], np.array([object()]), "text"])
def test_non_numbers_are_rejected(value):
    with pytest.raises(TypeError, match="value must hold real numbers"):
        Tensor(value)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\) @ \(2, 3\): 3 columns against 2 rows"):
        Tensor(A) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"2-D operands.*\(3,\) @ \(3, 2\)"):
        Tensor(row) @ Tensor(M)


def test_backward_on_a_non_scalar_needs_a_seed():
    with pytest.raises(ValueError, match=r"needs a scalar.*shape \(4, 3\).*\.sum\(\)"):
        (Tensor(A) * 2).backward()
    with pytest.raises(ValueError,
                       match=r"grad must have the shape of this Tensor, \(4, 3\), got \(3,\)"):
        (Tensor(A) * 2).backward(np.ones(3))


def test_pow_needs_a_plain_number():
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Tensor(A) ** Tensor(2.0)


def test_losses_check_their_inputs():
    with pytest.raises(TypeError, match="must be a Tensor"):
        squared_error(A, B)
    with pytest.raises(ValueError, match=r"Y and T must have the same shape"):
        squared_error(Tensor(np.ones((4, 1))), np.ones(4))
    with pytest.raises(ValueError, match=r"T must lie in \[0, 1\]"):
        binary_cross_entropy_with_logits(Tensor(A), B)


def test_value_and_grad_checks_its_inputs():
    with pytest.raises(TypeError, match="params must be a non-empty dict"):
        value_and_grad(lambda p: p, [A])
    with pytest.raises(TypeError, match="f must return a Tensor"):
        value_and_grad(lambda p: 1.0, {"a": A})
    with pytest.raises(ValueError, match=r"params\['a'\] must be finite"):
        value_and_grad(lambda p: p["a"].sum(), {"a": np.array([np.nan])})


def test_constants_get_no_adjoint_and_change_no_gradient():
    rng = np.random.default_rng(7)
    X, T, W = rng.normal(size=(5, 3)), rng.normal(size=(5, 2)), rng.normal(size=(3, 2))
    grads = {}
    for requires_grad in (True, False):
        Xt, Wt = Tensor(X, requires_grad=requires_grad), Tensor(W)
        squared_error((Xt @ Wt).tanh(), T).backward()
        grads[requires_grad] = Wt.grad
        assert (Xt.grad is None) == (not requires_grad)
    np.testing.assert_array_equal(grads[True], grads[False])


def test_plain_arrays_and_numbers_become_constants():
    w = Tensor(np.ones(3))
    y = (2.0 * w + np.arange(3.0)) * np.ones(3)
    assert y.requires_grad
    constants = [p for p in y.parents + y.parents[0].parents if not p.requires_grad]
    assert len(constants) == 2 and all(c.grad is None for c in constants)
    y.sum().backward()
    assert all(c.grad is None for c in constants)  # their VJPs were skipped
    np.testing.assert_array_equal(w.grad, [2.0, 2.0, 2.0])


def test_a_graph_of_constants_cannot_be_differentiated():
    c = Tensor(A, requires_grad=False) * 2.0
    assert not c.requires_grad
    with pytest.raises(ValueError, match="requires_grad=True; this one is a constant"):
        c.sum().backward()


def test_a_graph_is_freed_without_the_cycle_collector():
    # The closures take the adjoint as an argument and never refer to their own
    # node, so reference counting alone frees a graph once its loss is gone.
    import gc
    import weakref

    gc.disable()
    try:
        w = Tensor(np.ones((3, 2)))
        hidden = (Tensor(A, requires_grad=False) @ w).tanh()
        loss = squared_error(hidden, np.zeros((4, 2)))
        loss.backward()
        alive = weakref.ref(hidden)
        del hidden, loss
        assert alive() is None
    finally:
        gc.enable()


def test_softmax_cross_entropy_is_chapter_7s_loss_and_delta():
    rng = np.random.default_rng(3)
    Z, T = rng.normal(size=(6, 4)) * 5, np.eye(4)[rng.integers(0, 4, 6)]
    Zt = Tensor(Z)
    loss = softmax_cross_entropy(Zt, T)
    loss.backward()
    assert float(loss.value) == softmax.cross_entropy(Z, T)
    np.testing.assert_array_equal(Zt.grad, softmax.cross_entropy_gradient(Z, T))


def test_softmax_cross_entropy_checks_its_inputs():
    with pytest.raises(TypeError, match="must be a Tensor"):
        softmax_cross_entropy(A, ONE_HOT)
    with pytest.raises(ValueError, match="one probability distribution per row"):
        softmax_cross_entropy(Tensor(A), B)
    with pytest.raises(ValueError, match=r"Z and T must have the same shape"):
        softmax_cross_entropy(Tensor(A), ONE_HOT[:, :2])


def test_requires_grad_is_fixed_when_a_tensor_is_made():
    w = Tensor(np.ones(2))
    y = w.exp().sum()
    with pytest.raises(AttributeError, match="requires_grad is fixed when a Tensor is made"):
        w.requires_grad = False
    y.backward()
    np.testing.assert_allclose(w.grad, np.e)


def test_value_and_grad_of_a_function_that_uses_no_parameter_is_zero():
    constant = Tensor(np.ones(2), requires_grad=False)
    value, grads = value_and_grad(lambda p: (constant * 2.0).sum(), {"a": np.ones((2, 3))})
    assert value == 4.0
    np.testing.assert_array_equal(grads["a"], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"one number, got shape \(2,\)"):
        value_and_grad(lambda p: constant * 2.0, {"a": np.ones(2)})


@pytest.mark.parametrize("loss", [squared_error, softmax_cross_entropy])
def test_a_target_that_needs_a_gradient_is_refused(loss):
    # The losses treat T as a constant: a T computed from parameters would
    # silently get no gradient.
    with pytest.raises(ValueError, match="T must be a constant"):
        loss(Tensor(A), Tensor(ONE_HOT) * 1.0)
    loss(Tensor(A), Tensor(ONE_HOT, requires_grad=False)).backward()  # a constant is fine
