"""Plotting helpers for the book's figures, each drawing into a given Axes.

Chapter 1 adds the loss surface of a two-input linear neuron over its
weights (contours and a 3-D surface), a training trajectory on top of the
contours, and loss curves on a logarithmic scale. No function here creates a
figure, changes global matplotlib settings or calls ``show``; each returns
the artist it drew so that a caller can update it in place.
"""

import numpy as np

from . import linear
from ._validation import as_float_array, check_positive_int

__all__ = [
    "loss_grid",
    "loss_contours",
    "loss_surface_3d",
    "trajectory",
    "excess",
    "loss_curve",
]


def loss_grid(X, T, w1=(-1.0, 4.0), w2=(-3.5, 3.0), resolution=121):
    """The loss :eq:`eq-linear-loss` of a two-input neuron without bias on a
    grid of weights.

    Parameters
    ----------
    X : array_like of shape (n, 2)
    T : array_like of shape (n, 1)
    w1, w2 : pair of float
        The ranges of the first and second weight.
    resolution : int, default 121
        Grid points along each axis.

    Returns
    -------
    W1, W2, L : ndarray of shape (resolution, resolution)
        The grid (from :func:`numpy.meshgrid`) and the loss at each point.
    """
    if np.ndim(X) == 2 and np.shape(X)[1] != 2:
        raise ValueError(f"X must have 2 features (columns), got X.shape={np.shape(X)}")
    X, T, _, _ = linear.check_data(X, T, np.zeros((2, 1)), None)
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    W1, W2 = np.meshgrid(np.linspace(*w1, resolution), np.linspace(*w2, resolution))
    Ws = np.stack([W1.ravel(), W2.ravel()])  # one weight vector per column
    L = np.sum((X @ Ws - T) ** 2, axis=0) / (2 * len(X))  # eq-linear-loss, all at once
    return W1, W2, L.reshape(W1.shape)


def _levels(L, count):
    """Contour levels spaced evenly in log(loss - minimum): rings stay readable
    both near the bottom of the bowl and on its steep walls."""
    low = L.min()
    return low + np.geomspace(1e-2 * (L.max() - low), L.max() - low, count)


def loss_contours(ax, X, T, *, w1=(-1.0, 4.0), w2=(-3.5, 3.0), levels=12,
                  resolution=121, cmap="viridis"):
    """Contours of the loss over the weights ``(w1, w2)``, minimum marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : array_like of shape (n, 2)
    T : array_like of shape (n, 1)
    w1, w2 : pair of float
        The ranges of the weights shown.
    levels : int or array_like, default 12
        The number of contour levels (spaced evenly in the log of the loss
        above its minimum) or the levels themselves.
    resolution : int, default 121
    cmap : str or Colormap, default "viridis"

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    W1, W2, L = loss_grid(X, T, w1, w2, resolution)
    if np.ndim(levels) == 0:
        levels = _levels(L, check_positive_int(levels, "levels", minimum=2))
    contours = ax.contour(W1, W2, L, levels=levels, cmap=cmap, linewidths=1)
    W_star = linear.least_squares(X, T).ravel()
    ax.plot(*W_star, marker="*", markersize=12, color="black", linestyle="none",
            label="minimum")
    ax.set(xlabel="$w_1$", ylabel="$w_2$", xlim=w1, ylim=w2, aspect="equal")
    return contours


def loss_surface_3d(ax, X, T, *, w1=(-1.0, 4.0), w2=(-3.5, 3.0), resolution=61,
                    cmap="viridis"):
    """The loss over the weights as a 3-D surface.

    Parameters
    ----------
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D
        Axes made with ``projection="3d"``.
    X, T, w1, w2, resolution, cmap
        As in :func:`loss_contours`.

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Poly3DCollection
    """
    if getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be 3-D axes, made with projection='3d'")
    W1, W2, L = loss_grid(X, T, w1, w2, resolution)
    surface = ax.plot_surface(W1, W2, L, cmap=cmap, linewidth=0, antialiased=True,
                              rcount=resolution, ccount=resolution)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", zlabel="loss")
    return surface


def _as_path(W):
    W = as_float_array(W, "W", ndim=(2, 3), finite=False)
    W = W[..., 0] if W.ndim == 3 else W
    if W.shape[1] != 2:
        raise ValueError(f"W must hold 2 weights per step, got shape {W.shape}")
    return W


def trajectory(ax, W, *, color="C3", label=None, **style):
    """A path through weight space: one marker per step, the start hollow.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    W : array_like of shape (k + 1, 2) or (k + 1, 2, 1)
        The weights at each step, e.g. ``History.W``.
    color : color, default "C3"
    label : str, optional
    **style
        Passed on to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.lines.Line2D
        The path; update it with ``set_data``.
    """
    W = _as_path(W)
    style = {"marker": "o", "markersize": 3, "linewidth": 1.2, **style}
    (line,) = ax.plot(W[:, 0], W[:, 1], color=color, label=label, **style)
    ax.plot(*W[0], marker="o", markersize=7, markerfacecolor="white",
            markeredgecolor=color, linestyle="none")
    return line


def excess(losses, loss_min):
    """``losses - loss_min``, with values that rounding made <= 0 set to NaN
    (a log axis leaves them out instead of warning)."""
    gap = np.asarray(losses, dtype=float) - loss_min
    return np.where(gap > 0, gap, np.nan)


def loss_curve(ax, losses, *, loss_min=0.0, x=None, label=None, **style):
    """The loss per step on a logarithmic axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    losses : array_like of shape (k + 1,)
        The loss at each step, e.g. ``History.loss``.
    loss_min : float, default 0.0
        Subtracted before plotting: with the smallest attainable loss, the
        curve shows how far training still has to go, and steady (linear)
        convergence draws a straight line.
    x : array_like of shape (k + 1,), optional
        Where to draw each loss along the horizontal axis; by default the
        step number 0, 1, ..., k (pass e.g. ``np.arange(k + 1) / n`` to
        count epochs of ``n`` single-example updates).
    label : str, optional
    **style
        Passed on to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.lines.Line2D
    """
    losses = as_float_array(losses, "losses", ndim=1, finite=False)
    x = np.arange(len(losses)) if x is None else as_float_array(x, "x", ndim=1)
    if x.shape != losses.shape:
        raise ValueError(f"x must have the shape of losses {losses.shape}, got {x.shape}")
    (line,) = ax.plot(x, excess(losses, loss_min), label=label, **style)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss" if loss_min == 0 else r"$\mathcal{L} - \mathcal{L}^*$")
    return line
