"""Tests for bplib.init: weight variances, seeding, layout and validation."""

import numpy as np
import pytest

from bplib import init, mlp

SIZES = [400, 600, 300]  # 240 000 + 180 000 weights: sample variances are tight


def _rel_sd_of_sample_variance(scheme, N):
    # Var of the sample variance is (mu4 - sigma^4) / N: kurtosis 3 (normal)
    # or 9/5 (uniform) times sigma^4, minus sigma^4.
    kurtosis = 9 / 5 if scheme.endswith("uniform") else 3.0
    return np.sqrt((kurtosis - 1) / N)


@pytest.mark.parametrize("scheme", init.SCHEMES)
@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_variance_matches_its_formula(scheme, scale):
    params = init.init_params(SIZES, scheme, scale=scale, rng=3)
    for l, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:]), start=1):
        W = params[f"W{l}"]
        expected = init.weight_variance(scheme, fan_in, fan_out, scale)
        # The tolerance is 10 standard deviations of the sample variance
        # (at most 3.4 % here): a seeded draw cannot miss it by chance.
        tol = 10 * _rel_sd_of_sample_variance(scheme, W.size)
        assert tol < 0.035
        assert np.var(W) == pytest.approx(expected, rel=tol)
        assert abs(W.mean()) < 10 * np.sqrt(expected / W.size)


def test_variance_formulas_by_hand():
    assert init.weight_variance("standard_normal", 3, 5) == 1.0
    assert init.weight_variance("xavier_normal", 3, 5) == 2 / 8  # 2 / (3 + 5)
    assert init.weight_variance("xavier_uniform", 3, 5) == 2 / 8
    assert init.weight_variance("he_normal", 8, 5) == 2 / 8  # 2 / fan_in
    assert init.weight_variance("he_uniform", 8, 5) == 2 / 8
    assert init.weight_variance("he_normal", 8, 5, scale=3.0) == pytest.approx(9 * 2 / 8)


@pytest.mark.parametrize("scheme, a", [("xavier_uniform", np.sqrt(6 / 8)),
                                       ("he_uniform", np.sqrt(6 / 3))])
def test_uniform_schemes_stay_inside_their_bound(scheme, a):
    W = init.init_params([3, 5], scheme, rng=0)["W1"]
    assert np.abs(W).max() <= a
    W = init.init_params([3, 5], scheme, scale=2.0, rng=0)["W1"]
    assert np.abs(W).max() <= 2 * a and np.abs(W).max() > a / 2


@pytest.mark.parametrize("scheme", init.SCHEMES)
def test_layout_is_mlps_and_biases_are_zero(scheme):
    params = init.init_params([2, 7, 4, 1], scheme, rng=0)
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert mlp.layer_sizes(params) == (2, 7, 4, 1)
    assert all(not params[f"b{l}"].any() for l in (1, 2, 3))
    Y, _ = mlp.forward(np.ones((5, 2)), params, ["tanh", "relu", "identity"])
    assert Y.shape == (5, 1)


def test_default_is_lecun_normal():
    """Variance 1/fan_in: weighted inputs of order one, the default of chapters 4-7."""
    big = init.init_params([400, 300, 1], rng=0)
    assert big["W1"].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert big["W2"].std() == pytest.approx(1 / np.sqrt(300), rel=0.1)
    assert init.weight_variance("lecun_normal", 400, 3) == pytest.approx(1 / 400)
    same = init.init_params([400, 300, 1], "lecun_normal", rng=0)
    np.testing.assert_array_equal(big["W1"], same["W1"])


def test_scale_multiplies_the_standard_deviation():
    W = init.init_params([400, 300], "standard_normal", scale=2.0, rng=0)["W1"]
    assert W.std() == pytest.approx(2, rel=0.02)
    W = init.init_params([400, 300], "lecun_normal", scale=2.0, rng=0)["W1"]
    assert W.std() == pytest.approx(2 / np.sqrt(400), rel=0.02)


def test_seeded():
    a = init.init_params([5, 5, 5], "he_normal", rng=1)
    b = init.init_params([5, 5, 5], "he_normal", rng=1)
    c = init.init_params([5, 5, 5], "he_normal", rng=2)
    np.testing.assert_array_equal(a["W2"], b["W2"])
    assert not np.allclose(a["W2"], c["W2"])
    g = np.random.default_rng(1)
    np.testing.assert_array_equal(init.init_params([5, 5, 5], "he_normal", rng=g)["W1"], a["W1"])


def test_standard_normal_ignores_the_layer_size():
    W = init.init_params([1000, 200], "standard_normal", rng=0)["W1"]
    assert np.std(W) == pytest.approx(1.0, rel=0.02)


def test_validation():
    with pytest.raises(ValueError, match="unknown initialisation scheme 'glorot'.*'he_normal'"):
        init.init_params([2, 3], "glorot")
    with pytest.raises(TypeError, match="scheme must be a string"):
        init.init_params([2, 3], 3)
    with pytest.raises(ValueError, match="sizes must list two or more"):
        init.init_params([2], "xavier_normal")
    with pytest.raises(ValueError, match="sizes must list two or more"):
        init.init_params([2, 0, 1], "xavier_normal")
    with pytest.raises(ValueError, match="sizes must list two or more"):
        init.init_params([2, 2.5], "xavier_normal")
    with pytest.raises(ValueError, match="scale must be a positive number, got -1"):
        init.init_params([2, 3], "he_normal", scale=-1.0)
    with pytest.raises(TypeError, match="rng must be"):
        init.init_params([2, 3], "he_normal", rng="seed")
    with pytest.raises(ValueError, match="scale must be a positive"):
        init.weight_variance("he_normal", 2, 3, scale=0.0)


def test_weight_variance_names_fan_in_and_fan_out():
    with pytest.raises(ValueError, match=r"fan_in must be an integer >= 1, got 0"):
        init.weight_variance("he_normal", 0, 3)
    with pytest.raises(ValueError, match=r"fan_out must be an integer >= 1, got -2"):
        init.weight_variance("xavier_normal", 3, -2)
    with pytest.raises(TypeError, match=r"fan_out must be an integer, got 2.5"):
        init.weight_variance("he_normal", 3, 2.5)


def test_bad_sizes_name_the_entry():
    with pytest.raises(ValueError, match=r"sizes must list two or more positive layer sizes, "
                                         r"got \[2, 0, 1\]: sizes\[1\] is 0"):
        init.init_params([2, 0, 1], "he_normal")
    with pytest.raises(ValueError, match=r"got \[2, \[3, 4\]\]: sizes\[1\] is \[3, 4\]"):
        init.init_params([2, [3, 4]])
