"""The learning-rate explorer of chapter 1: gradient descent on the
two-input linear neuron for one learning rate, with a verdict
(``"converging"``, ``"oscillating"`` or ``"diverging"``).

The layers (``experiment``, ``plot``/``update``, ``widget``, ``grid``/
``static_widget``) are described once in :mod:`bplib.explorers`.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from .. import data, linear, plots
from .._validation import as_float_array

__all__ = ["VERDICTS", "GRID_ETAS", "GRID_STARTS", "Result", "Artists", "experiment", "plot",
           "update", "widget", "grid", "static_widget"]

#: The three verdicts :func:`experiment` can return, from best to worst.
VERDICTS = ("converging", "oscillating", "diverging")


@dataclass(frozen=True)
class Result:
    """What one run of :func:`experiment` found.

    Attributes
    ----------
    eta : float
        The learning rate.
    W : ndarray of shape (k + 1, 2)
        The weights at each step, the start first; ``k`` is the number of
        steps, fewer than asked if the loss became non-finite.
    loss : ndarray of shape (k + 1,)
        The loss :eq:`eq-linear-loss` at each step.
    loss_min, W_star
        The smallest loss and the weights that attain it.
    eta_limit : float
        :math:`2/\\lambda_{\\max}`, :eq:`eq-linear-threshold`.
    verdict : str
        One of :data:`VERDICTS`.
    summary : str
        One line saying what happened, with the numbers.
    X, T : ndarray
        The data, kept so that :func:`plot` can draw the loss surface.
    """

    eta: float
    W: np.ndarray
    loss: np.ndarray
    loss_min: float
    W_star: np.ndarray
    eta_limit: float
    verdict: str
    summary: str
    X: np.ndarray
    T: np.ndarray


def experiment(eta, steps=30, start=(-0.5, 2.5), *, X=None, T=None):
    """Gradient descent from ``start`` with learning rate ``eta``.

    Parameters
    ----------
    eta : float
        The learning rate, > 0.
    steps : int, default 30
        The number of full-batch updates.
    start : pair of float, default (-0.5, 2.5)
        The starting weights :math:`(w_1, w_2)`.
    X : array_like of shape (n, 2), optional
    T : array_like of shape (n, 1), optional
        The data; by default :func:`bplib.data.regression` with seed 0.

    Returns
    -------
    Result
        The verdict is ``"diverging"`` if the loss became non-finite or was
        rising at the last step; otherwise ``"oscillating"`` if the weights
        overshoot the valley floor, i.e. their distance to the minimum along
        the steepest direction of the bowl changes sign at most steps;
        otherwise ``"converging"``.
    """
    if (X is None) != (T is None):
        raise ValueError("pass both X and T, or neither (for the chapter's data set)")
    if X is None:
        X, T = data.regression()
    W0 = as_float_array(start, "start", ndim=1).reshape(-1, 1)
    history = linear.gradient_descent(X, T, W0, eta, steps, on_divergence="stop")
    X, T = np.asarray(X, float), np.asarray(T, float)
    W_star = linear.least_squares(X, T)
    loss_min = linear.loss(X @ W_star, T)
    lams, vecs = np.linalg.eigh(linear.hessian(X))
    W = history.W[:, :, 0]
    verdict = _verdict(history, loss_min, (W - W_star.ravel()) @ vecs[:, -1])
    summary = _summary(verdict, history, eta, loss_min, lams[-1])
    return Result(float(eta), W, history.loss, loss_min, W_star.ravel(),
                  2 / lams[-1], verdict, summary, X, T)


def _verdict(history, loss_min, across):
    """Classify a run; ``across`` is the distance to the minimum along the
    eigenvector of the largest Hessian eigenvalue, at each step."""
    gap = history.loss - loss_min
    if history.diverged_at is not None or (
        len(gap) > 1 and gap[-1] > gap[-2] + 1e-12 * gap[0]
    ):
        return "diverging"
    live = np.abs(across) > 1e-9 * np.abs(across[0])  # above rounding noise
    pairs = live[:-1] & live[1:]
    flips = np.sum((across[:-1] * across[1:] < 0) & pairs)
    return "oscillating" if pairs.any() and flips > pairs.sum() / 2 else "converging"


def _summary(verdict, history, eta, loss_min, lam_max):
    head = f"{verdict}: η = {eta:.3g}, ηλ_max = {eta * lam_max:.2f} (the limit is 2)"
    if history.diverged_at is not None:
        return f"{head}; the loss became non-finite at step {history.diverged_at}"
    steps = len(history.loss) - 1
    gap = history.loss[-1] - loss_min
    return (f"{head}; after {steps} steps the loss is {gap:.2g} above its minimum "
            f"(it started {history.loss[0] - loss_min:.2g} above)")


@dataclass
class Artists:
    """The parts of a drawing that :func:`update` changes: the two axes, the
    path and its start marker on the contours, and the loss curve."""

    contour_ax: object
    loss_ax: object
    path: object
    start: object
    curve: object


def _extent(result, margin=1.3):
    reach = max(1.0, margin * np.max(np.abs(result.W[0] - result.W_star)))
    return tuple((c - reach, c + reach) for c in result.W_star)


def plot(result, fig, *, extent=None):
    """Draw a result into ``fig``: contours with the path, and the loss curve.

    Parameters
    ----------
    result : Result
        From :func:`experiment`.
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        An empty figure (or subfigure) to draw into; two axes are added.
    extent : pair of (float, float), optional
        The ranges of :math:`w_1` and :math:`w_2` shown; by default a square
        around the minimum that holds the start.

    Returns
    -------
    Artists
        Pass it to :func:`update` to redraw another result in place.
    """
    ax_w, ax_l = fig.subplots(1, 2, width_ratios=(1.1, 1))
    w1, w2 = extent if extent is not None else _extent(result)
    plots.loss_contours(ax_w, result.X, result.T, w1=w1, w2=w2)
    path = plots.trajectory(ax_w, result.W)
    start = ax_w.lines[-1]
    curve = plots.loss_curve(ax_l, result.loss, loss_min=result.loss_min, color="C3",
                             marker="o", markersize=2.5)
    ax_l.grid(True, which="major", alpha=0.3)
    # Plain-text labels ("1e-03") and no minor ticks: typesetting 10^k and
    # placing minor ticks on every redraw would cost more than everything
    # else a slider move does.
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
    ax_l.yaxis.set_minor_locator(NullLocator())
    artists = Artists(ax_w, ax_l, path, start, curve)
    update(artists, result)
    return artists


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned."""
    artists.path.set_data(result.W[:, 0], result.W[:, 1])
    artists.start.set_data([result.W[0, 0]], [result.W[0, 1]])
    gap = plots.excess(result.loss, result.loss_min)
    artists.curve.set_data(np.arange(len(gap)), gap)
    # y=1.0 fixes the titles' height, which matplotlib would otherwise
    # recompute from the tick labels' extents at every draw.
    artists.contour_ax.set_title(f"η = {result.eta:.3g}: {result.verdict}", y=1.0)
    ax = artists.loss_ax
    ax.set_xlim(0, max(len(gap) - 1, 1))
    shown = gap[np.isfinite(gap)]
    if shown.size:  # a common floor keeps slow and fast runs comparable
        ax.set_ylim(min(shown.min(), 1e-4 * shown[0]) / 3,
                    max(shown.max(), shown[0]) * 3)
    product = result.eta * 2 / result.eta_limit
    # in two lines: in one it ran past the frame's edge
    ax.set_title(f"ηλₘₐₓ = {product:.2f}\n(diverges above 2)", y=1.0)


def _alt(result):
    return (f"Loss contours over the weights w1 and w2 with the path of {len(result.W) - 1} "
            f"gradient-descent steps at learning rate {result.eta:.3g} from "
            f"({result.W[0, 0]:.1f}, {result.W[0, 1]:.1f}), and the loss above its minimum "
            f"per step on a log scale; verdict: {result.verdict}.")


def widget(eta=0.1, steps=30, start=(-0.5, 2.5), *, X=None, T=None):
    """Sliders for the learning rate, the number of steps and the start.

    Each move reruns :func:`experiment` and redraws with :func:`update` into
    the same figure, shown as a PNG image with alt text. Needs ``ipywidgets``.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (a dict of the sliders), ``figure``,
        ``artists`` and ``refresh`` (the callback a slider move runs).
    """
    import ipywidgets as w

    from . import _widget

    result = experiment(eta, steps, start, X=X, T=T)
    step = 0.25  # about 36 key presses across the plotted square
    (lo1, hi1), (lo2, hi2) = (  # the start lies on the sliders' grid
        (c - step * np.ceil((c - lo) / step), c + step * np.ceil((hi - c) / step))
        for c, (lo, hi) in zip(start, _extent(result)))
    style = {"description_width": "8.5em"}
    controls = {  # sliders snap to their steps (about 20-50 key presses across each)
        "eta": w.FloatLogSlider(eta, base=10, min=-3, max=0.5, step=0.1,
                                description="learning rate η", style=style),
        "steps": w.IntSlider(steps, min=5, max=200, step=5, description="steps", style=style),
        "w1": w.FloatSlider(start[0], min=lo1, max=hi1, step=step, description="start w₁",
                            style=style),
        "w2": w.FloatSlider(start[1], min=lo2, max=hi2, step=step, description="start w₂",
                            style=style),
    }
    panel = _widget.Panel(plot, update, _alt, result, figsize=(8.5, 3.6),
                          extent=((lo1, hi1), (lo2, hi2)))
    return _widget.explorer(
        panel, controls, [("eta", "steps"), ("w1", "w2")],
        lambda c: experiment(c["eta"], c["steps"], (c["w1"], c["w2"]), X=X, T=T))


#: The learning rates of the static explorer: 25 on a log scale from 0.01 to
#: 1.6, rounded to two digits (the limit :math:`2/\lambda_{\max}` is about 1.14).
GRID_ETAS = tuple(float(f"{eta:.2g}") for eta in np.geomspace(0.01, 1.6, 25))
#: Its starting points: the chapter's, one near the valley floor, one on the
#: steep wall of the bowl.
GRID_STARTS = ((-0.5, 2.5), (4.0, -2.7), (4.0, 1.3))
_START_NAMES = {(-0.5, 2.5): "", (4.0, -2.7): ", near the valley floor",
                (4.0, 1.3): ", on the steep wall"}


def grid(etas=GRID_ETAS, starts=GRID_STARTS, steps=30, *, X=None, T=None):
    """:func:`experiment` at every learning rate and starting point.

    Parameters
    ----------
    etas : sequence of float, default :data:`GRID_ETAS`
    starts : sequence of pairs of float, default :data:`GRID_STARTS`
    steps : int, default 30
    X, T : array_like, optional
        As in :func:`experiment`.

    Returns
    -------
    dict
        ``(i, j) -> experiment(etas[i], steps, starts[j], X=X, T=T)``.
    """
    return {(i, j): experiment(eta, steps, start, X=X, T=T)
            for i, eta in enumerate(etas) for j, start in enumerate(starts)}


def static_widget(etas=GRID_ETAS, starts=GRID_STARTS, steps=30, *, eta=0.1,
                  name="learning-rate-explorer"):
    """The explorer for a page without a kernel: a slider over the learning
    rates and a drop-down of starting points pick among precomputed frames.

    Runs :func:`grid` and draws each result with :func:`plot` and
    :func:`update` (all frames share the contours of the chapter's default
    view); the verdict line is the result's ``summary``.

    Parameters
    ----------
    etas, starts, steps
        As in :func:`grid`.
    eta : float, default 0.1
        The learning rate shown first (the nearest on the grid).
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
        Displays as HTML in a notebook and on the website.
    """
    from . import _static as se

    results = grid(etas, starts, steps)
    extent = _extent(experiment(0.1, 1, GRID_STARTS[0]))
    def plain_plot(result, fig, **kwargs):
        artists = plot(result, fig, **kwargs)
        # plain-text axis labels: an SVG renderer parses mathtext afresh per frame
        artists.contour_ax.set(xlabel="w₁", ylabel="w₂")
        artists.loss_ax.set_ylabel("ℒ − ℒ*")
        return artists

    frames = se.draw_frames(results, plain_plot, update, figsize=(7.3, 3.6), extent=extent,
                            verdict=lambda r: r.summary, alt=_alt)
    controls = [
        se.Control("eta", "learning rate η", etas, [f"{e:.2g}" for e in etas]),
        se.Control("start", "start (w₁, w₂)", starts,
                   [f"({a:.1f}, {b:.1f}){_START_NAMES.get((a, b), '')}".replace("-", "−")
                    for a, b in starts], kind="select"),
    ]
    first = int(np.argmin(np.abs(np.log(np.asarray(etas) / eta))))
    return se.render(name, "Learning-rate explorer (precomputed, works without Python)",
                     controls, frames, initial=(first, 0))
