"""Tests for bplib.dual (chapter 5): forward mode agrees with calculus, with
central differences and with the reverse mode of bplib.autodiff."""

import numpy as np
import pytest

from bplib import init, mlp
from bplib.autodiff import Tensor, squared_error, value_and_grad
from bplib.dual import Dual, forward_gradient, jvp
from bplib.gradcheck import numerical_gradient


def test_hand_computed_scalar():
    # f(x) = x e^x at x = 2 with tangent 1: f' = (1 + x) e^x = 3 e^2.
    y = Dual(2.0, 1.0) * Dual(2.0, 1.0).exp()
    assert float(y.value) == pytest.approx(2 * np.e**2, rel=1e-15)
    assert float(y.tangent) == pytest.approx(3 * np.e**2, rel=1e-15)


def test_epsilon_squared_is_zero():
    eps = Dual(0.0, 1.0)
    assert float((eps * eps).value) == 0.0 and float((eps * eps).tangent) == 0.0


@pytest.mark.parametrize("f", [
    lambda x: x ** 3 - 2 * x,
    lambda x: 1.0 / (1.0 + (-x).exp()),
    lambda x: (x * x + 1.0).log() * x.tanh(),
    lambda x: x.sigmoid() / (2.0 - x.relu()),
    lambda x: (x ** 0.5 + 3.0) ** -2,
])
@pytest.mark.parametrize("x", [0.3, 1.7])
def test_derivative_against_central_differences(f, x):
    numeric = numerical_gradient(lambda v: float(f(Dual(v[0])).value), np.array([x]))
    assert float(f(Dual(x, 1.0)).tangent) == pytest.approx(numeric[0], rel=1e-8)


FUNCTIONS = {
    "polynomial and division": lambda p: ((p["x"] ** 2 + 1.0) / (p["y"] * p["y"] + 2.0)).sum(),
    "broadcasting and matmul": lambda p: ((p["V"] @ p["W"] + p["b"]).tanh() * p["b"]).mean(),
    "log-sum-exp": lambda p: (p["x"].exp().sum() + 1.0).log() - p["y"].sigmoid().sum(axis=0).sum(),
}
rng = np.random.default_rng(0)
POINTS = {
    "polynomial and division": {"x": rng.normal(size=(2, 3)), "y": rng.normal(size=3)},
    "broadcasting and matmul": {"V": rng.normal(size=(4, 3)), "W": rng.normal(size=(3, 2)),
                                "b": rng.normal(size=2)},
    "log-sum-exp": {"x": rng.normal(size=4), "y": rng.normal(size=(2, 2))},
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_forward_mode_agrees_with_reverse_mode(name):
    f, params = FUNCTIONS[name], POINTS[name]
    forward, passes = forward_gradient(f, params)
    _, reverse = value_and_grad(f, params)
    assert passes == sum(v.size for v in params.values())
    for key in params:
        np.testing.assert_allclose(forward[key], reverse[key], rtol=1e-12, atol=1e-15)


def test_forward_mode_gives_chapter_4_gradients():
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    params = init.init_params([3, 4, 1], rng=rng)
    _, grads = mlp.loss_and_gradients(X, T, params, ["tanh", "identity"])

    def loss(p):
        Y = (X @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]
        return ((Y - T) ** 2).sum() / (2 * len(X))

    forward, passes = forward_gradient(loss, params)
    assert passes == 3 * 4 + 4 + 4 + 1
    for key in grads:
        np.testing.assert_allclose(forward[key], grads[key], rtol=1e-12, atol=1e-15)


def test_jvp_is_gradient_dot_direction():
    f, params = FUNCTIONS["broadcasting and matmul"], POINTS["broadcasting and matmul"]
    directions = {k: np.random.default_rng(1).normal(size=v.shape) for k, v in params.items()}
    value, tangent = jvp(f, params, directions)
    reverse_value, grads = value_and_grad(f, params)
    assert float(value) == pytest.approx(reverse_value, rel=1e-15)
    expected = sum(np.sum(grads[k] * directions[k]) for k in params)
    assert float(tangent) == pytest.approx(expected, rel=1e-12)


def test_one_pass_gives_a_whole_column_of_the_jacobian():
    # Vector output, one input: forward mode's best case. y = x * c, dy/dx = c.
    c = np.arange(1.0, 6.0)
    _, tangent = jvp(lambda p: p["x"] * c, {"x": 2.0}, {"x": 1.0})
    np.testing.assert_array_equal(tangent, c)
    # Reverse mode needs one sweep per output for the same Jacobian.
    rows = []
    for i in range(5):
        x = Tensor(2.0)
        (x * c).backward(np.eye(5)[i])
        rows.append(float(x.grad))
    np.testing.assert_array_equal(rows, c)


def test_tangent_broadcasts_to_value():
    d = Dual(np.ones((2, 3)), 1.0)
    assert d.tangent.shape == (2, 3)
    assert (d + np.ones(3)).tangent.shape == (2, 3)
    assert isinstance(np.ones(3) * Dual(np.ones(3)), Dual)


def test_repr_is_clean():
    assert repr(Dual(2.0, 1.0)) == "Dual(value=2., tangent=1.)"
    assert repr(Dual(np.zeros((4, 4)))) == "Dual(<arrays of shape (4, 4)>)"


def test_validation():
    with pytest.raises(TypeError, match="value must hold real numbers"):
        Dual("x")
    with pytest.raises(ValueError,
                       match=r"tangent of shape \(3,\) does not fit value of shape \(2,\)"):
        Dual(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(2, 3\)"):
        Dual(np.ones((2, 3))) @ Dual(np.ones((2, 3)))
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Dual(2.0) ** Dual(2.0)
    with pytest.raises(ValueError, match=r"tangents has keys \['z'\] that params lacks"):
        jvp(lambda p: p["x"], {"x": 1.0}, {"z": 1.0})
    with pytest.raises(TypeError, match="f must return a Dual"):
        jvp(lambda p: 1.0, {"x": 1.0}, {"x": 1.0})
    with pytest.raises(ValueError, match="single number"):
        forward_gradient(lambda p: p["x"] * 2.0, {"x": np.ones(2)})
    with pytest.raises(TypeError, match="params must be a non-empty dict"):
        forward_gradient(lambda p: p, {})


def test_squared_error_node_matches_forward_mode():
    rng = np.random.default_rng(9)
    Y, T = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    _, reverse = value_and_grad(lambda p: squared_error(p["Y"], T), {"Y": Y})
    forward, _ = forward_gradient(lambda p: ((p["Y"] - T) ** 2).sum() / 10.0, {"Y": Y})
    np.testing.assert_allclose(reverse["Y"], forward["Y"], rtol=1e-12)
