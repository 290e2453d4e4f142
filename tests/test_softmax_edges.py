"""Tests that kill mutants of bplib.softmax that the main tests let survive:
the full messages of the target check and of one_hot's size limit, the
boundaries of both, and the order of the target checks."""

import numpy as np
import pytest

from bplib import softmax


def test_check_targets_message_reports_row_sums_and_smallest_entry():
    T = np.array([[0.5, 0.7], [-0.25, 1.25]])
    with pytest.raises(ValueError) as info:
        softmax.cross_entropy(np.zeros((2, 2)), T)
    assert str(info.value) == (
        "T must hold one probability distribution per row (one-hot rows, non-negative "
        "and summing to 1), got row sums from 1 to 1.2 and a smallest entry of -0.25; "
        "make one-hot targets from labels with bplib.softmax.one_hot")


@pytest.mark.parametrize("T, ok", [
    ([[0.0, 1.0]], True),
    ([[0.5, 0.5 + 1e-6]], True),  # within the tolerance
    ([[0.5, 0.5 + 1e-5]], True),  # at np.allclose's 1e-5 + 1e-8, inside by 1e-8
    ([[0.5, 0.5 - 1e-5]], True),
    ([[0.5, 0.5 + 1.002e-5]], False),  # just past it
    ([[0.5, 0.5 + 1e-4]], False),
    ([[0.5, 0.5 - 1e-4]], False),
    ([[-1e-300, 1.0]], False),  # any negative entry
])
def test_check_targets_tolerance_and_sign(T, ok):
    Z, T = np.zeros((1, 2)), np.array(T)
    if ok:
        np.testing.assert_array_equal(softmax.check_targets(Z, T)[1], T)
    else:
        with pytest.raises(ValueError, match=r"^T must hold one probability distribution"):
            softmax.check_targets(Z, T)


def test_check_targets_names_Z_and_T():
    with pytest.raises(ValueError, match=r"^Z and T must have the same shape, "
                                         r"got Z.shape=\(1, 2\) and T.shape=\(1, 3\)"):
        softmax.check_targets(np.zeros((1, 2)), np.ones((1, 3)) / 3)
    with pytest.raises(ValueError, match=r"^Z must be 2-D"):
        softmax.check_targets(np.zeros(2), np.ones(2))
    with pytest.raises(TypeError, match=r"^T must hold real numbers"):
        softmax.check_targets(np.zeros((1, 1)), [["a"]])


def test_one_hot_size_limit_messages_name_the_cause():
    limit = softmax._MAX_ENTRIES
    with pytest.raises(ValueError) as info:
        softmax.one_hot([0, 1], limit)
    assert str(info.value) == (
        f"K={limit} with 2 labels makes a one-hot array of shape (2, {limit}), "
        f"{2 * limit:.3g} entries ({16 * limit / 1e9:,.1f} GB), more than one_hot's limit of "
        f"{limit:,}; pass a smaller K, or fewer labels at a time")
    with pytest.raises(ValueError) as info:
        softmax.one_hot([limit])
    assert str(info.value).startswith(
        f"labels must be class indices 0..K-1; their largest value, {limit}, makes "
        f"K = labels.max() + 1 = {limit + 1} classes and a one-hot array of shape "
        f"(1, {limit + 1})")
    assert str(info.value).endswith(
        "; map the labels to 0..K-1 first, e.g. with np.unique(labels, return_inverse=True)")


def test_one_hot_at_the_size_limit_is_allowed():
    T = softmax.one_hot([0], 1000)
    assert T.shape == (1, 1000) and T.sum() == 1.0
    softmax._check_size(np.array([0]), softmax._MAX_ENTRIES, True)  # exactly the limit


def test_accuracy_counts_only_matching_rows():
    Z = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [0.0, 5.0, 0.0], [1.0, 0.0, 0.0]])
    assert softmax.accuracy(Z, np.array([0, 2, 0, 1])) == 0.5


def test_each_row_is_shifted_by_its_own_maximum():
    Z = np.array([[0.0, 0.0], [1000.0, 1000.0]])  # one shift for all rows would underflow
    np.testing.assert_allclose(softmax.log_softmax(Z), np.log(0.5))


def test_one_hot_names_K():
    with pytest.raises(ValueError, match=r"^K must be an integer >= 1, got 0"):
        softmax.one_hot([0], 0)
    with pytest.raises(ValueError, match=r"^labels must be a non-empty 1-D array"):
        softmax.one_hot(np.zeros((2, 1), dtype=int))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_targets_are_named(bad):
    T = np.array([[0.0, 1.0], [bad, 0.0]])
    with pytest.raises(ValueError, match=r"^T must be finite, got 1 NaN or infinite entry$"):
        softmax.cross_entropy(np.zeros((2, 2)), T)


def test_a_shape_mismatch_is_reported_before_non_finite_targets():
    # The shapes are the first fault to fix: T's values cannot be judged
    # against logits they do not line up with.
    with pytest.raises(ValueError, match=r"^Z and T must have the same shape"):
        softmax.check_targets(np.zeros((1, 2)), np.array([[np.nan, 0.5, 0.5]]))
