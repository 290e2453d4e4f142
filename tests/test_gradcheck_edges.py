"""Tests that kill mutants of bplib.gradcheck that the main tests let survive:
the step and threshold reaching the check, whole error messages, a 1 x 1
loss, integer gradients, and ties between arrays."""

import re

import numpy as np
import pytest

from bplib.gradcheck import check_gradient, check_gradients, numerical_gradient, relative_error


def cubic(x):
    return float(np.sum(x**3))


def test_a_list_is_refused_with_the_whole_hint():
    message = ("x must be a float64 NumPy array (it is perturbed in place and restored), "
               "got list; convert it with np.array(..., dtype=float)")
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        numerical_gradient(cubic, [1.0, 2.0])


def test_f_may_return_a_1_by_1_array():
    # A loss written as a matrix product, e.g. (A - T).T @ (A - T) / 2, is 1 x 1.
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(numerical_gradient(lambda x: x[None, :] @ x[:, None], x),
                               2 * x, rtol=1e-8)


def test_a_nan_at_the_minus_step_names_the_entry():
    # f fails only at x - h: the message must still name x[1].
    with pytest.raises(ValueError, match=r"^f returned nan when x\[1\] was perturbed$"):
        numerical_gradient(lambda x: np.nan if x[1] < 1.0 else 0.0, np.ones(2))


@pytest.mark.parametrize("check", ["one", "several"])
def test_the_step_h_reaches_the_differences(check):
    # For x^3 the central difference is exactly 3 x^2 + h^2.
    x, h = np.array([2.0]), 1e-2
    if check == "one":
        result = check_gradient(cubic, 3 * x**2, x, h=h)
    else:
        result = check_gradients(lambda p: cubic(p["x"]), {"x": 3 * x**2}, {"x": x}, h=h)
    assert result.numerical == pytest.approx(12.0 + h**2, rel=1e-9)
    assert result.max_relative_error == pytest.approx(h**2 / (24 + h**2), rel=1e-6)


def test_the_threshold_tol_judges_check_gradient():
    x = np.array([2.0])
    wrong = 3 * x**2 * 1.001  # relative error 0.001 / 2.001, about 5e-4
    assert not check_gradient(cubic, wrong, x).passed
    loose = check_gradient(cubic, wrong, x, tol=1e-3)
    assert loose.tol == 1e-3
    assert loose.passed


def test_params_that_are_not_a_dict_are_named_by_type():
    with pytest.raises(TypeError, match=r"^params must be a non-empty dict of arrays, got list$"):
        check_gradients(lambda p: 0.0, {}, [np.ones(2)])


def test_grads_that_are_not_a_dict_are_named_by_type():
    params = {"W": np.ones((2, 1)), "b": np.zeros(1)}
    with pytest.raises(ValueError, match=r"^grads must be a dict with the keys \['W', 'b'\], "
                                         r"got list$"):
        check_gradients(lambda p: 0.0, [np.ones((2, 1)), np.zeros(1)], params)


def test_ties_between_arrays_go_to_the_first_in_params_order():
    # Both analytic gradients are 0 where the true ones are not: relative error 1 in
    # each array. As np.argmax inside an array, the first worst one is reported.
    params = {"a": np.array([1.0]), "b": np.array([2.0])}
    result = check_gradients(lambda p: cubic(p["a"]) + cubic(p["b"]),
                             {"a": np.zeros(1), "b": np.zeros(1)}, params)
    assert result.errors == {"a": 1.0, "b": 1.0}
    assert result.name == "a"


@pytest.mark.parametrize("analytic, numerical", [([np.iinfo(np.int64).min], [0.0]),
                                                 ([0.0], [np.iinfo(np.int64).min])])
def test_integer_gradients_are_converted_before_the_arithmetic(analytic, numerical):
    # |int64 min| does not exist in int64: computed in integers, the denominator
    # would wrap to a negative number and the "relative error" explode.
    a = np.array(analytic, dtype=np.int64 if isinstance(analytic[0], int) else float)
    n = np.array(numerical, dtype=np.int64 if isinstance(numerical[0], int) else float)
    np.testing.assert_array_equal(relative_error(a, n), [1.0])
