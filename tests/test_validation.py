"""Tests for the shared input checks in ``bplib._validation``."""

import numpy as np
import pytest

from bplib._validation import (
    as_float_array,
    check_positive,
    check_positive_int,
    check_rng,
    check_same_shape,
)


def test_as_float_array_converts_ints_without_touching_the_input():
    x = np.array([[1, 2], [3, 4]])
    out = as_float_array(x, "X", ndim=2)
    assert out.dtype == np.float64
    assert x.dtype.kind == "i"
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize(
    "value, kwargs, exc, match",
    [
        (np.array(["a", "b"]), {}, TypeError, r"X must hold real numbers.*<U1"),
        (np.array([object(), 1]), {}, TypeError, r"X must hold real numbers.*object"),
        (np.ones(3), {"ndim": 2}, ValueError, r"X must be 2-D, got a 1-D array of shape \(3,\)"),
        (np.ones((0, 2)), {"ndim": 2}, ValueError, r"X must not be empty, got shape \(0, 2\)"),
        (np.array([1.0, np.nan, np.inf]), {}, ValueError,
         r"X must be finite, got 2 NaN or infinite entries"),
    ],
)
def test_as_float_array_rejects_bad_input(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        as_float_array(value, "X", **kwargs)


def test_as_float_array_allows_nan_when_asked():
    out = as_float_array([np.nan], "W", finite=False)
    assert np.isnan(out[0])


@pytest.mark.parametrize("eta", [0, -0.1, np.inf, np.nan])
def test_check_positive_rejects_non_positive(eta):
    with pytest.raises(ValueError, match="eta must be a positive number"):
        check_positive(eta, "eta")


@pytest.mark.parametrize("eta", ["0.1", None, True])
def test_check_positive_rejects_non_numbers(eta):
    with pytest.raises(TypeError, match="eta must be a positive number"):
        check_positive(eta, "eta")


def test_check_positive_int():
    assert check_positive_int(np.int64(3), "steps") == 3
    with pytest.raises(ValueError, match=r"steps must be an integer >= 1, got 0"):
        check_positive_int(0, "steps")
    with pytest.raises(TypeError, match=r"steps must be an integer, got 2.5"):
        check_positive_int(2.5, "steps")


def test_check_same_shape_refuses_to_broadcast_a_column_against_a_vector():
    Y, T = np.zeros((4, 1)), np.zeros(4)
    # NumPy would silently broadcast Y - T to shape (4, 4).
    assert (Y - T).shape == (4, 4)
    with pytest.raises(ValueError, match=r"Y\.shape=\(4, 1\) and T\.shape=\(4,\); reshape T"):
        check_same_shape(Y, T)


def test_check_rng_is_reproducible_and_rejects_junk():
    a = check_rng(7).normal(size=3)
    b = check_rng(np.random.default_rng(7)).normal(size=3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="rng must be an int seed"):
        check_rng("seven")


def test_check_non_negative_reports_a_huge_integer_by_name():
    from bplib._validation import check_non_negative

    assert check_non_negative(0, "eta_min") == 0.0
    with pytest.raises(ValueError, match=r"eta_min must be a finite number >= 0, got an integer "
                                         r"of 401 digits"):
        check_non_negative(10**400, "eta_min")
