"""Tests for bplib.explorers.xor: experiment, plot/update, widget and static explorer."""

import io
import re

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import data, two_layer
from bplib.explorers import xor as xe


@pytest.mark.parametrize("seed", range(5))
def test_four_hidden_units_and_a_good_eta_solve_xor(seed):
    r = xe.experiment(h=4, eta=8.0, seed=seed, steps=1000)
    assert r.solved and r.verdict == "solved" and r.diverged_at is None
    _, T = data.xor()
    assert np.all(np.abs(r.Y - T) < 0.1)  # confidently right, not just on the right side
    assert r.loss[-1] < 1e-3 < r.loss[0]
    assert r.summary.startswith("solved: h = 4, η = 8, seed")


@pytest.mark.parametrize("eta", [0.5, 2.0, 8.0, 32.0])
def test_one_hidden_unit_cannot_solve_xor(eta):
    # One unit draws one line; the output is a monotone function of one
    # linear feature, so at least one of the four points stays wrong.
    for seed in range(4):
        r = xe.experiment(h=1, eta=eta, seed=seed, steps=1000)
        assert not r.solved and r.verdict == "not solved"
        assert r.loss[-1] > 1 / 12 - 0.004  # no better than merging three examples
        assert r.lines.shape == (1, 2, 2)


def test_unlucky_starts_stall_on_the_plateaus_of_merged_examples():
    two = xe.experiment(h=2, eta=2.0, seed=6)
    three = xe.experiment(h=2, eta=2.0, seed=5)
    assert not two.solved and abs(two.loss[-1] - 1 / 16) < 0.004
    assert two.summary.endswith("the hidden layer merges two examples, whose shared output "
                                "0.50 is the mean of their targets (the plateau 1/16)")
    assert not three.solved and abs(three.loss[-1] - 1 / 12) < 0.08 / 12
    assert "merges three examples, whose shared output 0.33" in three.summary
    assert three.summary.endswith("(the plateau 1/12)")
    assert xe.experiment(h=2, eta=2.0, seed=0).solved  # the chapter's seed 0


def test_a_huge_learning_rate_saturates_instead_of_overflowing():
    # The weights stay finite: every gradient is bounded (each factor of
    # delta2 and delta1 is), and it vanishes once the first steps saturate
    # the output, so training stops moving (RuntimeWarnings are errors here).
    # At step 300 it is still between bursts (the last ends at step 557).
    r = xe.experiment(h=2, eta=256.0, seed=1, steps=2000)
    assert r.diverged_at is None and np.all(np.isfinite(r.loss))
    assert not r.solved and abs(r.loss[-1] - 0.25) < 1e-3 and np.ptp(r.loss[-1000:]) < 1e-4
    assert "the loss still jumps" in xe.experiment(h=2, eta=256.0, seed=1, steps=300).summary
    assert r.summary.endswith(": 2 outputs saturated at the wrong value")


def _hidden(result):
    return two_layer.forward(data.xor()[0], result.params)[1].H1


def test_a_loss_of_one_eighth_is_explained_by_the_network_not_the_loss():
    # One output saturated at the wrong value also costs 1/8, and so does the
    # starting plateau, every output near 1/2; the summary tells them apart.
    # (Which large-eta runs end so depends on the last bits of exp on the
    # machine: the runs are chaotic. Take whichever the grid holds.)
    wrong = [r for r in xe.grid().values() if "saturated at the wrong value" in r.summary]
    assert wrong
    for r in wrong:
        k = int(r.summary.rsplit(": ", 1)[1].split()[0])  # "k output(s) saturated ..."
        assert abs(r.loss[-1] - k / 8) < 1e-3 and np.ptp(r.loss[-50:]) < 1e-3
    start = xe.experiment(h=2, eta=0.5, seed=0)
    assert abs(start.loss[-1] - 1 / 8) < 0.001 and np.all(np.abs(start.Y - 0.5) < 0.05)
    assert np.ptp(_hidden(start), axis=0).max() > 0.1  # the hidden rows are still apart
    assert start.summary.endswith(": still on the starting plateau, every output near 1/2")
    assert "merges" not in start.summary


@pytest.mark.parametrize("h, eta, seed", [(2, 0.5, 0), (2, 0.5, 5), (1, 0.5, 0), (3, 0.5, 0),
                                          (2, 2.0, 29), (2, 2.0, 71), (2, 2.0, 78)])
def test_outputs_near_one_half_are_merged_only_if_the_hidden_rows_agree(h, eta, seed):
    r = xe.experiment(h=h, eta=eta, seed=seed)
    assert not r.solved and np.all(np.abs(r.Y - 0.5) < 0.05)
    assert np.ptp(_hidden(r), axis=0).max() > 0.05
    assert "still on the starting plateau" in r.summary and "merges" not in r.summary


def test_merged_examples_have_equal_hidden_rows():
    _, T = data.xor()
    for seed, merged in ((5, [0, 2, 3]), (6, [1, 3])):
        r = xe.experiment(h=2, eta=2.0, seed=seed)
        off = np.flatnonzero(np.abs(r.Y - T)[:, 0] > 0.25)
        np.testing.assert_array_equal(off, merged)
        assert np.ptp(_hidden(r)[off], axis=0).max() < 0.05
        assert "merges" in r.summary


def test_a_loss_that_still_jumps_is_reported_as_such():
    r = xe.experiment(h=2, eta=128.0, seed=5)
    recent = r.loss[-50:]
    assert np.ptp(recent) > 0.03  # a snapshot: the verdict at step 2000 says little
    assert r.summary.endswith(f": the loss still jumps between {recent.min():.3f} and "
                              f"{recent.max():.3f} (last 50 steps)")
    assert "saturated" not in r.summary


def test_every_failed_run_of_the_grid_is_given_a_cause():
    causes = ("the loss still jumps", "the hidden layer merges", "saturated at the wrong value",
              "still on the starting plateau", "not yet converged")
    results = xe.grid()
    failed = [r for r in results.values() if not r.solved]
    assert len(results) == 75 and 0 < len(failed) < 75
    for r in failed:
        assert sum(cause in r.summary for cause in causes) == 1, r.summary
    at_128 = [r.summary for r in failed if r.eta == 128.0]
    assert sum("still jumps" in s for s in at_128) > len(at_128) / 2


def test_training_reproduces_two_layer_train():
    X, T = data.xor()
    r = xe.experiment(h=3, eta=2.0, seed=4, steps=400)
    history = two_layer.train(X, T, two_layer.init_params(2, 3, 1, rng=4), 2.0, 400)
    np.testing.assert_allclose(r.loss, history.loss, rtol=1e-12, atol=1e-15)
    for mine, theirs in zip(r.params, history.params):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(r.Y, two_layer.forward(X, r.params)[0])


def test_surface_and_hidden_lines_describe_the_trained_network():
    r = xe.experiment(h=3, eta=8.0, seed=2, steps=500)
    assert r.x[0] == -0.5 and r.x[-1] == 1.5 and r.surface.shape == (len(r.x),) * 2
    i, j = 7, 20  # surface[i, j] is the output at (x1, x2) = (x[j], x[i])
    expected = two_layer.forward(np.array([[r.x[j], r.x[i]]]), r.params)[0][0, 0]
    assert r.surface[i, j] == pytest.approx(expected, rel=1e-12)
    for k, (p, q) in enumerate(r.lines):  # both points on unit k's line Z1[:, k] = 0
        z = np.array([p, q]) @ r.params.W1[:, k] + r.params.b1[k]
        np.testing.assert_allclose(z, 0, atol=1e-9)
        assert np.linalg.norm(q - p) == pytest.approx(3.0)


def test_experiment_is_cached_and_equal_to_a_fresh_run():
    a = xe.experiment(2, 4.0, 3, 200)
    assert xe.experiment(2, 4.0, 3, 200) is a
    fresh = xe._runs(2, (4.0,), (3,), 200)[0]
    np.testing.assert_array_equal(fresh.loss, a.loss)
    np.testing.assert_array_equal(fresh.surface, a.surface)


def test_a_non_finite_loss_is_reported_with_its_step(monkeypatch):
    real = xe._descend

    def poisoned(starts, eta, steps):  # the loss turns NaN at step 7 of long runs
        losses, params = real(starts, eta, steps)
        if steps > 10:
            losses = losses.copy()
            losses[7:] = np.nan
        return losses, params

    monkeypatch.setattr(xe, "_descend", poisoned)
    r = xe._runs(2, (2.0,), (0,), 20)[0]
    assert r.verdict == "diverged" and r.diverged_at == 7 and not r.solved
    assert len(r.loss) == 7 and np.all(np.isfinite(r.loss))
    assert r.summary.endswith("the loss became non-finite at step 7")


def test_experiment_validates():
    with pytest.raises(ValueError, match="h must be an integer >= 1"):
        xe.experiment(h=0)
    with pytest.raises(TypeError, match="h must be an integer, got 2.5"):
        xe.experiment(h=2.5)
    with pytest.raises(ValueError, match="eta must be a positive number, got -1"):
        xe.experiment(eta=-1)
    with pytest.raises(ValueError, match="eta must be a positive number, got nan"):
        xe.experiment(eta=float("nan"))
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -3"):
        xe.experiment(seed=-3)
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        xe.experiment(steps=0)


class _CountFigures:
    def __init__(self, monkeypatch):
        self.count, init = 0, matplotlib.figure.Figure.__init__

        def counting(fig, *args, **kwargs):
            self.count += 1
            init(fig, *args, **kwargs)
        monkeypatch.setattr(matplotlib.figure.Figure, "__init__", counting)


def test_plot_and_update_draw_into_the_given_figure(monkeypatch):
    fig = plt.figure()
    a, b = xe.experiment(2, 2.0, 0, 300), xe.experiment(5, 8.0, 1, 300)
    figures = _CountFigures(monkeypatch)
    artists = xe.plot(a, fig)
    assert len(fig.axes) == 2 and artists.loss_ax.get_yscale() == "log"
    assert "h = 2, η = 2, seed 0" in artists.plane_ax.get_title()
    n_children = len(artists.plane_ax.get_children()), len(artists.loss_ax.get_children())
    xe.update(artists, b)
    assert figures.count == 0 and len(fig.axes) == 2
    assert n_children == (len(artists.plane_ax.get_children()),
                          len(artists.loss_ax.get_children()))  # replaced, not added
    assert np.isnan(artists.units.get_xdata()).sum() == 5  # five units, five breaks
    np.testing.assert_array_equal(artists.curve.get_ydata(), b.loss)  # 301 points: all drawn
    assert artists.plane_ax.get_title().endswith(b.verdict)
    fig.canvas.draw()
    plt.close(fig)


def test_the_loss_curve_ends_at_the_last_step_and_fits_the_axes():
    runs = [r for r in xe.grid().values() if r.eta == 128.0]
    r = max(runs, key=lambda r: r.loss.max())  # a loss that jumps and peaks early
    fig = matplotlib.figure.Figure()
    artists = xe.plot(r, fig)
    x, y = artists.curve.get_data()
    assert len(x) <= 501 and x[-1] == 2000 and y[-1] == r.loss[-1]
    np.testing.assert_array_equal(y, r.loss[x])
    assert y.max() == r.loss.max() > r.loss[-1] and y.min() == r.loss.min()
    low, high = artists.loss_ax.get_ylim()
    assert low <= r.loss.min() and high >= 0.5 > r.loss.max()


def test_the_envelope_keeps_an_oscillation_and_the_last_point():
    loss = np.where(np.arange(2001) % 2, 0.07, 0.125)  # period 2: a stride of 8 aliases it
    x, y = xe._envelope(loss)
    assert x[-1] == 2000 and len(x) <= 501
    for b in range(111):  # every 18 steps hold a run of 9 and show both extremes
        inside = (x >= 18 * b) & (x < 18 * (b + 1))
        assert set(y[inside]) == {0.07, 0.125}
    steady = np.geomspace(0.125, 1e-3, 5001)
    x, y = xe._envelope(steady)
    assert x[0] == 0 and x[-1] == 5000 and np.all(np.diff(x) > 0)


def test_results_are_read_only():
    r = xe.experiment(2, 4.0, 3, 200)
    for array in (r.loss, r.Y, r.x, r.surface, r.lines, *r.params):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[...] = 0
    assert isinstance(r.params, two_layer.Params)


def _pixels(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba", dpi=50)
    return buffer.getvalue()


def test_the_redraw_is_a_pure_function_of_its_inputs():
    a, b = xe.experiment(2, 2.0, 6, 300), xe.experiment(3, 32.0, 0, 300)
    redrawn, direct = (matplotlib.figure.Figure(figsize=(6, 3)) for _ in range(2))
    artists = xe.plot(a, redrawn)
    xe.update(artists, b)
    xe.plot(b, direct)
    assert _pixels(redrawn) == _pixels(direct)  # what was drawn before leaves no trace
    xe.update(artists, b)
    assert _pixels(redrawn) == _pixels(direct)


def test_widget_builds_and_a_slider_move_redraws():
    pytest.importorskip("ipywidgets")
    box = xe.widget(h=2, eta=2.0, seed=0, steps=300)
    assert set(box.controls) == {"h", "eta", "seed", "steps"}
    image, summary = box.children[2], box.children[3]
    before = image.value
    assert 'alt="Left: the output of a two-layer network with 2 hidden units' in before
    box.controls["h"].value = 1
    after = xe.experiment(1, 2.0, 0, 300)
    assert summary.value == after.summary and image.value != before
    assert "with 1 hidden unit," in image.value
    np.testing.assert_array_equal(box.artists.curve.get_ydata(), after.loss)
    box.controls["eta"].value = 8.0
    assert summary.value == xe.experiment(1, 8.0, 0, 300).summary
    box.figure.canvas.draw()


def test_grid_points_are_experiment_calls():
    results = xe.grid((1, 3), (2.0, 32.0), (0, 6), steps=200)
    assert set(results) == {(i, j, k) for i in range(2) for j in range(2) for k in range(2)}
    got, direct = results[(1, 0, 1)], xe.experiment(3, 2.0, 6, 200)
    np.testing.assert_allclose(got.loss, direct.loss, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.surface, direct.surface, rtol=1e-9, atol=1e-12)
    assert (got.h, got.eta, got.seed, got.verdict) == (3, 2.0, 6, direct.verdict)


def test_grid_validates_before_training(monkeypatch):
    def no_training(*args):
        raise AssertionError("trained before validating")

    monkeypatch.setattr(xe, "_runs", no_training)
    with pytest.raises(ValueError, match="h must be an integer >= 1, got 0"):
        xe.grid((2, 0), (2.0,), (0,), steps=10)
    with pytest.raises(ValueError, match="etas must name at least one value"):
        xe.grid(etas=())
    with pytest.raises(ValueError, match="hs must name at least one value"):
        xe.grid(hs=[])
    with pytest.raises(ValueError, match="seeds must name at least one value"):
        xe.grid(seeds=())


def test_static_widget_rejects_an_initial_setting_off_the_grid():
    with pytest.raises(ValueError, match=re.escape(
            "initial must give one value per control, each on the grid (h in (1, 2, 3, 4, 8), "
            "eta in (0.5, 2.0, 8.0, 32.0, 128.0), seed in (0, 5, 6)), got (5, 2.0, 0)")):
        xe.static_widget(initial=(5, 2.0, 0))
    with pytest.raises(ValueError, match="initial must give one value per control"):
        xe.static_widget((1, 2), (2.0,), (0,), steps=10, initial=(2, 2.0))


def test_static_widget_has_a_frame_per_setting():
    explorer = xe.static_widget((1, 2), (2.0, 128.0), (0, 6), steps=100, initial=(2, 2.0, 0))
    html = explorer.html
    assert explorer.n_frames == 8
    for key in ("h", "eta", "seed"):
        assert f'id="xor-explorer-{key}"' in html
    assert re.search(r'<option value="1">seed 6</option>', html)
    first = xe.experiment(2, 2.0, 0, 100).summary
    assert f'aria-live="polite" style="margin:0">{first}</p>' in html
