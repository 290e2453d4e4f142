"""Batch and layer normalisation: forward, backward, running statistics.

Chapter 8 of the book (backpropagation through structure). Both layers
standardise their input and then scale and shift it with learned
parameters ``gamma`` and ``beta``:

.. math::

    \\hat X = \\frac{X - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}, \\qquad
    Y = \\gamma \\odot \\hat X + \\beta.

They differ in what they average over. **Batch normalisation** takes
:math:`\\mu, \\sigma^2` of each feature over the batch (for images of
shape ``(n, C, H, W)``: of each channel over the batch and the positions),
so every example's output depends on every other example in the batch;
at inference it uses running averages instead. **Layer normalisation**
takes them over the features of each example separately, and behaves the
same in training and at inference::

    Y, cache = batch_norm_forward(X, gamma, beta)
    dX, dgamma, dbeta = batch_norm_backward(dY, cache)
    running = update_running(RunningStats.start(gamma.shape), cache)
    Y_test = batch_norm_inference(X_test, gamma, beta, running)

The backward pass is the same three-term formula for both: because
:math:`\\mu` and :math:`\\sigma^2` are computed from the very entries
they normalise, each input's gradient gets, besides the direct term, one
term through the mean and one through the variance. Leaving those two out
(treating the statistics as constants) is the classic mistake; chapter 8
catches it with a gradient check.
"""

from typing import NamedTuple

import numpy as np

from ._validation import as_float_array, check_positive

__all__ = [
    "NormCache",
    "RunningStats",
    "batch_norm_forward",
    "batch_norm_backward",
    "batch_norm_inference",
    "update_running",
    "layer_norm_forward",
    "layer_norm_backward",
]


class NormCache(NamedTuple):
    """What the backward pass needs: the normalised input, the inverse
    standard deviations, the batch mean and variance, ``gamma``, and the
    axes the statistics were taken over."""

    X_hat: np.ndarray
    inv_std: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    gamma: np.ndarray
    axes: tuple


class RunningStats(NamedTuple):
    """Running averages of the batch mean and (unbiased) variance, used by
    :func:`batch_norm_inference`; of the shape of ``gamma``."""

    mean: np.ndarray
    var: np.ndarray

    @classmethod
    def start(cls, shape):
        """Mean 0 and variance 1, the usual starting point (as in PyTorch)."""
        return cls(np.zeros(shape), np.ones(shape))


def _normalise(X, axes, eps):
    """``X_hat`` over ``axes`` (kept, for broadcasting), with its statistics."""
    mean = X.mean(axis=axes, keepdims=True)
    var = X.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return (X - mean) * inv_std, inv_std, mean, var


def _normalise_backward(dX_hat, X_hat, inv_std, axes):
    """The three-term formula: the gradient with respect to the input of a
    standardisation over ``axes``, given the gradient with respect to its
    output ``X_hat``."""
    m = int(np.prod([X_hat.shape[a] for a in axes]))  # entries per mean
    sum_d = dX_hat.sum(axis=axes, keepdims=True)  # the term through the mean
    sum_dx = (dX_hat * X_hat).sum(axis=axes, keepdims=True)  # through the variance
    return inv_std / m * (m * dX_hat - sum_d - X_hat * sum_dx)  # eq-bn-backward


def _batch_axes(X):
    return (0,) if X.ndim == 2 else (0, 2, 3)


def _param_shape(X, axes):
    """``gamma``'s shape broadcast against ``X``: 1 on the averaged axes."""
    return tuple(1 if a in axes else s for a, s in enumerate(X.shape))


def _check(X, gamma, beta, eps, *, kind):
    X = as_float_array(X, "X", ndim=(2, 4))
    eps = check_positive(eps, "eps")
    if kind == "batch":
        want = (X.shape[1],)
        axes = _batch_axes(X)
        count = int(np.prod([X.shape[a] for a in axes]))
        if count < 2:
            raise ValueError(
                f"batch normalisation in training mode needs more than one value per "
                f"{'feature' if X.ndim == 2 else 'channel'} to take a variance from, got X "
                f"of shape {X.shape}; use a batch of two or more examples, or "
                f"batch_norm_inference with running statistics")
    else:
        want = X.shape[1:]
        axes = tuple(range(1, X.ndim))
    gamma = as_float_array(gamma, "gamma")
    beta = as_float_array(beta, "beta")
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != want:
            raise ValueError(f"{name} must have shape {want} for X of shape {X.shape}, "
                             f"got {p.shape}")
    return X, gamma, beta, eps, axes


def _forward(X, gamma, beta, axes, eps):
    X_hat, inv_std, mean, var = _normalise(X, axes, eps)  # eq-bn-normalise
    shape = _param_shape(X, axes)
    g = gamma.reshape(shape)
    Y = g * X_hat + beta.reshape(shape)  # eq-bn-scale
    return Y, NormCache(X_hat, inv_std, mean, var, g, axes)


def _backward(dY, cache):
    axes = cache.axes
    param_axes = tuple(a for a in range(dY.ndim) if a in axes)
    dgamma = (dY * cache.X_hat).sum(axis=param_axes)  # eq-bn-dgamma
    dbeta = dY.sum(axis=param_axes)  # eq-bn-dgamma
    dX = _normalise_backward(dY * cache.gamma, cache.X_hat, cache.inv_std, axes)
    shape = cache.gamma.shape
    keep = [s for a, s in enumerate(shape) if a not in axes]
    return dX, dgamma.reshape(keep), dbeta.reshape(keep)


def batch_norm_forward(X, gamma, beta, *, eps=1e-5):
    """Batch normalisation in training mode, :eq:`eq-bn-normalise` and
    :eq:`eq-bn-scale`.

    Parameters
    ----------
    X : array_like of shape (n, d) or (n, C, H, W)
        A batch; statistics are taken per feature over the ``n`` examples
        (per channel over the examples and the ``H * W`` positions).
    gamma, beta : array_like of shape (d,) or (C,)
        Scale and shift.
    eps : float, default 1e-5
        Added to the variance before the square root.

    Returns
    -------
    Y : ndarray of the shape of ``X``
    cache : NormCache
        For :func:`batch_norm_backward` and :func:`update_running`.
    """
    X, gamma, beta, eps, axes = _check(X, gamma, beta, eps, kind="batch")
    return _forward(X, gamma, beta, axes, eps)


def batch_norm_backward(dY, cache):
    """The gradients of batch normalisation, :eq:`eq-bn-backward` and
    :eq:`eq-bn-dgamma`.

    .. math::

        \\frac{\\partial\\mathcal{L}}{\\partial X} = \\frac{1}{m\\sqrt{\\sigma^2+\\epsilon}}
        \\Bigl(m\\,\\hat\\delta - \\sum \\hat\\delta
        - \\hat X \\odot \\sum \\hat\\delta \\odot \\hat X\\Bigr),
        \\qquad \\hat\\delta = \\gamma \\odot \\frac{\\partial\\mathcal{L}}{\\partial Y},

    sums over the ``m`` entries that share a mean and variance.

    Parameters
    ----------
    dY : array_like of the shape of the forward pass's ``Y``
    cache : NormCache
        From :func:`batch_norm_forward`.

    Returns
    -------
    dX : ndarray of the shape of ``X``
    dgamma, dbeta : ndarray of the shape of ``gamma``
    """
    return _backward(_check_dY(dY, cache), cache)


def _check_dY(dY, cache):
    if not isinstance(cache, NormCache):
        raise TypeError(f"cache must be the NormCache a forward pass returned, got "
                        f"{type(cache).__name__}")
    dY = as_float_array(dY, "dY")
    if dY.shape != cache.X_hat.shape:
        raise ValueError(f"dY must have the shape of the forward pass's output, "
                         f"{cache.X_hat.shape}, got {dY.shape}")
    return dY


def update_running(running, cache, momentum=0.1):
    """Move the running statistics towards this batch's, as PyTorch does:
    ``new = (1 - momentum) * old + momentum * batch``, the variance taken
    unbiased (times ``m / (m - 1)``).

    Parameters
    ----------
    running : RunningStats
        The current averages, of the shape of ``gamma``.
    cache : NormCache
        From :func:`batch_norm_forward` on the batch.
    momentum : float in (0, 1], default 0.1

    Returns
    -------
    RunningStats
        New arrays; ``running`` is not modified.
    """
    if not isinstance(running, RunningStats) or not isinstance(cache, NormCache):
        raise TypeError("running must be a RunningStats and cache a NormCache")
    momentum = check_positive(momentum, "momentum")
    if momentum > 1:
        raise ValueError(f"momentum must lie in (0, 1], got {momentum!r}")
    mean, var = cache.mean.reshape(-1), cache.var.reshape(-1)
    if mean.shape != running.mean.shape:
        raise ValueError(f"running statistics of shape {running.mean.shape} do not fit "
                         f"a batch with {mean.shape[0]} features")
    m = cache.X_hat.size // mean.size
    return RunningStats((1 - momentum) * running.mean + momentum * mean,
                        (1 - momentum) * running.var + momentum * var * m / (m - 1))


def batch_norm_inference(X, gamma, beta, running, *, eps=1e-5):
    """Batch normalisation at inference, :eq:`eq-bn-inference`: the running
    statistics replace the batch's, so each example's output depends on it
    alone and the layer is an affine map of ``X``.

    Parameters
    ----------
    X : array_like of shape (n, d) or (n, C, H, W)
        Any batch size, one included.
    gamma, beta : array_like of shape (d,) or (C,)
    running : RunningStats
    eps : float, default 1e-5

    Returns
    -------
    ndarray of the shape of ``X``
    """
    X = as_float_array(X, "X", ndim=(2, 4))
    if not isinstance(running, RunningStats):
        raise TypeError(f"running must be a RunningStats, got {type(running).__name__}")
    if len(X) >= 2:
        X_check = X
    else:  # one example (one 1 x 1 image too): checked as if two, for the shapes only
        X_check = np.concatenate([X, X + 1.0])
    _, gamma, beta, eps, axes = _check(X_check, gamma, beta, eps, kind="batch")
    shape = _param_shape(X, axes)
    scale = gamma.reshape(shape) / np.sqrt(running.var.reshape(shape) + eps)
    return (X - running.mean.reshape(shape)) * scale + beta.reshape(shape)  # eq-bn-inference


def layer_norm_forward(X, gamma, beta, *, eps=1e-5):
    """Layer normalisation, :eq:`eq-ln-forward`: each example standardised
    over its own features, the same in training and at inference.

    Parameters
    ----------
    X : array_like of shape (n, d) or (n, C, H, W)
        One example per row (per first index).
    gamma, beta : array_like of shape ``X.shape[1:]``
    eps : float, default 1e-5

    Returns
    -------
    Y : ndarray of the shape of ``X``
    cache : NormCache
        For :func:`layer_norm_backward`.
    """
    X, gamma, beta, eps, axes = _check(X, gamma, beta, eps, kind="layer")
    X_hat, inv_std, mean, var = _normalise(X, axes, eps)  # eq-ln-forward
    Y = gamma * X_hat + beta  # eq-ln-forward
    return Y, NormCache(X_hat, inv_std, mean, var, gamma, axes)


def layer_norm_backward(dY, cache):
    """The gradients of layer normalisation: the three-term formula
    :eq:`eq-bn-backward` with the sums over each example's features.

    Returns
    -------
    dX : ndarray of the shape of ``X``
    dgamma, dbeta : ndarray of shape ``X.shape[1:]``
    """
    dY = _check_dY(dY, cache)
    dX = _normalise_backward(dY * cache.gamma, cache.X_hat, cache.inv_std, cache.axes)
    return dX, (dY * cache.X_hat).sum(axis=0), dY.sum(axis=0)
