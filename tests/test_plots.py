"""Tests for bplib.plots: each helper draws into the Axes it is given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import QuadContourSet

from bplib import data, linear, plots


@pytest.fixture
def problem():
    return data.regression(30, rng=0)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_loss_grid_matches_loss(problem):
    X, T = problem
    W1, W2, L = plots.loss_grid(X, T, (0, 1), (-1, 1), resolution=5)
    assert W1.shape == W2.shape == L.shape == (5, 5)
    for i, j in np.ndindex(L.shape):
        W = np.array([[W1[i, j]], [W2[i, j]]])
        assert L[i, j] == pytest.approx(linear.loss(linear.predict(X, W), T))


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.ones((4, 3)), np.ones((4, 1))), "X must have 2 features"),
        ((np.ones((4, 2)), np.ones(4)), r"reshape it with T.reshape\(4, 1\)"),
        ((np.ones((4, 2)), np.ones((4, 1)), (0, 1), (0, 1), 1), "resolution must be"),
    ],
)
def test_loss_grid_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        plots.loss_grid(*args)


def test_loss_contours_draws_levels_and_the_minimum(problem, ax):
    X, T = problem
    contours = plots.loss_contours(ax, X, T, levels=8)
    assert isinstance(contours, QuadContourSet) and len(contours.levels) == 8
    assert np.all(np.diff(contours.levels) > 0)
    (star,) = [line for line in ax.lines if line.get_marker() == "*"]
    np.testing.assert_allclose(np.ravel(star.get_data()), linear.least_squares(X, T).ravel())
    assert ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"


def test_loss_surface_3d_needs_3d_axes(problem, ax):
    X, T = problem
    with pytest.raises(ValueError, match="3-D axes"):
        plots.loss_surface_3d(ax, X, T)
    fig = plt.figure()
    ax3 = fig.add_subplot(projection="3d")
    surface = plots.loss_surface_3d(ax3, X, T, resolution=10)
    assert surface in ax3.collections
    plt.close(fig)


def test_trajectory_draws_the_path_and_the_start(problem, ax):
    X, T = problem
    h = linear.gradient_descent(X, T, np.array([[0.0], [2.0]]), 0.3, 10)
    line = plots.trajectory(ax, h.W, label="gd")
    np.testing.assert_allclose(line.get_xdata(), h.W[:, 0, 0])
    np.testing.assert_allclose(line.get_ydata(), h.W[:, 1, 0])
    assert len(ax.lines) == 2 and line.get_label() == "gd"
    with pytest.raises(ValueError, match="2 weights per step"):
        plots.trajectory(ax, np.zeros((4, 3)))


def test_loss_curve_on_a_log_axis(ax):
    losses = np.array([1.0, 0.5, 0.3, 0.25, 0.25])
    line = plots.loss_curve(ax, losses, loss_min=0.25, label="run")
    assert ax.get_yscale() == "log"
    gap = line.get_ydata()
    np.testing.assert_allclose(gap[:3], [0.75, 0.25, 0.05])
    assert np.isnan(gap[3]) and np.isnan(gap[4])  # zero excess is left out, no warning


def test_excess_masks_non_positive_values():
    np.testing.assert_allclose(plots.excess([3.0, 2.0, 1.0], 1.0)[:2], [2.0, 1.0])
    assert np.isnan(plots.excess([0.5], 1.0)[0])


def test_loss_curve_at_given_positions(ax):
    line = plots.loss_curve(ax, [4.0, 2.0, 1.0], x=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(line.get_xdata(), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="x must have the shape of losses"):
        plots.loss_curve(ax, [4.0, 2.0, 1.0], x=[0.0, 1.0])
