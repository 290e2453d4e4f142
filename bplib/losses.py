"""Loss functions and their gradients: squared error and binary cross-entropy.

Chapter 2 of the book (the sigmoid neuron). Row convention: outputs ``Y`` and
targets ``T`` have shape ``(n, k)``, one example per row, and every loss is an
average over the ``n`` rows (a sum over the ``k`` columns). Each gradient has
the shape of the array it differentiates with respect to and carries the
loss's ``1/n``.

Shapes must agree exactly: a target of shape ``(n,)`` against an output of
shape ``(n, 1)`` is an error, not a silent broadcast to ``(n, n)``. Targets
must be finite; an output may hold inf or NaN (a network that overflowed),
which propagate into the loss as they do through the activations.

For a sigmoid output prefer the cross-entropy computed from the logits ``Z``
(:func:`binary_cross_entropy_with_logits`): its terms never overflow (the
sum of them does only when it exceeds the largest float, for logits near
``np.finfo(float).max``), it never takes ``log(0)``, and its gradient is
simply ``(sigmoid(Z) - T) / n``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_positive, check_same_shape, lookup
from .activations import sigmoid, softplus

__all__ = [
    "Loss",
    "LOSSES",
    "get_loss",
    "squared_error",
    "squared_error_gradient",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_gradient",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
]


def _check_pair(Y, T, name="Y", unit_interval=()):
    """Both as float64, ``Y`` 2-D, shapes equal; ``unit_interval`` names the
    arguments whose entries must lie in [0, 1]. The output may hold inf or
    NaN (an overflowed network's): they propagate into the loss."""
    Y = as_float_array(Y, name, ndim=2, finite=False)
    T = as_float_array(T, "T")
    check_same_shape(Y, T, (name, "T"))
    for label, arr in ((name, Y), ("T", T)):
        if label in unit_interval and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(
                f"{label} must lie in [0, 1], got values from {arr.min():g} "
                f"to {arr.max():g}"
            )
    return Y, T


def squared_error(Y, T):
    """Half the mean squared error, :eq:`eq-mse`.

    :math:`\\mathcal{L} = \\frac{1}{2n}\\sum_{i,j} (y_{ij} - t_{ij})^2`: the
    sum runs over all entries, the average over the ``n`` rows. The ``1/2``
    cancels the 2 of the derivative (see :func:`squared_error_gradient`).

    Parameters
    ----------
    Y : array_like of shape (n, k)
        Outputs.
    T : array_like of shape (n, k)
        Targets.

    Returns
    -------
    float

    Examples
    --------
    >>> squared_error([[1.0], [3.0]], [[0.0], [1.0]])  # (1 + 4) / (2 * 2)
    1.25
    """
    Y, T = _check_pair(Y, T)
    return float(np.sum((Y - T) ** 2) / (2 * len(Y)))  # eq-mse


def squared_error_gradient(Y, T):
    """Gradient of :func:`squared_error` with respect to ``Y``,
    :eq:`eq-mse-grad`: :math:`(Y - T)/n`.

    With the other common scaling, :math:`\\frac{1}{n}\\sum (y - t)^2`
    (no half), the gradient would be :math:`2(Y - T)/n`.

    Parameters
    ----------
    Y, T : array_like of shape (n, k)

    Returns
    -------
    dY : ndarray of shape (n, k)

    Examples
    --------
    >>> squared_error_gradient([[1.0], [3.0]], [[0.0], [1.0]])
    array([[0.5],
           [1. ]])
    """
    Y, T = _check_pair(Y, T)
    return (Y - T) / len(Y)  # eq-mse-grad


def binary_cross_entropy_with_logits(Z, T):
    """Binary cross-entropy of ``sigmoid(Z)`` against ``T``, from the logits,
    :eq:`eq-bce-logit`.

    :math:`\\mathcal{L} = \\frac{1}{n}\\sum_{i,j}
    \\left[\\operatorname{softplus}(z_{ij}) - t_{ij}\\,z_{ij}\\right]`, equal
    to the cross-entropy :eq:`eq-bce` of :math:`Y = \\sigma(Z)` but stable:
    the softplus is evaluated by ``np.logaddexp``, so ``|Z| = 1000`` gives a
    finite loss and no warning.

    Parameters
    ----------
    Z : array_like of shape (n, k)
        Logits (pre-activations of the sigmoid output).
    T : array_like of shape (n, k)
        Targets in [0, 1] (usually 0 or 1).

    Returns
    -------
    float

    Examples
    --------
    >>> round(binary_cross_entropy_with_logits([[0.0]], [[1.0]]), 6)  # log 2
    0.693147
    >>> binary_cross_entropy_with_logits([[-1000.0]], [[1.0]])  # no warning
    1000.0
    """
    Z, T = _check_pair(Z, T, "Z", unit_interval=("T",))
    return float(np.sum(softplus(Z) - T * Z) / len(Z))  # eq-bce-logit


def binary_cross_entropy_with_logits_gradient(Z, T):
    """Gradient of :func:`binary_cross_entropy_with_logits` with respect to
    the logits ``Z``, :eq:`eq-bce-grad`: :math:`(\\sigma(Z) - T)/n`.

    The sigmoid's derivative has cancelled: no factor
    :math:`\\sigma'(Z)` appears, so a saturated, wrong output still gets a
    large gradient.

    Parameters
    ----------
    Z, T : array_like of shape (n, k)

    Returns
    -------
    dZ : ndarray of shape (n, k)

    Examples
    --------
    >>> Z, T = [[0.0], [0.0]], [[1.0], [0.0]]
    >>> binary_cross_entropy_with_logits_gradient(Z, T)
    array([[-0.25],
           [ 0.25]])
    """
    Z, T = _check_pair(Z, T, "Z", unit_interval=("T",))
    return (sigmoid(Z) - T) / len(Z)  # eq-bce-grad


def binary_cross_entropy(Y, T, eps=1e-12):
    """Binary cross-entropy of probabilities ``Y``, :eq:`eq-bce`, clipped.

    :math:`\\mathcal{L} = -\\frac{1}{n}\\sum_{i,j}
    \\left[t_{ij}\\log y_{ij} + (1 - t_{ij})\\log(1 - y_{ij})\\right]`, with
    ``Y`` clipped to ``[eps, 1 - eps]`` so that ``log(0)`` never happens. The
    clipping caps each term at ``-log(eps)`` (about 27.6 for the default),
    so a confidently wrong output is under-penalised; when the logits are at
    hand use :func:`binary_cross_entropy_with_logits` instead.

    Parameters
    ----------
    Y : array_like of shape (n, k)
        Probabilities in [0, 1].
    T : array_like of shape (n, k)
        Targets in [0, 1].
    eps : float, default 1e-12
        The clipping margin, in (0, 0.5): clipping to ``[eps, 1 - eps]``
        needs ``eps < 1 - eps``; a larger ``eps`` inverts the range and
        ``np.clip`` would then return ``1 - eps`` for every entry (a wrong
        loss, not an error).

    Returns
    -------
    float
    """
    Y, T = _check_pair(Y, T, unit_interval=("Y", "T"))
    Y = np.clip(Y, _check_eps(eps), 1.0 - eps)
    total = T * np.log(Y) + (1.0 - T) * np.log1p(-Y)  # eq-bce
    return float(-np.sum(total) / len(Y))


def binary_cross_entropy_gradient(Y, T, eps=1e-12):
    """Gradient of :func:`binary_cross_entropy` with respect to ``Y``,
    :eq:`eq-bce-dy`: :math:`\\frac{Y - T}{Y(1 - Y)}/n`, with ``Y`` clipped as
    in the loss.

    This is :math:`\\partial\\mathcal{L}/\\partial Y`, not the delta:
    multiplied by :math:`\\sigma'(Z) = Y(1 - Y)` it gives the gradient with
    respect to the logits, which
    :func:`binary_cross_entropy_with_logits_gradient` computes directly.
    Near 0 or 1 the division is ill-conditioned, another reason to work from
    the logits.

    Parameters
    ----------
    Y, T : array_like of shape (n, k)
    eps : float, default 1e-12
        The clipping margin, in (0, 0.5), as in :func:`binary_cross_entropy`.

    Returns
    -------
    dY : ndarray of shape (n, k)

    Examples
    --------
    >>> binary_cross_entropy_gradient([[0.5]], [[1.0]])  # (0.5 - 1) / 0.25
    array([[-2.]])
    """
    Y, T = _check_pair(Y, T, unit_interval=("Y", "T"))
    Y = np.clip(Y, _check_eps(eps), 1.0 - eps)
    return (Y - T) / (Y * (1.0 - Y)) / len(Y)  # eq-bce-dy


def _check_eps(eps):
    """The clipping margin: a number in (0, 0.5), else ``[eps, 1 - eps]`` is empty."""
    eps = check_positive(eps, "eps")
    if not eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5) so that [eps, 1 - eps] is a "
                         f"range, got {eps!r}")
    return eps


@dataclass(frozen=True)
class Loss:
    """A loss and its gradient, called as ``f(output, T)``; unpacks as
    ``loss, gradient = get_loss(name)``.

    Attributes
    ----------
    function, gradient : callable
        The loss (a float) and its gradient with respect to the output.
    logits_for : str or None
        None when the output is the network's output ``Y``; otherwise the
        name of the output activation whose logits ``Z`` the loss takes
        instead (it folds that activation in: ``"sigmoid"`` for
        :func:`binary_cross_entropy_with_logits`), and ``gradient`` is then
        the output delta itself.
    """

    function: Callable
    gradient: Callable
    logits_for: str | None = None

    def __iter__(self):
        return iter((self.function, self.gradient))


LOSSES = {
    "squared_error": Loss(squared_error, squared_error_gradient),
    "binary_cross_entropy": Loss(binary_cross_entropy, binary_cross_entropy_gradient),
    "binary_cross_entropy_with_logits": Loss(
        binary_cross_entropy_with_logits,
        binary_cross_entropy_with_logits_gradient,
        logits_for="sigmoid",
    ),
}
"""dict of str to Loss: every loss of this module, by name."""


def get_loss(name):
    """Look up a loss and its gradient by name.

    Parameters
    ----------
    name : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or
        ``"binary_cross_entropy_with_logits"``.

    Returns
    -------
    Loss
        Unpacks as ``(loss, gradient)``.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is unknown; the message lists the known names.
    """
    return lookup(LOSSES, name, "loss", "losses")
