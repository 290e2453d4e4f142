"""Activation functions and their derivatives, looked up by name.

Chapter 2 of the book (the sigmoid neuron). Every activation ``f`` comes with
its derivative ``f'``, and both take the **pre-activation** ``Z`` (the
weighted input ``Z = A_prev @ W + b``), not the activation ``A = f(Z)``::

    f, df = get_activation("sigmoid")
    A = f(Z)
    dZ = dA * df(Z)          # the chain rule through the activation

All functions act elementwise on arrays of any shape, return new float64
arrays, and are numerically stable: no overflow warning and no NaN for finite
input of any size (``sigmoid(-1000.0)`` is ``0.0``, quietly). Infinite input
gives the function's limit; NaN propagates.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, lookup

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "relu",
    "relu_derivative",
    "identity",
    "identity_derivative",
    "softplus",
    "softplus_derivative",
]


def _as_array(Z):
    # Any shape, non-finite values allowed (they propagate); strings rejected.
    return as_float_array(Z, "Z", allow_empty=True, finite=False)


def sigmoid(Z):
    """The logistic sigmoid, :eq:`eq-sigmoid`, computed without overflow.

    For :math:`z \\ge 0` it evaluates :math:`1/(1 + e^{-z})`; for
    :math:`z < 0` the equal form :math:`e^{z}/(1 + e^{z})`. Either way the
    exponential is of :math:`-|z| \\le 0` and lies in (0, 1].

    Parameters
    ----------
    Z : array_like of any shape
        Pre-activations.

    Returns
    -------
    ndarray of the shape of ``Z``
        Values in [0, 1] (exactly 0 or 1 only where float64 cannot tell).

    Examples
    --------
    >>> sigmoid([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    """
    Z = _as_array(Z)
    E = np.exp(-np.abs(Z))  # e^{-|z|} in (0, 1]: cannot overflow
    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))  # eq-sigmoid


def sigmoid_derivative(Z):
    """Derivative of the sigmoid at the pre-activation ``Z``,
    :eq:`eq-sigmoid-derivative`: :math:`\\sigma(z)\\,(1 - \\sigma(z))`.

    Parameters
    ----------
    Z : array_like of any shape
        Pre-activations (not the sigmoid's output).

    Returns
    -------
    ndarray of the shape of ``Z``
        Values in [0, 1/4], largest at ``Z = 0``; symmetric in ``Z``.

    Examples
    --------
    >>> sigmoid_derivative([0.0, 40.0])
    array([2.50000000e-01, 4.24835426e-18])
    """
    Z = _as_array(Z)
    # 1 - sigmoid(Z) equals sigmoid(-Z), which stays accurate where
    # sigmoid(Z) rounds to 1 (z > 37): the product keeps its tiny tail.
    return sigmoid(Z) * sigmoid(-Z)  # eq-sigmoid-derivative


def tanh(Z):
    """The hyperbolic tangent, :eq:`eq-tanh`: a sigmoid rescaled to (-1, 1).

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    ndarray of the shape of ``Z``
    """
    return np.tanh(_as_array(Z))  # eq-tanh (np.tanh is stable)


def tanh_derivative(Z):
    """Derivative of tanh at ``Z``, :eq:`eq-tanh-derivative`:
    :math:`1 - \\tanh^2 z`, in [0, 1].

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    ndarray of the shape of ``Z``

    Examples
    --------
    >>> tanh_derivative([0.0])
    array([1.])
    """
    return 1.0 - np.tanh(_as_array(Z)) ** 2  # eq-tanh-derivative


def relu(Z):
    """The rectified linear unit, :eq:`eq-relu`: :math:`\\max(0, z)`.

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    ndarray of the shape of ``Z``

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return np.maximum(_as_array(Z), 0.0)  # eq-relu


def relu_derivative(Z):
    """Derivative of ReLU at ``Z``, :eq:`eq-relu`: 1 where ``Z > 0``, else 0.

    At the kink ``Z = 0`` the derivative does not exist; like most libraries
    we return 0 there (any value in [0, 1] is a valid subgradient).

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    ndarray of the shape of ``Z``
    """
    return (_as_array(Z) > 0).astype(np.float64)  # eq-relu


def identity(Z):
    """The identity, :math:`f(z) = z` (a linear neuron's "activation").

    Returns a copy, so that changing the output never changes ``Z``.
    """
    return _as_array(Z).copy()


def identity_derivative(Z):
    """Derivative of the identity: an array of ones shaped like ``Z``."""
    return np.ones_like(_as_array(Z))


def softplus(Z):
    """The softplus :math:`\\log(1 + e^{z})`, :eq:`eq-softplus`, a smooth ReLU.

    Computed as ``np.logaddexp(0, Z)``, which never overflows: at
    ``Z = 1000`` it returns 1000.0, at ``Z = -1000`` it returns 0.0.

    Parameters
    ----------
    Z : array_like of any shape

    Returns
    -------
    ndarray of the shape of ``Z``

    Examples
    --------
    >>> softplus([-1000.0, 1000.0])
    array([   0., 1000.])
    """
    return np.logaddexp(0.0, _as_array(Z))  # eq-softplus


def softplus_derivative(Z):
    """Derivative of the softplus: the sigmoid, :math:`\\sigma(z)`."""
    return sigmoid(Z)


@dataclass(frozen=True)
class Activation:
    """An activation, its derivative, and what the backward passes may reuse.

    Unpacks as ``f, df = get_activation(name)``.

    Attributes
    ----------
    function, derivative : callable
        :math:`f` and :math:`f'`, both of the pre-activation ``Z``.
    derivative_from_output : callable or None
        :math:`f'(Z)` computed from the output :math:`A = f(Z)`, for the
        activations where that gives the very same numbers and saves
        computing ``f`` again (the backward passes keep ``A``); None
        otherwise. The sigmoid has none on purpose:
        :math:`\\sigma(z)\\sigma(-z)` from ``Z`` keeps its tail where
        :math:`A` rounds to 1.
    """

    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray] | None = None

    def __iter__(self):
        return iter((self.function, self.derivative))


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_derivative),
    "tanh": Activation(tanh, tanh_derivative,
                       lambda A: 1.0 - A * A),  # eq-tanh-derivative
    "relu": Activation(relu, relu_derivative,
                       lambda A: (A > 0).astype(np.float64)),  # eq-relu
    "identity": Activation(identity, identity_derivative, np.ones_like),
    "softplus": Activation(softplus, softplus_derivative),
}
"""dict of str to Activation: every activation in ``bplib``, by name."""


def get_activation(name):
    """Look up an activation and its derivative by name.

    Parameters
    ----------
    name : str
        One of the keys of ``ACTIVATIONS``: ``"sigmoid"``, ``"tanh"``,
        ``"relu"``, ``"identity"``, ``"softplus"``.

    Returns
    -------
    Activation
        Unpacks as ``(function, derivative)``; both take the
        pre-activation.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is unknown; the message lists the known names.

    Examples
    --------
    >>> f, df = get_activation("tanh")
    >>> f([0.5]), df([0.5])
    (array([0.46211716]), array([0.78644773]))
    >>> get_activation("tanh").derivative_from_output(f([0.5]))
    array([0.78644773])
    """
    return lookup(ACTIVATIONS, name, "activation")
