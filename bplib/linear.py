"""The linear neuron: model, squared-error loss, gradient and gradient descent.

Chapter 1 of the book. A linear neuron maps a batch ``X`` of shape ``(n, d)``
to outputs ``Y = X @ W + b`` of shape ``(n, 1)``; its loss is the mean squared
error with a factor one half, so that its gradient is ``X.T @ (Y - T) / n``.
Training that diverges stops at the first step whose loss is not finite and
says so, either by raising :class:`DivergenceError` or, on request, by
returning a :class:`History` flagged with the step.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import (
    as_float_array,
    check_bool,
    check_on_divergence,
    check_positive,
    check_positive_int,
    check_rng,
    check_same_shape,
)

__all__ = [
    "DivergenceError",
    "check_data",
    "History",
    "predict",
    "loss",
    "gradient",
    "hessian",
    "least_squares",
    "max_stable_eta",
    "gradient_descent",
    "lms",
]


class DivergenceError(FloatingPointError):
    """Training stopped because the loss became NaN or infinite.

    Attributes
    ----------
    step : int
        The first step whose loss was not finite (step 0 is the start).
    history : object
        The training history up to, but not including, that step: a
        :class:`History` here, or the history type of the training loop that
        raised (e.g. :class:`bplib.two_layer.History`).
    """

    def __init__(self, step, eta, history):
        hint = ("the data or the starting parameters are too large for float64"
                if step == 0 else "try a smaller learning rate")
        super().__init__(
            f"training diverged: the loss became non-finite at step {step} "
            f"(eta={eta:g}); {hint}"
        )
        self.step, self.history = step, history


@dataclass(frozen=True)
class History:
    """Weights and loss recorded at every step of training.

    Attributes
    ----------
    W : ndarray of shape (k + 1, d, 1)
        ``W[0]`` is the start, ``W[i]`` the weights after ``i`` updates.
    b : ndarray of shape (k + 1, 1) or None
        The bias at every step, or None for a model without bias.
    loss : ndarray of shape (k + 1,)
        The full-batch loss :eq:`eq-linear-loss` at every recorded step.
    diverged_at : int or None
        The step at which the loss became non-finite, or None. Set only by
        ``on_divergence="stop"``; the arrays then end just before that step.
    """

    W: np.ndarray
    b: np.ndarray | None
    loss: np.ndarray
    diverged_at: int | None = None


def _check_model(X, W, b):
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    if W.shape != (X.shape[1], 1):
        raise ValueError(
            f"W must have shape ({X.shape[1]}, 1) for X with {X.shape[1]} "
            f"features, got W.shape={W.shape}"
        )
    if b is not None:
        b = as_float_array(b, "b", ndim=1)
        if b.shape != (1,):
            raise ValueError(f"b must have shape (1,), got b.shape={b.shape}")
    return X, W, b


def check_data(X, T, W, b):
    """``X, T, W, b`` as float64 arrays of matching shapes, or a clear error
    naming the argument (``b`` may be None)."""
    X, W, b = _check_model(X, W, b)
    T = as_float_array(T, "T", ndim=(1, 2))
    if T.shape != (len(X), 1):
        hint = f"; reshape it with T.reshape({len(X)}, 1)" if T.size == len(X) else ""
        raise ValueError(
            f"T must have shape ({len(X)}, 1), one target per row of X, "
            f"got T.shape={T.shape}{hint}"
        )
    return X, T, W, b


def predict(X, W, b=None):
    """Outputs of the linear neuron, :eq:`eq-linear-model`.

    Parameters
    ----------
    X : array_like of shape (n, d)
        One example per row.
    W : array_like of shape (d, 1)
        The weights.
    b : array_like of shape (1,), optional
        The bias; omitted for a neuron without bias.

    Returns
    -------
    Y : ndarray of shape (n, 1)

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]])
    >>> predict(X, W, np.array([0.5]))
    array([[11.5]])
    """
    X, W, b = _check_model(X, W, b)
    Y = X @ W  # eq-linear-model
    return Y if b is None else Y + b


def loss(Y, T):
    """Half the mean squared error, :eq:`eq-linear-loss`.

    Parameters
    ----------
    Y, T : array_like of shape (n, 1)
        Outputs and targets; their shapes must agree exactly.

    Returns
    -------
    float
        :math:`\\frac{1}{2n}\\sum_i (y_i - t_i)^2`.
    """
    Y = as_float_array(Y, "Y", ndim=2)
    T = as_float_array(T, "T", ndim=(1, 2))
    check_same_shape(Y, T)
    return float(np.sum((Y - T) ** 2) / (2 * len(Y)))  # eq-linear-loss


def gradient(X, T, W, b=None):
    """Gradient of the loss with respect to the weights, :eq:`eq-linear-grad`.

    Parameters
    ----------
    X : array_like of shape (n, d)
    T : array_like of shape (n, 1)
    W : array_like of shape (d, 1)
    b : array_like of shape (1,), optional

    Returns
    -------
    dW : ndarray of shape (d, 1)
        :math:`X^\\top (Y - T) / n`.
    db : ndarray of shape (1,) or None
        The column sum of :math:`(Y - T)/n`; None when ``b`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> X, T = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[1.0], [2.0]])
    >>> dW, db = gradient(X, T, np.zeros((2, 1)))  # X.T @ (X @ W - T) / n
    >>> dW, db
    (array([[-0.5],
           [-2. ]]), None)
    """
    X, T, W, b = check_data(X, T, W, b)
    return _gradient(X, T, W, b)


def _gradient(X, T, W, b):
    E = X @ W - T if b is None else X @ W + b - T  # the errors Y - T
    dW = X.T @ E / len(X)  # eq-linear-grad
    return dW, (None if b is None else E.sum(axis=0) / len(X))


def _augment(X, bias):
    bias = check_bool(bias, "bias")
    return np.hstack([X, np.ones((len(X), 1))]) if bias else X


def hessian(X, bias=False):
    """Hessian of the loss, :eq:`eq-linear-hessian`; it does not depend on W.

    Parameters
    ----------
    X : array_like of shape (n, d)
    bias : bool, default False
        If True, a column of ones is appended to ``X`` (the bias is a weight
        on a constant input) and the result is ``(d + 1, d + 1)``.

    Returns
    -------
    H : ndarray of shape (d, d) or (d + 1, d + 1)
        :math:`X^\\top X / n`, symmetric positive semi-definite.
    """
    X = _augment(as_float_array(X, "X", ndim=2), bias)
    return X.T @ X / len(X)  # eq-linear-hessian


def max_stable_eta(X, bias=False):
    """The learning rate above which gradient descent diverges,
    :eq:`eq-linear-threshold`: :math:`2/\\lambda_{\\max}` of the Hessian.

    Returns ``inf`` (a float, without a warning) when the loss has no
    curvature, e.g. every row of ``X`` is zero: then no learning rate
    diverges. The same holds when :math:`2/\\lambda_{\\max}` exceeds the
    largest float."""
    lam_max = np.linalg.eigvalsh(hessian(X, bias))[-1]
    if lam_max <= 0:
        return float("inf")  # a flat bowl: every eta is stable
    with np.errstate(over="ignore"):  # a threshold beyond the largest float is inf
        return float(2.0 / lam_max)  # eq-linear-threshold


def least_squares(X, T):
    """The weights at the bottom of the bowl (no bias), found directly.

    Solves the normal equations :eq:`eq-linear-normal` in the least-squares
    sense, so a flat bowl gets its minimum-norm minimiser.

    Returns
    -------
    W : ndarray of shape (d, 1)
    """
    X, T, _, _ = check_data(X, T, np.zeros((np.shape(X)[1], 1)), None)
    return np.linalg.lstsq(X, T, rcond=None)[0]  # eq-linear-normal


def _train(X, T, W, b, eta, updates, on_divergence):
    """Run ``updates`` (an iterable of row-index arrays); record each step."""
    check_on_divergence(on_divergence)
    with np.errstate(over="ignore", invalid="ignore"):
        start = _loss(X, T, W, b)
        if not np.isfinite(start):  # huge data: not finite before any update
            history = History(np.empty((0,) + W.shape),
                              None if b is None else np.empty((0,) + b.shape),
                              np.empty(0), 0)
            if on_divergence == "raise":
                raise DivergenceError(0, eta, history)
            return history
        Ws, bs, losses = [W], [b], [start]
        for step, rows in enumerate(updates, start=1):
            dW, db = _gradient(X[rows], T[rows], W, b)
            W = W - eta * dW  # eq-linear-gd-update (eq-linear-lms for one row)
            b = None if b is None else b - eta * db
            current = _loss(X, T, W, b)
            if not np.isfinite(current):
                history = _history(Ws, bs, losses, step)
                if on_divergence == "raise":
                    raise DivergenceError(step, eta, history)
                return history
            Ws.append(W)
            bs.append(b)
            losses.append(current)
    return _history(Ws, bs, losses, None)


def _loss(X, T, W, b):
    E = X @ W - T if b is None else X @ W + b - T
    return float(np.sum(E * E) / (2 * len(X)))


def _history(Ws, bs, losses, diverged_at):
    b = None if bs[0] is None else np.array(bs)
    return History(np.array(Ws), b, np.array(losses), diverged_at)


def gradient_descent(X, T, W0, eta, steps, b0=None, *, on_divergence="raise"):
    """Full-batch gradient descent, :eq:`eq-linear-gd-update`.

    Parameters
    ----------
    X : array_like of shape (n, d)
    T : array_like of shape (n, 1)
    W0 : array_like of shape (d, 1)
        The starting weights (not modified).
    eta : float
        The learning rate, > 0.
    steps : int
        The number of updates, >= 1.
    b0 : array_like of shape (1,), optional
        The starting bias; omit it to train a neuron without bias.
    on_divergence : {"raise", "stop"}, default "raise"
        What to do when the loss becomes NaN or infinite: raise
        :class:`DivergenceError`, or return the history so far with
        ``diverged_at`` set. No overflow warning is emitted either way.

    Returns
    -------
    History
        ``steps + 1`` weights and losses, the start included.
    """
    X, T, W, b = check_data(X, T, W0, b0)
    eta = check_positive(eta, "eta")
    steps = check_positive_int(steps, "steps")
    everything = np.arange(len(X))
    return _train(X, T, W, b, eta, (everything for _ in range(steps)), on_divergence)


def lms(X, T, W0, eta, epochs, b0=None, *, rng=0, on_divergence="raise"):
    """The Widrow-Hoff rule: one update per example, :eq:`eq-linear-lms`.

    Each epoch visits the examples once, in an order shuffled by ``rng``. The
    parameters are those of :func:`gradient_descent`, with ``epochs`` in
    place of ``steps`` and a seed or :class:`numpy.random.Generator` ``rng``.

    Returns
    -------
    History
        ``epochs * n + 1`` weights and full-batch losses, one after every
        single-example update.
    """
    X, T, W, b = check_data(X, T, W0, b0)
    eta = check_positive(eta, "eta")
    epochs = check_positive_int(epochs, "epochs")
    rng = check_rng(rng)
    order = np.concatenate([rng.permutation(len(X)) for _ in range(epochs)])
    one_at_a_time = (order[i : i + 1] for i in range(len(order)))
    return _train(X, T, W, b, eta, one_at_a_time, on_divergence)
