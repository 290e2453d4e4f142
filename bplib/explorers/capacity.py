"""The capacity and regularisation explorer of chapter 7: a one-hidden-layer
ReLU network of a given width, trained on a stratified subset of the digits'
training set with an L2 coefficient :math:`\\lambda`; training and
validation curves.

A run takes about a second, too long to follow a slider, so the widget trains
when its Run button is pressed (with a progress bar) and redraws at once for
settings it has run before. The layers are described once in
:mod:`bplib.explorers`.
"""

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from .. import digits, init, optim, train
from .._validation import check_positive_int

__all__ = ["WIDTHS", "DECAYS", "SIZES", "GRID_WIDTHS", "GRID_DECAYS", "GRID_SIZES", "Result",
           "Artists", "experiment", "plot", "update", "widget", "grid", "static_widget"]

WIDTHS = (4, 16, 64, 256)
"""tuple of int: the hidden widths the widget offers."""
DECAYS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
"""tuple of float: the L2 coefficients the widget offers."""
SIZES = (50, 100, 200, 400, 1078)
"""tuple of int: the training-set sizes the widget offers (1078 is all)."""

LAYER_ACTIVATIONS = ("relu", "identity")


@dataclass(frozen=True)
class Result:
    """One run of :func:`experiment`.

    Attributes
    ----------
    width : int
    weight_decay : float
    n_train : int
    step : ndarray of int, shape (e,)
        Steps at which the network was evaluated (0 first).
    train_loss, val_loss, train_accuracy, val_accuracy : ndarray of shape (e,)
    best : int
        Index of the lowest validation loss (where early stopping would stop).
    summary : str
    """

    width: int
    weight_decay: float
    n_train: int
    step: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    best: int
    summary: str


@functools.lru_cache(maxsize=1)
def _data():
    return digits.load(rng=0)


def experiment(width=256, weight_decay=0.0, n_train=100, steps=1000, *, seed=0,
               callback=None):
    """Train a 64-``width``-10 ReLU network on ``n_train`` digits.

    SGD with momentum (:math:`\\eta = 0.05`, :math:`\\mu = 0.9`), batches
    of 32, evaluated 40 times on the training subset and the full validation
    set.

    Parameters
    ----------
    width : int, default 256
        Hidden units, >= 1.
    weight_decay : float, default 0.0
        :math:`\\lambda \\ge 0`, :eq:`eq-l2-posterior`.
    n_train : int, default 100
        Training examples (a stratified subset, :func:`bplib.digits.subset`),
        10 to 1078.
    steps : int, default 1000
    seed : int, default 0
        Seeds the subset, the initial weights and the shuffles.
    callback : callable, optional
        Passed to :func:`bplib.train.train` (used for a progress bar); a
        cached result does not call it.

    Returns
    -------
    Result
    """
    width = check_positive_int(width, "width")
    steps = check_positive_int(steps, "steps")
    if not float(weight_decay) >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
    key = (width, float(weight_decay), int(n_train), steps, int(seed))
    if key not in _cache:
        if len(_cache) >= 256:  # a bounded memo of pure results, not state
            _cache.clear()
        _cache[key] = _experiment(*key, callback)
    return _cache[key]


_cache = {}  # results by (width, weight_decay, n_train, steps, seed)


def _experiment(width, weight_decay, n_train, steps, seed, callback):
    d = _data()
    X, _, T = digits.subset(d, n_train, rng=seed)
    params = init.init_params((64, width, 10), rng=seed)
    h = train.train(X, T, params, list(LAYER_ACTIVATIONS), optim.Momentum(0.05, 0.9),
                    epochs=-(-steps * 32 // len(X)), batch_size=32, X_val=d.X_val,
                    T_val=d.T_val, weight_decay=weight_decay, eval_every=max(1, steps // 40),
                    max_steps=steps, rng=seed, callback=callback)
    summary = (f"width {width}, λ = {weight_decay:g}, {n_train} training examples: "
               f"training accuracy {h.train_accuracy[-1]:.1%}, validation accuracy "
               f"{h.val_accuracy[-1]:.1%} (best validation loss {h.val_loss[h.best]:.3f} "
               f"at step {h.step[h.best]}, {h.val_loss[-1]:.3f} at the end)")
    return Result(width, weight_decay, n_train, h.step, h.train_loss, h.val_loss,
                  h.train_accuracy, h.val_accuracy, h.best, summary)


@dataclass
class Artists:
    """What :func:`update` changes: two axes, four curves, the best-step marker."""

    loss_ax: object
    acc_ax: object
    lines: dict
    best: object


def plot(result, fig):
    """Draw a result into ``fig``: loss (log scale) and accuracy against steps.

    Parameters
    ----------
    result : Result
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        An empty figure; two axes are added.

    Returns
    -------
    Artists
    """
    ax_l, ax_a = fig.subplots(1, 2)
    lines = {}
    for ax, kind in ((ax_l, "loss"), (ax_a, "accuracy")):
        (lines[f"train_{kind}"],) = ax.plot([], [], color="C0", label="training")
        (lines[f"val_{kind}"],) = ax.plot([], [], color="C1", linestyle="--",
                                          label="validation")
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
    best = ax_l.axvline(0, color="gray", linestyle=":", linewidth=1,
                        label="lowest validation loss")
    ax_l.set(yscale="log", ylim=(1e-4, 5), ylabel="cross-entropy")
    # plain-text tick labels: mathtext's 10^k on every redraw is slow
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_l.yaxis.set_minor_formatter(NullFormatter())
    ax_a.set(ylim=(0.5, 1.005), ylabel="accuracy")
    ax_l.legend(loc="lower left")
    artists = Artists(ax_l, ax_a, lines, best)
    update(artists, result)
    return artists


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned."""
    for name, line in artists.lines.items():
        line.set_data(result.step, getattr(result, name))
    best = result.step[result.best]
    artists.best.set_xdata([best, best])
    for ax in (artists.loss_ax, artists.acc_ax):
        ax.set_xlim(0, max(int(result.step[-1]), 1))
    artists.loss_ax.set_title(f"width {result.width}, λ = {result.weight_decay:g}, "
                              f"n = {result.n_train}", y=1.0)
    artists.acc_ax.set_title(f"validation accuracy {result.val_accuracy[-1]:.1%}", y=1.0)


def _alt(result):
    return ("Training and validation loss (log scale) and accuracy against the step. "
            f"{result.summary}.")


def widget(width=256, weight_decay=0.0, n_train=100, steps=1000):
    """Controls for the hidden width, :math:`\\lambda` and the training-set
    size, a Run button and a progress bar. Needs ``ipywidgets``.

    A setting that has been run before redraws as soon as it is selected;
    a new one waits for **Run**.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (a dict), ``button``, ``progress``,
        ``figure``, ``artists`` and ``refresh``.
    """
    import ipywidgets as w

    from . import _widget

    style = {"description_width": "9em"}
    controls = {
        "width": w.SelectionSlider(options=list(WIDTHS), value=width,
                                   description="hidden width", style=style),
        "weight_decay": w.SelectionSlider(options=list(DECAYS), value=weight_decay,
                                          description="L2 coefficient λ", style=style),
        "n_train": w.SelectionSlider(options=list(SIZES), value=n_train,
                                     description="training examples", style=style),
    }
    button = w.Button(description="Run",  # default style: readable contrast
                      tooltip="train with these settings")
    progress = w.IntProgress(value=0, min=0, max=steps, description="training")
    panel = _widget.Panel(plot, update, _alt, experiment(width, weight_decay, n_train, steps),
                          figsize=(9, 3.6))

    def run(_=None):
        def tick(step, _loss):
            progress.value = step

        c = controls
        progress.value = 0
        panel.show(experiment(c["width"].value, c["weight_decay"].value, c["n_train"].value,
                              steps, callback=tick))
        progress.value = steps

    def cached(c):  # a setting run before, or None and a prompt to press Run
        result = _cache.get((c["width"], float(c["weight_decay"]), c["n_train"], steps, 0))
        progress.value = 0 if result is None else steps
        if result is None:
            panel.summary.value = "New settings: press Run to train (about a second)."
        return result

    button.on_click(run)
    return _widget.explorer(panel, controls, ["width", "weight_decay", "n_train",
                                              (button, progress)],
                            cached, button=button, progress=progress, run=run)


GRID_WIDTHS = (4, 16, 256)
"""tuple of int: the hidden widths of the static explorer."""
GRID_DECAYS = (0.0, 1e-3, 1e-2)
"""tuple of float: its L2 coefficients."""
GRID_SIZES = (100, 1078)
"""tuple of int: its training-set sizes."""


def grid(widths=GRID_WIDTHS, weight_decays=GRID_DECAYS, sizes=GRID_SIZES, steps=1000, *,
         seed=0):
    """:func:`experiment` at every width, :math:`\\lambda` and training-set size.

    A run takes about half a second to a second, so the default grid is
    coarse: :data:`GRID_WIDTHS` × :data:`GRID_DECAYS` × :data:`GRID_SIZES`,
    18 runs.

    Returns
    -------
    dict
        ``(i, j, k) -> experiment(widths[i], weight_decays[j], sizes[k], steps,
        seed=seed)``.
    """
    return {(i, j, k): experiment(w, lam, n, steps, seed=seed)
            for i, w in enumerate(widths) for j, lam in enumerate(weight_decays)
            for k, n in enumerate(sizes)}


def static_widget(widths=GRID_WIDTHS, weight_decays=GRID_DECAYS, sizes=GRID_SIZES,
                  steps=1000, *, initial=(256, 0.0, 100), name="capacity-explorer"):
    """The explorer for a page without a kernel: sliders for the width,
    :math:`\\lambda` and the training-set size pick among precomputed frames
    (:func:`grid`, drawn with :func:`plot` and :func:`update`; the verdict
    line is the result's ``summary``).

    Parameters
    ----------
    widths, weight_decays, sizes, steps
        As in :func:`grid`.
    initial : tuple, default (256, 0.0, 100)
        The setting shown first, on the grid.
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
    """
    from . import _static as se

    axes = (tuple(widths), tuple(weight_decays), tuple(sizes))
    first = se.grid_index(axes, initial, ("width", "weight_decay", "n_train"))
    frames = se.draw_frames(grid(*axes, steps), plot, update, figsize=(7.3, 3.8),
                            verdict=lambda r: r.summary, alt=_alt)
    controls = [
        se.Control("width", "hidden width", axes[0]),
        se.Control("decay", "L2 coefficient λ", axes[1], [f"{lam:g}" for lam in axes[1]]),
        se.Control("n", "training examples", axes[2]),
    ]
    return se.render(name, f"Capacity explorer, {steps} steps (precomputed, works without "
                     "Python)", controls, frames, initial=first)
