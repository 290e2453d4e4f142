"""The time-lag explorer of chapter 9, in three layers.

* :func:`experiment` runs a vanilla cell and an LSTM over the same random
  sequence and measures how much gradient reaches back ``lag`` steps: the
  norm of :math:`\\partial\\mathcal{L}/\\partial h_{S-\\ell}` relative to
  :math:`\\partial\\mathcal{L}/\\partial h_S`, :eq:`eq-bptt-jacobian`, for
  every lag; and a verdict per cell (``"vanishes"``, ``"carries"``,
  ``"explodes"``). It is pure and never warns.
* :func:`plot` draws a result into a given figure (both curves on a log
  scale against the lag); :func:`update` redraws another result into the same
  artists.
* :func:`widget` wires sliders for the spectral radius of ``W_h``, the
  sequence length and the LSTM's forget-gate bias to the two (ipywidgets,
  imported lazily).

For the website, :func:`grid` runs :func:`experiment` over a grid of the
three settings and :func:`static_widget` draws every result into an explorer
that works in the browser alone.
"""

import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from .. import rnn
from .._validation import check_positive, check_positive_int, check_rng

__all__ = ["VANISHES_BELOW", "EXPLODES_ABOVE", "GRID_RADII", "GRID_LENGTHS",
           "GRID_FORGET_BIASES", "Result", "Artists", "experiment", "plot", "update", "widget",
           "grid", "static_widget"]

VANISHES_BELOW = 1e-3
"""float: a gradient that falls below this fraction of its start has vanished."""
EXPLODES_ABOVE = 1e3
"""float: one that grows above this multiple of its start has exploded."""
CELLS = ("vanilla", "lstm")
_NAMES = {"vanilla": "vanilla", "lstm": "LSTM"}


@dataclass(frozen=True)
class Result:
    """What one run of :func:`experiment` found.

    Attributes
    ----------
    radius, length, forget_bias
        The settings: spectral radius of ``W_h``, sequence length ``S`` and
        the LSTM's forget-gate bias.
    lags : ndarray of shape (S + 1,)
        0, 1, ..., S.
    norms : dict of str to ndarray of shape (S + 1,)
        Per cell, :math:`\\lVert\\partial\\mathcal{L}/\\partial h_{S-\\ell}\\rVert
        / \\lVert\\partial\\mathcal{L}/\\partial h_S\\rVert` at each lag.
    verdicts : dict of str to str
        Per cell, ``"vanishes"``, ``"carries"`` or ``"explodes"``: the
        ratio at the longest lag against :data:`VANISHES_BELOW` and
        :data:`EXPLODES_ABOVE`.
    reach : dict of str to int or None
        Per cell, the first lag at which the ratio is below
        :data:`VANISHES_BELOW` (None if it never is).
    summary : str
        The verdict line.
    """

    radius: float
    length: int
    forget_bias: float
    lags: np.ndarray
    norms: dict
    verdicts: dict
    reach: dict
    summary: str


def _verdict(r):
    return "vanishes" if r < VANISHES_BELOW else "explodes" if r > EXPLODES_ABOVE else "carries"


def _describe(cell, result_norms, verdict, reach, length):
    end = result_norms[-1]
    where = f" below {VANISHES_BELOW:g} from lag {reach}" if reach is not None else ""
    return f"{_NAMES[cell]} {verdict}{where} ({end:.1e} at lag {length})"


def experiment(radius=1.0, length=50, forget_bias=1.0, *, d_hidden=32, d_in=4, n=8, rng=0):
    """Gradient norm against time lag for the vanilla cell and the LSTM.

    Both cells get ``W_h`` with spectral radius ``radius``
    (:func:`bplib.rnn.init_params`; the LSTM's per gate block), the same
    standard-normal input sequence of ``length`` steps, and the same random
    adjoint of their last hidden state; :func:`bplib.rnn.state_gradients`
    carries it back through every step.

    Parameters
    ----------
    radius : float, default 1.0
        Spectral radius of ``W_h``, > 0.
    length : int, default 50
        The sequence length ``S``, >= 1.
    forget_bias : float, default 1.0
        The LSTM's forget-gate bias: :math:`\\sigma(1) = 0.73` of the cell
        state is kept per step at the start of training.
    d_hidden, d_in, n : int
        Hidden size, input size, batch size.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    Result
    """
    radius = check_positive(radius, "radius")
    length = check_positive_int(length, "length")
    forget_bias = float(forget_bias)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
    rng = check_rng(rng)
    X = rng.normal(size=(length, n, d_in))
    g = rng.normal(size=(n, d_hidden))
    norms, verdicts, reach, lines = {}, {}, {}, []
    for cell in CELLS:
        params = rnn.init_params(d_in, d_hidden, cell, radius=radius, forget_bias=forget_bias,
                                 rng=1)
        _, cache = rnn.forward(X, params, cell)
        adj = rnn.state_gradients(g, params, cache)  # eq-bptt-jacobian
        ratio = np.linalg.norm(adj, axis=(1, 2))[::-1] / np.linalg.norm(g)
        below = np.flatnonzero(ratio < VANISHES_BELOW)
        norms[cell], verdicts[cell] = ratio, _verdict(ratio[-1])
        reach[cell] = int(below[0]) if below.size else None
        lines.append(_describe(cell, ratio, verdicts[cell], reach[cell], length))
    summary = (f"ρ(W_h) = {radius:g}, S = {length}, forget bias {forget_bias:g}: "
               + "; ".join(lines))
    return Result(radius, length, forget_bias, np.arange(length + 1), norms, verdicts, reach,
                  summary)


@dataclass
class Artists:
    """What :func:`update` changes: the axes and one line per cell."""

    ax: object
    lines: dict
    max_length: int


def _log_formatter(v, _):
    return f"{v:.0e}"


def plot(result, fig, *, max_length=200):
    """Draw a result into ``fig``: both cells' gradient norm against lag.

    Parameters
    ----------
    result : Result
    fig : matplotlib.figure.Figure or SubFigure
        An empty figure; one axes is added.
    max_length : int, default 200
        The lag axis runs to ``max(max_length, result.length)``.

    Returns
    -------
    Artists
    """
    ax = fig.subplots()
    lines = {cell: ax.plot([], [], color=c, linestyle=ls, label=_NAMES[cell])[0]
             for cell, c, ls in (("vanilla", "C0", "-"), ("lstm", "C1", "--"))}
    for y in (VANISHES_BELOW, EXPLODES_ABOVE):
        ax.axhline(y, color="0.6", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel("time lag ℓ (steps back from the last state)")
    ax.set_ylabel("‖∂ℒ/∂h(S−ℓ)‖ / ‖∂ℒ/∂h(S)‖")
    ax.grid(True, which="major", alpha=0.3)
    ax.yaxis.set_major_formatter(FuncFormatter(_log_formatter))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.legend(loc="lower left", frameon=False)
    artists = Artists(ax, lines, max(int(max_length), result.length))
    update(artists, result)
    return artists


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned."""
    for cell, line in artists.lines.items():
        y = np.where(result.norms[cell] > 0, result.norms[cell], np.nan)
        line.set_data(result.lags, y)
    ax = artists.ax
    ax.set_xlim(0, max(artists.max_length, result.length))
    ax.set_ylim(1e-16, 1e16)
    ax.set_title(f"ρ(W_h) = {result.radius:g}, S = {result.length}, LSTM forget bias "
                 f"{result.forget_bias:g}:\nvanilla {result.verdicts['vanilla']}, LSTM "
                 f"{result.verdicts['lstm']}")


def _alt(result):
    return (f"Gradient norm against time lag on a log scale, for a vanilla cell and an LSTM "
            f"with spectral radius {result.radius:g} over {result.length} steps: "
            + "; ".join(f"{_NAMES[c]} {result.verdicts[c]}, "
                        f"{result.norms[c][-1]:.1e} at lag {result.length}" for c in CELLS)
            + ".")


def widget(radius=1.0, length=50, forget_bias=1.0, *, d_hidden=32, d_in=4, n=8, rng=0):
    """Sliders for the spectral radius, the sequence length and the forget bias.

    Each change reruns :func:`experiment` and redraws with :func:`update` into
    the same figure (a PNG with alt text), followed by the verdict line.
    Needs ``ipywidgets``.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls``, ``figure``, ``artists`` and ``refresh``.
    """
    import ipywidgets as w

    from . import _widget

    def run(c):
        return experiment(c["radius"], c["length"], c["forget_bias"], d_hidden=d_hidden,
                          d_in=d_in, n=n, rng=rng)

    style = {"description_width": "12em"}
    controls = {
        "radius": w.FloatSlider(radius, min=0.25, max=2.5, step=0.05,
                                description="spectral radius ρ(W_h)", style=style),
        "length": w.IntSlider(length, min=5, max=200, step=5, description="sequence length S",
                              style=style),
        "forget_bias": w.FloatSlider(forget_bias, min=-2.0, max=6.0, step=0.5,
                                     description="LSTM forget bias", style=style),
    }
    first = run({"radius": radius, "length": length, "forget_bias": forget_bias})
    panel = _widget.Panel(plot, update, _alt, first, figsize=(8, 3.6))
    return _widget.explorer(panel, controls, ["radius", "length", "forget_bias"], run)


GRID_RADII = (0.5, 0.9, 1.0, 1.5, 2.0)
"""tuple of float: the spectral radii of the static explorer."""
GRID_LENGTHS = (50, 100, 200)
"""tuple of int: its sequence lengths."""
GRID_FORGET_BIASES = (0.0, 1.0, 3.0)
"""tuple of float: its forget-gate biases."""


def grid(radii=GRID_RADII, lengths=GRID_LENGTHS, forget_biases=GRID_FORGET_BIASES, *,
         d_hidden=32, d_in=4, n=8, rng=0):
    """:func:`experiment` at every combination of the settings.

    Returns
    -------
    dict
        ``(i, j, k) -> experiment(radii[i], lengths[j], forget_biases[k], ...)``.
    """
    axes = (tuple(radii), tuple(lengths), tuple(forget_biases))
    return {key: experiment(r, s, f, d_hidden=d_hidden, d_in=d_in, n=n, rng=rng)
            for key, (r, s, f) in zip(itertools.product(*(range(len(v)) for v in axes)),
                                      itertools.product(*axes))}


def static_widget(radii=GRID_RADII, lengths=GRID_LENGTHS, forget_biases=GRID_FORGET_BIASES,
                  *, initial=(1.0, 100, 1.0), name="time-lag-explorer"):
    """The explorer for a page without a kernel: sliders pick among precomputed frames.

    Parameters
    ----------
    radii, lengths, forget_biases
        As in :func:`grid`.
    initial : tuple, default (1.0, 100, 1.0)
        The setting shown first; each value must be on the grid.
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
        Shown by a notebook through its ``_repr_html_``.
    """
    from . import _static as se

    axes = (tuple(radii), tuple(lengths), tuple(forget_biases))
    first = se.grid_index(axes, initial, ("radius", "length", "forget_bias"))
    frames = se.draw_frames(grid(*axes), plot, update, figsize=(7.3, 3.8),
                            max_length=max(lengths), verdict=lambda r: r.summary, alt=_alt)
    controls = [se.Control("radius", "spectral radius ρ(W_h)", axes[0]),
                se.Control("length", "sequence length S", axes[1]),
                se.Control("forget", "LSTM forget bias", axes[2], [f"{f:g}" for f in axes[2]])]
    return se.render(name, "Time-lag explorer (precomputed, works without Python)", controls,
                     frames, initial=first)
