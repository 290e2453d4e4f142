"""The structured layers of chapter 8 as operations of the chapter-5 engine.

Chapter 8 of the book (backpropagation through structure). Each function
takes :class:`bplib.autodiff.Tensor` arguments (plain arrays become
constants) and returns a Tensor whose VJPs are the hand-derived ones of
:mod:`bplib.conv` and :mod:`bplib.norm`, attached with
:func:`bplib.autodiff.operation`. A network mixing them with the engine's
own operations is then differentiated by one reverse sweep::

    def loss(p):
        Z = layers.conv2d(X, p["K"], p["c"], padding=1)
        H = layers.flatten(layers.max_pool(Z.relu(), 2))
        return autodiff.softmax_cross_entropy(H @ p["W"] + p["b"], T)

    value, grads = autodiff.value_and_grad(loss, params)

Every operation keeps what its VJP needs in the closure (the im2col
matrix, the arg-max of each window, the normalised input, the dropout
mask), so the backward pass recomputes nothing.
"""

import numpy as np

from . import conv, norm
from ._validation import check_bool, check_rng
from .autodiff import _lift, operation

__all__ = ["conv2d", "max_pool", "avg_pool", "batch_norm", "layer_norm", "dropout",
           "flatten"]


def conv2d(X, W, b=None, *, stride=1, padding=0):
    """A 2-D convolutional layer, :eq:`eq-conv2d`, with VJPs :eq:`eq-conv-dW`
    and :eq:`eq-conv-dX` (:func:`bplib.conv.conv2d_forward`).

    Parameters
    ----------
    X : Tensor or array_like of shape (n, C_in, H, W)
    W : Tensor or array_like of shape (C_out, C_in, kh, kw)
    b : Tensor or array_like of shape (C_out,), optional
    stride, padding : int or pair of int

    Returns
    -------
    Tensor of shape (n, C_out, H_out, W_out)
    """
    X, W = _lift(X), _lift(W)
    b = _lift(np.zeros(W.shape[0]) if b is None and W.ndim == 4 else b)
    Z, cache = conv.conv2d_forward(X.value, W.value, b.value, stride=stride, padding=padding)
    C_out, _, kh, kw = W.shape

    def rows(g):  # the adjoint as one row per output position
        return g.transpose(0, 2, 3, 1).reshape(-1, C_out)

    return operation(Z, (X, W, b), (
        lambda g: conv._col2im(rows(g) @ W.value.reshape(C_out, -1), X.shape, kh, kw,
                               cache.stride, cache.padding),  # eq-conv-dX
        lambda g: (rows(g).T @ cache.cols[:, :-1]).reshape(W.shape),  # eq-conv-dW
        lambda g: g.sum(axis=(0, 2, 3)),  # eq-conv-dW: the bias, summed over positions
    ), "conv2d")


def max_pool(X, size=2, *, stride=None):
    """Max pooling, :eq:`eq-pool-max`; VJP :eq:`eq-pool-max-grad` (the
    gradient goes to each window's arg-max, the first on a tie).

    Parameters
    ----------
    X : Tensor or array_like of shape (n, C, H, W)
    size, stride : int or pair of int
        As in :func:`bplib.conv.max_pool_forward`.

    Returns
    -------
    Tensor of shape (n, C, H_out, W_out)
    """
    X = _lift(X)
    Y, cache = conv.max_pool_forward(X.value, size, stride=stride)
    return operation(Y, (X,), (lambda g: conv.max_pool_backward(g, cache),), "max_pool")


def avg_pool(X, size=2, *, stride=None):
    """Average pooling, :eq:`eq-pool-avg`; its VJP spreads each window's
    gradient evenly.

    Returns
    -------
    Tensor of shape (n, C, H_out, W_out)
    """
    X = _lift(X)
    Y, cache = conv.avg_pool_forward(X.value, size, stride=stride)
    return operation(Y, (X,), (lambda g: conv.avg_pool_backward(g, cache),), "avg_pool")


def _norm_op(Y, X, gamma, beta, cache, op, param_axes):
    axes = cache.axes
    shape = gamma.shape
    return operation(Y, (X, gamma, beta), (
        lambda g: norm._normalise_backward(g * cache.gamma, cache.X_hat, cache.inv_std,
                                           axes),  # eq-bn-backward
        lambda g: (g * cache.X_hat).sum(axis=param_axes).reshape(shape),  # eq-bn-dgamma
        lambda g: g.sum(axis=param_axes).reshape(shape),  # eq-bn-dgamma
    ), op)


def batch_norm(X, gamma, beta, *, training=True, running=None, momentum=0.1, eps=1e-5):
    """Batch normalisation, :eq:`eq-bn-normalise` and :eq:`eq-bn-scale` in
    training mode (VJP :eq:`eq-bn-backward`), :eq:`eq-bn-inference` at
    inference.

    Parameters
    ----------
    X : Tensor or array_like of shape (n, d) or (n, C, H, W)
    gamma, beta : Tensor or array_like of shape (d,) or (C,)
    training : bool, default True
        Normalise with the batch's statistics and update ``running``; when
        False, with ``running`` (required), an affine map of ``X``.
    running : bplib.norm.RunningStats, optional
        The running statistics so far (training starts them at mean 0,
        variance 1 when None).
    momentum : float, default 0.1
        As in :func:`bplib.norm.update_running`.
    eps : float, default 1e-5

    Returns
    -------
    Y : Tensor of the shape of ``X``
    running : bplib.norm.RunningStats
        Updated in training, unchanged at inference.
    """
    X, gamma, beta = _lift(X), _lift(gamma), _lift(beta)
    if not check_bool(training, "training"):
        if running is None:
            raise ValueError("batch_norm at inference (training=False) needs running "
                             "statistics; pass running=RunningStats from training")
        norm.batch_norm_inference(X.value, gamma.value, beta.value, running, eps=eps)  # checks
        shape = (1, -1) + (1,) * (X.ndim - 2)  # per feature, or per channel
        scale = gamma * (1.0 / np.sqrt(running.var + eps))
        Y = (X - running.mean.reshape(shape)) * _reshape(scale, shape) + _reshape(beta, shape)
        return Y, running  # eq-bn-inference, from the engine's own operations
    Y, cache = norm.batch_norm_forward(X.value, gamma.value, beta.value, eps=eps)
    if running is None:
        running = norm.RunningStats.start(gamma.shape)
    return (_norm_op(Y, X, gamma, beta, cache, "batch_norm", cache.axes),
            norm.update_running(running, cache, momentum))


def _reshape(T, shape):
    return operation(T.value.reshape(shape), (T,), (lambda g: g.reshape(T.shape),),
                     "reshape")


def layer_norm(X, gamma, beta, *, eps=1e-5):
    """Layer normalisation, :eq:`eq-ln-forward`: each example over its own
    features; VJP the three-term formula :eq:`eq-bn-backward` over them.

    Parameters
    ----------
    X : Tensor or array_like of shape (n, d) or (n, C, H, W)
    gamma, beta : Tensor or array_like of shape ``X.shape[1:]``

    Returns
    -------
    Tensor of the shape of ``X``
    """
    X, gamma, beta = _lift(X), _lift(gamma), _lift(beta)
    Y, cache = norm.layer_norm_forward(X.value, gamma.value, beta.value, eps=eps)
    return _norm_op(Y, X, gamma, beta, cache, "layer_norm", (0,))


def dropout(X, p, *, rng, training=True):
    """Inverted dropout, :eq:`eq-dropout`: each entry kept with probability
    ``1 - p`` and scaled by ``1/(1 - p)``, so the expected output is ``X``
    and inference needs no change. The VJP multiplies by the same mask.

    Parameters
    ----------
    X : Tensor or array_like, any shape
    p : float in [0, 1)
        The probability of dropping an entry.
    rng : int or numpy.random.Generator
        Draws the mask (keyword-only, no default: every mask is seeded).
    training : bool, default True
        When False, returns ``X`` unchanged.

    Returns
    -------
    Tensor of the shape of ``X``
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) \
            or not 0 <= p < 1:
        raise ValueError(f"p must be a probability in [0, 1), got {p!r}")
    X = _lift(X)
    if not check_bool(training, "training") or p == 0:
        return X
    keep = check_rng(rng).random(X.shape) >= p
    mask = keep / (1.0 - p)  # eq-dropout
    return operation(X.value * mask, (X,), (lambda g: g * mask,), "dropout")


def flatten(X):
    """``X`` of shape (n, ...) as (n, everything else), e.g. a convolution's
    output before a dense layer; the VJP reshapes the adjoint back.

    Returns
    -------
    Tensor of shape (n, prod(X.shape[1:]))
    """
    X = _lift(X)
    if X.ndim < 1:
        raise ValueError(f"X must have a batch axis, got shape {X.shape}")
    return _reshape(X, (X.shape[0], -1))
