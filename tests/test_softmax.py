"""Tests for bplib.softmax: softmax, log-softmax and the multi-class cross-entropy."""

import numpy as np
import pytest

from bplib import gradcheck, softmax

Z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
T = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def test_softmax_hand_computed():
    # Row 1: e^1, e^2, e^3 = 2.71828, 7.38906, 20.08554; sum 30.19288.
    expected = np.array([2.718281828, 7.389056099, 20.08553692]) / 30.19287485
    np.testing.assert_allclose(softmax.softmax(Z)[0], expected, rtol=1e-9)
    np.testing.assert_allclose(softmax.softmax(Z).sum(axis=1), 1.0)


def test_softmax_ignores_a_constant_added_to_a_row():
    np.testing.assert_allclose(softmax.softmax(Z + 100.0), softmax.softmax(Z))


def test_stable_at_huge_logits():
    big = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax.softmax(big)
        log_p = softmax.log_softmax(big)
        loss = softmax.cross_entropy(big, np.array([[0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(log_p, [[0.0, -1000.0, -2000.0]])
    assert loss == pytest.approx(2000.0)


def test_cross_entropy_hand_computed():
    # -(log p_13 + log p_21) / 2 with p from the softmax rows
    log_p = np.log(softmax.softmax(Z))
    expected = -(log_p[0, 2] + log_p[1, 0]) / 2
    assert softmax.cross_entropy(Z, T) == pytest.approx(expected)


def test_gradient_is_softmax_minus_targets_over_n():
    np.testing.assert_allclose(softmax.cross_entropy_gradient(Z, T),
                               (softmax.softmax(Z) - T) / 2)
    np.testing.assert_allclose(softmax.cross_entropy_gradient(Z, T).sum(axis=1), 0.0,
                               atol=1e-15)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    Zr = rng.normal(size=(5, 4)) * 3
    Tr = softmax.one_hot(rng.integers(0, 4, size=5), 4)
    result = gradcheck.check_gradient(lambda z: softmax.cross_entropy(z, Tr),
                                      softmax.cross_entropy_gradient(Zr, Tr), Zr)
    assert result.passed


def test_one_hot_and_accuracy():
    np.testing.assert_array_equal(softmax.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert softmax.one_hot(np.array([1, 3])).shape == (2, 4)
    np.testing.assert_array_equal(softmax.predict_labels(Z), [2, 0])
    assert softmax.accuracy(Z, [2, 1]) == 0.5


def test_validation():
    with pytest.raises(ValueError, match="Z and T must have the same shape"):
        softmax.cross_entropy(Z, T[:, :2])
    with pytest.raises(ValueError, match="one probability distribution per row"):
        softmax.cross_entropy(Z, np.ones_like(Z))
    with pytest.raises(ValueError, match="Z must be 2-D"):
        softmax.softmax(np.ones(3))
    with pytest.raises(ValueError, match=r"labels must lie in 0..2"):
        softmax.one_hot([0, 3], 3)
    with pytest.raises(ValueError,
                       match=r"class indices 0, 1, 2, ..., got a smallest label of -5"):
        softmax.one_hot([-5])  # not "0..-5 for K=-4"
    with pytest.raises(ValueError, match="1-D array of integers"):
        softmax.one_hot([0.5, 1.0])
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\)"):
        softmax.accuracy(Z, [1, 2, 3])


def test_accuracy_needs_integer_labels():
    Z = np.array([[2.0, 0.0], [0.0, 2.0]])
    assert softmax.accuracy(Z, np.array([0, 1])) == 1.0
    with pytest.raises(TypeError, match="labels must be integers"):
        softmax.accuracy(Z, np.array([0.5, 1.0]))


def test_one_hot_refuses_an_absurd_array_by_name():
    # K = labels.max() + 1 would be 10**12 + 1 columns: 8 TB of float64.
    with pytest.raises(ValueError, match=r"labels must be class indices 0..K-1; their largest "
                                         r"value, 1000000000000, makes K = "
                                         r"labels.max\(\) \+ 1 = 1000000000001"):
        softmax.one_hot([10**12])
    with pytest.raises(ValueError, match=r"K=1000000000000 with 1 label makes a one-hot array "
                                         r"of shape \(1, 1000000000000\)"):
        softmax.one_hot([0], 10**12)
    with pytest.raises(ValueError, match=r"labels must be class indices"):
        softmax.one_hot(np.array([2**64 - 1], dtype=np.uint64))


def test_one_hot_size_limit_is_on_n_times_K(monkeypatch):
    monkeypatch.setattr(softmax, "_MAX_ENTRIES", 12)
    assert softmax.one_hot([0, 1, 3]).shape == (3, 4)  # 12 entries: allowed
    with pytest.raises(ValueError, match=r"shape \(3, 5\), 15 entries .*limit of 12"):
        softmax.one_hot([0, 1, 3], 5)
