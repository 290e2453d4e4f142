"""Tests for bplib.explorers.gradient_flow: the explorer's experiment, plot and widget."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import diagnostics, init
from bplib.explorers import gradient_flow


def test_experiment_measures_the_network_it_describes():
    r = gradient_flow.experiment(7, 12, "sigmoid", "he_uniform", 1.5, n=20, rng=4)
    rng = np.random.default_rng(4)  # the same draws, in the same order
    params = init.init_params([12] * 8, "he_uniform", scale=1.5, rng=rng)
    X, T = rng.normal(size=(20, 12)), rng.normal(size=(20, 12))
    d = diagnostics.diagnose(X, T, params, ["sigmoid"] * 7)
    np.testing.assert_allclose(r.diagnostics.grad_norms, d.grad_norms)
    assert r.ratio == pytest.approx(d.grad_norms[0] / d.grad_norms[-1])
    assert r.verdict == diagnostics.verdict(d) and r.verdict in r.summary
    assert (r.depth, r.width, r.activation, r.scheme, r.scale) == (7, 12, "sigmoid",
                                                                   "he_uniform", 1.5)
    assert r.shown == (1, 2, 4, 6, 7)  # round(linspace(1, 7, 5)), half to even
    assert r.edges[0] == 0 and r.edges[-1] == 1 and r.hist.shape == (5, 40)
    np.testing.assert_allclose(r.hist.sum(axis=1), 1.0)  # bounded: every entry counted


def test_shown_layers():
    assert gradient_flow.experiment(2, 4).shown == (1, 2)
    assert gradient_flow.experiment(20, 4).shown == (1, 6, 10, 15, 20)


def test_relu_histograms_leave_out_the_zeros():
    r = gradient_flow.experiment(4, 16, "relu", "he_normal")
    zeros = [np.mean(r.diagnostics.A[l - 1] == 0) for l in r.shown]
    np.testing.assert_allclose(r.hist.sum(axis=1), 1 - np.array(zeros))
    assert r.edges[0] == 0 and r.edges[-1] == 4  # in units of each layer's std


@pytest.mark.parametrize("args, verdict", [
    (("sigmoid", "xavier_normal"), "vanishing"),  # ratio about 1e-12
    (("tanh", "xavier_normal"), "healthy"),  # about 1
    (("tanh", "standard_normal"), "exploding"),  # about 1e5
])
def test_verdicts(args, verdict):
    r = gradient_flow.experiment(20, 48, *args)
    assert r.verdict == verdict
    assert r.summary.startswith(f"{verdict}: first/last gradient-norm ratio ")


@pytest.mark.parametrize("scheme, scale, verdict, reason", [
    ("standard_normal", 1.0, "exploding", "gradient norms up to"),  # norms ~1e6, std ~750
    ("he_normal", 0.25, "vanishing", "the signal collapses"),  # last-layer std ~7e-4
])
def test_relu_verdicts_weigh_absolute_sizes(scheme, scale, verdict, reason):
    r = gradient_flow.experiment(5, 32, "relu", scheme, scale)
    assert 0.3 < r.ratio < 3  # the ratio alone looks healthy
    assert r.verdict == verdict and reason in r.summary


def test_relu_units_are_inactive_or_dead_not_saturated():
    r = gradient_flow.experiment(5, 32, "relu", "he_normal")
    assert "of outputs inactive (exactly 0)" in r.summary and "units dead" in r.summary
    assert "saturated" not in r.summary
    assert "of units saturated" in gradient_flow.experiment(5, 32, "tanh").summary


def test_overflow_is_a_verdict_not_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gradient_flow.experiment(100, 64, "relu", "standard_normal", 10.0, n=8)
    assert r.verdict == "exploding"
    assert "overflow: the loss is inf" in r.summary


def test_experiment_validates_its_input():
    with pytest.raises(ValueError, match="depth must be an integer >= 2"):
        gradient_flow.experiment(1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        gradient_flow.experiment(3, activation="swish")
    with pytest.raises(ValueError, match="unknown initialisation scheme"):
        gradient_flow.experiment(3, scheme="lecun")
    with pytest.raises(ValueError, match="scale must be a positive"):
        gradient_flow.experiment(3, scale=0.0)


def test_plot_draws_the_result_and_update_redraws_it():
    fig = plt.figure()
    r = gradient_flow.experiment(12, 16, "tanh", "standard_normal")
    artists = gradient_flow.plot(r, fig)
    assert len(fig.axes) == 2 and artists.norm_ax.get_yscale() == "log"
    np.testing.assert_allclose(artists.norms.get_ydata(), r.diagnostics.grad_norms)
    assert artists.norm_ax.get_title().startswith("exploding")
    values = artists.stairs[2].get_data().values
    np.testing.assert_allclose(values, r.hist[2])
    assert "layer 6:" in artists.legend.get_texts()[2].get_text()
    lo, hi = artists.norm_ax.get_ylim()
    assert lo <= r.diagnostics.grad_norms.min() and hi >= r.diagnostics.grad_norms.max()

    other = gradient_flow.experiment(3, 16, "relu", "he_normal")
    n_children = len(artists.norm_ax.get_children()), len(artists.hist_ax.get_children())
    gradient_flow.update(artists, other)
    np.testing.assert_allclose(artists.norms.get_xdata(), [1, 2, 3])
    assert [p.get_visible() for p in artists.stairs] == [True] * 3 + [False] * 2
    assert artists.norm_ax.get_title().startswith(other.verdict)
    assert "/ its std (relu)" in artists.hist_ax.get_xlabel()
    assert n_children == (len(artists.norm_ax.get_children()),
                          len(artists.hist_ax.get_children()))  # reused, not added
    fig.canvas.draw()
    plt.close(fig)


def test_plot_into_subfigures():
    fig = plt.figure(figsize=(10, 6))
    for sub, activation in zip(fig.subfigures(2, 1), ("sigmoid", "relu")):
        gradient_flow.plot(gradient_flow.experiment(5, 8, activation), sub)
    assert len(fig.axes) == 4
    fig.canvas.draw()
    plt.close(fig)


def test_widget_builds_and_a_control_change_redraws():
    pytest.importorskip("ipywidgets")
    box = gradient_flow.widget(depth=6, width=16)
    assert set(box.controls) == {"depth", "width", "activation", "scheme", "scale"}
    image, verdict = box.children[3], box.children[4]
    before = image.value
    assert 'alt="Left: gradient norm of each layer' in before
    box.controls["scheme"].value = "standard_normal"
    after = gradient_flow.experiment(6, 16, "tanh", "standard_normal")
    np.testing.assert_allclose(box.artists.norms.get_ydata(), after.diagnostics.grad_norms)
    assert image.value != before and verdict.value == after.summary
    box.controls["depth"].value = 20
    assert len(box.artists.norms.get_xdata()) == 20
    assert "20-layer tanh network" in image.value
