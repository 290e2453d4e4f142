"""Tests for bplib.activations (chapter 2)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bplib import activations
from bplib.activations import ACTIVATIONS, get_activation, sigmoid, sigmoid_derivative

NAMES = sorted(ACTIVATIONS)


def central_difference(f, Z, h=1e-6):
    """Elementwise derivative of an elementwise function, by central differences."""
    return (f(Z + h) - f(Z - h)) / (2 * h)


def random_inputs(seed=0):
    """Normal inputs of a few scales, kept away from ReLU's kink at 0."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=3.0, size=(40, 3))
    return np.where(np.abs(Z) < 1e-3, 0.5, Z)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    f, df = get_activation(name)
    Z = random_inputs()
    np.testing.assert_allclose(df(Z), central_difference(f, Z), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("z", [-1000.0, -100.0, -30.0, -8.0, 8.0, 30.0, 100.0, 1000.0])
def test_derivative_matches_central_differences_at_extremes(name, z):
    f, df = get_activation(name)
    Z = np.array([z])
    # Far out the derivatives are 0, 1 or tiny: compare absolutely.
    np.testing.assert_allclose(df(Z), central_difference(f, Z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_no_warning_and_finite_at_1000(name):
    f, df = get_activation(name)
    Z = np.array([-1e308, -1000.0, -745.2, -710.0, 0.0, 710.0, 745.2, 1000.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail here
        A, dA = f(Z), df(Z)
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(dA))


def test_sigmoid_limits_at_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sigmoid(1000.0) == 1.0
        assert sigmoid(-1000.0) == 0.0
        assert sigmoid_derivative(1000.0) == 0.0
        assert sigmoid_derivative(-1000.0) == 0.0
        assert activations.softplus(1000.0) == 1000.0
        assert activations.softplus(-1000.0) == 0.0


def test_hand_computed_values():
    # sigma(0) = 1 / (1 + e^0) = 1/2;  sigma'(0) = 1/2 * 1/2 = 1/4.
    # sigma(ln 3) = 1 / (1 + 1/3) = 3/4;  sigma'(ln 3) = 3/4 * 1/4 = 3/16.
    Z = np.array([0.0, np.log(3.0)])
    np.testing.assert_allclose(sigmoid(Z), [0.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(sigmoid_derivative(Z), [0.25, 0.1875], rtol=1e-15)
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5;  tanh' = 1 - 9/25 = 16/25.
    np.testing.assert_allclose(activations.tanh(np.log(2.0)), 0.6, rtol=1e-15)
    np.testing.assert_allclose(activations.tanh_derivative(np.log(2.0)), 0.64, rtol=1e-14)
    # softplus(ln 3) = ln(1 + 3) = ln 4;  its derivative is sigma(ln 3) = 3/4.
    np.testing.assert_allclose(activations.softplus(np.log(3.0)), np.log(4.0), rtol=1e-15)
    np.testing.assert_array_equal(activations.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(activations.relu_derivative([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])


def test_tanh_is_a_rescaled_sigmoid():
    Z = np.linspace(-20, 20, 401)
    np.testing.assert_allclose(activations.tanh(Z), 2 * sigmoid(2 * Z) - 1, atol=1e-15)


def test_sigmoid_derivative_keeps_tiny_tail_on_both_sides():
    # sigma'(z) ~ e^{-|z|}; computed as sigma(z) * sigma(-z) it is accurate
    # for large positive z too, where sigma(z) itself rounds to 1.
    Z = np.array([-40.0, 40.0])
    np.testing.assert_allclose(sigmoid_derivative(Z), np.exp(-40.0), rtol=1e-12)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_sigmoid_range_and_symmetry(z):
    s, s_neg = float(sigmoid(z)), float(sigmoid(-z))
    assert 0.0 <= s <= 1.0
    # each sigmoid is accurate to a few ulps, so the sum is within ~4 ulps of 1
    assert abs(s + s_neg - 1.0) <= 1e-15
    assert 0.0 <= float(sigmoid_derivative(z)) <= 0.25


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 3, 4)])
def test_shape_preserved(name, shape):
    f, df = get_activation(name)
    Z = np.ones(shape)
    assert f(Z).shape == shape and df(Z).shape == shape
    assert f(Z).dtype == np.float64 and df(Z).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_input_not_modified_and_output_is_new(name):
    f, df = get_activation(name)
    Z = random_inputs(1)
    before = Z.copy()
    A = f(Z)
    df(Z)
    np.testing.assert_array_equal(Z, before)
    assert not np.shares_memory(A, Z)


@pytest.mark.parametrize("name", NAMES)
def test_integer_and_list_input_accepted(name):
    f, df = get_activation(name)
    np.testing.assert_allclose(f([[1, 2]]), f(np.array([[1.0, 2.0]])))


def test_nan_propagates_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(sigmoid(np.nan))


def test_registry_entries_unpack():
    f, df = get_activation("sigmoid")
    assert f is sigmoid and df is sigmoid_derivative
    assert get_activation("relu").derivative is activations.relu_derivative
    assert {"sigmoid", "tanh", "relu", "identity"} <= set(ACTIVATIONS)


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError,
                       match=r"unknown activation 'sigmod'.*'sigmoid', 'tanh', 'relu'"):
        get_activation("sigmod")


def test_name_must_be_string():
    with pytest.raises(TypeError, match="activation name must be a string, got 3"):
        get_activation(3)


def test_non_numeric_input_rejected():
    with pytest.raises(TypeError, match="Z must hold real numbers"):
        sigmoid(["a", "b"])
