"""How gradients flow through a network: per-layer statistics, verdict, clipping.

Chapter 6 of the book (vanishing and exploding gradients). :func:`diagnose`
runs one forward and one backward pass of a :mod:`bplib.mlp` network and
measures, layer by layer, the size of the weight gradient
:math:`\\lVert\\partial\\mathcal{L}/\\partial W^{(l)}\\rVert` and of the delta,
the spread of the activations, the fraction of saturated units (a sigmoid or
tanh in its flat tails) and of inactive ones (a ReLU that outputs exactly 0)::

    d = diagnose(X, T, params, ["sigmoid"] * 10)
    d.grad_norms          # one norm per layer, layer 1 first
    verdict(d)            # "vanishing", "healthy" or "exploding"
    assess(d)[1]          # the reason, with the numbers behind it

Overflow is part of what it measures, not an accident: the passes run under
``np.errstate(all="ignore")``, so no ``RuntimeWarning`` escapes, and the
result counts the non-finite entries of every layer and says in
:meth:`Diagnostics.report` where they first appeared.

:func:`clip_by_norm` rescales a gradient whose norm exceeds a threshold,
:eq:`eq-clip`.
"""

import functools
from dataclasses import dataclass, field

import numpy as np

from . import mlp
from ._validation import as_float_array, check_positive, check_same_shape
from .activations import get_activation
from .losses import get_loss

__all__ = [
    "VANISHING_BELOW",
    "EXPLODING_ABOVE",
    "ACTIVATION_STD_RANGE",
    "GRADIENT_NORM_RANGE",
    "Diagnostics",
    "diagnose",
    "saturation",
    "inactive",
    "dead_units",
    "assess",
    "verdict",
    "global_norm",
    "clip_by_norm",
]

VANISHING_BELOW = 0.1
"""float: a first-to-last gradient-norm ratio below this is "vanishing"."""

EXPLODING_ABOVE = 10.0
"""float: a first-to-last gradient-norm ratio above this is "exploding"."""

ACTIVATION_STD_RANGE = (1e-2, 10.0)
"""(float, float): the healthy range of the last layer's activation std,
relative to the input's: below it the signal collapses ("vanishing"), above
it the activations explode."""

GRADIENT_NORM_RANGE = (1e-6, 1e3)
"""(float, float): the healthy range of the largest weight-gradient norm."""


def _norm(x):
    """Frobenius norm that neither overflows nor underflows in the squares."""
    peak = np.max(np.abs(x)) if x.size else 0.0
    if peak == 0 or not np.isfinite(peak):
        return float(peak)  # 0, inf or nan
    return float(peak * np.sqrt(np.sum((x / peak) ** 2)))


def _mean_std(x):
    """Mean and standard deviation, scaled first so that huge entries do not overflow."""
    peak = np.max(np.abs(x)) if x.size else 0.0
    if peak == 0 or not np.isfinite(peak):
        return float(np.mean(x)), float(np.std(x))
    y = x / peak
    return float(peak * np.mean(y)), float(peak * np.std(y))


@functools.cache
def _max_slope(name):
    """The largest value of the activation's derivative (1/4 for the sigmoid)."""
    return float(np.max(get_activation(name).derivative(np.linspace(-10.0, 10.0, 2001))))


def _slopes(Z, activation):
    with np.errstate(all="ignore"):
        f = get_activation(activation)
        return f.function(Z), f.derivative(Z)


def saturation(Z, activation, tol=0.05):
    """Fraction of saturated units: derivative below ``tol`` times its
    maximum while the unit still outputs something.

    For the sigmoid with the default ``tol = 0.05`` that is
    :math:`\\sigma(z) < 0.013` or :math:`\\sigma(z) > 0.987`; for tanh
    :math:`|\\tanh z| > 0.975`. Such a unit multiplies the delta passing
    through it by almost nothing, :eq:`eq-vanish-product`. A unit that
    outputs exactly 0 with slope 0 (a ReLU at :math:`z \\le 0`) is not
    saturated but *inactive*, a different diagnosis: see :func:`inactive`.

    Parameters
    ----------
    Z : array_like of any shape
        Pre-activations; non-finite entries count as saturated.
    activation : str
        A key of :data:`bplib.activations.ACTIVATIONS`.
    tol : float, default 0.05
        Threshold relative to the derivative's maximum, > 0.

    Returns
    -------
    float
        In [0, 1].
    """
    Z = as_float_array(Z, "Z", allow_empty=False, finite=False)
    tol = check_positive(tol, "tol")
    A, slope = _slopes(Z, activation)
    flat = ~(slope >= tol * _max_slope(activation))  # NaN counts as flat
    return float(np.mean(flat & ~((A == 0) & (slope == 0))))


def inactive(Z, activation):
    """Fraction of entries where the unit outputs exactly 0 and passes no
    gradient (a ReLU at :math:`z \\le 0`): that example's delta stops there.

    Parameters
    ----------
    Z : array_like of any shape
        Pre-activations.
    activation : str
        A key of :data:`bplib.activations.ACTIVATIONS`.

    Returns
    -------
    float
        In [0, 1]; 0 for activations that are never exactly 0 with slope 0.
    """
    Z = as_float_array(Z, "Z", allow_empty=False, finite=False)
    A, slope = _slopes(Z, activation)
    return float(np.mean((A == 0) & (slope == 0)))


def dead_units(Z, activation):
    """Fraction of units (columns of ``Z``) inactive on every row of the
    batch: *dead* units, which pass no gradient for any of these examples.

    Parameters
    ----------
    Z : array_like of shape (n, d)
    activation : str

    Returns
    -------
    float
        In [0, 1].
    """
    Z = as_float_array(Z, "Z", ndim=2, allow_empty=False, finite=False)
    A, slope = _slopes(Z, activation)
    return float(np.mean(np.all((A == 0) & (slope == 0), axis=0)))


@dataclass(frozen=True)
class Diagnostics:
    """Per-layer statistics of one forward and backward pass.

    Every array has one entry per layer, layer 1 first: entry ``l - 1``
    belongs to layer ``l``. Norms are Frobenius norms, computed without
    overflow in the squares; a norm is ``inf`` or ``nan`` when the array
    holds such entries.

    Attributes
    ----------
    activations : tuple of str
        The activation of each layer.
    loss : float
        The loss; ``inf`` or ``nan`` if the output overflowed.
    grad_norms : ndarray of shape (L,)
        :math:`\\lVert\\partial\\mathcal{L}/\\partial W^{(l)}\\rVert`.
    delta_norms : ndarray of shape (L,)
        :math:`\\lVert\\delta^{(l)}\\rVert`.
    activation_mean, activation_std : ndarray of shape (L,)
        Mean and standard deviation of all entries of :math:`A^{(l)}`.
    preactivation_std : ndarray of shape (L,)
        Standard deviation of all entries of :math:`Z^{(l)}`.
    saturation : ndarray of shape (L,)
        Fraction of saturated units, :func:`saturation`.
    inactive, dead : ndarray of shape (L,)
        Fraction of inactive entries, :func:`inactive`, and of dead units,
        :func:`dead_units`.
    input_std : float
        Standard deviation of the input ``X``, the scale against which the
        activations' spread is judged.
    nonfinite_activations, nonfinite_gradients : ndarray of int, shape (L,)
        How many entries of :math:`A^{(l)}`, and of
        :math:`\\partial\\mathcal{L}/\\partial W^{(l)}`, are inf or nan.
    A : tuple of ndarray
        :math:`A^{(1)}, \\dots, A^{(L)}`, each of shape ``(n, d_l)``, for
        histograms.
    gradients : dict of str to ndarray
        The gradients, keyed and shaped like the parameters.
    """

    activations: tuple
    loss: float
    grad_norms: np.ndarray
    delta_norms: np.ndarray
    activation_mean: np.ndarray
    activation_std: np.ndarray
    preactivation_std: np.ndarray
    saturation: np.ndarray
    inactive: np.ndarray
    dead: np.ndarray
    input_std: float
    nonfinite_activations: np.ndarray
    nonfinite_gradients: np.ndarray
    A: tuple = field(repr=False)
    gradients: dict = field(repr=False)

    @property
    def depth(self):
        """The number of layers ``L``."""
        return len(self.activations)

    @property
    def finite(self):
        """True if the loss, every activation and every gradient is finite."""
        return bool(np.isfinite(self.loss) and not self.nonfinite_activations.any()
                    and not self.nonfinite_gradients.any())

    @property
    def ratio(self):
        """First-layer over last-layer gradient norm,
        :math:`\\lVert\\partial\\mathcal{L}/\\partial W^{(1)}\\rVert /
        \\lVert\\partial\\mathcal{L}/\\partial W^{(L)}\\rVert`
        (``nan`` if undefined: non-finite norms, or both zero)."""
        first, last = self.grad_norms[0], self.grad_norms[-1]
        if not (np.isfinite(first) and np.isfinite(last)) or first == last == 0:
            return float("nan")
        return float(first / last) if last > 0 else float("inf")

    def problems(self):
        """Where non-finite values appeared, one sentence per kind; empty if none.

        Returns
        -------
        list of str
        """
        out = []
        for what, counts in (("activations", self.nonfinite_activations),
                             ("weight gradients", self.nonfinite_gradients)):
            layers = np.flatnonzero(counts) + 1
            if layers.size:
                out.append(f"non-finite {what} in {layers.size} of {self.depth} layers "
                           f"(layers {_ranges(layers)}; {int(counts.sum())} entries)")
        if not np.isfinite(self.loss):
            out.insert(0, f"the loss is {self.loss}")
        return out

    def report(self):
        """One line: ``"all values finite"`` or what overflowed, and where.

        Returns
        -------
        str
        """
        problems = self.problems()
        return "overflow: " + "; ".join(problems) if problems else "all values finite"


def _ranges(layers):
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    parts, start = [], layers[0]
    for prev, cur in zip(layers, list(layers[1:]) + [None]):
        if cur != prev + 1:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = cur
    return ", ".join(parts)


def diagnose(X, T, params, activations, loss="squared_error", *, tol=0.05):
    """Per-layer gradient and activation statistics of a :mod:`bplib.mlp`
    network.

    One forward pass, :eq:`eq-delta-layer`, the output delta and the delta
    recursion, :eq:`eq-delta-recursion`, whose repeated factors
    :math:`W^{(l+1)\\top}` and :math:`f'(Z^{(l)})` make gradients vanish or
    explode, :eq:`eq-vanish-product`. The gradients equal those of
    :func:`bplib.mlp.loss_and_gradients`; unlike it, this function does not
    stop at an overflow but reports it (see :meth:`Diagnostics.report`),
    and it emits no warnings. The measured delta norms are the left-hand
    side of the bound :eq:`eq-vanish-sigmoid-bound`.

    Parameters
    ----------
    X : array_like of shape (n, d_0)
    T : array_like of shape (n, d_L)
    params : dict of str to ndarray
        As made by :func:`bplib.init.init_params`.
    activations : list of str
        One per layer.
    loss : str, default "squared_error"
        A key of :data:`bplib.losses.LOSSES`.
    tol : float, default 0.05
        Saturation threshold, see :func:`saturation`.

    Returns
    -------
    Diagnostics
    """
    rule, tol = get_loss(loss), check_positive(tol, "tol")
    with np.errstate(all="ignore"):  # overflow is measured, not warned about
        Y, cache = mlp.forward(X, params, activations)
        T = as_float_array(T, "T")
        check_same_shape(Y, T, ("Y", "T"))
        L = len(cache.Z)
        value = rule.function(Y if rule.logits_for is None else cache.Z[L], T)
        deltas = mlp.deltas(mlp.output_delta(cache, T, loss), params, cache)
        grads = mlp.gradients(deltas, cache)
        stats = _layer_statistics(cache, deltas, grads, tol)
    return Diagnostics(activations=cache.activations, loss=value,
                       input_std=_mean_std(cache.A[0])[1], **stats,
                       A=tuple(cache.A[l] for l in range(1, L + 1)),
                       gradients={key: grads[key] for key in params})


def _layer_statistics(cache, deltas, grads, tol):
    """The per-layer arrays of :class:`Diagnostics`, layer 1 first."""
    layers, names = range(1, len(cache.Z) + 1), cache.activations
    A, Z, W = [cache.A[l] for l in layers], [cache.Z[l] for l in layers], \
        [grads[f"W{l}"] for l in layers]
    return {
        "grad_norms": np.array([_norm(g) for g in W]),
        "delta_norms": np.array([_norm(deltas[l]) for l in layers]),
        "activation_mean": np.array([_mean_std(a)[0] for a in A]),
        "activation_std": np.array([_mean_std(a)[1] for a in A]),
        "preactivation_std": np.array([_mean_std(z)[1] for z in Z]),
        "saturation": np.array([saturation(z, f, tol) for z, f in zip(Z, names)]),
        "inactive": np.array([inactive(z, f) for z, f in zip(Z, names)]),
        "dead": np.array([dead_units(z, f) for z, f in zip(Z, names)]),
        "nonfinite_activations": np.array([np.sum(~np.isfinite(a)) for a in A], dtype=int),
        "nonfinite_gradients": np.array([np.sum(~np.isfinite(g)) for g in W], dtype=int),
    }


def assess(diagnostics):
    """The verdict on a pass, and the reason for it in one sentence.

    A pass is judged by how gradients change from the last layer to the
    first and by the absolute sizes that one ratio can hide:

    * ``"exploding"``: non-finite values (overflow); or the ratio
      :math:`r` of the first layer's weight-gradient norm to the last's
      (:attr:`Diagnostics.ratio`) above :data:`EXPLODING_ABOVE`; or a
      weight-gradient norm above the top of :data:`GRADIENT_NORM_RANGE`;
      or a last-layer activation std more than
      ``ACTIVATION_STD_RANGE[1]`` times the input's.
    * ``"vanishing"``: :math:`r` below :data:`VANISHING_BELOW` (or a zero
      first-layer gradient); or every weight-gradient norm below the bottom
      of :data:`GRADIENT_NORM_RANGE`; or a last-layer activation std less
      than ``ACTIVATION_STD_RANGE[0]`` times the input's (the signal
      collapses on its way forward, and :math:`\\partial\\mathcal{L}/\\partial
      W = A^\\top\\delta` with it).
    * ``"healthy"`` otherwise: at one learning rate the first layer then
      moves within a factor of ten of the last, and no size is extreme.

    Parameters
    ----------
    diagnostics : Diagnostics
        From :func:`diagnose`.

    Returns
    -------
    verdict : str
        ``"vanishing"``, ``"healthy"`` or ``"exploding"``.
    reason : str
        E.g. ``"gradient norms up to 6.1e+06 (above 1e+03)"``.
    """
    d = diagnostics
    if not isinstance(d, Diagnostics):
        raise TypeError(f"diagnostics must be the result of diagnose(), "
                        f"got {type(d).__name__}")
    if not d.finite:
        return "exploding", d.report()
    r, top = d.ratio, float(np.max(d.grad_norms))
    spread = d.activation_std[-1] / d.input_std if d.input_std > 0 else np.nan
    std_low, std_high = ACTIVATION_STD_RANGE
    norm_low, norm_high = GRADIENT_NORM_RANGE
    ratio = f"first/last gradient-norm ratio {r:.2g}"
    std = f"last-layer activation std {spread:.2g} times the input's"
    checks = [
        ("exploding", r > EXPLODING_ABOVE,
         f"{ratio} (above {EXPLODING_ABOVE:g})"),
        ("exploding", top > norm_high,
         f"gradient norms up to {top:.1e} (above {norm_high:g})"),
        ("exploding", spread > std_high, f"{std} (above {std_high:g})"),
        ("vanishing", d.grad_norms[0] == 0 or r < VANISHING_BELOW,
         f"{ratio} (below {VANISHING_BELOW:g})"),
        ("vanishing", top < norm_low,
         f"gradient norms at most {top:.1e} (below {norm_low:g})"),
        ("vanishing", spread < std_low,
         f"{std}: the signal collapses (below {std_low:g})"),
    ]
    for verdict_, failed, reason in checks:
        if failed:
            return verdict_, reason
    return "healthy", f"{ratio}, gradient norms and activations within range"


def verdict(diagnostics):
    """``"vanishing"``, ``"healthy"`` or ``"exploding"``: the first value of
    :func:`assess`.

    Parameters
    ----------
    diagnostics : Diagnostics
        From :func:`diagnose`.

    Returns
    -------
    str
    """
    return assess(diagnostics)[0]


def global_norm(grads):
    """The norm of all gradients together, :math:`\\sqrt{\\sum_k \\lVert g_k\\rVert^2}`.

    Parameters
    ----------
    grads : dict of str to array_like
        E.g. from :func:`bplib.mlp.loss_and_gradients`.

    Returns
    -------
    float
        ``inf`` or ``nan`` if an entry is.
    """
    if not isinstance(grads, dict) or not grads:
        raise TypeError(f"grads must be a non-empty dict of arrays, got {grads!r:.80}")
    norms = np.array([_norm(as_float_array(g, k, finite=False)) for k, g in grads.items()])
    return _norm(norms)


def clip_by_norm(grads, max_norm):
    """Rescale all gradients together so that their global norm is at most
    ``max_norm``.

    Implements :eq:`eq-clip`: with :math:`\\lVert g\\rVert` the
    :func:`global_norm`, every gradient is multiplied by
    :math:`\\min(1, c/\\lVert g\\rVert)`. The direction is kept; only the
    length of the step is capped. Non-finite gradients cannot be rescaled
    into meaningful ones: they are returned unchanged, with their norm
    (``inf`` or ``nan``) for the caller to act on.

    Parameters
    ----------
    grads : dict of str to array_like
    max_norm : float
        The threshold :math:`c > 0`.

    Returns
    -------
    clipped : dict of str to ndarray
        New arrays, keyed and shaped like ``grads``.
    norm : float
        The global norm before clipping.

    Examples
    --------
    >>> import numpy as np
    >>> clipped, norm = clip_by_norm({"W": np.array([3.0, 4.0])}, 1.0)
    >>> clipped["W"], norm
    (array([0.6, 0.8]), 5.0)
    """
    max_norm = check_positive(max_norm, "max_norm")
    norm = global_norm(grads)
    factor = 1.0
    if np.isfinite(norm) and norm > 0:
        factor = min(1.0, max_norm / norm)  # eq-clip
    clipped = {k: np.asarray(g, float) * factor for k, g in grads.items()}
    return clipped, norm
