"""Tests for bplib.explorers.gradient_flow: the explorer's experiment, plot and widget."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import diagnostics, init, residual
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
    assert "/ its std\n(relu)" in artists.hist_ax.get_xlabel()
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
    assert set(box.controls) == {"depth", "width", "activation", "scheme", "scale",
                                 "architecture"}
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


def test_plain_architecture_is_chapter_6s_network():
    """architecture="plain" is the default and the very same computation."""
    r = gradient_flow.experiment(8, 12, "tanh", "he_normal", 0.7, "plain", n=16, rng=3)
    default = gradient_flow.experiment(8, 12, "tanh", "he_normal", 0.7, n=16, rng=3)
    g = np.random.default_rng(3)
    params = init.init_params([12] * 9, "he_normal", scale=0.7, rng=g)
    X, T = g.normal(size=(16, 12)), g.normal(size=(16, 12))
    d = diagnostics.diagnose(X, T, params, ["tanh"] * 8)
    for got in (r, default):
        np.testing.assert_array_equal(got.diagnostics.grad_norms, d.grad_norms)  # bit for bit
        np.testing.assert_array_equal(got.hist, r.hist)
        assert got.architecture == "plain" and got.summary == r.summary
    # and the same network as chapter 8's plain variant, to rounding
    v = residual.diagnose(X, T, params, "tanh", residual=False, norm=None)
    np.testing.assert_allclose(r.diagnostics.grad_norms, v.grad_norms, rtol=1e-12)


@pytest.mark.parametrize("architecture", ["residual", "normalised", "residual_normalised"])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_architectures_measure_chapter_8s_networks(architecture, activation):
    scheme = "he_normal" if activation == "relu" else "xavier_normal"  # residual's default
    r = gradient_flow.experiment(12, 16, activation, scheme, 1.0, architecture, n=24, rng=5)
    expected = residual.measure(12, 16, activation, architecture, n=24, rng=5)
    np.testing.assert_allclose(r.diagnostics.grad_norms, expected, rtol=1e-12)
    # ... and those are the norms of residual's own gradients of the loss
    g = np.random.default_rng(5)
    params = residual.init_params(12, 16, activation, rng=g)
    X, T = g.normal(size=(24, 16)), g.normal(size=(24, 16))
    loss, grads = residual.loss_and_gradients(X, T, params, activation,
                                              **residual.VARIANTS[architecture])
    np.testing.assert_allclose(r.diagnostics.grad_norms,
                               [np.linalg.norm(grads[f"W{l}"]) for l in range(1, 13)],
                               rtol=1e-10)
    assert r.diagnostics.loss == pytest.approx(loss, rel=1e-12)
    assert r.architecture == architecture and r.verdict == diagnostics.verdict(r.diagnostics)
    assert r.verdict in r.summary


def test_the_identity_path_rescues_a_deep_sigmoid_network():
    plain, res = (gradient_flow.experiment(20, 32, "sigmoid", "xavier_normal", 1.0, a)
                  for a in ("plain", "residual"))
    assert plain.verdict == "vanishing" and plain.ratio < 1e-10
    assert res.ratio > 1e-3 * 1e8 * plain.ratio  # eight orders of magnitude and more
    assert gradient_flow.experiment(20, 32, "sigmoid", "xavier_normal", 1.0,
                                    "residual_normalised").verdict == "healthy"


def test_architecture_is_validated():
    with pytest.raises(ValueError, match="architecture must be one of 'plain', 'residual', "
                                         "'normalised', 'residual_normalised', got 'resnet'"):
        gradient_flow.experiment(3, architecture="resnet")
    with pytest.raises(ValueError, match="architecture must be one of .* got None"):
        gradient_flow.experiment(3, 8, "tanh", "xavier_normal", 1.0, None)
    with pytest.raises(ValueError, match="n must be >= 2 for architecture 'normalised'"):
        gradient_flow.experiment(3, architecture="normalised", n=1)
    with pytest.raises(ValueError, match="architecture must be one of"):
        gradient_flow.static_widget((2,), ("tanh",), ("xavier_normal",), (1.0,), 4,
                                    architectures=("plain", "dense"))
    assert tuple(gradient_flow.ARCHITECTURES) == tuple(residual.VARIANTS)


def test_plot_names_the_architecture():
    fig = plt.figure()
    artists = gradient_flow.plot(gradient_flow.experiment(4, 8, "tanh"), fig)
    assert artists.network.get_text() == "xavier_normal × 1, width 8"
    r = gradient_flow.experiment(4, 8, "tanh", architecture="residual_normalised")
    gradient_flow.update(artists, r)
    assert artists.network.get_text() == "residual + layer norm, xavier_normal × 1, width 8"
    assert "block activation" in artists.hist_ax.get_xlabel()
    np.testing.assert_allclose(artists.norms.get_ydata(), r.diagnostics.grad_norms)
    assert "4-layer residual + layer norm tanh network" in gradient_flow._alt(r)
    plt.close(fig)


def _controls(html):
    import re

    return re.findall(r'<label for="gf-([\w-]+)"', html)


def test_static_grid_has_an_architecture_control():
    page = gradient_flow.static_widget((2, 3), ("tanh",), ("xavier_normal",), (1.0,), 4,
                                       architectures=("plain", "residual", "normalised"),
                                       initial=(3, "tanh", "xavier_normal", 1.0, "normalised"),
                                       name="gf")
    assert page.n_frames == 6
    # the one-value scale gets no slider, and the title names it
    assert _controls(page.html) == ["depth", "activation", "scheme", "architecture"]
    assert "width 4, weight scale × 1 (precomputed" in page.html
    assert '<option value="2" selected>batch-normalised</option>' in page.html
    r = gradient_flow.experiment(3, 4, "tanh", "xavier_normal", 1.0, "normalised")
    assert f'aria-live="polite" style="margin:0">{r.summary}</p>' in page.html
    # initial without an architecture: the first one
    page = gradient_flow.static_widget((2, 3), ("tanh",), ("xavier_normal",), (1.0, 2.0), 4,
                                       architectures=("residual", "plain"), name="gf",
                                       initial=(2, "tanh", "xavier_normal", 2.0))
    r = gradient_flow.experiment(2, 4, "tanh", "xavier_normal", 2.0, "residual")
    assert f'aria-live="polite" style="margin:0">{r.summary}</p>' in page.html
    assert _controls(page.html)[-2:] == ["scale", "architecture"]


def test_default_grid_keeps_the_page_small():
    n = np.prod([len(v) for v in (gradient_flow.GRID_DEPTHS, gradient_flow.GRID_ACTIVATIONS,
                                  gradient_flow.GRID_SCHEMES, gradient_flow.GRID_SCALES,
                                  gradient_flow.GRID_ARCHITECTURES)])
    assert n <= 135  # chapter 6's first explorer had 135 frames
    assert gradient_flow.GRID_ARCHITECTURES == tuple(residual.VARIANTS)
    assert 10 in gradient_flow.GRID_DEPTHS and 1.0 in gradient_flow.GRID_SCALES  # its initial


def test_grid_points_cover_the_architectures():
    results = gradient_flow.grid((3,), ("relu",), ("he_normal",), (1.0,), 8,
                                 architectures=("plain", "residual"), n=8, rng=2)
    assert set(results) == {(0, 0, 0, 0, 0), (0, 0, 0, 0, 1)}
    direct = gradient_flow.experiment(3, 8, "relu", "he_normal", 1.0, "residual", n=8, rng=2)
    np.testing.assert_array_equal(results[0, 0, 0, 0, 1].diagnostics.grad_norms,
                                  direct.diagnostics.grad_norms)


def test_widget_architecture_dropdown_redraws():
    pytest.importorskip("ipywidgets")
    box = gradient_flow.widget(depth=8, width=16, activation="sigmoid")
    control = box.controls["architecture"]
    assert type(control).__name__ == "Dropdown"
    assert control.options == tuple((label, key) for key, label
                                    in gradient_flow.ARCHITECTURES.items())
    assert control.value == "plain"
    control.value = "residual"
    r = gradient_flow.experiment(8, 16, "sigmoid", architecture="residual")
    np.testing.assert_allclose(box.artists.norms.get_ydata(), r.diagnostics.grad_norms)
    assert box.children[4].value == r.summary
    assert "8-layer residual sigmoid network" in box.children[3].value
