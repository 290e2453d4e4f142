"""Tests for bplib.gradcheck (chapter 2)."""

import numpy as np
import pytest

from bplib import activations, losses
from bplib.gradcheck import (
    GradCheckResult,
    check_gradient,
    check_gradients,
    numerical_gradient,
    relative_error,
)


def cubic(x):
    return float(np.sum(x**3))


def test_numerical_gradient_of_a_cubic():
    x = np.random.default_rng(0).normal(size=(3, 4))
    # Truncation error of central differences on x^3 is exactly h^2 = 1e-12.
    np.testing.assert_allclose(numerical_gradient(cubic, x), 3 * x**2, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 2, 2)])
def test_numerical_gradient_any_shape_and_x_restored(shape):
    x = np.random.default_rng(1).normal(size=shape)
    before = x.copy()
    grad = numerical_gradient(cubic, x)
    assert grad.shape == shape
    np.testing.assert_array_equal(x, before)  # bitwise: every entry restored


def test_x_restored_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])

    def f(x):
        if x[1] != 2.0:
            raise RuntimeError("boom")
        return float(x.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_central_error_falls_like_h_squared():
    x = np.array([1.0])
    errors = [abs(numerical_gradient(lambda x: np.sin(x[0]), x, h)[0] - np.cos(1.0))
              for h in (1e-2, 1e-3)]
    # Error ~ h^2 |f'''| / 6: a tenth of the step gives a hundredth of the error.
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


def test_relative_error_values():
    # |1-1|/2 = 0; |1-(-1)|/2 = 1; 0/0 counts as agreement; |1-2|/3 = 1/3.
    np.testing.assert_allclose(
        relative_error([1.0, 1.0, 0.0, 1.0], [1.0, -1.0, 0.0, 2.0]), [0, 1, 0, 1 / 3]
    )


def test_check_gradient_passes_a_right_gradient():
    x = np.random.default_rng(2).normal(size=(4, 3))
    result = check_gradient(cubic, lambda x: 3 * x**2, x)
    assert result.passed
    assert result.max_relative_error < 1e-7
    assert result.name == "x"


def test_check_gradient_catches_a_wrong_gradient_and_locates_it():
    x = np.random.default_rng(3).normal(size=(4, 3))
    wrong = 3 * x**2
    wrong[2, 1] *= 1.01  # one entry off by 1 %
    result = check_gradient(cubic, wrong, x)
    assert not result.passed
    assert result.index == (2, 1)
    # |1.01 g - g| / (2.01 |g|) = 0.01 / 2.01
    assert result.max_relative_error == pytest.approx(0.01 / 2.01, rel=1e-5)
    assert result.analytic == pytest.approx(wrong[2, 1])


def sigmoid_neuron(seed=4, n=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    T = rng.integers(0, 2, size=(n, 1)).astype(float)
    params = {"W": rng.normal(size=(3, 1)), "b": rng.normal(size=(1,))}

    def loss(p):
        return losses.binary_cross_entropy_with_logits(X @ p["W"] + p["b"], T)

    def grads(p):
        dZ = losses.binary_cross_entropy_with_logits_gradient(X @ p["W"] + p["b"], T)
        return {"W": X.T @ dZ, "b": dZ.sum(axis=0)}

    return loss, grads, params


def test_check_gradients_on_several_arrays_passes():
    loss, grads, params = sigmoid_neuron()
    result = check_gradients(loss, grads, params)
    assert result.passed, result
    assert set(result.errors) == {"W", "b"}


def test_check_gradients_catches_a_forgotten_factor_in_one_array():
    loss, grads, params = sigmoid_neuron()
    right = grads(params)
    wrong = {"W": right["W"], "b": right["b"] * len(right["W"])}  # a lost 1/n-like factor
    result = check_gradients(loss, wrong, params)
    assert not result.passed
    assert result.name == "b"
    assert result.errors["W"] < 1e-7 < 1e-4 < result.errors["b"]


def test_check_gradients_catches_squared_error_chain_rule_without_sigma_prime():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(5, 2))
    T, W = rng.integers(0, 2, (5, 1)).astype(float), rng.normal(size=(2, 1))

    def loss(W):
        return losses.squared_error(activations.sigmoid(X @ W), T)

    def forgot_sigma_prime(W):
        return X.T @ losses.squared_error_gradient(activations.sigmoid(X @ W), T)

    def right(W):
        Z = X @ W
        return X.T @ (losses.squared_error_gradient(activations.sigmoid(Z), T)
                      * activations.sigmoid_derivative(Z))

    assert check_gradient(loss, right, W).passed
    assert check_gradient(loss, forgot_sigma_prime, W).max_relative_error > 1e-2


def test_repr_is_readable():
    x = np.array([[1.0, 2.0]])
    result = check_gradient(cubic, np.array([[3.0, 13.0]]), x)
    text = repr(result)
    assert text.startswith("GradCheckResult(passed=False, max_relative_error=")
    assert "at x[0, 1]: analytic=13, numerical=12" in text
    assert isinstance(result, GradCheckResult)


def test_x_must_be_a_float_array():
    with pytest.raises(TypeError, match="x must be a float64 NumPy array.*got list"):
        numerical_gradient(cubic, [1.0, 2.0])
    with pytest.raises(TypeError, match="got ndarray of dtype int64"):
        numerical_gradient(cubic, np.array([1, 2]))


def test_read_only_x_rejected():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="x must be writeable"):
        numerical_gradient(cubic, x)


def test_bad_step_rejected():
    with pytest.raises(ValueError, match="h must be a positive number, got 0"):
        numerical_gradient(cubic, np.ones(2), h=0.0)


def test_f_must_return_a_scalar():
    with pytest.raises(TypeError,
                       match=r"f must return a single real number, got ndarray of shape \(2,\)"):
        numerical_gradient(lambda x: x * 2, np.ones(2))


def test_f_returning_nan_is_reported():
    with pytest.raises(ValueError, match=r"f returned nan when x\[1\] was perturbed"):
        numerical_gradient(lambda x: np.nan if x[1] != 1.0 else 0.0, np.ones(2))


def test_grads_must_match_params():
    loss, grads, params = sigmoid_neuron()
    with pytest.raises(ValueError,
                       match=r"grads must be a dict with the keys \['W', 'b'\], got \['W'\]"):
        check_gradients(loss, {"W": grads(params)["W"]}, params)
    with pytest.raises(ValueError, match=r"grads\['b'\] must have the shape of "
                                         r"params\['b'\], \(1,\), got \(1, 1\)"):
        check_gradients(loss, {"W": grads(params)["W"], "b": np.zeros((1, 1))}, params)
    with pytest.raises(TypeError, match="params must be a non-empty dict"):
        check_gradients(loss, grads, [params["W"]])
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 NumPy array"):
        check_gradients(loss, grads, {"W": [1.0], "b": params["b"]})
    with pytest.raises(ValueError, match="tol must be a positive number"):
        check_gradients(loss, grads, params, tol=-1.0)
