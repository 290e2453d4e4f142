"""Tests for bplib.data.regression (the regression set of chapter 1)."""

import numpy as np
import pytest

from bplib import data


def test_shapes_and_dtype():
    X, T = data.regression(17, rng=0)
    assert X.shape == (17, 2) and T.shape == (17, 1)
    assert X.dtype == T.dtype == np.float64


def test_seeded_and_reproducible():
    X1, T1 = data.regression(25, rng=5)
    X2, T2 = data.regression(25, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)
    assert not np.array_equal(X1, data.regression(25, rng=6)[0])


def test_statistics_follow_the_parameters():
    X, T = data.regression(20_000, weights=(1.0, 3.0), bias=-2.0, correlation=0.5,
                           noise=0.1, rng=2)
    assert np.corrcoef(X.T)[0, 1] == pytest.approx(0.5, abs=0.02)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=0.02)
    residual = T[:, 0] - (X @ [1.0, 3.0] - 2.0)
    assert residual.std() == pytest.approx(0.1, rel=0.05)


def test_noise_free_targets_are_exactly_linear():
    X, T = data.regression(10, noise=0.0, rng=1)
    np.testing.assert_allclose(T[:, 0], X @ [2.0, -1.0])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n": 0}, ValueError, "n must be an integer >= 1"),
        ({"n": 2.5}, TypeError, "n must be an integer"),
        ({"weights": (1.0, 2.0, 3.0)}, ValueError, "weights must hold 2 numbers"),
        ({"correlation": 1.0}, ValueError, "correlation must lie strictly between"),
        ({"noise": -0.1}, ValueError, "noise must be a finite number >= 0"),
        ({"rng": "seed"}, TypeError, "rng must be an int seed or a numpy.random.Generator"),
    ],
)
def test_bad_arguments_raise(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.regression(**kwargs)
