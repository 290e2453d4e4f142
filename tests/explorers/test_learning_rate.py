"""Tests for bplib.explorers.learning_rate: the explorer's experiment, plot and widget."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import data, linear
from bplib.explorers import learning_rate

X, T = data.regression()
LIMIT = linear.max_stable_eta(X)  # 2 / lambda_max of the chapter's data


def test_experiment_returns_the_run():
    r = learning_rate.experiment(0.3, steps=12, start=(0.0, 1.0))
    assert r.W.shape == (13, 2) and r.loss.shape == (13,)
    np.testing.assert_allclose(r.W[0], [0.0, 1.0])
    h = linear.gradient_descent(X, T, np.array([[0.0], [1.0]]), 0.3, 12)
    np.testing.assert_allclose(r.W, h.W[:, :, 0])
    np.testing.assert_allclose(r.loss, h.loss)
    np.testing.assert_allclose(r.W_star, linear.least_squares(X, T).ravel())
    assert r.eta_limit == pytest.approx(LIMIT)
    assert r.verdict in learning_rate.VERDICTS and r.verdict in r.summary


@pytest.mark.parametrize(
    "fraction, verdict",
    [
        (0.01, "converging"),  # too small: slow, but steady
        (0.45, "converging"),  # eta * lambda_max = 0.9 < 1: no overshoot
        (0.60, "oscillating"),  # 1 < eta * lambda_max < 2: zigzag across the valley
        (0.98, "oscillating"),
        (1.02, "diverging"),  # just above 2 / lambda_max
        (3.00, "diverging"),
    ],
)
def test_verdict_follows_the_threshold(fraction, verdict):
    r = learning_rate.experiment(fraction * LIMIT, steps=60)
    assert r.verdict == verdict


def test_divergence_is_a_verdict_not_an_exception():
    r = learning_rate.experiment(20 * LIMIT, steps=2000)
    assert r.verdict == "diverging"
    assert "non-finite at step" in r.summary
    assert len(r.loss) < 2001 and np.all(np.isfinite(r.loss))


def test_experiment_validates_its_input():
    with pytest.raises(ValueError, match="eta must be a positive"):
        learning_rate.experiment(0.0)
    with pytest.raises(ValueError, match="pass both X and T"):
        learning_rate.experiment(0.1, X=X)
    with pytest.raises(ValueError, match=r"W must have shape \(2, 1\)"):
        learning_rate.experiment(0.1, start=(1.0, 2.0, 3.0))


def test_plot_draws_the_result_and_update_redraws_it():
    fig = plt.figure()
    r = learning_rate.experiment(0.5, steps=20)
    artists = learning_rate.plot(r, fig)
    assert len(fig.axes) == 2
    assert artists.contour_ax.collections  # the contours
    np.testing.assert_allclose(artists.path.get_xdata(), r.W[:, 0])
    np.testing.assert_allclose(artists.curve.get_ydata(), r.loss - r.loss_min)
    assert "converging" in artists.contour_ax.get_title()
    assert artists.loss_ax.get_yscale() == "log"

    other = learning_rate.experiment(1.5 * LIMIT, steps=40)
    n_artists = len(artists.contour_ax.get_children())
    learning_rate.update(artists, other)
    np.testing.assert_allclose(artists.path.get_ydata(), other.W[:, 1])
    assert len(artists.curve.get_xdata()) == 41
    assert "diverging" in artists.contour_ax.get_title()
    assert len(artists.contour_ax.get_children()) == n_artists  # reused, not added
    fig.canvas.draw()
    plt.close(fig)


def test_plot_into_subfigures():
    fig = plt.figure(figsize=(10, 4))
    for sub, eta in zip(fig.subfigures(1, 2), (0.1, 1.0)):
        learning_rate.plot(learning_rate.experiment(eta), sub)
    assert len(fig.axes) == 4
    plt.close(fig)


def test_widget_builds_and_a_slider_move_redraws():
    pytest.importorskip("ipywidgets")
    box = learning_rate.widget(eta=0.1, steps=15)
    assert set(box.controls) == {"eta", "steps", "w1", "w2"}
    image = box.children[2]
    before_png, before_path = image.value, box.artists.path.get_xydata().copy()
    box.controls["eta"].value = 1.0
    after = learning_rate.experiment(1.0, steps=15)
    np.testing.assert_allclose(box.artists.path.get_xdata(), after.W[:, 0])
    assert not np.allclose(box.artists.path.get_xydata(), before_path)
    assert image.value != before_png
    assert 'alt="Loss contours' in image.value and "learning rate 1;" not in image.value
    assert "verdict: oscillating" in image.value
    assert box.children[3].value == after.summary
    box.controls["steps"].value = 40
    assert len(box.artists.curve.get_xdata()) == 41
