"""Tests for bplib.data.xor (the exclusive-or problem of chapter 3)."""

import numpy as np
import pytest

from bplib.data import xor


def test_the_four_corners_and_their_labels():
    X, T = xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(T, [[0], [1], [1], [0]])
    assert X.shape == (4, 2) and T.shape == (4, 1)
    assert X.dtype == T.dtype == np.float64


def test_labels_are_the_exclusive_or_of_the_inputs():
    X, T = xor()
    np.testing.assert_array_equal(T[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_repeats_without_noise_copy_the_corners():
    X, T = xor(3)
    assert X.shape == (12, 2) and T.shape == (12, 1)
    np.testing.assert_array_equal(X, np.tile(xor()[0], (3, 1)))
    np.testing.assert_array_equal(T, np.tile(xor()[1], (3, 1)))


def test_noise_is_seeded_and_centred_on_the_corners():
    X1, T1 = xor(500, noise=0.1, rng=2)
    X2, _ = xor(500, noise=0.1, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(X1, X2)
    assert not np.array_equal(X1, xor(500, noise=0.1, rng=3)[0])
    jitter = X1 - np.tile(xor()[0], (500, 1))
    assert abs(jitter.mean()) < 0.01
    assert jitter.std() == pytest.approx(0.1, rel=0.05)
    np.testing.assert_array_equal(T1, np.tile(xor()[1], (500, 1)))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"repeats": 0}, ValueError, "repeats must be an integer >= 1, got 0"),
        ({"repeats": 2.0}, TypeError, "repeats must be an integer, got 2.0"),
        ({"noise": -0.1}, ValueError, "noise must be a positive number, got -0.1"),
        ({"noise": float("nan")}, ValueError, "noise must be a positive number, got nan"),
        ({"noise": "a"}, TypeError, "noise must be a positive number, got 'a'"),
        ({"noise": 0.1, "rng": "seed"}, TypeError, "rng must be an int seed"),
    ],
)
def test_bad_input_raises(kwargs, error, message):
    with pytest.raises(error, match=message):
        xor(**kwargs)
