"""Tests for bplib.data: regression (chapter 1), two_blobs (chapter 2), xor (chapter 3)."""

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


# --- two_blobs: the classification set of chapter 2 ------------------------


def test_two_blobs_shapes_dtype_and_labels():
    X, T = data.two_blobs(101, rng=0)
    assert X.shape == (101, 2) and T.shape == (101, 1)
    assert X.dtype == T.dtype == np.float64
    assert set(np.unique(T)) == {0.0, 1.0}
    assert int(T.sum()) == 51  # class 0 gets n // 2 = 50


def test_two_blobs_seeded_and_reproducible():
    X1, T1 = data.two_blobs(20, rng=3)
    X2, T2 = data.two_blobs(20, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)
    assert not np.array_equal(X1, data.two_blobs(20, rng=4)[0])


def test_two_blobs_class_means_near_centers():
    centers = np.array([[-2.0, 0.0], [3.0, 1.0]])
    X, T = data.two_blobs(4000, centers=centers, spread=0.5, rng=1)
    for label in (0, 1):
        mean = X[T[:, 0] == label].mean(axis=0)
        np.testing.assert_allclose(mean, centers[label], atol=0.05)


def test_two_blobs_rows_are_shuffled():
    _, T = data.two_blobs(40, rng=2)
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
def test_two_blobs_bad_input_raises(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.two_blobs(**kwargs)


# --- xor: the exclusive-or problem of chapter 3 ----------------------------


def test_xor_the_four_corners_and_their_labels():
    X, T = data.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(T, [[0], [1], [1], [0]])
    assert X.shape == (4, 2) and T.shape == (4, 1)
    assert X.dtype == T.dtype == np.float64


def test_xor_labels_are_the_exclusive_or_of_the_inputs():
    X, T = data.xor()
    np.testing.assert_array_equal(T[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_xor_repeats_without_noise_copy_the_corners():
    X, T = data.xor(3)
    assert X.shape == (12, 2) and T.shape == (12, 1)
    np.testing.assert_array_equal(X, np.tile(data.xor()[0], (3, 1)))
    np.testing.assert_array_equal(T, np.tile(data.xor()[1], (3, 1)))


def test_xor_noise_is_seeded_and_centred_on_the_corners():
    X1, T1 = data.xor(500, noise=0.1, rng=2)
    X2, _ = data.xor(500, noise=0.1, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(X1, X2)
    assert not np.array_equal(X1, data.xor(500, noise=0.1, rng=3)[0])
    jitter = X1 - np.tile(data.xor()[0], (500, 1))
    assert abs(jitter.mean()) < 0.01
    assert jitter.std() == pytest.approx(0.1, rel=0.05)
    np.testing.assert_array_equal(T1, np.tile(data.xor()[1], (500, 1)))


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
def test_xor_bad_input_raises(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.xor(**kwargs)
