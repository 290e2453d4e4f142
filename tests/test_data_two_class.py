"""Tests for bplib.data.two_blobs (the classification set of chapter 2)."""

import numpy as np
import pytest

from bplib.data import two_blobs


def test_shapes_dtype_and_labels():
    X, T = two_blobs(101, rng=0)
    assert X.shape == (101, 2) and T.shape == (101, 1)
    assert X.dtype == T.dtype == np.float64
    assert set(np.unique(T)) == {0.0, 1.0}
    assert int(T.sum()) == 51  # class 0 gets n // 2 = 50


def test_seeded_and_reproducible():
    X1, T1 = two_blobs(20, rng=3)
    X2, T2 = two_blobs(20, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)
    assert not np.array_equal(X1, two_blobs(20, rng=4)[0])


def test_class_means_near_centers():
    centers = np.array([[-2.0, 0.0], [3.0, 1.0]])
    X, T = two_blobs(4000, centers=centers, spread=0.5, rng=1)
    for label in (0, 1):
        mean = X[T[:, 0] == label].mean(axis=0)
        np.testing.assert_allclose(mean, centers[label], atol=0.05)


def test_rows_are_shuffled():
    _, T = two_blobs(40, rng=2)
    assert not np.array_equal(T[:, 0], np.sort(T[:, 0]))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n": 1}, ValueError, "n must be an integer >= 2, got 1"),
        ({"n": 2.5}, TypeError, "n must be an integer, got 2.5"),
        ({"centers": [[0.0, 0.0]]}, ValueError, r"centers must have shape \(2, 2\), got \(1, 2\)"),
        ({"spread": 0.0}, ValueError, "spread must be a positive number, got 0.0"),
        ({"rng": "seed"}, TypeError, "rng must be an int seed or a numpy.random.Generator"),
    ],
)
def test_bad_input_raises(kwargs, error, message):
    with pytest.raises(error, match=message):
        two_blobs(**kwargs)
