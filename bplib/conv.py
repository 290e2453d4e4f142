"""Convolution and pooling with their vector-Jacobian products, vectorised.

Chapter 8 of the book (backpropagation through structure). A convolutional
layer, as every library computes it, is a cross-correlation: output channel
``o`` at position ``(i, j)`` is a weighted sum of the input window whose
top-left corner is ``(s i, s j)`` (stride ``s``, after zero padding ``p``)::

    Z[:, o, i, j] = sum over c, u, v of X[:, c, s i + u, s j + v] * W[o, c, u, v] + b[o]

Shapes follow PyTorch and LeCun et al.: ``X`` is ``(n, C_in, H, W)``,
``W`` is ``(C_out, C_in, k_h, k_w)``, ``b`` is ``(C_out,)``. Every window
is one row of the *im2col* matrix, so the layer is one matrix product in
the row convention, ``Z = cols @ W.reshape(C_out, -1).T + b``, and its VJP
is chapter 4's matrix-product VJP followed by *col2im*, a scatter-add of
each row back to its window::

    Z, cache = conv2d_forward(X, W, b, stride=1, padding=1)
    dX, dW, db = conv2d_backward(dZ, cache)

No Python loop runs over positions: :func:`numpy.lib.stride_tricks.sliding_window_view`
over a grid of indices says, once per geometry, where each im2col entry
comes from; the forward pass gathers them with one ``take`` and the
backward pass adds them back with one ``bincount``. Pooling
(:func:`max_pool_forward`, :func:`avg_pool_forward`) reuses the same
gather and scatter, one channel at a time as if it were an example.
Left out: dilation, groups, and padding other than zeros.
"""

import functools
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_float_array

__all__ = ["ConvCache", "PoolCache", "output_size", "im2col", "col2im",
           "conv2d_forward", "conv2d_backward", "conv1d_forward", "conv1d_backward",
           "max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward"]


class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs: the im2col matrix (with a last
    column of ones, the bias's input), the weights, the input's shape and
    the stride and padding."""

    cols: np.ndarray
    W: np.ndarray
    X_shape: tuple
    stride: tuple
    padding: tuple


class PoolCache(NamedTuple):
    """What the pooling backward passes need: the input's shape, the window
    size and stride, and (max pooling) the arg-max within each window."""

    X_shape: tuple
    size: tuple
    stride: tuple
    argmax: object


def _pair(value, name, minimum):
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                             for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def output_size(size, k, stride=1, padding=0):
    """Positions along one axis: :math:`\\lfloor (H + 2p - k)/s \\rfloor + 1`,
    :eq:`eq-conv-size`.

    >>> output_size(8, 3, stride=1, padding=1)
    8
    >>> output_size(8, 2, stride=2)
    4
    """
    return (size + 2 * padding - k) // stride + 1  # eq-conv-size


@functools.lru_cache(maxsize=64)
def _window_index(C, Hp, Wp, kh, kw, sh, sw, ones=False):
    """Where each im2col entry comes from: the flat index, within one padded
    example of shape (C, Hp, Wp), of entry (position, (c, u, v)); made once
    per geometry by sliding a window over the grid of indices. With
    ``ones``, each row ends with the index ``C * Hp * Wp``, where
    :func:`_im2col` keeps a constant 1."""
    grid = np.arange(C * Hp * Wp).reshape(C, Hp, Wp)
    win = sliding_window_view(grid, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (C, Ho, Wo, kh, kw)
    index = win.transpose(1, 2, 0, 3, 4).reshape(-1, C * kh * kw)  # rows (Ho, Wo)
    if ones:
        index = np.hstack([index, np.full((len(index), 1), C * Hp * Wp)])
    index = index.reshape(-1)
    index.flags.writeable = False
    return index


@functools.lru_cache(maxsize=16)
def _scatter_index(n, size, index_key):
    """The flat indices of :func:`_window_index` for a batch of ``n``
    examples of ``size`` entries each (for one ``numpy.bincount``)."""
    index = _window_index(*index_key)
    flat = (np.arange(n)[:, None] * size + index).reshape(-1)
    flat.flags.writeable = False
    return flat


def _pad(X, padding, ones=False):
    """Each example padded and flattened, shape (n, C * Hp * Wp), with a
    constant 1 appended when ``ones``."""
    (ph, pw), (n, C, H, W) = padding, X.shape
    if not (ph or pw or ones):
        return X.reshape(n, -1)
    size = C * (H + 2 * ph) * (W + 2 * pw)
    Xp = np.zeros((n, size + ones))
    Xp[:, :size].reshape(n, C, H + 2 * ph, W + 2 * pw)[:, :, ph:ph + H, pw:pw + W] = X
    if ones:
        Xp[:, size] = 1.0
    return Xp


def _key(X_shape, kh, kw, stride, padding):
    _, C, H, W = X_shape
    return (C, H + 2 * padding[0], W + 2 * padding[1], kh, kw, stride[0], stride[1])


def _im2col(X, kh, kw, stride, padding, ones=False):
    """Gather every window with one ``take`` (a copy whose inner runs are as
    long as a row of the matrix, unlike a transposed window view's); with
    ``ones``, every row gains a last entry 1, the input of the bias."""
    index = _window_index(*_key(X.shape, kh, kw, stride, padding), ones)
    cols = _pad(X, padding, ones).take(index, axis=1)  # eq-conv-im2col
    return cols.reshape(-1, X.shape[1] * kh * kw + ones)


def _col2im(cols, X_shape, kh, kw, stride, padding):
    """Scatter-add every entry back to where :func:`_im2col` took it from:
    one ``numpy.bincount`` (an input entry inside several windows receives
    the sum)."""
    n, C, H, W = X_shape
    key = _key(X_shape, kh, kw, stride, padding)
    _, Hp, Wp = key[:3]
    flat = _scatter_index(n, C * Hp * Wp, key)
    dXp = np.bincount(flat, weights=cols.reshape(-1), minlength=n * C * Hp * Wp)  # eq-conv-col2im
    dXp = dXp.reshape(n, C, Hp, Wp)
    return dXp[:, :, padding[0]:padding[0] + H, padding[1]:padding[1] + W]


def _check_input(X, k, stride, padding, what="kernel"):
    X = as_float_array(X, "X", ndim=4)
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    for size, kk, p in zip(X.shape[2:], k, padding):
        if kk > size + 2 * p:
            raise ValueError(
                f"the {what} ({k[0]}x{k[1]}) is larger than the padded input "
                f"({X.shape[2] + 2 * padding[0]}x{X.shape[3] + 2 * padding[1]}; X.shape="
                f"{X.shape}, padding={padding}); use a smaller {what} or more padding")
    return X, stride, padding


def im2col(X, kh, kw, *, stride=1, padding=0):
    """The im2col matrix: one row per output position, one column per
    (channel, kernel row, kernel column), :eq:`eq-conv-im2col`.

    Parameters
    ----------
    X : array_like of shape (n, C, H, W)
    kh, kw : int
        Kernel height and width.
    stride, padding : int or pair of int

    Returns
    -------
    ndarray of shape (n * H_out * W_out, C * kh * kw)
        Rows ordered by example, then output row, then output column.
    """
    kh, kw = _pair((kh, kw), "kernel size", 1)
    X, stride, padding = _check_input(X, (kh, kw), stride, padding)
    return _im2col(X, kh, kw, stride, padding)


def col2im(cols, X_shape, kh, kw, *, stride=1, padding=0):
    """The adjoint of :func:`im2col`, :eq:`eq-conv-col2im`: each row's
    entries added back to the input positions they were copied from (a
    position inside several windows receives the sum).

    Parameters
    ----------
    cols : array_like of shape (n * H_out * W_out, C * kh * kw)
    X_shape : tuple (n, C, H, W)
    kh, kw : int
    stride, padding : int or pair of int

    Returns
    -------
    ndarray of shape ``X_shape``
    """
    kh, kw = _pair((kh, kw), "kernel size", 1)
    X_shape = tuple(int(s) for s in X_shape)
    _, stride, padding = _check_input(np.zeros((1, 1) + X_shape[2:]), (kh, kw), stride,
                                      padding)
    cols = as_float_array(cols, "cols", ndim=2)
    n, C, H, W = X_shape
    want = (n * output_size(H, kh, stride[0], padding[0])
            * output_size(W, kw, stride[1], padding[1]), C * kh * kw)
    if cols.shape != want:
        raise ValueError(f"cols must have shape {want} for X_shape={X_shape}, got {cols.shape}")
    return _col2im(cols, X_shape, kh, kw, stride, padding)


def conv2d_forward(X, W, b=None, *, stride=1, padding=0):
    """A 2-D convolutional layer (cross-correlation), :eq:`eq-conv2d`, as one
    matrix product :eq:`eq-conv-im2col`.

    Parameters
    ----------
    X : array_like of shape (n, C_in, H, W)
    W : array_like of shape (C_out, C_in, kh, kw)
    b : array_like of shape (C_out,), optional
    stride : int or pair of int, default 1
    padding : int or pair of int, default 0
        Zeros added on each side.

    Returns
    -------
    Z : ndarray of shape (n, C_out, H_out, W_out)
        :math:`H_{out} = \\lfloor (H + 2p - k_h)/s \\rfloor + 1`, :eq:`eq-conv-size`.
    cache : ConvCache
    """
    W = as_float_array(W, "W", ndim=4)
    X = as_float_array(X, "X", ndim=4)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X has {X.shape[1]} channels but W expects {W.shape[1]} "
                         f"(X.shape={X.shape}, W.shape={W.shape})")
    X, stride, padding = _check_input(X, W.shape[2:], stride, padding)
    b = np.zeros(W.shape[0]) if b is None else as_float_array(b, "b", ndim=1)
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), one per output channel, "
                         f"got {b.shape}")
    return _conv2d(X, W, b, stride, padding)


def _conv2d(X, W, b, stride, padding):
    C_out, _, kh, kw = W.shape
    n, _, H, Wd = X.shape
    Ho, Wo = output_size(H, kh, stride[0], padding[0]), output_size(Wd, kw, stride[1], padding[1])
    cols = _im2col(X, kh, kw, stride, padding, ones=True)  # eq-conv-im2col, and a 1 per row
    W_b = np.vstack([W.reshape(C_out, -1).T, b])  # the bias is the weight of the 1
    Z = cols @ W_b  # eq-conv2d: one matrix product
    Z = Z.reshape(n, Ho, Wo, C_out).transpose(0, 3, 1, 2)
    return Z, ConvCache(cols, W, X.shape, stride, padding)


def _conv2d_backward(dZ, cache):
    W = cache.W
    C_out, _, kh, kw = W.shape
    dZ_mat = dZ.transpose(0, 2, 3, 1).reshape(-1, C_out)  # one row per position
    dW_b = dZ_mat.T @ cache.cols  # eq-conv-dW: summed over positions (and db, last)
    dW, db = dW_b[:, :-1].reshape(W.shape), dW_b[:, -1]  # eq-conv-dW
    dcols = dZ_mat @ W.reshape(C_out, -1)  # chapter 4's VJP of the product
    dX = _col2im(dcols, cache.X_shape, kh, kw, cache.stride, cache.padding)  # eq-conv-dX
    return dX, dW, db


def _check_cache(cache, kind):
    if not isinstance(cache, kind):
        raise TypeError(f"cache must be the {kind.__name__} of the forward pass, got "
                        f"{type(cache).__name__}")


def _check_grad(dZ, want, name="dZ"):
    dZ = as_float_array(dZ, name, allow_empty=True)
    if dZ.shape != want:
        raise ValueError(f"{name} must have the shape of the forward pass's output, {want}, "
                         f"got {dZ.shape}")
    return dZ


def conv2d_backward(dZ, cache):
    """The VJPs of :func:`conv2d_forward`: :eq:`eq-conv-dW` (the input
    correlated with the delta, summed over positions because the weights are
    shared) and :eq:`eq-conv-dX` (the delta scattered back through the
    kernel, a full convolution with the flipped kernel).

    Parameters
    ----------
    dZ : array_like of shape (n, C_out, H_out, W_out)
    cache : ConvCache

    Returns
    -------
    dX : ndarray of shape (n, C_in, H, W)
    dW : ndarray of shape (C_out, C_in, kh, kw)
    db : ndarray of shape (C_out,)
    """
    _check_cache(cache, ConvCache)
    n, _, H, Wd = cache.X_shape
    C_out, _, kh, kw = cache.W.shape
    want = (n, C_out, output_size(H, kh, cache.stride[0], cache.padding[0]),
            output_size(Wd, kw, cache.stride[1], cache.padding[1]))
    return _conv2d_backward(_check_grad(dZ, want), cache)


def conv1d_forward(X, W, b=None, *, stride=1, padding=0):
    """A 1-D convolutional layer, :eq:`eq-conv1d`: :func:`conv2d_forward` on
    inputs of height 1.

    Parameters
    ----------
    X : array_like of shape (n, C_in, length)
    W : array_like of shape (C_out, C_in, k)
    b : array_like of shape (C_out,), optional
    stride, padding : int

    Returns
    -------
    Z : ndarray of shape (n, C_out, length_out)
    cache : ConvCache
    """
    X = as_float_array(X, "X", ndim=3)
    W = as_float_array(W, "W", ndim=3)
    for name, value in (("stride", stride), ("padding", padding)):
        if np.ndim(value) != 0:
            raise TypeError(f"{name} of a 1-D convolution must be an int, got {value!r}")
    Z, cache = conv2d_forward(X[:, :, None, :], W[:, :, None, :], b, stride=(1, stride),
                              padding=(0, padding))
    return Z[:, :, 0, :], cache


def conv1d_backward(dZ, cache):
    """The VJPs of :func:`conv1d_forward`, :eq:`eq-conv1d-dW` and
    :eq:`eq-conv1d-dX`.

    Returns
    -------
    dX : ndarray of shape (n, C_in, length)
    dW : ndarray of shape (C_out, C_in, k)
    db : ndarray of shape (C_out,)
    """
    dZ = as_float_array(dZ, "dZ", ndim=3)
    dX, dW, db = conv2d_backward(dZ[:, :, None, :], cache)
    return dX[:, :, 0, :], dW[:, :, 0, :], db


def _pool_setup(X, size, stride):
    size = _pair(size, "size", 1)
    stride = size if stride is None else stride
    X, stride, _ = _check_input(X, size, stride, 0, what="pooling window")
    return X, size, stride


def _pool_windows(X, size, stride):
    """Every window of every channel: im2col of the channels as separate
    examples, shape (n, C, H_out, W_out, kh * kw)."""
    n, C, H, W = X.shape
    cols = _im2col(X.reshape(n * C, 1, H, W), *size, stride, (0, 0))
    return cols.reshape(n, C, output_size(H, size[0], stride[0]),
                        output_size(W, size[1], stride[1]), -1)


def _pool_scatter(win_grad, X_shape, size, stride):
    n, C, H, W = X_shape
    dX = _col2im(win_grad.reshape(-1, size[0] * size[1]), (n * C, 1, H, W), *size, stride,
                 (0, 0))
    return dX.reshape(X_shape)


def max_pool_forward(X, size=2, *, stride=None):
    """Max pooling, :eq:`eq-pool-max`: the largest entry of each window, per
    channel.

    Parameters
    ----------
    X : array_like of shape (n, C, H, W)
    size : int or pair of int, default 2
    stride : int or pair of int, optional
        Defaults to ``size`` (windows side by side).

    Returns
    -------
    Y : ndarray of shape (n, C, H_out, W_out)
    cache : PoolCache
        Holds the arg-max of each window; on a tie, the first in row-major
        order (as PyTorch).
    """
    X, size, stride = _pool_setup(X, size, stride)
    win = _pool_windows(X, size, stride)
    argmax = win.argmax(axis=-1)  # the first winner on a tie
    Y = np.take_along_axis(win, argmax[..., None], axis=-1)[..., 0]  # eq-pool-max
    return Y, PoolCache(X.shape, size, stride, argmax)


def max_pool_backward(dY, cache):
    """The VJP of max pooling, :eq:`eq-pool-max-grad`: each window's gradient
    goes to its arg-max entry alone (summed where windows overlap).

    Returns
    -------
    dX : ndarray of the input's shape
    """
    dY = _pool_grad(dY, cache)
    kh, kw = cache.size
    routed = np.zeros(dY.shape + (kh * kw,))
    np.put_along_axis(routed, cache.argmax[..., None], dY[..., None], axis=-1)  # eq-pool-max-grad
    return _pool_scatter(routed, cache.X_shape, cache.size, cache.stride)


def avg_pool_forward(X, size=2, *, stride=None):
    """Average pooling, :eq:`eq-pool-avg`: the mean of each window.

    Parameters and returns as :func:`max_pool_forward` (``cache.argmax`` is None).
    """
    X, size, stride = _pool_setup(X, size, stride)
    Y = _pool_windows(X, size, stride).mean(axis=-1)  # eq-pool-avg
    return Y, PoolCache(X.shape, size, stride, None)


def avg_pool_backward(dY, cache):
    """The VJP of average pooling, :eq:`eq-pool-avg`: each window's gradient
    spread evenly, :math:`1/(k_h k_w)` to every entry.

    Returns
    -------
    dX : ndarray of the input's shape
    """
    dY = _pool_grad(dY, cache)
    k = cache.size[0] * cache.size[1]
    spread = np.broadcast_to((dY / k)[..., None], dY.shape + (k,))  # eq-pool-avg
    return _pool_scatter(spread, cache.X_shape, cache.size, cache.stride)


def _pool_grad(dY, cache):
    _check_cache(cache, PoolCache)
    n, C, H, W = cache.X_shape
    want = (n, C, output_size(H, cache.size[0], cache.stride[0]),
            output_size(W, cache.size[1], cache.stride[1]))
    return _check_grad(dY, want, "dY")
