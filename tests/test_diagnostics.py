"""Tests for bplib.diagnostics: per-layer statistics, verdict, overflow report, clipping."""

import warnings

import numpy as np
import pytest

from bplib import diagnostics, init, mlp
from bplib.activations import ACTIVATIONS


def _net(depth, width, activation, scheme, scale=1.0, n=64, seed=0):
    rng = np.random.default_rng(seed)
    params = init.init_params([width] * (depth + 1), scheme, scale=scale, rng=rng)
    X, T = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    return X, T, params, [activation] * depth


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradients_are_mlps(activation):
    rng = np.random.default_rng(1)
    params = init.init_params([3, 6, 5, 2], "xavier_normal", rng=rng)
    X, T = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    acts = [activation, "tanh", activation]
    d = diagnostics.diagnose(X, T, params, acts)
    loss, grads = mlp.loss_and_gradients(X, T, params, acts)
    assert d.loss == pytest.approx(loss, rel=1e-12)
    assert list(d.gradients) == list(grads)
    for key in grads:
        np.testing.assert_allclose(d.gradients[key], grads[key], rtol=1e-12, atol=1e-15)
    for l in (1, 2, 3):
        assert d.grad_norms[l - 1] == pytest.approx(np.linalg.norm(grads[f"W{l}"]), rel=1e-12)
    Y, cache = mlp.forward(X, params, acts)
    assert d.delta_norms[-1] == pytest.approx(np.linalg.norm(mlp.output_delta(cache, T)))
    np.testing.assert_allclose(d.activation_mean, [cache.A[l].mean() for l in (1, 2, 3)])
    np.testing.assert_allclose(d.activation_std, [cache.A[l].std() for l in (1, 2, 3)])
    np.testing.assert_allclose(d.preactivation_std, [cache.Z[l].std() for l in (1, 2, 3)])
    assert d.depth == 3 and d.finite and d.report() == "all values finite"
    assert not d.nonfinite_activations.any() and not d.nonfinite_gradients.any()


def test_logits_loss_agrees_with_mlp():
    rng = np.random.default_rng(2)
    params = init.init_params([2, 8, 1], "he_normal", rng=rng)
    X, T = rng.normal(size=(20, 2)), (rng.random((20, 1)) < 0.5).astype(float)
    acts, loss = ["relu", "sigmoid"], "binary_cross_entropy_with_logits"
    d = diagnostics.diagnose(X, T, params, acts, loss)
    value, grads = mlp.loss_and_gradients(X, T, params, acts, loss)
    assert d.loss == pytest.approx(value, rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(d.gradients[key], grads[key], rtol=1e-12, atol=1e-15)


def test_saturation_by_hand():
    # sigmoid'(10) = 4.5e-5 and sigmoid'(-10) are below 0.05 * 1/4 = 0.0125;
    # sigmoid'(0) = 0.25 and sigmoid'(2) = 0.105 are not.
    assert diagnostics.saturation([0.0, 2.0, 10.0, -10.0], "sigmoid") == 0.5
    # tanh'(3) = 1 - tanh(3)^2 = 0.0099 < 0.05; tanh'(1) = 0.42 is not.
    assert diagnostics.saturation([[0.0, 1.0], [3.0, -3.0]], "tanh") == 0.5
    # ReLU: a unit at z <= 0 is inactive (output exactly 0), not saturated.
    assert diagnostics.saturation([-1.0, 0.0, 1.0, 2.0], "relu") == 0.0
    assert diagnostics.saturation([-5.0, 5.0], "identity") == 0.0
    assert diagnostics.saturation([2.0], "sigmoid", tol=0.5) == 1.0  # 0.105 < 0.125
    assert diagnostics.saturation([np.inf, 0.0], "identity") == 0.0
    assert diagnostics.saturation([np.nan, 0.0], "tanh") == 0.5


def test_inactive_and_dead_relus_are_counted_apart_from_saturation():
    Z = np.array([[-1.0, 0.0, 2.0], [-3.0, 1.0, 2.0]])  # column 0 is 0 on every row
    assert diagnostics.inactive(Z, "relu") == pytest.approx(3 / 6)
    assert diagnostics.dead_units(Z, "relu") == pytest.approx(1 / 3)
    assert diagnostics.inactive(Z, "tanh") == 0.0 and diagnostics.dead_units(Z, "tanh") == 0.0
    assert diagnostics.inactive(np.array([[-50.0, 50.0]]), "sigmoid") == 0.0  # saturated, not 0
    X, T, params, acts = _net(5, 32, "relu", "he_normal")
    d = diagnostics.diagnose(X, T, params, acts)
    assert np.all(d.saturation == 0) and np.all((0.3 < d.inactive) & (d.inactive < 0.7))
    Y, cache = mlp.forward(X, params, acts)
    np.testing.assert_allclose(d.inactive, [np.mean(cache.A[l] == 0) for l in range(1, 6)])
    np.testing.assert_allclose(d.dead, [np.mean(np.all(cache.A[l] == 0, axis=0))
                                        for l in range(1, 6)])
    with pytest.raises(ValueError, match="Z must be 2-D"):
        diagnostics.dead_units([0.0, 1.0], "relu")


# Issue: a ratio near 1 hid ReLU networks whose gradients are 1e6 (standard
# normal weights) or whose signal dies on the way forward (scale 0.25).
@pytest.mark.parametrize("scheme, scale, expected, reason", [
    ("standard_normal", 1.0, "exploding", "gradient norms up to"),
    ("he_normal", 0.25, "vanishing", "the signal collapses"),
    ("he_normal", 1.0, "healthy", "ratio"),
])
def test_verdict_weighs_absolute_sizes_not_only_the_ratio(scheme, scale, expected, reason):
    d = diagnostics.diagnose(*_net(5, 32, "relu", scheme, scale=scale))
    assert 0.3 < d.ratio < 3  # the ratio alone would say "healthy" every time
    verdict, why = diagnostics.assess(d)
    assert verdict == expected == diagnostics.verdict(d) and reason in why


# Three settings whose regime is unambiguous by orders of magnitude: the
# thresholds are 0.1 and 10, the measured ratios 1e-12, about 1 and 1e6.
@pytest.mark.parametrize("setting, expected, low, high", [
    (dict(depth=20, width=32, activation="sigmoid", scheme="xavier_normal"),
     "vanishing", 0, 1e-8),
    (dict(depth=10, width=32, activation="tanh", scheme="xavier_normal"),
     "healthy", 0.3, 3),
    (dict(depth=20, width=64, activation="tanh", scheme="standard_normal"),
     "exploding", 1e4, np.inf),
])
def test_verdict_on_three_unambiguous_settings(setting, expected, low, high):
    d = diagnostics.diagnose(*_net(**setting))
    assert low < d.ratio < high
    assert diagnostics.verdict(d) == expected


def test_ratio_ignores_the_size_of_the_error():
    # The backward pass is linear in the output delta: a hundred times the
    # error gives a hundred times every gradient, and the same ratio.
    X, T, params, acts = _net(8, 16, "sigmoid", "xavier_normal")
    Y, _ = mlp.forward(X, params, acts)
    small = diagnostics.diagnose(X, Y + 0.01 * (T - Y), params, acts)
    large = diagnostics.diagnose(X, Y + 1.0 * (T - Y), params, acts)
    np.testing.assert_allclose(large.grad_norms, 100 * small.grad_norms, rtol=1e-9)
    assert large.ratio == pytest.approx(small.ratio, rel=1e-9)


def test_overflow_is_reported_not_warned():
    # 100 ReLU layers with weights 10 times standard normal: each layer
    # multiplies the signal by about 10 * sqrt(64 / 2) = 57, so the output
    # reaches ~1e175 and its square overflows.
    X, T, params, acts = _net(100, 64, "relu", "standard_normal", scale=10.0, n=16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = diagnostics.diagnose(X, T, params, acts)
    assert not d.finite and not np.isfinite(d.loss)
    assert diagnostics.verdict(d) == "exploding"
    assert d.nonfinite_gradients[0] > 0 and d.nonfinite_activations[0] == 0
    report = d.report()
    assert report.startswith("overflow: the loss is inf")
    assert "non-finite weight gradients in" in report and "layers 1-" in report
    assert d.problems()[0] == "the loss is inf"


def test_nonfinite_activations_are_located():
    X, T, params, acts = _net(200, 64, "relu", "standard_normal", scale=10.0, n=4)
    d = diagnostics.diagnose(X, T, params, acts)
    first = int(np.flatnonzero(d.nonfinite_activations)[0]) + 1
    assert 150 < first < 200
    assert f"non-finite activations in {200 - first + 1} of 200 layers (layers {first}-200" \
        in d.report()


def test_verdict_edge_cases_and_validation():
    X, T, params, acts = _net(3, 4, "relu", "he_normal")
    dead = dict(params, W1=np.zeros((4, 4)))  # layer 1 passes nothing: no gradient below
    assert diagnostics.verdict(diagnostics.diagnose(X, T, dead, acts)) == "vanishing"
    with pytest.raises(TypeError, match="diagnostics must be the result of diagnose"):
        diagnostics.verdict(0.5)
    with pytest.raises(ValueError, match="unknown loss 'hinge'; known losses are"):
        diagnostics.diagnose(X, T, params, acts, loss="hinge")
    with pytest.raises(ValueError, match=r"Y and T must have the same shape"):
        diagnostics.diagnose(X, T[:, :1], params, acts)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        diagnostics.saturation([0.0], "swish")
    with pytest.raises(ValueError, match="tol must be a positive"):
        diagnostics.saturation([0.0], "tanh", tol=0)


def test_clip_by_norm_by_hand():
    grads = {"W1": np.array([[3.0, 0.0]]), "b1": np.array([4.0])}  # global norm 5
    assert diagnostics.global_norm(grads) == 5.0
    clipped, norm = diagnostics.clip_by_norm(grads, 1.0)  # eq-clip: times 1/5
    assert norm == 5.0
    np.testing.assert_allclose(clipped["W1"], [[0.6, 0.0]])
    np.testing.assert_allclose(clipped["b1"], [0.8])
    assert diagnostics.global_norm(clipped) == pytest.approx(1.0)
    same, _ = diagnostics.clip_by_norm(grads, 10.0)  # under the threshold: unchanged
    np.testing.assert_array_equal(same["W1"], grads["W1"])
    assert same["W1"] is not grads["W1"]
    np.testing.assert_array_equal(grads["W1"], [[3.0, 0.0]])  # input not modified


def test_norms_of_huge_and_nonfinite_gradients():
    assert diagnostics.global_norm({"a": np.array([3e200, 4e200])}) == pytest.approx(5e200)
    assert diagnostics.global_norm({"a": np.array([3e-200, 4e-200])}) == pytest.approx(5e-200)
    bad = {"a": np.array([1.0, np.inf])}
    clipped, norm = diagnostics.clip_by_norm(bad, 1.0)
    assert norm == np.inf
    np.testing.assert_array_equal(clipped["a"], bad["a"])
    with pytest.raises(ValueError, match="max_norm must be a positive"):
        diagnostics.clip_by_norm({"a": np.ones(2)}, 0.0)
    with pytest.raises(TypeError, match="grads must be a non-empty dict"):
        diagnostics.global_norm([1.0])


def test_statistics_of_huge_activations_do_not_overflow():
    X, T, params, acts = _net(300, 32, "relu", "standard_normal", n=16)
    d = diagnostics.diagnose(X, T, params, acts)
    assert not d.nonfinite_activations.any()
    assert np.all(np.isfinite(d.activation_std)) and d.activation_std[-1] > 1e170
    big = d.A[-1]
    assert d.activation_std[-1] == pytest.approx(np.std(big / 1e170) * 1e170, rel=1e-12)
