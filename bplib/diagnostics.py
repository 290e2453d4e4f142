"""How gradients flow through a network: per-layer statistics, verdict, clipping.

Chapter 6 of the book (vanishing and exploding gradients). :func:`diagnose`
runs one forward and one backward pass of a :mod:`bplib.mlp` network and
measures, layer by layer, the size of the weight gradient
:math:`\\lVert\\partial\\mathcal{L}/\\partial W^{(l)}\\rVert` and of the delta,
the spread of the activations and the fraction of saturated units::

    d = diagnose(X, T, params, ["sigmoid"] * 10)
    d.grad_norms          # one norm per layer, layer 1 first
    verdict(d)            # "vanishing", "healthy" or "exploding"

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
from .activations import get_activation, sigmoid

__all__ = [
    "VANISHING_BELOW",
    "EXPLODING_ABOVE",
    "Diagnostics",
    "diagnose",
    "saturation",
    "verdict",
    "global_norm",
    "clip_by_norm",
]

VANISHING_BELOW = 0.1
"""float: a first-to-last gradient-norm ratio below this is "vanishing"."""

EXPLODING_ABOVE = 10.0
"""float: a first-to-last gradient-norm ratio above this is "exploding"."""

_LOSSES = ("squared_error", "binary_cross_entropy_with_logits")


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


@functools.lru_cache(maxsize=None)
def _max_slope(name):
    """The largest value of the activation's derivative (1/4 for the sigmoid)."""
    return float(np.max(get_activation(name).derivative(np.linspace(-10.0, 10.0, 2001))))


def saturation(Z, activation, tol=0.05):
    """Fraction of units whose derivative is below ``tol`` times its maximum.

    A unit is *saturated* where :math:`f'(z) < \\text{tol}\\cdot\\max f'`:
    for the sigmoid with the default ``tol = 0.05`` that is
    :math:`\\sigma(z) < 0.013` or :math:`\\sigma(z) > 0.987`; for tanh
    :math:`|\\tanh z| > 0.975`; for ReLU every unit with :math:`z \\le 0`
    (an inactive unit passes no gradient either). Such a unit multiplies
    the delta passing through it by almost nothing,
    :eq:`eq-vanish-product`.

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
    with np.errstate(all="ignore"):
        slope = get_activation(activation).derivative(Z)
    return float(np.mean(~(slope >= tol * _max_slope(activation))))


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


def _output_delta(cache, T, loss):
    """The output delta, also when the output overflowed (then without checks)."""
    L = len(cache.Z)
    Y, Z = cache.A[L], cache.Z[L]
    if np.all(np.isfinite(Y)) and np.all(np.isfinite(Z)):
        return mlp.output_delta(cache, T, loss)
    if loss == "squared_error":
        return (Y - T) / len(Y) * get_activation(cache.activations[-1]).derivative(Z)
    return (sigmoid(Z) - T) / len(Y)


def _loss_value(cache, T, loss):
    L = len(cache.Z)
    Y, Z = cache.A[L], cache.Z[L]
    if loss == "squared_error":
        return float(np.sum((Y - T) ** 2) / (2 * len(Y)))
    return float(np.sum(np.logaddexp(0.0, Z) - T * Z) / len(Y))


def diagnose(X, T, params, activations, loss="squared_error", *, tol=0.05):
    """Per-layer gradient and activation statistics of a :mod:`bplib.mlp` network.

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
        ``"squared_error"`` or ``"binary_cross_entropy_with_logits"``.
    tol : float, default 0.05
        Saturation threshold, see :func:`saturation`.

    Returns
    -------
    Diagnostics
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    tol = check_positive(tol, "tol")
    with np.errstate(all="ignore"):
        Y, cache = mlp.forward(X, params, activations)
        T = as_float_array(T, "T")
        check_same_shape(Y, T, ("Y", "T"))
        delta = _output_delta(cache, T, loss)
        L, grads, deltas = len(cache.Z), {}, {}
        for l in range(L, 0, -1):
            deltas[l] = delta
            grads[f"W{l}"] = cache.A[l - 1].T @ delta  # eq-delta-dW
            grads[f"b{l}"] = delta.sum(axis=0)  # eq-delta-db
            if l > 1:
                df = get_activation(cache.activations[l - 2]).derivative
                delta = (delta @ params[f"W{l}"].T) * df(cache.Z[l - 1])  # eq-vanish-product
        layers = range(1, L + 1)
        A = tuple(cache.A[l] for l in layers)
        stats = {
            "grad_norms": [_norm(grads[f"W{l}"]) for l in layers],
            "delta_norms": [_norm(deltas[l]) for l in layers],
            "activation_mean": [_mean_std(a)[0] for a in A],
            "activation_std": [_mean_std(a)[1] for a in A],
            "preactivation_std": [_mean_std(cache.Z[l])[1] for l in layers],
            "saturation": [saturation(cache.Z[l], cache.activations[l - 1], tol)
                           for l in layers],
        }
        counts = {
            "nonfinite_activations": [np.sum(~np.isfinite(a)) for a in A],
            "nonfinite_gradients": [np.sum(~np.isfinite(grads[f"W{l}"])) for l in layers],
        }
        value = _loss_value(cache, T, loss)
    return Diagnostics(
        activations=cache.activations, loss=value,
        **{k: np.array(v, dtype=float) for k, v in stats.items()},
        **{k: np.array(v, dtype=int) for k, v in counts.items()},
        A=A, gradients={key: grads[key] for key in params},
    )


def verdict(diagnostics):
    """``"vanishing"``, ``"healthy"`` or ``"exploding"``, from the gradient-norm ratio.

    The ratio :math:`r` of the first layer's weight-gradient norm to the last
    layer's (:attr:`Diagnostics.ratio`) decides: :math:`r <` :data:`VANISHING_BELOW`
    (0.1) is vanishing, :math:`r >` :data:`EXPLODING_ABOVE` (10) is
    exploding, anything between is healthy: at one learning rate the first
    layer then moves within a factor of ten of the last. Well-initialised
    networks of up to 20 layers measure between about 0.25 and 2. A pass
    with non-finite values (overflow) is exploding; so is a zero last-layer
    gradient under a nonzero first one, and a zero first-layer gradient is
    vanishing.

    Parameters
    ----------
    diagnostics : Diagnostics
        From :func:`diagnose`.

    Returns
    -------
    str
    """
    if not isinstance(diagnostics, Diagnostics):
        raise TypeError(f"diagnostics must be the result of diagnose(), "
                        f"got {type(diagnostics).__name__}")
    if not diagnostics.finite:
        return "exploding"
    first, last = diagnostics.grad_norms[0], diagnostics.grad_norms[-1]
    if first == 0:
        return "vanishing"
    r = diagnostics.ratio
    return "vanishing" if r < VANISHING_BELOW else "exploding" if r > EXPLODING_ABOVE else "healthy"


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
    """Rescale all gradients together so that their global norm is at most ``max_norm``.

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
    """
    max_norm = check_positive(max_norm, "max_norm")
    norm = global_norm(grads)
    factor = min(1.0, max_norm / norm) if np.isfinite(norm) and norm > 0 else 1.0  # eq-clip
    return {k: np.asarray(g, dtype=float) * factor for k, g in grads.items()}, norm
