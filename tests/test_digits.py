"""Tests for bplib.digits: the seeded, stratified split and the standardisation."""

import numpy as np
import pytest

from bplib import digits


@pytest.fixture(scope="module")
def data():
    return digits.load(rng=0)


def test_sizes_and_shapes(data):
    assert data.X_train.shape == (1078, 64) and data.T_train.shape == (1078, 10)
    assert len(data.X_val) + len(data.X_test) + len(data.X_train) == 1797
    assert data.images_test.shape == (len(data.X_test), 8, 8)
    np.testing.assert_array_equal(data.T_val.argmax(axis=1), data.y_val)


def test_split_is_seeded_and_stratified(data):
    again = digits.load(rng=0)
    np.testing.assert_array_equal(again.X_test, data.X_test)
    other = digits.load(rng=1)
    assert not np.array_equal(other.y_test, data.y_test)
    for y in (data.y_train, data.y_val, data.y_test):
        shares = np.bincount(y, minlength=10) / len(y)
        np.testing.assert_allclose(shares, 0.1, atol=0.01)


def test_split_indices_are_disjoint_and_cover():
    labels = np.repeat(np.arange(3), 10)
    parts = digits.split_indices(labels, [0.2, 0.3], rng=0)
    assert [len(p) for p in parts] == [6, 9, 15]
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(30))
    with pytest.raises(ValueError, match="sum to less than 1"):
        digits.split_indices(labels, [0.5, 0.5])


def test_standardisation_uses_the_training_set_only(data):
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    varying = data.scale != 1.0
    np.testing.assert_allclose(data.X_train.std(axis=0)[varying], 1.0)
    assert np.abs(data.X_test.mean(axis=0)).max() > 1e-3  # not refitted on the test set
    raw = data.images_test.reshape(-1, 64)
    np.testing.assert_allclose(data.X_test, (raw - data.mean) / data.scale)


def test_standardise_keeps_constant_columns_finite():
    A = np.array([[1.0, 5.0], [3.0, 5.0]])
    A_s, B_s, mean, scale = digits.standardise(A, np.array([[2.0, 6.0]]))
    np.testing.assert_allclose(A_s, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(B_s, [[0.0, 1.0]])
    np.testing.assert_allclose(scale, [1.0, 1.0])
    with pytest.raises(ValueError, match="has 3 columns but X_fit has 2"):
        digits.standardise(A, np.ones((1, 3)))


def test_subset_is_nested_and_balanced(data):
    X50, y50, _ = digits.subset(data, 50)
    X100, y100, _ = digits.subset(data, 100)
    assert set(map(bytes, X50)) <= set(map(bytes, X100))
    assert np.bincount(y100, minlength=10).min() >= 9
    with pytest.raises(ValueError, match="n must be between 10 and 1078"):
        digits.subset(data, 5)
