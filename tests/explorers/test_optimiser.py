"""Tests for bplib.explorers.optimiser: experiment, plot/update and widget."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib import optim
from bplib.explorers import optimiser as oe


def test_experiment_returns_curves_and_is_cached():
    r = oe.experiment("momentum", 0.05, beta=0.9, batch_size=32, steps=60)
    np.testing.assert_array_equal(r.step, np.arange(0, 61, 3))
    assert r.train_loss.shape == r.val_loss.shape == r.val_accuracy.shape == (21,)
    assert r.train_loss[-1] < r.train_loss[0] and r.diverged_at is None
    assert "momentum" in r.summary and "validation accuracy" in r.summary
    assert oe.experiment("momentum", 0.05, beta=0.9, batch_size=32, steps=60) is r


def test_make_optimiser():
    assert isinstance(oe.make_optimiser("sgd", 0.1), optim.SGD)
    m = oe.make_optimiser("momentum", 0.1, 0.5)
    assert isinstance(m, optim.Momentum) and m.momentum == 0.5
    a = oe.make_optimiser("adam", 1e-3, 0.8)
    assert isinstance(a, optim.Adam) and a.beta1 == 0.8
    with pytest.raises(ValueError, match="unknown optimiser 'rmsprop'"):
        oe.make_optimiser("rmsprop", 0.1)


def test_experiment_validates_and_reports_divergence():
    with pytest.raises(ValueError, match="eta must be a positive number"):
        oe.experiment("sgd", 0.0)
    with pytest.raises(ValueError, match=r"beta1 must lie in \[0, 1\)"):
        oe.experiment("adam", 1e-3, beta=1.0)
    r = oe.experiment("sgd", 1e60, steps=30)
    assert r.diverged_at is not None and "diverged" in r.summary


def test_plot_and_update_reuse_the_artists():
    fig = plt.figure()
    a = oe.experiment("adam", 1e-3, steps=60)
    artists = oe.plot(a, fig)
    np.testing.assert_allclose(artists.val.get_ydata(), a.val_loss)
    assert artists.ax.get_yscale() == "log" and "Adam" in artists.ax.get_title()
    n_children = len(artists.ax.get_children())
    b = oe.experiment("sgd", 0.1, steps=90)
    oe.update(artists, b)
    np.testing.assert_allclose(artists.train.get_xdata(), b.step)
    assert len(artists.ax.get_children()) == n_children
    assert artists.ax.get_title().startswith("SGD")
    fig.canvas.draw()
    plt.close(fig)


def test_widget_redraws_on_a_change():
    pytest.importorskip("ipywidgets")
    box = oe.widget(steps=60)
    assert set(box.controls) == {"optimiser", "eta", "beta", "batch_size"}
    image, summary = box.children[-2], box.children[-1]
    before = image.value
    box.controls["optimiser"].value = "sgd"
    box.controls["eta"].value = 0.1
    expected = oe.experiment("sgd", box.controls["eta"].value, 0.9, 32, 60)
    assert summary.value == expected.summary
    np.testing.assert_allclose(box.artists.train.get_ydata(), expected.train_loss)
    assert image.value != before and 'alt="Training and validation' in image.value


def test_adam_at_eta_one_is_unstable_not_just_reported():
    # Adam at eta = 1 ends with a training loss of about 45 (it started near
    # 2.4): the numbers alone read like a result; the verdict says what it is.
    r = oe.experiment("adam", 1.0, 0.9, 32, 300)
    assert r.verdict == "unstable" and r.summary.startswith("unstable: adam")
    assert r.train_loss[-1] > r.train_loss[0]
    assert oe.experiment("adam", 0.01, 0.9, 32, 300).verdict == "converging"


def test_verdict_by_hand():
    assert oe.verdict(np.array([2.0, 1.0, 0.5])) == ("converging", "")
    assert oe.verdict(np.array([2.0, 1.9, 1.5]))[0] == "slow"
    assert oe.verdict(np.array([2.0, 0.01, 0.5]))[0] == "unstable"  # 50 times its best
    assert oe.verdict(np.array([2.0, 3.0]))[0] == "unstable"
    assert oe.verdict(np.array([2.0]), diverged_at=3)[0] == "diverged"
