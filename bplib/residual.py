"""Deep fully connected networks with residual connections and normalisation.

Chapter 8 of the book (backpropagation through structure), extending
chapter 6's measurement of gradients through depth. Every layer
``l = 1..L`` of a network of constant width ``d`` is one block:

.. math::

    U^{(l)} = N(A^{(l-1)}),\\quad Z^{(l)} = U^{(l)} W^{(l)} + b^{(l)},\\quad
    A^{(l)} = [A^{(l-1)}] + f(Z^{(l)}),

where :math:`N` is an optional normalisation without learned parameters
(batch or layer normalisation of :mod:`bplib.norm`; the learned scale and
shift are left out because the layer's own ``W`` and ``b`` absorb them)
and the bracketed identity term is present in a *residual* network
:math:`A^{(l)} = A^{(l-1)} + F(A^{(l-1)})`. Its Jacobian is
:math:`I + \\partial F/\\partial A^{(l-1)}`: the delta recursion gains an
identity path that carries the output's gradient to every layer
unchanged, however small the factors along the branch::

    params = init_params(50, 32, "tanh", rng=0)
    loss, grads = loss_and_gradients(X, T, params, "tanh", residual=True)
    norms = gradient_norms(depth=50)          # every variant and activation
    norms["residual", "sigmoid"]              # one norm per layer, layer 1 first

The loss is half the mean squared error of :math:`A^{(L)}` against ``T``,
as in :func:`bplib.explorers.gradient_flow.experiment`. Left out: learned
normalisation parameters, a separate output layer, and blocks of more than
one layer.
"""

from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from . import diagnostics, init
from ._validation import (
    as_float_array,
    check_positive,
    check_positive_int,
    check_rng,
    check_same_shape,
)
from .activations import get_activation
from .diagnostics import _mean_std
from .norm import _normalise, _normalise_backward

__all__ = ["NORMS", "VARIANTS", "Cache", "init_params", "forward", "backward",
           "loss_and_gradients", "diagnose", "measure", "gradient_norms"]

NORMS = (None, "batch", "layer")
"""tuple: the normalisations a block can apply to its input."""

VARIANTS = {
    "plain": {"residual": False, "norm": None},
    "residual": {"residual": True, "norm": None},
    "normalised": {"residual": False, "norm": "batch"},
    "residual_normalised": {"residual": True, "norm": "layer"},
}
"""dict: the networks :func:`gradient_norms` compares, by name: plain,
residual, batch-normalised (plain), and residual with layer-normalised
block inputs (the "pre-norm" arrangement of transformers)."""

_EPS = 1e-5


class Cache(NamedTuple):
    """The forward pass's intermediate values, for :func:`backward`:
    ``A[l]`` (``A[0] = X``), ``U[l]``, ``Z[l]`` and the statistics of each
    normalisation (``None`` without one), each a dict keyed by ``l``."""

    A: dict
    U: dict
    Z: dict
    stats: dict
    activation: str
    residual: bool
    norm: object


def init_params(depth, width, activation="tanh", *, scheme=None, scale=1.0, rng=0):
    """Weights of ``depth`` square layers of ``width`` units, biases zero.

    Parameters
    ----------
    depth, width : int
    activation : str, default "tanh"
        Chooses the default scheme: ``"he_normal"`` for ``"relu"``,
        ``"xavier_normal"`` otherwise (chapter 6's recommendations).
    scheme : str, optional
        One of :data:`bplib.init.SCHEMES`, to override the default.
    scale : float, default 1.0
        Multiplier of the weights' standard deviation.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}``, ``W<l>`` of
        shape (width, width).
    """
    depth = check_positive_int(depth, "depth")
    width = check_positive_int(width, "width")
    get_activation(activation)
    if scheme is None:
        scheme = "he_normal" if activation == "relu" else "xavier_normal"
    return init.init_params([width] * (depth + 1), scheme, scale=scale, rng=rng)


def _forward(X, params, activation, residual, norm):
    f = get_activation(activation).function
    L = len(params) // 2
    A, U, Z, stats = {0: X}, {}, {}, {}
    for l in range(1, L + 1):
        if norm is None:
            U[l], stats[l] = A[l - 1], None
        else:  # batch: over the examples (axis 0); layer: over the features (axis 1)
            U[l], inv_std, _, _ = _normalise(A[l - 1], (0,) if norm == "batch" else (1,), _EPS)
            stats[l] = inv_std
        Z[l] = U[l] @ params[f"W{l}"] + params[f"b{l}"]  # eq-delta-layer
        A[l] = A[l - 1] + f(Z[l]) if residual else f(Z[l])  # eq-res-block
    return A[L], Cache(A, U, Z, stats, activation, residual, norm)


def _backward(dA, params, cache, deltas=None):
    df = get_activation(cache.activation).derivative
    grads = {}
    for l in range(len(cache.Z), 0, -1):  # l = L, ..., 1; dA is dL/dA^(l)
        delta = dA * df(cache.Z[l])  # eq-delta-recursion
        if deltas is not None:
            deltas[l] = delta
        grads[f"W{l}"] = cache.U[l].T @ delta  # eq-delta-dW
        grads[f"b{l}"] = delta.sum(axis=0)  # eq-delta-db
        dU = delta @ params[f"W{l}"].T
        if cache.norm is not None:  # back through the standardisation
            axes = (0,) if cache.norm == "batch" else (1,)
            dU = _normalise_backward(dU, cache.U[l], cache.stats[l], axes)
        dA = dA + dU if cache.residual else dU  # eq-res-backward, eq-res-jacobian: I + dF/dA
    return {key: grads[key] for key in params}


def _check(X, params, activation, residual, norm):
    if not isinstance(params, dict) or not params or len(params) % 2:
        raise TypeError("params must be a dict {'W1', 'b1', ..., 'WL', 'bL'} as made by "
                        f"init_params, got {type(params).__name__} of {len(params or ())} "
                        "entries")
    X = as_float_array(X, "X", ndim=2)
    L = len(params) // 2
    for l in range(1, L + 1):
        if f"W{l}" not in params or f"b{l}" not in params:
            raise ValueError(f"params lacks W{l} or b{l}; it must hold W1, b1, ..., "
                             f"W{L}, b{L}")
        W = as_float_array(params[f"W{l}"], f"params['W{l}']", ndim=2)
        d = np.shape(params["W1"])[0]
        if W.shape != (d, d) or np.shape(params[f"b{l}"]) != (d,):
            raise ValueError(f"every layer must map the width {d} to itself: W{l} of shape "
                             f"({d}, {d}) and b{l} of shape ({d},), got {W.shape} and "
                             f"{np.shape(params[f'b{l}'])}")
    if X.shape[1] != d:
        raise ValueError(f"X has {X.shape[1]} features but the network's width is {d} "
                         f"(X.shape={X.shape}, W1.shape={np.shape(params['W1'])})")
    get_activation(activation)
    if not isinstance(residual, (bool, np.bool_)):
        raise TypeError(f"residual must be True or False, got {residual!r}")
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    if norm == "batch" and len(X) < 2:
        raise ValueError(f"norm='batch' needs a batch of two or more examples, got X of "
                         f"shape {X.shape}")
    if norm == "layer" and X.shape[1] < 2:
        raise ValueError(f"norm='layer' needs two or more features, got X of shape {X.shape}")
    return X


def forward(X, params, activation, *, residual=False, norm=None):
    """The forward pass, block by block, :eq:`eq-res-block`.

    Parameters
    ----------
    X : array_like of shape (n, d)
    params : dict of str to ndarray
        ``W<l>`` of shape (d, d), ``b<l>`` of shape (d,), as from
        :func:`init_params`.
    activation : str
        The same activation in every layer.
    residual : bool, default False
        Add the identity path ``A^(l-1)`` to every block's output.
    norm : None, "batch" or "layer", default None
        Standardise each block's input (batch normalisation in training
        mode, or layer normalisation), without learned scale and shift.

    Returns
    -------
    Y : ndarray of shape (n, d)
    cache : Cache
    """
    X = _check(X, params, activation, residual, norm)
    return _forward(X, params, activation, bool(residual), norm)


def backward(dY, params, cache):
    """The delta recursion through the blocks, :eq:`eq-res-backward`: at each
    block, whose Jacobian is :eq:`eq-res-jacobian`, the gradient reaching its
    output goes down the identity path unchanged and through the branch
    (activation, ``W``, normalisation by its three-term formula
    :eq:`eq-bn-backward`), and the two add.

    Parameters
    ----------
    dY : array_like of shape (n, d)
        :math:`\\partial\\mathcal{L}/\\partial A^{(L)}`.
    params : dict
        The parameters of the forward pass.
    cache : Cache
        From :func:`forward`.

    Returns
    -------
    dict of str to ndarray
        Gradients keyed and shaped like ``params``.
    """
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache returned by forward, got "
                        f"{type(cache).__name__}")
    dY = as_float_array(dY, "dY", ndim=2)
    L = len(cache.Z)
    check_same_shape(cache.A[L], dY, ("Y", "dY"))
    _check(cache.A[0], params, cache.activation, cache.residual, cache.norm)
    return _backward(dY, params, cache)


def loss_and_gradients(X, T, params, activation, *, residual=False, norm=None):
    """Half the mean squared error of the output against ``T``, and its
    gradients by :func:`backward`.

    Parameters
    ----------
    X, T : array_like of shape (n, d)
    params, activation, residual, norm
        As in :func:`forward`.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray
    """
    Y, cache = forward(X, params, activation, residual=residual, norm=norm)
    T = as_float_array(T, "T", ndim=2)
    check_same_shape(Y, T, ("Y", "T"))
    n = len(Y)
    loss = float(np.sum((Y - T) ** 2) / (2 * n))  # eq-mse
    return loss, _backward((Y - T) / n, params, cache)  # dL/dY = (Y - T)/n


def diagnose(X, T, params, activation, *, residual=False, norm=None, tol=0.05):
    """Chapter 6's per-layer statistics (:func:`bplib.diagnostics.diagnose`)
    for a network of this module, as a :class:`bplib.diagnostics.Diagnostics`.

    One forward and one backward pass, :eq:`eq-res-block` and
    :eq:`eq-res-backward`, under ``np.errstate(all="ignore")``: an overflow
    shows as non-finite entries and norms, never as a warning. The
    activation statistics and histograms (``A``) are those of each block's
    activation :math:`f(Z^{(l)})`, the branch, not of the running sum
    :math:`A^{(l)}`; :func:`bplib.diagnostics.verdict` applies as it is.

    Parameters
    ----------
    X, T : array_like of shape (n, d)
    params, activation, residual, norm
        As in :func:`forward`.
    tol : float, default 0.05
        Saturation threshold, see :func:`bplib.diagnostics.saturation`.

    Returns
    -------
    bplib.diagnostics.Diagnostics
    """
    tol = check_positive(tol, "tol")
    X = _check(X, params, activation, residual, norm)
    T = as_float_array(T, "T", ndim=2)
    check_same_shape(X, T, ("X", "T"))
    f = get_activation(activation).function
    with np.errstate(all="ignore"):  # overflow is measured, not warned about
        Y, cache = _forward(X, params, activation, bool(residual), norm)
        n, deltas = len(Y), {}
        grads = _backward((Y - T) / n, params, cache, deltas)  # dL/dY = (Y - T)/n
        L = len(cache.Z)
        H = {l: f(cache.Z[l]) for l in range(1, L + 1)}  # each block's activation
        blocks = SimpleNamespace(A={0: X, **H}, Z=cache.Z, activations=(activation,) * L)
        stats = diagnostics._layer_statistics(blocks, deltas, grads, tol)
        loss = float(np.sum((Y - T) ** 2) / (2 * n))  # eq-mse
    return diagnostics.Diagnostics(activations=blocks.activations, loss=loss,
                                   input_std=_mean_std(X)[1], **stats,
                                   A=tuple(H[l] for l in range(1, L + 1)), gradients=grads)


def measure(depth=50, width=32, activation="tanh", variant="plain", *, scheme=None,
            scale=1.0, n=64, rng=0):
    """Per-layer weight-gradient norms of one network at one random batch.

    Chapter 6's experiment (:func:`bplib.explorers.gradient_flow.experiment`)
    for the networks of this module: input ``X`` and targets ``T`` standard
    normal of shape ``(n, width)``, weights from :func:`init_params`. Runs
    without warnings; an overflow shows as ``inf`` or ``nan`` norms. For
    every statistic of the pass, use :func:`diagnose`.

    Parameters
    ----------
    depth, width : int
    activation : str
    variant : str
        A key of :data:`VARIANTS`.
    scheme, scale
        As in :func:`init_params`.
    n : int, default 64
    rng : int or numpy.random.Generator, default 0
        Seed for the weights and the data: the same seed gives every
        variant the same weights and data.

    Returns
    -------
    ndarray of shape (depth,)
        :math:`\\lVert\\partial\\mathcal{L}/\\partial W^{(l)}\\rVert_F`,
        layer 1 first.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; known variants are "
                         f"{', '.join(map(repr, VARIANTS))}")
    n = check_positive_int(n, "n", minimum=2)
    rng = check_rng(rng)
    params = init_params(depth, width, activation, scheme=scheme, scale=scale, rng=rng)
    X, T = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    return diagnose(X, T, params, activation, **VARIANTS[variant]).grad_norms


def gradient_norms(depth=50, width=32, activations=("sigmoid", "tanh", "relu"),
                   variants=tuple(VARIANTS), *, scheme=None,
                   scale=1.0, n=64, rng=0):
    """:func:`measure` for every variant and activation, with the same seed.

    Returns
    -------
    dict
        ``(variant, activation) -> ndarray of shape (depth,)``.
    """
    if isinstance(activations, str) or isinstance(variants, str):
        raise TypeError("activations and variants must be sequences of names, e.g. "
                        "('tanh',), not a bare string")
    return {(v, a): measure(depth, width, a, v, scheme=scheme, scale=scale, n=n, rng=rng)
            for v in variants for a in activations}
