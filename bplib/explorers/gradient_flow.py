"""The gradient-flow explorer of chapter 6: one forward and backward pass
through a deep network (depth, width, activation, initialisation scheme,
weight scale, architecture) by :func:`bplib.diagnostics.diagnose`, or by
:func:`bplib.residual.diagnose` for chapter 8's residual and normalised
networks; gradient norms per layer, activation histograms and a verdict.

The layers are described once in :mod:`bplib.explorers`.
"""

import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from .. import diagnostics, init, residual
from .._validation import check_positive, check_positive_int, check_rng
from ..activations import get_activation

__all__ = ["GRID_ACTIVATIONS", "ARCHITECTURES", "MAX_SHOWN", "GRID_DEPTHS", "GRID_SCHEMES",
           "GRID_SCALES", "GRID_ARCHITECTURES", "Result", "Artists", "experiment", "plot",
           "update", "widget", "grid", "static_widget"]

GRID_ACTIVATIONS = ("sigmoid", "tanh", "relu")
"""tuple of str: the activations the explorer offers."""

ARCHITECTURES = {
    "plain": "plain",
    "residual": "residual",
    "normalised": "batch-normalised",
    "residual_normalised": "residual + layer norm",
}
"""dict: the architectures the explorer offers (the keys of
:data:`bplib.residual.VARIANTS`), each with the label its controls show."""

MAX_SHOWN = 5
"""int: activation histograms are drawn for at most this many layers."""

_BINS = 40
_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # bounded: their own range


@dataclass(frozen=True)
class Result:
    """What one run of :func:`experiment` found.

    For a network other than ``"plain"`` the activation statistics and
    histograms are those of each block's activation :math:`f(Z^{(l)})`
    (:func:`bplib.residual.diagnose`).

    Attributes
    ----------
    depth, width, activation, scheme, scale, architecture
        The settings.
    diagnostics : bplib.diagnostics.Diagnostics
        Per-layer statistics of the pass.
    ratio : float
        First-layer over last-layer gradient norm.
    verdict : str
        ``"vanishing"``, ``"healthy"`` or ``"exploding"``
        (:func:`bplib.diagnostics.assess`, which weighs the gradient norms
        and the activations' spread as well as the ratio).
    summary : str
        One line with the verdict and the numbers behind it.
    shown : tuple of int
        The layers whose activation histograms are kept (first and last
        included), at most :data:`MAX_SHOWN`.
    edges : ndarray of shape (41,)
        Bin edges of the histograms: the activation's range for the sigmoid
        and tanh; for unbounded activations the bins are in units of each
        layer's standard deviation (``A / std``).
    hist : ndarray of shape (len(shown), 40)
        Fraction of the entries of each shown layer's activations per bin
        (values outside the range counted in the end bins). For unbounded
        activations exact zeros (inactive ReLUs) are left out; their share
        is the layer's ``diagnostics.inactive``.
    """

    depth: int
    width: int
    activation: str
    scheme: str
    scale: float
    diagnostics: object
    ratio: float
    verdict: str
    summary: str
    shown: tuple
    edges: np.ndarray
    hist: np.ndarray
    architecture: str = "plain"


def _shown_layers(depth):
    return tuple(int(l) for l in np.unique(np.round(np.linspace(1, depth,
                                                                 min(depth, MAX_SHOWN)))))


def _histograms(diag, activation, shown):
    lo, hi = _RANGES.get(activation, (0.0, 4.0))
    edges = np.linspace(lo, hi, _BINS + 1)
    hist = np.zeros((len(shown), _BINS))
    with np.errstate(all="ignore"):
        for i, l in enumerate(shown):
            a = diag.A[l - 1].ravel()
            if activation not in _RANGES:  # unbounded: in units of the std, zeros left out
                std = np.std(a)
                a = a[a != 0] / std if np.isfinite(std) and std > 0 else a[a != 0]
            a = a[np.isfinite(a)]
            counts, _ = np.histogram(np.clip(a, lo, hi), bins=edges)
            hist[i] = counts / max(len(diag.A[l - 1].ravel()), 1)
    return edges, hist


def _units(diag, activation, l=None):
    """What stops the delta at the units: ReLU units that output exactly 0
    (inactive, or dead on the whole batch) are told apart from saturated ones."""
    pick = (lambda a: float(np.mean(a))) if l is None else (lambda a: float(a[l - 1]))
    if pick(diag.inactive) > 0 or activation == "relu":
        return f"{pick(diag.inactive):.0%} of outputs inactive (exactly 0), " \
               f"{pick(diag.dead):.0%} of units dead"
    return f"{pick(diag.saturation):.0%} of units saturated"


def _summary(verdict, reason, diag, activation):
    if not diag.finite:
        return f"{verdict}: {reason}"
    norms = diag.grad_norms
    return (f"{verdict}: {reason}; gradient norms from {norms.min():.1e} to "
            f"{norms.max():.1e}; activation std in the last layer "
            f"{diag.activation_std[-1]:.2g}; {_units(diag, activation)}")


def _check_architecture(architecture):
    if not isinstance(architecture, str) or architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(map(repr, ARCHITECTURES))}, "
                         f"got {architecture!r}")
    return architecture


def experiment(depth=10, width=32, activation="tanh", scheme="xavier_normal", scale=1.0,
               architecture="plain", *, n=64, rng=0):
    """One forward and backward pass through a deep network, measured layer by layer.

    The network has ``depth`` layers of ``width`` units, all with the same
    activation, and weights drawn by ``scheme`` (:mod:`bplib.init`) with their
    standard deviation multiplied by ``scale``; biases are zero. Its input
    ``X`` and targets ``T`` are standard normal of shape ``(n, width)`` and the
    loss is half the mean squared error. The verdict
    (:func:`bplib.diagnostics.assess`) weighs the ratio of first- to
    last-layer gradient norm, the size of the gradients and the spread of the
    last layer's activations against the input's, whatever the architecture.

    ``architecture`` turns every layer into one of chapter 8's blocks
    (:data:`bplib.residual.VARIANTS`, :func:`bplib.residual.forward`):
    ``"residual"`` adds the identity path,
    :math:`A^{(l)} = A^{(l-1)} + f(Z^{(l)})`;
    ``"normalised"`` batch-normalises each layer's input;
    ``"residual_normalised"`` does both, with layer normalisation. The
    weights and data are the same draws for every architecture, so a
    change of architecture changes nothing else.

    Parameters
    ----------
    depth : int, default 10
        The number of layers ``L``, >= 2.
    width : int, default 32
        Units per layer (and inputs), >= 1.
    activation : str, default "tanh"
        A key of :data:`bplib.activations.ACTIVATIONS`.
    scheme : str, default "xavier_normal"
        One of :data:`bplib.init.SCHEMES`.
    scale : float, default 1.0
        Multiplier of the weights' standard deviation, > 0.
    architecture : str, default "plain"
        A key of :data:`ARCHITECTURES`: ``"plain"``, ``"residual"``,
        ``"normalised"`` or ``"residual_normalised"``.
    n : int, default 64
        Examples in the batch (>= 2 for ``"normalised"``, whose batch
        normalisation needs two).
    rng : int or numpy.random.Generator, default 0
        Seed for the weights and the data.

    Returns
    -------
    Result
    """
    depth = check_positive_int(depth, "depth", minimum=2)
    width = check_positive_int(width, "width")
    n = check_positive_int(n, "n")
    get_activation(activation)  # raises for an unknown name
    _check_architecture(architecture)
    if architecture == "normalised" and n < 2:
        raise ValueError(f"n must be >= 2 for architecture 'normalised' (batch normalisation "
                         f"needs two examples), got {n}")
    if architecture == "residual_normalised" and width < 2:
        raise ValueError(f"width must be >= 2 for architecture 'residual_normalised' (layer "
                         f"normalisation needs two units), got {width}")
    rng = check_rng(rng)
    params = init.init_params([width] * (depth + 1), scheme, scale=scale, rng=rng)
    X, T = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    if architecture == "plain":  # chapter 6's network, measured as chapter 6 measures it
        diag = diagnostics.diagnose(X, T, params, [activation] * depth)
    else:
        diag = residual.diagnose(X, T, params, activation, **residual.VARIANTS[architecture])
    verdict, reason = diagnostics.assess(diag)
    shown = _shown_layers(depth)
    edges, hist = _histograms(diag, activation, shown)
    return Result(depth, width, activation, scheme, check_positive(scale, "scale"), diag,
                  diag.ratio, verdict, _summary(verdict, reason, diag, activation), shown,
                  edges, hist, architecture)


@dataclass
class Artists:
    """The parts of a drawing that :func:`update` changes: the two axes, the
    gradient-norm line, the histograms' step patches with their legend, and
    the figure's title (the network drawn)."""

    norm_ax: object
    hist_ax: object
    norms: object
    stairs: list
    legend: object
    max_depth: int
    network: object


def _log_formatter(v, _):
    return f"{v:.0e}"


def plot(result, fig, *, max_depth=20):
    """Draw a result into ``fig``: gradient norms per layer and activation histograms.

    Parameters
    ----------
    result : Result
        From :func:`experiment`.
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        An empty figure (or subfigure) to draw into; two axes are added.
    max_depth : int, default 20
        The layer axis runs from 1 to ``max(max_depth, result.depth)``, so
        that results of different depths share one scale.

    Returns
    -------
    Artists
        Pass it to :func:`update` to redraw another result in place.
    """
    ax_n, ax_h = fig.subplots(1, 2, width_ratios=(1.1, 1))
    (line,) = ax_n.plot([], [], "o-", color="C0", markersize=4)
    ax_n.set_yscale("log")
    ax_n.set_xlabel("layer $l$")
    ax_n.set_ylabel(r"$\|\partial \mathcal{L} / \partial W^{(l)}\|$")
    ax_n.grid(True, which="major", alpha=0.3)
    # Plain-text tick labels: typesetting 10^k on every redraw is slow.
    ax_n.yaxis.set_major_formatter(FuncFormatter(_log_formatter))
    ax_n.yaxis.set_minor_locator(NullLocator())
    ax_n.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    colors = [f"C{i}" for i in range(1, MAX_SHOWN + 1)]
    stairs = [ax_h.stairs(np.zeros(_BINS), np.arange(_BINS + 1.0), color=c, linewidth=1.5,
                          label=" " * 36) for c in colors]
    ax_h.set_ylabel("fraction of activations")
    ax_h.xaxis.set_major_locator(MaxNLocator(5))
    # below both panels: at the book's font size the entries are wider than a panel
    legend = fig.legend(handles=stairs, loc="outside lower center", ncol=1, frameon=False)
    # the network over both panels: above the histograms it ran into the verdict
    network = fig.suptitle(" ")
    artists = Artists(ax_n, ax_h, line, stairs, legend, max(int(max_depth), result.depth),
                      network)
    update(artists, result)
    return artists


def update(artists, result):
    """Redraw ``result`` into the artists that :func:`plot` returned."""
    d = result.diagnostics
    layers = np.arange(1, result.depth + 1)
    drawable = np.isfinite(d.grad_norms) & (d.grad_norms > 0)
    norms = np.where(drawable, d.grad_norms, np.nan)
    artists.norms.set_data(layers, norms)
    ax = artists.norm_ax
    ax.set_xlim(0.5, max(artists.max_depth, result.depth) + 0.5)
    shown = norms[np.isfinite(norms)]
    if shown.size:
        lo, hi = shown.min(), shown.max()
        ax.set_ylim(lo / 3 if hi / lo > 100 else np.sqrt(lo * hi) / 30,
                    hi * 3 if hi / lo > 100 else np.sqrt(lo * hi) * 30)
    ax.set_title(f"{result.verdict}: first/last = {result.ratio:.2g}", y=1.0)
    texts = artists.legend.get_texts()
    for i, patch in enumerate(artists.stairs):
        visible = i < len(result.shown)
        patch.set_visible(visible)
        texts[i].set_visible(visible)
        artists.legend.legend_handles[i].set_visible(visible)
        if visible:
            l = result.shown[i]
            patch.set_data(result.hist[i], result.edges)
            texts[i].set_text(f"layer {l}: std {d.activation_std[l - 1]:.2g}, "
                              + _units(d, result.activation, l).split(", ")[0]
                              .replace(" (exactly 0)", " (output 0)"))
    h = artists.hist_ax
    h.set_xlim(result.edges[0], result.edges[-1])
    top = max(float(result.hist.max()), 0.05)
    h.set_ylim(0, top * 1.1)
    unit = "" if result.activation in _RANGES else " / its std"
    plain = result.architecture == "plain"
    what = "activation $A^{(l)}$" if plain else "block activation $f(Z^{(l)})$"
    h.set_xlabel(f"{what}{unit}\n({result.activation})")  # in one line it ran past the edge
    artists.network.set_text(("" if plain else f"{ARCHITECTURES[result.architecture]}, ")
                             + f"{result.scheme} × {result.scale:.2g}, width {result.width}")


def _alt(result):
    kind = "" if result.architecture == "plain" else ARCHITECTURES[result.architecture] + " "
    return (f"Left: gradient norm of each layer's weights on a log scale for a "
            f"{result.depth}-layer {kind}{result.activation} network ({result.scheme} weights "
            f"times {result.scale:.2g}), first-to-last ratio {result.ratio:.2g}, verdict "
            f"{result.verdict}. Right: histograms of the "
            f"{'activations' if not kind else 'block activations f(Z)'} of layers "
            f"{', '.join(map(str, result.shown))}.")


def widget(depth=10, width=32, activation="tanh", scheme="xavier_normal", scale=1.0,
           architecture="plain", *, n=64, rng=0):
    """Controls for depth, width, activation, initialisation scheme, weight
    scale and architecture (plain, residual, normalised or both).

    Each change reruns :func:`experiment` and redraws with :func:`update` into
    the same figure, shown as a PNG image with alt text, followed by the
    one-line verdict. Needs ``ipywidgets``.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (a dict of the controls), ``figure``,
        ``artists`` and ``refresh`` (the callback a control change runs).
    """
    import ipywidgets as w

    from . import _widget

    result = experiment(depth, width, activation, scheme, scale, architecture, n=n, rng=rng)
    style = {"description_width": "8em"}
    controls = {
        "depth": w.IntSlider(depth, min=2, max=20, description="depth L", style=style),
        "width": w.IntSlider(width, min=4, max=64, step=2, description="width", style=style),
        "activation": w.Dropdown(options=GRID_ACTIVATIONS, value=activation,
                                 description="activation", style=style),
        "scheme": w.Dropdown(options=init.SCHEMES, value=scheme, description="initialisation",
                             style=style),
        "scale": w.FloatLogSlider(scale, base=10, min=-1, max=1, step=0.05,
                                  description="weight scale", style=style),
        "architecture": w.Dropdown(options=[(label, key) for key, label in ARCHITECTURES.items()],
                                   value=architecture, description="architecture", style=style),
    }
    panel = _widget.Panel(plot, update, _alt, result, figsize=(9, 3.6))
    return _widget.explorer(
        panel, controls, [("depth", "width"), ("activation", "scheme"),
                          ("scale", "architecture")],
        lambda c: experiment(c["depth"], c["width"], c["activation"], c["scheme"],
                             c["scale"], c["architecture"], n=n, rng=rng))


GRID_DEPTHS = (5, 10, 20)
"""tuple of int: the depths of the static explorer."""
GRID_SCHEMES = ("standard_normal", "xavier_normal", "he_normal")
"""tuple of str: its initialisation schemes."""
GRID_SCALES = (1.0,)
"""tuple of float: its weight-scale multipliers. One: the four architectures
would otherwise multiply the page's frames by four; for width 32 the schemes
are themselves a factor of about 1.4 and 5.7 apart in scale (He and standard
normal against Xavier), and the notebook's widget offers any scale."""
GRID_ARCHITECTURES = tuple(ARCHITECTURES)
"""tuple of str: its architectures, every key of :data:`ARCHITECTURES`."""


def grid(depths=GRID_DEPTHS, activations=GRID_ACTIVATIONS, schemes=GRID_SCHEMES,
         scales=GRID_SCALES, width=32, *, architectures=GRID_ARCHITECTURES, n=64, rng=0):
    """:func:`experiment` at every combination of the settings.

    Parameters
    ----------
    depths, activations, schemes, scales, architectures : sequences
        The grid values; by default :data:`GRID_DEPTHS`,
        :data:`GRID_ACTIVATIONS`, :data:`GRID_SCHEMES`, :data:`GRID_SCALES`
        and :data:`GRID_ARCHITECTURES` (108 runs).
    width, n, rng
        As in :func:`experiment`, the same for every run.

    Returns
    -------
    dict
        ``(i, j, k, l, m) -> experiment(depths[i], width, activations[j],
        schemes[k], scales[l], architectures[m], n=n, rng=rng)``.
    """
    axes = (depths, activations, schemes, scales, architectures)
    return {key: experiment(d, width, a, s, c, r, n=n, rng=rng)
            for key, (d, a, s, c, r) in zip(itertools.product(*(range(len(v)) for v in axes)),
                                            itertools.product(*axes))}


def _plain_plot(result, fig, **kwargs):
    artists = plot(result, fig, **kwargs)
    # plain-text axis label: an SVG renderer parses mathtext afresh per frame
    artists.norm_ax.set(xlabel="layer l", ylabel="‖∂ℒ/∂W⁽ˡ⁾‖")
    return artists


def static_widget(depths=GRID_DEPTHS, activations=GRID_ACTIVATIONS, schemes=GRID_SCHEMES,
                  scales=GRID_SCALES, width=32, *, architectures=GRID_ARCHITECTURES,
                  initial=(10, "tanh", "xavier_normal", 1.0), name="gradient-flow-explorer"):
    """The explorer for a page without a kernel: sliders for the depth and the
    weight scale and drop-downs for the activation, the initialisation and
    the architecture pick among precomputed frames.

    Runs :func:`grid` and draws each result with :func:`plot` and
    :func:`update`; the verdict line is the result's ``summary``. A setting
    with a single value on the grid gets no slider (the weight scale, by
    default) or, for the architecture, no drop-down; the title names it.
    With ``architectures=("plain",)`` the page is chapter 6's first
    explorer, without the architecture control.

    Parameters
    ----------
    depths, activations, schemes, scales, width, architectures
        As in :func:`grid`.
    initial : tuple, default (10, "tanh", "xavier_normal", 1.0)
        The setting shown first: depth, activation, scheme, scale and,
        optionally, architecture (the first of ``architectures`` if left
        out); each value must be on the grid.
    name : str
        The id prefix of the HTML elements.

    Returns
    -------
    bplib.explorers._static.Explorer
    """
    from . import _static as se

    axes = (tuple(depths), tuple(activations), tuple(schemes), tuple(scales),
            tuple(architectures))
    for architecture in axes[4]:
        _check_architecture(architecture)
    initial = tuple(initial)
    if len(initial) == 4 and axes[4]:
        initial += (axes[4][0],)
    first = se.grid_index(axes, initial,
                          ("depth", "activation", "scheme", "scale", "architecture"))
    frames = se.draw_frames(grid(*axes[:4], width, architectures=axes[4]), _plain_plot, update,
                            figsize=(7.3, 5.6), max_depth=max(depths),
                            verdict=lambda r: r.summary, alt=_alt)
    controls = [
        se.Control("depth", "depth L", axes[0]),
        se.Control("activation", "activation", axes[1], kind="select"),
        se.Control("scheme", "initialisation", axes[2],
                   [s.replace("_", " ") for s in axes[2]], kind="select"),
        se.Control("scale", "weight scale", axes[3], [f"× {c:g}" for c in axes[3]]),
        se.Control("architecture", "architecture", axes[4],
                   [ARCHITECTURES[a] for a in axes[4]], kind="select"),
    ]
    shown = [i for i, c in enumerate(controls)
             if len(c.values) > 1 or (c.kind == "select" and c.name != "architecture")]
    fixed = "".join(f", {c.label.removesuffix(' L')} {c.labels[0]}"
                    for i, c in enumerate(controls) if i not in shown and c.name != "architecture")
    if 4 not in shown and axes[4] != ("plain",):
        fixed += f", {controls[4].labels[0]}"
    pick = lambda key: tuple(key[i] for i in shown)  # noqa: E731
    return se.render(name, f"Gradient-flow explorer, width {width}{fixed} (precomputed, works "
                     "without Python)", [controls[i] for i in shown],
                     {pick(key): frame for key, frame in frames.items()}, initial=pick(first))
