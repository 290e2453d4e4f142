"""Tests for bplib.explorers.capacity: experiment, plot/update and widget."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib.explorers import capacity as ce


def test_experiment_memorises_a_small_subset():
    r = ce.experiment(width=64, weight_decay=0.0, n_train=50, steps=200)
    assert r.train_accuracy[-1] == 1.0  # 50 examples, 64 hidden units: memorised
    assert r.val_accuracy[-1] < 0.95
    assert r.train_loss[-1] < 0.1 * r.val_loss[-1]  # the curves have parted
    assert r.step[-1] == 200 and r.val_loss[r.best] == r.val_loss.min()
    assert ce.experiment(64, 0.0, 50, 200) is r  # cached


def test_weight_decay_keeps_the_training_loss_up():
    free = ce.experiment(width=64, weight_decay=0.0, n_train=50, steps=200)
    decayed = ce.experiment(width=64, weight_decay=0.1, n_train=50, steps=200)
    assert decayed.train_loss[-1] > 10 * free.train_loss[-1]


def test_experiment_validates():
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        ce.experiment(width=0)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        ce.experiment(weight_decay=-0.1)
    with pytest.raises(ValueError, match="n must be between 10 and 1078"):
        ce.experiment(n_train=5000, steps=10)


def test_plot_and_update():
    fig = plt.figure()
    a = ce.experiment(16, 0.0, 50, 80)
    artists = ce.plot(a, fig)
    assert len(fig.axes) == 2 and artists.loss_ax.get_yscale() == "log"
    np.testing.assert_allclose(artists.lines["val_accuracy"].get_ydata(), a.val_accuracy)
    b = ce.experiment(16, 0.01, 100, 120)
    ce.update(artists, b)
    np.testing.assert_allclose(artists.lines["train_loss"].get_xdata(), b.step)
    assert artists.best.get_xdata()[0] == b.step[b.best]
    assert "n = 100" in artists.loss_ax.get_title()
    fig.canvas.draw()
    plt.close(fig)


def test_widget_runs_on_the_button_and_redraws_cached_settings():
    pytest.importorskip("ipywidgets")
    box = ce.widget(width=16, weight_decay=0.0, n_train=50, steps=80)
    summary = box.children[-1]
    assert box.progress.value == 80
    box.controls["weight_decay"].value = 0.1
    assert "press Run" in summary.value and box.progress.value == 0
    box.button.click()
    assert summary.value == ce.experiment(16, 0.1, 50, 80).summary
    assert box.progress.value == 80
    box.controls["weight_decay"].value = 0.0  # run before: redrawn at once
    assert summary.value == ce.experiment(16, 0.0, 50, 80).summary
