"""Tests for bplib.explorers.time_lag: the experiment, the drawing, the
ipywidgets wiring and the static explorer."""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import rnn
from bplib.explorers import time_lag


def test_experiment_measures_the_adjoints_it_describes():
    r = time_lag.experiment(1.3, 12, 2.0, d_hidden=6, d_in=3, n=4, rng=7)
    rng = np.random.default_rng(7)  # the same draws, in the same order
    X, g = rng.normal(size=(12, 4, 3)), rng.normal(size=(4, 6))
    for cell in ("vanilla", "lstm"):
        params = rnn.init_params(3, 6, cell, radius=1.3, forget_bias=2.0, rng=1)
        _, cache = rnn.forward(X, params, cell)
        adj = rnn.state_gradients(g, params, cache)
        want = [np.linalg.norm(adj[12 - lag]) / np.linalg.norm(g) for lag in range(13)]
        np.testing.assert_allclose(r.norms[cell], want, rtol=1e-12)
    assert r.norms["vanilla"][0] == pytest.approx(1.0)
    np.testing.assert_array_equal(r.lags, np.arange(13))
    assert (r.radius, r.length, r.forget_bias) == (1.3, 12, 2.0)


@pytest.mark.parametrize("radius, forget_bias, vanilla, lstm", [
    (0.5, 0.0, "vanishes", "vanishes"),
    (1.0, 3.0, "vanishes", "carries"),
    (2.0, 1.0, "explodes", "carries"),
])
def test_verdicts(radius, forget_bias, vanilla, lstm):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = time_lag.experiment(radius, 100, forget_bias)
    assert r.verdicts == {"vanilla": vanilla, "lstm": lstm}
    assert r.summary.startswith(f"ρ(W_h) = {radius:g}, S = 100, forget bias {forget_bias:g}: "
                                f"vanilla {vanilla}")
    if vanilla == "vanishes":
        reach = r.reach["vanilla"]
        assert r.norms["vanilla"][reach] < time_lag.VANISHES_BELOW
        assert np.all(r.norms["vanilla"][:reach] >= time_lag.VANISHES_BELOW)
        assert f"below 0.001 from lag {reach}" in r.summary
    else:
        assert r.reach["vanilla"] is None


def test_the_bound_holds_for_the_vanilla_cell():
    for radius in (0.7, 1.0, 1.8):
        r = time_lag.experiment(radius, 60)
        assert np.all(r.norms["vanilla"] <= radius ** r.lags * (1 + 1e-9))


def test_experiment_validates_its_input():
    with pytest.raises(ValueError, match="radius must be a positive number, got 0"):
        time_lag.experiment(0)
    with pytest.raises(ValueError, match="length must be an integer >= 1, got 0"):
        time_lag.experiment(1.0, 0)
    with pytest.raises(ValueError, match="forget_bias must be a finite number, got nan"):
        time_lag.experiment(1.0, 10, float("nan"))


def test_plot_draws_the_result_and_update_redraws_it():
    fig = plt.figure()
    r = time_lag.experiment(0.9, 30)
    artists = time_lag.plot(r, fig, max_length=50)
    assert artists.ax.get_yscale() == "log" and artists.ax.get_xlim() == (0, 50)
    np.testing.assert_allclose(artists.lines["lstm"].get_ydata(), r.norms["lstm"])
    assert "vanilla vanishes" in artists.ax.get_title()
    n_children = len(artists.ax.get_children())
    other = time_lag.experiment(2.0, 80)
    time_lag.update(artists, other)
    assert len(artists.lines["vanilla"].get_xdata()) == 81
    assert artists.ax.get_xlim() == (0, 80)
    assert "vanilla explodes" in artists.ax.get_title()
    assert n_children == len(artists.ax.get_children())  # reused, not added
    fig.canvas.draw()
    plt.close(fig)


def test_widget_builds_and_a_control_change_redraws():
    pytest.importorskip("ipywidgets")
    box = time_lag.widget(radius=1.0, length=20)
    assert set(box.controls) == {"radius", "length", "forget_bias"}
    image, verdict = box.children[-2], box.children[-1]
    before = image.value
    assert 'alt="Gradient norm against time lag' in before
    start = time.perf_counter()
    box.controls["radius"].value = 2.0
    elapsed = time.perf_counter() - start
    after = time_lag.experiment(2.0, 20)
    np.testing.assert_allclose(box.artists.lines["vanilla"].get_ydata(), after.norms["vanilla"])
    assert image.value != before and verdict.value == after.summary
    box.controls["length"].value = 40
    assert len(box.artists.lines["lstm"].get_xdata()) == 41
    assert elapsed < 5.0  # the benchmark measures the real redraw time


def test_static_widget_is_deterministic_and_checks_its_initial_setting():
    kwargs = dict(radii=(0.5, 2.0), lengths=(10, 20), forget_biases=(1.0,),
                  initial=(2.0, 10, 1.0), name="t")
    a, b = time_lag.static_widget(**kwargs), time_lag.static_widget(**kwargs)
    assert a.html == b.html and a.n_frames == 4
    assert 'id="t-radius"' in a.html and "ρ(W_h) = 2, S = 10, forget bias 1: vanilla" in a.html
    with pytest.raises(ValueError, match="initial must give one value per control"):
        time_lag.static_widget(radii=(0.5,), lengths=(10,), forget_biases=(1.0,),
                               initial=(1.0, 10, 1.0))
