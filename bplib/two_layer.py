"""Two layers by hand: the forward and backward pass of a two-layer network.

Chapter 3 of the book. The network has a sigmoid hidden layer of ``h`` units
and a sigmoid output layer, in the row convention (one example per row)::

    Z1 = X @ W1 + b1        # (n, h)
    H1 = sigmoid(Z1)        # (n, h)
    Z2 = H1 @ W2 + b2       # (n, d_out)
    Y  = sigmoid(Z2)        # (n, d_out)

and is trained on half the mean squared error,
``L = sum((Y - T) ** 2) / (2 * n)``. :func:`forward` keeps what the backward
pass needs in a :class:`Cache`; :func:`backward` computes every gradient with
one line per equation of the chapter, the equation's label in a comment.
There is deliberately no machinery for other depths or activations here:
chapter 4's ``bplib.mlp`` generalises these formulas and reproduces them.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import init
from ._validation import (
    as_float_array,
    check_on_divergence,
    check_positive,
    check_positive_int,
    check_same_shape,
)
from .activations import sigmoid, sigmoid_derivative
from .linear import DivergenceError

__all__ = [
    "Params",
    "Gradients",
    "Cache",
    "History",
    "init_params",
    "forward",
    "loss",
    "backward",
    "loss_and_gradients",
    "train",
]


class Params(NamedTuple):
    """The four parameter arrays of the network; unpacks as ``W1, b1, W2, b2``."""

    W1: np.ndarray
    """The hidden layer's weights, shape (d_in, h)."""
    b1: np.ndarray
    """The hidden layer's biases, shape (h,)."""
    W2: np.ndarray
    """The output layer's weights, shape (h, d_out)."""
    b2: np.ndarray
    """The output layer's biases, shape (d_out,)."""


class Gradients(NamedTuple):
    """The loss's gradient: one array per parameter, shaped like it."""

    dW1: np.ndarray
    """:math:`\\partial\\mathcal{L}/\\partial W_1`, shape (d_in, h)."""
    db1: np.ndarray
    """:math:`\\partial\\mathcal{L}/\\partial b_1`, shape (h,)."""
    dW2: np.ndarray
    """:math:`\\partial\\mathcal{L}/\\partial W_2`, shape (h, d_out)."""
    db2: np.ndarray
    """:math:`\\partial\\mathcal{L}/\\partial b_2`, shape (d_out,)."""


class Cache(NamedTuple):
    """What :func:`forward` keeps for :func:`backward`."""

    X: np.ndarray
    """The inputs, shape (n, d_in): the first layer's input, needed for ``dW1``."""
    Z1: np.ndarray
    """The hidden layer's weighted input, shape (n, h), for :math:`\\sigma'(Z_1)`."""
    H1: np.ndarray
    """The hidden layer's output, shape (n, h): the second layer's input, for ``dW2``."""
    Z2: np.ndarray
    """The output layer's weighted input, shape (n, d_out), for :math:`\\sigma'(Z_2)`."""
    Y: np.ndarray
    """The output, shape (n, d_out), for :math:`\\partial\\mathcal{L}/\\partial Y`."""


@dataclass(frozen=True)
class History:
    """The outcome of :func:`train`.

    Attributes
    ----------
    params : Params
        The parameters after the last update.
    loss : ndarray of shape (k + 1,)
        The loss :eq:`eq-two-layer-loss` before training and after each of
        the ``k`` updates.
    diverged_at : int or None
        The step whose loss (or parameters) became non-finite, or None. Set
        only with ``on_divergence="stop"``; ``params`` and ``loss`` then end
        just before that step.
    """

    params: Params
    loss: np.ndarray
    diverged_at: int | None = None


def _check_params(params):
    if not isinstance(params, tuple) or len(params) != 4:
        raise TypeError(
            "params must be a Params (W1, b1, W2, b2), got "
            f"{type(params).__name__}" + (f" of length {len(params)}"
                                          if isinstance(params, tuple) else "")
        )
    W1 = as_float_array(params[0], "W1", ndim=2)
    b1 = as_float_array(params[1], "b1", ndim=1)
    W2 = as_float_array(params[2], "W2", ndim=2)
    b2 = as_float_array(params[3], "b2", ndim=1)
    h, d_out = W1.shape[1], W2.shape[1]
    expected = {"b1": (h,), "W2": (h, d_out), "b2": (d_out,)}
    for name, arr in (("b1", b1), ("W2", W2), ("b2", b2)):
        if arr.shape != expected[name]:
            raise ValueError(
                f"{name} must have shape {expected[name]} for W1.shape={W1.shape} "
                f"and W2.shape={W2.shape}, got {name}.shape={arr.shape}"
            )
    return Params(W1, b1, W2, b2)


def _check_inputs(X, W1):
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W1.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features but W1 expects {W1.shape[0]} "
            f"(X.shape={X.shape}, W1.shape={W1.shape})"
        )
    return X


def _check_target(T, Y):
    T = as_float_array(T, "T", ndim=(1, 2))
    check_same_shape(Y, T, ("Y", "T"))
    return T


def init_params(d_in, d_hidden, d_out=1, *, scale=1.0, rng=0):
    """Random weights and zero biases for a network of the chapter's shape.

    Each weight is drawn from a normal distribution with mean 0 and standard
    deviation ``scale``, the biases start at zero: the ``"standard_normal"``
    scheme of :func:`bplib.init.init_params`, in this module's layout. The random weights make the
    hidden units differ from one another (with equal starting weights they
    would receive equal gradients and stay equal forever).

    Parameters
    ----------
    d_in : int
        The number of inputs (features), >= 1.
    d_hidden : int
        The number of hidden units ``h``, >= 1.
    d_out : int, default 1
        The number of outputs, >= 1.
    scale : float, default 1.0
        The weights' standard deviation, > 0.
    rng : int, numpy.random.Generator or None, default 0
        The seed or generator.

    Returns
    -------
    Params
        ``W1`` of shape (d_in, d_hidden), ``b1`` (d_hidden,), ``W2``
        (d_hidden, d_out), ``b2`` (d_out,).
    """
    d_in = check_positive_int(d_in, "d_in")
    d_hidden = check_positive_int(d_hidden, "d_hidden")
    d_out = check_positive_int(d_out, "d_out")
    p = init.init_params([d_in, d_hidden, d_out], "standard_normal", scale=scale, rng=rng)
    return Params(p["W1"], p["b1"], p["W2"], p["b2"])


def forward(X, params):
    """The forward pass, :eq:`eq-two-layer-forward`, keeping a cache.

    Parameters
    ----------
    X : array_like of shape (n, d_in)
        One example per row.
    params : Params
        ``W1`` (d_in, h), ``b1`` (h,), ``W2`` (h, d_out), ``b2`` (d_out,).

    Returns
    -------
    Y : ndarray of shape (n, d_out)
        The outputs, in [0, 1]: exactly 1 where a logit exceeds about 37 and
        exactly 0 below about -745, where the sigmoid saturates in float64.
    cache : Cache
        ``X, Z1, H1, Z2, Y``: everything :func:`backward` needs.
    """
    W1, b1, W2, b2 = _check_params(params)
    X = _check_inputs(X, W1)
    Z1 = X @ W1 + b1  # eq-two-layer-forward  (n, h)
    H1 = sigmoid(Z1)  # (n, h)
    Z2 = H1 @ W2 + b2  # (n, d_out)
    Y = sigmoid(Z2)  # (n, d_out)
    return Y, Cache(X, Z1, H1, Z2, Y)


def loss(Y, T):
    """Half the mean squared error, :eq:`eq-two-layer-loss`.

    Parameters
    ----------
    Y, T : array_like of shape (n, d_out)
        Outputs and targets; their shapes must agree exactly.

    Returns
    -------
    float
        :math:`\\frac{1}{2n}\\sum_{i,j} (Y_{ij} - T_{ij})^2`.
    """
    Y = as_float_array(Y, "Y", ndim=2)
    T = _check_target(T, Y)
    return _loss(Y, T)


def _loss(Y, T):
    return float(np.sum((Y - T) ** 2) / (2 * len(Y)))  # eq-two-layer-loss


def backward(T, params, cache):
    """The backward pass: every gradient of the loss, one equation a line.

    Implements :eq:`eq-two-layer-dY`, :eq:`eq-two-layer-delta2`,
    :eq:`eq-two-layer-dW2`, :eq:`eq-two-layer-db2`, :eq:`eq-two-layer-dH1`,
    :eq:`eq-two-layer-delta1`, :eq:`eq-two-layer-dW1` and
    :eq:`eq-two-layer-db1`, in that order. ``delta2`` is computed once and
    used three times (for ``dW2``, ``db2`` and ``dH1``).

    Parameters
    ----------
    T : array_like of shape (n, d_out)
        The targets, shaped exactly like the outputs ``cache.Y``.
    params : Params
        The parameters the forward pass used (only ``W2`` is needed).
    cache : Cache
        From :func:`forward`.

    Returns
    -------
    Gradients
        ``dW1`` (d_in, h), ``db1`` (h,), ``dW2`` (h, d_out), ``db2``
        (d_out,): each shaped like its parameter.
    """
    X, Z1, H1, Z2, Y = cache
    T = _check_target(T, Y)
    W2 = _check_params(params).W2
    n = len(X)
    dY = (Y - T) / n  # eq-two-layer-dY  (n, d_out)
    delta2 = dY * sigmoid_derivative(Z2)  # eq-two-layer-delta2  (n, d_out)
    dW2 = H1.T @ delta2  # eq-two-layer-dW2  (h, d_out)
    db2 = delta2.sum(axis=0)  # eq-two-layer-db2  (d_out,)
    dH1 = delta2 @ W2.T  # eq-two-layer-dH1  (n, h)
    delta1 = dH1 * sigmoid_derivative(Z1)  # eq-two-layer-delta1  (n, h)
    dW1 = X.T @ delta1  # eq-two-layer-dW1  (d_in, h)
    db1 = delta1.sum(axis=0)  # eq-two-layer-db1  (h,)
    return Gradients(dW1, db1, dW2, db2)


def loss_and_gradients(X, T, params):
    """The loss and its gradient at ``params``: a forward and a backward pass.

    Parameters
    ----------
    X : array_like of shape (n, d_in)
    T : array_like of shape (n, d_out)
    params : Params

    Returns
    -------
    loss : float
        Half the mean squared error, :eq:`eq-two-layer-loss`.
    grads : Gradients
    """
    Y, cache = forward(X, params)
    return loss(Y, T), backward(T, params, cache)


def train(X, T, params, eta, steps, *, on_divergence="raise", callback=None):
    """Full-batch gradient descent on the two-layer network.

    Each step is one forward pass, one backward pass and the update
    ``P <- P - eta * dP`` of all four parameters (chapter 1's rule). The
    loss of the forward pass is recorded, so ``steps`` updates cost
    ``steps + 1`` forward passes.

    Parameters
    ----------
    X : array_like of shape (n, d_in)
    T : array_like of shape (n, d_out)
    params : Params
        The starting point (not modified).
    eta : float
        The learning rate, > 0.
    steps : int
        The number of updates, >= 1.
    on_divergence : {"raise", "stop"}, default "raise"
        What to do when the loss or a parameter becomes NaN or infinite:
        raise :class:`bplib.linear.DivergenceError` (its ``history`` is a
        :class:`History`), or return the history so far with
        ``diverged_at`` set. No overflow warning is emitted either way.
    callback : callable, optional
        Called as ``callback(step, params, loss)`` after the forward pass of
        every step ``0, ..., steps``; for progress reports or recording.

    Returns
    -------
    History
        The final parameters and ``steps + 1`` losses.
    """
    params = _check_params(params)
    X = _check_inputs(X, params.W1)
    T = _check_target(T, np.empty((len(X), params.W2.shape[1])))
    eta = check_positive(eta, "eta")
    steps = check_positive_int(steps, "steps")
    check_on_divergence(on_divergence)
    losses, candidate = [], params
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            finite = all(np.isfinite(P).all() for P in candidate)
            if finite:
                Y, cache = forward(X, candidate)
                current = _loss(Y, T)  # NaN when huge weights give inf - inf in Z1
            if not (finite and np.isfinite(current)):
                history = History(params, np.array(losses), step)
                if on_divergence == "raise":
                    raise DivergenceError(step, eta, history)
                return history
            params = candidate
            losses.append(current)
            if callback is not None:
                callback(step, params, current)
            if step < steps:
                grads = backward(T, params, cache)
                candidate = Params(*(P - eta * dP for P, dP in zip(params, grads)))
    return History(params, np.array(losses))
