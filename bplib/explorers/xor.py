"""The XOR explorer of chapter 3: the two-layer network of
:mod:`bplib.two_layer` with ``h`` hidden units, trained on the four XOR
points by full-batch gradient descent; the output over the input plane, each
hidden unit's line, the loss curve, and whether XOR was solved (or why not).

The grid runs all starts of one width at once, stacked as in the chapter.
The layers are described once in :mod:`bplib.explorers`.
"""

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from .. import _figure_style as figure_style
from .. import data, two_layer
from .._validation import check_positive, check_positive_int

__all__ = ["PLATEAUS", "GRID_HIDDEN", "GRID_ETAS", "GRID_SEEDS", "Result", "Artists",
           "experiment", "plot", "update", "widget", "grid", "static_widget"]

PLATEAUS = (1 / 16, 1 / 12, 1 / 8)
"""tuple of float: the losses at which a hidden layer that merges two, three
or all four examples stalls, with the other examples fitted exactly and the
merged examples' shared output the mean of their targets (chapter 3). 1/8 is
also the loss of the starting plateau, where every output is near 1/2; one
output saturated at the wrong value also costs 1/8, two 1/4."""

_BOX = (-0.5, 1.5)  # the square of the input plane that is drawn
_RESOLUTION = 31
_BLUE, _VERMILION, _GREEN = "#0072B2", "#D55E00", "#009E73"  # Okabe-Ito, as in the chapter


@dataclass(frozen=True)
class Result:
    """One run of :func:`experiment`.

    Attributes
    ----------
    h, eta, seed, steps
        The settings.
    loss : ndarray of shape (k + 1,)
        The loss :eq:`eq-two-layer-loss` before training and after each
        update; ``k = steps`` unless the run diverged.
    params : bplib.two_layer.Params
        The trained parameters. This and every array of the result are
        read-only: :func:`experiment` is cached and hands back the same
        object to every caller.
    Y : ndarray of shape (4, 1)
        The outputs at the four XOR points, in the order of
        :func:`bplib.data.xor`.
    solved : bool
        Whether every output is on the side of 1/2 of its target.
    diverged_at : int or None
        The step whose loss was non-finite, or None. Every output lies in
        (0, 1), so the loss is at most 1/2: this is None unless the weights
        themselves overflow, which none of our runs did, even at
        ``eta=1e308``.
    x : ndarray of shape (r,)
        The coordinates of the grid along each input axis.
    surface : ndarray of shape (r, r)
        The output :math:`Y` at ``(x1, x2) = (x[j], x[i])`` in entry ``[i, j]``.
    lines : ndarray of shape (h, 2, 2)
        Two points ``(x1, x2)`` on each hidden unit's line
        :math:`(Z_1)_{:k} = 0`, 3 apart, around the point nearest the
        square's centre (NaN for a unit whose weights are all zero).
    verdict : str
        ``"solved"``, ``"not solved"`` or ``"diverged"``.
    summary : str
        One line with the verdict and the numbers behind it; for a run that
        did not solve XOR, also what holds it: the loss still jumping, merged
        examples, outputs saturated at the wrong value, the starting plateau,
        or a loss still falling when the steps ran out.
    """

    h: int
    eta: float
    seed: int
    steps: int
    loss: np.ndarray
    params: two_layer.Params
    Y: np.ndarray
    solved: bool
    diverged_at: int | None
    x: np.ndarray
    surface: np.ndarray
    lines: np.ndarray
    verdict: str
    summary: str


def _sigmoid(Z):
    """:eq:`eq-sigmoid` in four operations; where ``exp(-Z)`` overflows to inf
    (the caller silences the warning) the result is exactly 0, its limit."""
    return 1 / (1 + np.exp(-Z))


def _descend(starts, eta, steps):
    """Gradient descent on XOR for a stack of networks at once.

    ``starts`` are :class:`~bplib.two_layer.Params` of one width, ``eta`` one
    learning rate each. Returns the losses, shape (steps + 1, S), and the
    final parameters as stacked arrays.
    """
    X, T = data.xor()
    n, XT = len(X), X.T
    W1, b1, W2, b2 = (np.stack(P) for P in zip(*starts))  # (S, 2, h), (S, h), ...
    b1, b2 = b1[:, None, :], b2[:, None, :]  # (S, 1, h), (S, 1, 1): added to every row
    eta = np.asarray(eta, float)[:, None, None]
    errors = np.empty((steps + 1, len(starts), n, 1))  # Y - T at every step
    with np.errstate(all="ignore"):  # non-finite losses are found afterwards
        for step in range(steps + 1):
            H1 = _sigmoid(X @ W1 + b1)  # eq-two-layer-forward  (S, n, h)
            Y = _sigmoid(H1 @ W2 + b2)  # (S, n, 1)
            E = errors[step] = Y - T
            if step == steps:
                break
            # eq-two-layer-dY to eq-two-layer-delta1, with σ'(Z) = σ(Z)(1 - σ(Z)):
            delta2 = E / n * Y * (1 - Y)  # (S, n, 1)
            delta1 = (delta2 @ W2.swapaxes(1, 2)) * H1 * (1 - H1)  # (S, n, h)
            dW2 = H1.swapaxes(1, 2) @ delta2  # eq-two-layer-dW2
            db2 = delta2.sum(axis=1, keepdims=True)  # eq-two-layer-db2
            dW1 = XT @ delta1  # eq-two-layer-dW1
            db1 = delta1.sum(axis=1, keepdims=True)  # eq-two-layer-db1
            W1, b1, W2, b2 = W1 - eta * dW1, b1 - eta * db1, W2 - eta * dW2, b2 - eta * db2
        losses = np.sum(errors ** 2, axis=(2, 3)) / (2 * n)  # eq-two-layer-loss
    return losses, (W1, b1, W2, b2)


def _unit_lines(W1, b1):
    """Two points on each hidden unit's line ``x @ W1[:, k] + b1[k] = 0``."""
    c = np.full(2, np.mean(_BOX))
    with np.errstate(all="ignore"):  # a unit with zero weights has no line: NaN
        norm2 = np.sum(W1 ** 2, axis=0)  # (h,)
        foot = c[:, None] - (c @ W1 + b1) * W1 / norm2  # (2, h): nearest point to c
        along = np.stack([-W1[1], W1[0]]) / np.sqrt(norm2)  # (2, h): unit direction
    return np.stack([foot - 1.5 * along, foot + 1.5 * along]).transpose(2, 0, 1)


def _frozen(array):
    """``array``, made read-only (results are cached and shared)."""
    array.flags.writeable = False
    return array


def _result(h, eta, seed, steps, loss, params, diverged_at):
    X, T = data.xor()
    x = np.linspace(*_BOX, _RESOLUTION)
    G1, G2 = np.meshgrid(x, x)
    params = two_layer.Params(*(_frozen(np.array(P)) for P in params))  # own copies
    with np.errstate(all="ignore"):  # huge weights saturate the sigmoids, harmlessly
        Y, cache = two_layer.forward(X, params)
        surface = two_layer.forward(np.column_stack([G1.ravel(), G2.ravel()]), params)[0]
    solved = diverged_at is None and bool(np.all((Y > 0.5) == (T > 0.5)))
    verdict = "diverged" if diverged_at is not None else "solved" if solved else "not solved"
    summary = _summary(verdict, h, eta, seed, loss, Y, T, cache.H1, diverged_at)
    return Result(h, eta, seed, steps, _frozen(loss), params, _frozen(Y), solved,
                  diverged_at, _frozen(x), _frozen(surface.reshape(G1.shape)),
                  _frozen(_unit_lines(params.W1, params.b1)), verdict, summary)


def _summary(verdict, h, eta, seed, loss, Y, T, H1, diverged_at):
    head = f"{verdict}: h = {h}, η = {eta:g}, seed {seed}"
    if diverged_at is not None:
        return f"{head}; the loss became non-finite at step {diverged_at}"
    steps = len(loss) - 1
    if verdict == "solved":
        return (f"{head}; all four points on the right side of Y = 1/2 after {steps} "
                f"steps, loss {loss[-1]:.2g}")
    wrong = int(np.sum((Y > 0.5) != (T > 0.5)))
    return (f"{head}; {wrong} of 4 points wrong after {steps} steps, loss {loss[-1]:.3f}"
            + _why(Y.ravel(), T.ravel(), H1, loss))


_RECENT = 50  # steps over which a loss that still jumps is told from one at rest
_JUMPS = 0.01  # ... by the range of its loss over them


def _why(y, t, H1, loss):
    """What holds a run that did not solve XOR: never empty.

    ``y`` and ``t`` are the outputs and targets, ``H1`` the hidden layer's
    output at the four points, ``loss`` the curve. In order: a loss that
    still jumps (its final value is a snapshot, so no cause is given);
    examples merged by the hidden layer (their hidden rows agree, so the
    output cannot tell them apart, and their outputs sit at the mean of
    their targets); outputs saturated at the wrong value; the starting
    plateau (every output near 1/2, the hidden rows still apart); else a
    loss still falling (or at rest) when the steps ran out.
    """
    recent = loss[-_RECENT:]
    if np.ptp(recent) > _JUMPS:
        return (f": the loss still jumps between {recent.min():.3f} and {recent.max():.3f} "
                f"(last {len(recent)} steps)")
    off = np.abs(y - t) > 0.25  # the examples the network does not fit
    k = int(off.sum())
    shared = t[off].mean() if k else 0.0
    if (k >= 2 and np.all(np.abs(y[off] - shared) < 0.05)  # at their best shared output
            and np.ptp(H1[off], axis=0).max() < 0.05):  # ... because their hidden rows agree
        m = int(t[off].sum())
        return (f": the hidden layer merges {('two', 'three', 'all four')[k - 2]} examples, "
                f"whose shared output {shared:.2f} is the mean of their targets "
                f"(the plateau 1/{round(8 * k / (m * (k - m)))})")
    saturated = int(np.sum(np.abs(y - t) > 0.9))
    if saturated:
        return f": {saturated} output{'s' * (saturated > 1)} saturated at the wrong value"
    if np.all(np.abs(y - 0.5) < 0.05):
        return ": still on the starting plateau, every output near 1/2"
    window = max(1, (len(loss) - 1) // 4)
    fell = loss[-1 - window] - loss[-1]
    if fell > 0:
        return f": not yet converged, the loss fell by {fell:.2g} in the last {window} steps"
    return f": not yet converged, though the loss did not fall in the last {window} steps"


def _runs(h, etas, seeds, steps):
    """Results for every (eta, seed) pair at one width, trained as one stack.

    A run whose loss became non-finite at step k is trained again for
    k - 1 steps, on its own, to keep the last finite parameters.
    """
    pairs = list(itertools.product(etas, seeds))
    starts = [two_layer.init_params(2, h, 1, rng=seed) for _, seed in pairs]
    losses, (W1, b1, W2, b2) = _descend(starts, [e for e, _ in pairs], steps)
    results = []
    for i, (eta, seed) in enumerate(pairs):
        bad = np.flatnonzero(~np.isfinite(losses[:, i]))
        if bad.size:  # bad[0] >= 1: the start is finite
            ok, (V1, c1, V2, c2) = _descend(starts[i:i + 1], [eta], bad[0] - 1)
            params = two_layer.Params(V1[0], c1[0, 0], V2[0], c2[0, 0])
            results.append(_result(h, eta, seed, steps, ok[:, 0], params, int(bad[0])))
        else:
            params = two_layer.Params(W1[i], b1[i, 0], W2[i], b2[i, 0])
            results.append(_result(h, eta, seed, steps, losses[:, i].copy(), params, None))
    return results


def experiment(h=2, eta=2.0, seed=0, steps=2000):
    """Train a 2-``h``-1 network on XOR by full-batch gradient descent.

    The network, loss and gradients are those of :mod:`bplib.two_layer`
    (sigmoid hidden and output units, half the mean squared error); the
    start is ``two_layer.init_params(2, h, 1, rng=seed)``. The updates are
    the chapter's equations, written for a stack of networks so that
    :func:`grid` can train many at once; they reproduce
    :func:`bplib.two_layer.train` to rounding.

    Parameters
    ----------
    h : int, default 2
        Hidden units, >= 1.
    eta : float, default 2.0
        The learning rate, > 0.
    seed : int, default 0
        Seeds the starting weights, >= 0. An integer only, not a
        :class:`numpy.random.Generator`: results are cached by their
        settings, and the seed names the run in its summary and in the
        explorers' controls.
    steps : int, default 2000
        The number of updates, >= 1.

    Returns
    -------
    Result
        Read-only: calls with the same settings return the same object.
    """
    h, steps = check_positive_int(h, "h"), check_positive_int(steps, "steps")
    seed = check_positive_int(seed, "seed", minimum=0)
    return _experiment(h, check_positive(eta, "eta"), seed, steps)


@functools.lru_cache(maxsize=256)
def _experiment(h, eta, seed, steps):
    return _runs(h, (eta,), (seed,), steps)[0]


@dataclass
class Artists:
    """What :func:`update` changes: the two axes, the filled output bands and
    the boundary (replaced on each update), the hidden units' lines (one
    line broken by NaNs), the loss curve, and the plateaus' labels (shown
    where they fit)."""

    plane_ax: object
    loss_ax: object
    bands: object
    boundary: object
    units: object
    curve: object
    plateau_labels: tuple


_LEVELS = (0.0, 0.1, 0.5, 0.9, 1.0)  # output bands: confident 0, leaning 0, leaning 1, confident 1
_BANDS = ("#92c5de", "#d1e5f0", "#fddbc7", "#f4a582")  # light blue to light red


def plot(result, fig):
    """Draw a result into ``fig``: the output over the input plane, and the loss.

    Left, the trained network's output :math:`Y` in four bands (below 0.1,
    below 1/2, above 1/2, above 0.9), the boundary :math:`Y = 1/2` in black,
    each hidden unit's line :math:`(Z_1)_{:k} = 0` dashed in green and the
    four XOR points. Right, the loss per step on a log scale, with the
    plateaus :data:`PLATEAUS` and 1/4 dotted.

    Parameters
    ----------
    result : Result
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        An empty figure; two axes are added.

    Returns
    -------
    Artists
        For :func:`update`.
    """
    ax_p, ax_l = fig.subplots(1, 2, width_ratios=(1, 1))
    X, T = data.xor()
    for label, marker, color in ((0, "o", _BLUE), (1, "s", _VERMILION)):
        rows = T[:, 0] == label
        ax_p.scatter(X[rows, 0], X[rows, 1], marker=marker, s=60, c=color, edgecolors="black",
                     zorder=3)
    (units,) = ax_p.plot([], [], color=_GREEN, linestyle="--", linewidth=1.5, zorder=2)
    ax_p.set(xlim=_BOX, ylim=_BOX, aspect="equal", xlabel="x₁", ylabel="x₂",
             xticks=(0, 1), yticks=(0, 1))
    handles = [Line2D([], [], color="black"), units, Patch(color=_BANDS[0]),
               Patch(color=_BANDS[-1])]
    ax_p.legend(handles, ["Y = 1/2", "hidden units' lines", "Y < 0.1", "Y > 0.9"],
                loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    (curve,) = ax_l.plot([], [], color=_BLUE, linewidth=1.5)
    labels = {}
    # 1/16 and 1/12 lie close on the log axis: below and beside their lines
    for value, place in zip(PLATEAUS + (1 / 4,), ("top", "center", "bottom", "center")):
        ax_l.axhline(value, color="0.4", linestyle=":", linewidth=1)
        labels[value] = ax_l.annotate(f"1/{round(1 / value)}", (1, value),
                                      xycoords=("axes fraction", "data"), xytext=(2, 0),
                                      textcoords="offset points", va=place)
    ax_l.set(yscale="log", xlabel="step", ylabel="loss ℒ")
    ax_l.xaxis.set_major_locator(MaxNLocator(3, steps=[1, 2, 5, 10]))
    # plain-text tick labels: mathtext's 10^k on every redraw is slow
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_l.yaxis.set_minor_locator(NullLocator())
    ax_l.grid(True, which="major", alpha=0.3)
    artists = Artists(ax_p, ax_l, None, None, units, curve,
                      tuple(labels[v] for v in (1 / 8, 1 / 16, 1 / 12, 1 / 4)))
    update(artists, result)
    return artists


def _envelope(loss, bins=250):
    """The points of the loss curve to draw: all of them up to ``2 * bins``;
    beyond, each of ``bins`` runs of steps keeps its lowest and highest loss,
    in step order, so an oscillation keeps its full range (a plain stride
    would alias it), and the last step is always kept."""
    n = len(loss)
    if n <= 2 * bins:
        return np.arange(n), loss
    size = -(-n // bins)  # steps per run; the last run may be shorter
    runs = np.full(size * bins, np.nan)
    runs[:n] = loss
    runs = runs.reshape(bins, size)
    starts = np.arange(bins) * size
    lo = starts + np.argmin(np.where(np.isnan(runs), np.inf, runs), axis=1)
    hi = starts + np.argmax(np.where(np.isnan(runs), -np.inf, runs), axis=1)
    keep = np.unique(np.concatenate([lo, hi, [n - 1]]))
    keep = keep[keep < n]  # a run made only of padding would point past the end
    return keep, loss[keep]


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned.

    Parameters
    ----------
    artists : Artists
        What :func:`plot` returned; changed in place, no figure or axes is
        created.
    result : Result
        The run to show. The loss curve is drawn up to its last step, as
        the lowest and highest loss of each of 250 runs of steps when it has
        more than 500 points (an oscillation keeps its range), on a scale
        that reaches 1/2, above every possible loss.
    """
    ax = artists.plane_ax
    for old in (artists.bands, artists.boundary):
        if old is not None:
            old.remove()
    artists.bands = ax.contourf(result.x, result.x, result.surface, levels=_LEVELS,
                                colors=_BANDS, zorder=0)
    artists.boundary = ax.contour(result.x, result.x, result.surface, levels=[0.5],
                                  colors="black", linewidths=1.5, zorder=1)
    gap = np.full((result.h, 1, 2), np.nan)  # breaks the line between units
    xy = np.concatenate([result.lines, gap], axis=1).reshape(-1, 2)
    artists.units.set_data(xy[:, 0], xy[:, 1])
    ax.set_title(f"h = {result.h}, η = {result.eta:g}, seed {result.seed}:\n{result.verdict}",
                 y=1.0)
    loss = result.loss
    artists.curve.set_data(*_envelope(loss))  # at most ~500 points: the redraw stays light
    artists.loss_ax.set_xlim(0, max(result.steps, 1))
    artists.loss_ax.set_ylim(min(1e-4, np.nanmin(loss) / 2), 0.5)  # every loss is < 1/2
    figure_style.hide_overlapping(artists.plateau_labels)  # a long range crowds them
    artists.loss_ax.set_title(f"after {len(loss) - 1} steps:\nloss {loss[-1]:.2g}",
                              y=1.0)  # in one line it ran past the frame's edge


def _alt(result):
    return (f"Left: the output of a two-layer network with {result.h} hidden "
            f"unit{'s' if result.h > 1 else ''}, trained on XOR with learning rate "
            f"{result.eta:g} from seed {result.seed}, over the input square, with the "
            f"boundary Y = 1/2 and each hidden unit's line. Right: the loss per step on a "
            f"log scale. {result.summary}.")


def widget(h=2, eta=2.0, seed=0, steps=2000):
    """Sliders for the hidden units, the learning rate, the start and the steps.

    Each move reruns :func:`experiment` and redraws with :func:`update` into
    the same figure, shown as a PNG image with alt text above the one-line
    verdict. Needs ``ipywidgets``.

    Parameters
    ----------
    h : int, default 2
        Hidden units shown first; the slider runs from 1 to 8.
    eta : float, default 2.0
        The learning rate shown first; the slider runs from 1/4 to 256, a
        factor of :math:`\\sqrt2` a step.
    seed : int, default 0
        The start shown first; the slider runs from 0 to 99.
    steps : int, default 2000
        The number of updates shown first; the slider runs from 250 to 5000
        in steps of 250.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (a dict of the sliders), ``figure``,
        ``artists`` and ``refresh`` (the callback a slider move runs).
    """
    import ipywidgets as w

    from . import _widget

    style = {"description_width": "8em"}
    controls = {  # η on a log scale, a factor √2 a step: run what the slider shows
        "h": w.IntSlider(h, min=1, max=8, description="hidden units h", style=style),
        "eta": w.FloatLogSlider(eta, base=2, min=-2, max=8, step=0.5,
                                description="learning rate η", style=style),
        "seed": w.IntSlider(seed, min=0, max=49, description="start (seed)", style=style),
        "steps": w.IntSlider(steps, min=250, max=5000, step=250, description="steps",
                             style=style),
    }
    panel = _widget.Panel(plot, update, _alt, experiment(h, eta, seed, steps),
                          figsize=(8.5, 3.4))
    return _widget.explorer(
        panel, controls, [("h", "eta"), ("seed", "steps")],
        lambda c: experiment(c["h"], c["eta"], c["seed"], c["steps"]))


GRID_HIDDEN = (1, 2, 3, 4, 8)
"""tuple of int: the hidden widths of the static explorer."""
GRID_ETAS = (0.5, 2.0, 8.0, 32.0, 128.0)
"""tuple of float: its learning rates, a factor of 4 apart."""
GRID_SEEDS = (0, 5, 6)
"""tuple of int: its starts; with two hidden units, seed 0 solves XOR at
:math:`\\eta = 2` and seeds 5 and 6 do not."""


def grid(hs=GRID_HIDDEN, etas=GRID_ETAS, seeds=GRID_SEEDS, steps=2000):
    """:func:`experiment` at every width, learning rate and seed.

    All runs of one width are trained together, as one stack of networks.

    Parameters
    ----------
    hs : sequence of int, default :data:`GRID_HIDDEN`
        Hidden widths, each >= 1; all are checked before any training.
    etas : sequence of float, default :data:`GRID_ETAS`
        Learning rates, each > 0.
    seeds : sequence of int, default :data:`GRID_SEEDS`
        Seeds of the starts, each >= 0 (integers, as in :func:`experiment`).
    steps : int, default 2000
        The number of updates of every run, >= 1.

    Each sequence must be non-empty.

    Returns
    -------
    dict
        ``(i, j, k) -> experiment(hs[i], etas[j], seeds[k], steps)`` (equal
        to rounding: the stacked products may round differently).
    """
    steps = check_positive_int(steps, "steps")
    hs = [check_positive_int(h, "h") for h in hs]
    etas = [check_positive(eta, "eta") for eta in etas]
    seeds = [check_positive_int(seed, "seed", minimum=0) for seed in seeds]
    for name, values in (("hs", hs), ("etas", etas), ("seeds", seeds)):
        if not values:
            raise ValueError(f"{name} must name at least one value, got none")
    results = {}
    for i, h in enumerate(hs):
        runs = iter(_runs(h, etas, seeds, steps))
        results.update(((i, j, k), next(runs)) for j in range(len(etas))
                       for k in range(len(seeds)))
    return results


def static_widget(hs=GRID_HIDDEN, etas=GRID_ETAS, seeds=GRID_SEEDS, steps=2000, *,
                  initial=(2, 2.0, 0), name="xor-explorer"):
    """The explorer for a page without a kernel: sliders for the hidden units
    and the learning rate and a menu of starts pick among precomputed frames
    (:func:`grid`, drawn with :func:`plot` and :func:`update`; the verdict
    line is the result's ``summary``).

    Parameters
    ----------
    hs, etas, seeds, steps
        As in :func:`grid`.
    initial : tuple, default (2, 2.0, 0)
        The width, learning rate and seed shown first; each must be one of
        ``hs``, ``etas`` and ``seeds``.
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
    """
    from . import _static as se

    axes = (tuple(hs), tuple(etas), tuple(seeds))
    first = se.grid_index(axes, initial, ("h", "eta", "seed"))
    frames = se.draw_frames(grid(*axes, steps), plot, update, figsize=(7.3, 3.6),
                            verdict=lambda r: r.summary, alt=_alt)
    controls = [
        se.Control("h", "hidden units h", axes[0]),
        se.Control("eta", "learning rate η", axes[1], [f"{eta:g}" for eta in axes[1]]),
        se.Control("seed", "start", axes[2], [f"seed {s}" for s in axes[2]], kind="select"),
    ]
    return se.render(name, f"XOR explorer, {steps} steps (precomputed, works without "
                     "Python)", controls, frames, initial=first)
