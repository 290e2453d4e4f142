"""Tests for bplib.losses (chapter 2)."""

import warnings

import numpy as np
import pytest

from bplib import losses
from bplib.activations import sigmoid, sigmoid_derivative
from bplib.gradcheck import numerical_gradient
from bplib.losses import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_gradient,
    get_loss,
    squared_error,
    squared_error_gradient,
)


def example(name, seed=0, n=7, k=2):
    """An output (or logits) and targets of shape (n, k) suited to the loss."""
    rng = np.random.default_rng(seed)
    T = rng.integers(0, 2, size=(n, k)).astype(float)
    if name == "binary_cross_entropy_with_logits":
        return rng.normal(scale=3.0, size=(n, k)), T
    return rng.uniform(0.05, 0.95, size=(n, k)), T


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_central_differences(name):
    loss, grad = get_loss(name)
    Y, T = example(name)
    np.testing.assert_allclose(
        grad(Y, T), numerical_gradient(lambda Y: loss(Y, T), Y), rtol=1e-6, atol=1e-10
    )


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_central_differences_with_soft_targets(name):
    loss, grad = get_loss(name)
    Y, _ = example(name, seed=1)
    T = np.random.default_rng(2).uniform(size=Y.shape)
    np.testing.assert_allclose(
        grad(Y, T), numerical_gradient(lambda Y: loss(Y, T), Y), rtol=1e-6, atol=1e-10
    )


@pytest.mark.parametrize("z", [-1000.0, -50.0, -20.0, 20.0, 50.0, 1000.0])
@pytest.mark.parametrize("t", [0.0, 1.0])
def test_logit_gradient_matches_central_differences_at_extremes(z, t):
    Z, T = np.array([[z], [0.3]]), np.array([[t], [1.0]])
    numeric = numerical_gradient(lambda Z: binary_cross_entropy_with_logits(Z, T), Z)
    # Round-off in f(z + h) - f(z - h) is about 1e-16 * |f| / h, here <= 1e-7.
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits_gradient(Z, T), numeric, rtol=1e-6, atol=1e-6
    )


def test_logit_loss_stable_at_1000_without_warnings():
    Z = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy_with_logits(Z, T)
        dZ = binary_cross_entropy_with_logits_gradient(Z, T)
    # Two confidently wrong examples cost 1000 each, two right ones 0: 2000 / 4.
    assert loss == 500.0
    np.testing.assert_array_equal(dZ, [[0.25], [-0.25], [0.0], [0.0]])


def test_probability_loss_clipped_at_0_and_1_without_warnings():
    Y = np.array([[1.0], [0.0], [1.0], [0.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy(Y, T)
        dY = binary_cross_entropy_gradient(Y, T)
    # Each wrong example costs about -log(1e-12) = 27.63, the right ones ~1e-12
    # (1 - 1e-12 is not exact in float64: 1e-4 relative error in 1 - y).
    assert loss == pytest.approx(2 * -np.log(1e-12) / 4, rel=1e-5)
    assert np.all(np.isfinite(dY))


def test_hand_computed_squared_error():
    Y, T = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    # errors 1 and 2: (1^2 + 2^2) / (2 * 2) = 5/4; gradient (Y - T)/n = [1/2, 1].
    assert squared_error(Y, T) == 1.25
    np.testing.assert_array_equal(squared_error_gradient(Y, T), [[0.5], [1.0]])


def test_hand_computed_cross_entropy():
    Z, T = np.array([[np.log(3.0)]]), np.array([[1.0]])
    # sigma(ln 3) = 3/4, so the loss is -log(3/4) = softplus(ln 3) - ln 3
    # = ln 4 - ln 3, and the gradient is sigma(ln 3) - 1 = -1/4.
    assert binary_cross_entropy_with_logits(Z, T) == pytest.approx(np.log(4 / 3), rel=1e-14)
    assert binary_cross_entropy(sigmoid(Z), T) == pytest.approx(np.log(4 / 3), rel=1e-14)
    np.testing.assert_allclose(binary_cross_entropy_with_logits_gradient(Z, T), [[-0.25]])


def test_logits_and_probabilities_agree():
    Z, T = example("binary_cross_entropy_with_logits", seed=3)
    assert binary_cross_entropy_with_logits(Z, T) == pytest.approx(
        binary_cross_entropy(sigmoid(Z), T), rel=1e-12
    )


def test_sigmoid_derivative_cancels_in_cross_entropy():
    # Chain rule: dL/dZ = dL/dY * sigma'(Z) = (Y - T)/(Y(1 - Y)n) * Y(1 - Y).
    Z, T = example("binary_cross_entropy_with_logits", seed=4)
    chained = binary_cross_entropy_gradient(sigmoid(Z), T) * sigmoid_derivative(Z)
    np.testing.assert_allclose(chained, binary_cross_entropy_with_logits_gradient(Z, T), rtol=1e-9)
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits_gradient(Z, T), (sigmoid(Z) - T) / len(Z)
    )


def test_losses_are_means_over_rows():
    Y, T = example("squared_error", seed=5)
    YY, TT = np.vstack([Y, Y]), np.vstack([T, T])
    assert squared_error(YY, TT) == pytest.approx(squared_error(Y, T))
    np.testing.assert_allclose(squared_error_gradient(YY, TT)[: len(Y)],
                               squared_error_gradient(Y, T) / 2)
    assert binary_cross_entropy_with_logits(YY, TT) == pytest.approx(
        binary_cross_entropy_with_logits(Y, T)
    )


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_target_of_shape_n_against_output_n_by_1_raises(name):
    loss, grad = get_loss(name)
    Y = np.full((4, 1), 0.5)
    for func in (loss, grad):
        with pytest.raises(ValueError, match=r"same shape.*\(4, 1\).*\(4,\); reshape T"):
            func(Y, np.zeros(4))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_one_dimensional_output_raises(name):
    loss, _ = get_loss(name)
    with pytest.raises(ValueError, match=r"must be 2-D, got a 1-D array of shape \(4,\)"):
        loss(np.full(4, 0.5), np.zeros(4))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_non_finite_targets_raise_and_non_finite_outputs_propagate(name):
    loss, grad = get_loss(name)
    with pytest.raises(ValueError, match="T must be finite, got 1 NaN or infinite entry"):
        loss(np.full((2, 1), 0.5), np.array([[0.0], [np.nan]]))
    # an overflowed network's output is measured, not refused (as diagnostics does)
    with np.errstate(invalid="ignore"):
        assert np.isnan(loss(np.array([[0.5], [np.nan]]), np.zeros((2, 1))))
        assert np.isnan(grad(np.array([[0.5], [np.nan]]), np.zeros((2, 1)))[1, 0])


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_targets_outside_unit_interval_raise(name):
    loss, grad = get_loss(name)
    for func in (loss, grad):
        with pytest.raises(ValueError, match=r"T must lie in \[0, 1\], got values from -1 to 2"):
            func(np.full((3, 1), 0.5), np.array([[-1.0], [0.0], [2.0]]))


def test_probabilities_outside_unit_interval_raise():
    with pytest.raises(ValueError, match=r"Y must lie in \[0, 1\], got values from 0.2 to 1.5"):
        binary_cross_entropy(np.array([[0.2], [1.5]]), np.zeros((2, 1)))


def test_eps_must_be_positive():
    with pytest.raises(ValueError, match="eps must be a positive number, got 0"):
        binary_cross_entropy(np.full((2, 1), 0.5), np.zeros((2, 1)), eps=0)


def test_unknown_loss_lists_known_names():
    with pytest.raises(ValueError, match=r"unknown loss 'mse'; known losses are 'squared_error'"):
        get_loss("mse")
    with pytest.raises(TypeError, match="loss name must be a string"):
        get_loss(None)


def test_inputs_not_modified():
    Y, T = example("binary_cross_entropy", seed=6)
    Y0, T0 = Y.copy(), T.copy()
    for loss, grad in LOSSES.values():
        loss(Y, T), grad(Y, T)
    np.testing.assert_array_equal(Y, Y0)
    np.testing.assert_array_equal(T, T0)
    assert losses.__all__


def test_each_gradient_names_the_equation_of_the_quantity_it_returns():
    """binary_cross_entropy_gradient returns dL/dY (eq-bce-dy), not the delta
    (sigma(Z) - T)/n of eq-bce-grad, which the with-logits gradient returns:
    a reader who took the first for the second would apply sigma' twice."""
    import re

    from bplib.activations import sigmoid
    from bplib.gradcheck import numerical_gradient

    Z = np.array([[0.3], [-1.2], [2.0]])
    Y, T = sigmoid(Z), np.array([[1.0], [0.0], [1.0]])
    dY = binary_cross_entropy_gradient(Y, T)
    np.testing.assert_allclose(dY, numerical_gradient(lambda Y: binary_cross_entropy(Y, T), Y),
                               rtol=1e-6)
    delta = binary_cross_entropy_with_logits_gradient(Z, T)
    np.testing.assert_allclose(delta, (Y - T) / len(Y))  # eq-bce-grad's value
    np.testing.assert_allclose(dY * Y * (1 - Y), delta)  # and dY is not that value
    assert not np.allclose(dY, delta)

    def labels(f):
        return set(re.findall(r":eq:`(eq-[\w-]+)`", f.__doc__))

    assert "eq-bce-dy" in labels(binary_cross_entropy_gradient)
    assert "eq-bce-grad" not in labels(binary_cross_entropy_gradient)
    assert "eq-bce-grad" in labels(binary_cross_entropy_with_logits_gradient)
