"""The optimiser explorer of chapter 7: a small digits classifier trained
for a fixed budget of steps with SGD, momentum or Adam at a learning rate
``eta``, a momentum / :math:`\\beta_1` and a batch size; training and
validation loss along the way, and a verdict.

The budget is capped (300 steps by default) so that rerunning the experiment
on a control change stays quick. The layers are described once in
:mod:`bplib.explorers`.
"""

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from .. import digits, init, optim, train
from .._validation import check_positive, check_positive_int

__all__ = ["OPTIMISERS", "VERDICTS", "GRID_ETAS", "GRID_BATCH_SIZES", "Result", "Artists",
           "make_optimiser", "verdict", "experiment", "plot", "update", "widget", "grid",
           "static_widget"]

OPTIMISERS = ("sgd", "momentum", "adam")
"""tuple of str: the optimisers the explorer offers."""

SIZES = (64, 32, 10)
LAYER_ACTIVATIONS = ("relu", "identity")
_LOSS_RANGE = (0.02, 5.0)  # fixed y-range, so that runs can be compared by eye


@dataclass(frozen=True)
class Result:
    """One run of :func:`experiment`.

    Attributes
    ----------
    optimiser : str
    eta, beta : float
        The learning rate and the momentum (SGD ignores it) or Adam's
        :math:`\\beta_1`.
    batch_size : int
    step : ndarray of int, shape (e,)
        Steps at which the network was evaluated (0 first).
    train_loss, val_loss, val_accuracy : ndarray of shape (e,)
    diverged_at : int or None
        The step at which the loss became non-finite, or None.
    verdict : str
        One of :data:`VERDICTS`, from the training loss along the run
        (:func:`verdict`).
    summary : str
        One line saying what happened, with the numbers.
    """

    optimiser: str
    eta: float
    beta: float
    batch_size: int
    step: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    diverged_at: int | None
    verdict: str
    summary: str


@functools.lru_cache(maxsize=1)
def _data():
    return digits.load(rng=0)


def make_optimiser(name, eta, beta=0.9):
    """An optimiser from :mod:`bplib.optim` by name.

    Parameters
    ----------
    name : {"sgd", "momentum", "adam"}
    eta : float
        The learning rate, > 0.
    beta : float, default 0.9
        The momentum :math:`\\mu` for ``"momentum"``, :math:`\\beta_1` for
        ``"adam"``; ignored by ``"sgd"``.

    Returns
    -------
    bplib.optim.Optimiser
    """
    if name == "sgd":
        return optim.SGD(eta)
    if name == "momentum":
        return optim.Momentum(eta, momentum=beta)
    if name == "adam":
        return optim.Adam(eta, beta1=beta)
    raise ValueError(f"unknown optimiser {name!r}; known optimisers are {OPTIMISERS}")


def experiment(optimiser="adam", eta=1e-3, beta=0.9, batch_size=32, steps=300, *, seed=0):
    """Train a 64-32-10 ReLU network on the digits with one optimiser.

    Parameters
    ----------
    optimiser : {"sgd", "momentum", "adam"}, default "adam"
    eta : float, default 1e-3
        The learning rate, > 0.
    beta : float, default 0.9
        Momentum :math:`\\mu` or Adam's :math:`\\beta_1`, in [0, 1).
    batch_size : int, default 32
    steps : int, default 300
        The budget of optimiser steps; evaluated every ``steps // 20``.
    seed : int, default 0
        Seeds the initial weights and the shuffles (the data split is
        always :func:`bplib.digits.load` with seed 0).

    Returns
    -------
    Result
    """
    eta, steps = check_positive(eta, "eta"), check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    make_optimiser(optimiser, eta, beta)  # validates the names and numbers
    return _experiment(optimiser, eta, float(beta), batch_size, steps, int(seed))


@functools.lru_cache(maxsize=512)
def _experiment(optimiser, eta, beta, batch_size, steps, seed):
    d = _data()
    params = init.init_params(SIZES, rng=seed)
    epochs = -(-steps * batch_size // len(d.X_train))
    h = train.train(d.X_train, d.T_train, params, list(LAYER_ACTIVATIONS),
                    make_optimiser(optimiser, eta, beta), epochs=epochs,
                    batch_size=batch_size, X_val=d.X_val, T_val=d.T_val,
                    eval_every=max(1, steps // 20), max_steps=steps, rng=seed,
                    on_divergence="stop")
    word, why = verdict(h.train_loss, h.diverged_at)
    summary = f"{word}: {optimiser}, η = {eta:.3g}, batch {batch_size}: "
    if h.diverged_at is not None:
        summary += f"the loss became non-finite at step {h.diverged_at}"
    else:
        summary += (f"after {h.step[-1]} steps training loss {h.train_loss[-1]:.3g}, "
                    f"validation loss {h.val_loss[-1]:.3g}, validation accuracy "
                    f"{h.val_accuracy[-1]:.1%}{why}")
    return Result(optimiser, eta, beta, batch_size, h.step, h.train_loss, h.val_loss,
                  h.val_accuracy, h.diverged_at, word, summary)


VERDICTS = ("converging", "slow", "unstable", "diverged")
"""tuple of str: what :func:`verdict` says of a run."""


def verdict(train_loss, diverged_at=None):
    """Judge a run by its training loss at the evaluations.

    ``"diverged"``: the loss became non-finite. ``"unstable"``: the last
    loss is above the first, or ten times the lowest seen on the way (the
    steps overshoot). ``"slow"``: the last loss is still above half the
    first. ``"converging"`` otherwise.

    Parameters
    ----------
    train_loss : ndarray of shape (e,)
        The training loss at each evaluation, the first before any step.
    diverged_at : int or None

    Returns
    -------
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        ``""``, or a clause that explains an ``"unstable"`` verdict.
    """
    if diverged_at is not None:
        return "diverged", ""
    first, last, low = train_loss[0], train_loss[-1], np.min(train_loss)
    if last > first:
        return "unstable", f" (the training loss rose from {first:.3g})"
    if last > 10 * low:
        return "unstable", f" (it was down to {low:.3g} on the way)"
    return ("slow", "") if last > 0.5 * first else ("converging", "")


@dataclass
class Artists:
    """What :func:`update` changes: the axes and the two loss curves."""

    ax: object
    train: object
    val: object


def plot(result, fig):
    """Draw a result into ``fig``: training and validation loss against steps.

    Parameters
    ----------
    result : Result
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        An empty figure to draw into; one axes is added.

    Returns
    -------
    Artists
        For :func:`update`.
    """
    ax = fig.subplots()
    (train_line,) = ax.plot([], [], color="C0", label="training loss")
    (val_line,) = ax.plot([], [], color="C1", linestyle="--", label="validation loss")
    ax.set(yscale="log", ylim=_LOSS_RANGE, xlabel="step", ylabel="cross-entropy")
    ax.grid(True, which="major", alpha=0.3)
    _plain_log_labels(ax)
    ax.legend(loc="upper right")
    artists = Artists(ax, train_line, val_line)
    update(artists, result)
    return artists


def _plain_log_labels(ax):
    # Plain-text labels ("0.1", "1"): typesetting 10^k with mathtext on every
    # redraw would cost more than the rest of a slider move.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned."""
    artists.train.set_data(result.step, result.train_loss)
    artists.val.set_data(result.step, result.val_loss)
    artists.ax.set_xlim(0, max(int(result.step[-1]), 1))
    name = {"sgd": "SGD", "momentum": f"momentum μ = {result.beta:.2f}",
            "adam": f"Adam β₁ = {result.beta:.2f}"}[result.optimiser]
    tail = (f"diverged at step {result.diverged_at}" if result.diverged_at is not None
            else f"val. accuracy {result.val_accuracy[-1]:.1%}")
    artists.ax.set_title(f"{name}, η = {result.eta:.3g}, batch {result.batch_size}: {tail}", y=1.0)


def _alt(result):
    return (f"Training and validation cross-entropy, log scale, against the step for "
            f"{result.optimiser} with learning rate {result.eta:.3g} and batch size "
            f"{result.batch_size}. {result.summary}.")


def widget(optimiser="adam", eta=1e-3, beta=0.9, batch_size=32, steps=300):
    """Controls for the optimiser, learning rate, momentum / β₁ and batch size.

    Each change reruns :func:`experiment` (capped at ``steps`` steps) and
    redraws with :func:`update` into one figure, shown as a PNG with alt
    text. Needs ``ipywidgets``.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (a dict), ``figure``, ``artists`` and
        ``refresh`` (the callback a change runs).
    """
    import ipywidgets as w

    from . import _widget

    style = {"description_width": "8em"}
    controls = {
        "optimiser": w.ToggleButtons(options=list(OPTIMISERS), value=optimiser,
                                     description="optimiser", style=style),
        "eta": w.FloatLogSlider(eta, base=10, min=-4, max=0.5, step=0.1,
                               description="learning rate η", style=style),
        "beta": w.FloatSlider(beta, min=0.0, max=0.99, step=0.03,
                              description="momentum / β₁", style=style),
        "batch_size": w.SelectionSlider(options=[8, 16, 32, 64, 128, 256],
                                        value=batch_size, description="batch size",
                                        style=style),
    }
    panel = _widget.Panel(plot, update, _alt, experiment(optimiser, eta, beta, batch_size, steps),
                          figsize=(7.5, 3.6))
    return _widget.explorer(
        panel, controls, ["optimiser", ("eta", "beta"), "batch_size"],
        lambda c: experiment(c["optimiser"], c["eta"], c["beta"], c["batch_size"], steps))


GRID_ETAS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""tuple of float: the learning rates of the static explorer, about 3 apart."""
GRID_BATCH_SIZES = (8, 32)
"""tuple of int: its batch sizes."""


def grid(optimisers=OPTIMISERS, etas=GRID_ETAS, batch_sizes=GRID_BATCH_SIZES, beta=0.9,
         steps=300, *, seed=0):
    """:func:`experiment` at every optimiser, learning rate and batch size.

    Parameters
    ----------
    optimisers, etas, batch_sizes : sequences
        By default :data:`OPTIMISERS`, :data:`GRID_ETAS` and
        :data:`GRID_BATCH_SIZES` (42 runs).
    beta, steps, seed
        As in :func:`experiment`, the same for every run.

    Returns
    -------
    dict
        ``(i, j, k) -> experiment(optimisers[i], etas[j], beta, batch_sizes[k],
        steps, seed=seed)``.
    """
    return {(i, j, k): experiment(o, eta, beta, b, steps, seed=seed)
            for i, o in enumerate(optimisers) for j, eta in enumerate(etas)
            for k, b in enumerate(batch_sizes)}


def static_widget(optimisers=OPTIMISERS, etas=GRID_ETAS, batch_sizes=GRID_BATCH_SIZES,
                  beta=0.9, steps=300, *, initial=("sgd", 0.1, 32), name="optimiser-explorer"):
    """The explorer for a page without a kernel: a drop-down for the optimiser
    and sliders for the learning rate and the batch size pick among
    precomputed frames (:func:`grid`, drawn with :func:`plot` and
    :func:`update`; the verdict line is the result's ``summary``).

    Parameters
    ----------
    optimisers, etas, batch_sizes, beta, steps
        As in :func:`grid`.
    initial : tuple, default ("sgd", 0.1, 32)
        The optimiser, learning rate and batch size shown first, on the grid.
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
    """
    from . import _static as se

    axes = (tuple(optimisers), tuple(etas), tuple(batch_sizes))
    first = se.grid_index(axes, initial, ("optimiser", "eta", "batch_size"))
    frames = se.draw_frames(grid(*axes, beta, steps), plot, update, figsize=(7.3, 3.6),
                            verdict=lambda r: r.summary, alt=_alt)
    names = {"sgd": "SGD", "momentum": f"momentum (μ = {beta:g})",
             "adam": f"Adam (β₁ = {beta:g})"}
    controls = [
        se.Control("optimiser", "optimiser", axes[0], [names[o] for o in axes[0]],
                   kind="select"),
        se.Control("eta", "learning rate η", axes[1], [f"{eta:g}" for eta in axes[1]]),
        se.Control("batch", "batch size", axes[2]),
    ]
    return se.render(name, f"Optimiser explorer, {steps} steps (precomputed, works without "
                     "Python)", controls, frames, initial=first)
