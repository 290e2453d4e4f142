"""Forward-mode automatic differentiation with dual numbers.

Chapter 5 of the book, for contrast with the reverse mode of
:mod:`bplib.autodiff`. A :class:`Dual` carries a value and a tangent, the
derivative of that value along one chosen direction of the inputs,
:eq:`eq-ad-dual`; every operation updates both by the rules of calculus, so
one evaluation of a function on duals gives its value and one directional
derivative (a Jacobian-vector product)::

    x = Dual(2.0, 1.0)                 # the point 2, direction +1
    y = x * x.exp()                    # y.tangent is (1 + x) e^x at x = 2

Value and tangent are float64 arrays of the same shape (a scalar is shape
``()``); operations broadcast as NumPy does. The full gradient of a function
of ``p`` numbers takes ``p`` such passes (:func:`forward_gradient`), against
one reverse sweep in :mod:`bplib.autodiff`.
"""

import numpy as np

from . import activations
from ._validation import as_float_array, check_axis, check_bool

__all__ = ["Dual", "jvp", "forward_gradient"]


class Dual:
    """A dual number (or array of them) :math:`a + \\dot a\\,\\varepsilon`,
    with :math:`\\varepsilon^2 = 0`, :eq:`eq-ad-dual`.

    Parameters
    ----------
    value : array_like of real numbers, any shape
    tangent : array_like, default 0
        The derivative of ``value`` along the chosen direction; broadcast to
        the shape of ``value``. 0 marks a constant.

    Attributes
    ----------
    value, tangent : ndarray of float64, of the same shape
    """

    __array_ufunc__ = None  # ndarray * Dual calls Dual.__rmul__, etc.

    def __init__(self, value, tangent=0.0):
        self.value = as_float_array(value, "value", allow_empty=True,
                                    finite=False)
        tangent = as_float_array(tangent, "tangent", allow_empty=True,
                                 finite=False)
        try:
            self.tangent = np.broadcast_to(tangent, self.value.shape).copy()
        except ValueError:
            raise ValueError(f"tangent of shape {tangent.shape} does not fit "
                             f"value of shape {self.value.shape}") from None

    @classmethod
    def _make(cls, value, tangent):
        """An operation's result (no checks: NumPy made both arrays)."""
        out = cls.__new__(cls)
        out.value = value
        out.tangent = np.broadcast_to(tangent, np.shape(value))
        return out

    shape = property(lambda self: self.value.shape, doc="Shape of value.")

    def __repr__(self):
        if self.value.size > 6:
            return f"Dual(<arrays of shape {self.shape}>)"
        value, tangent = (np.array2string(a, precision=4, separator=", ")
                          for a in (self.value, self.tangent))
        return f"Dual(value={value}, tangent={tangent})"

    # Each operation computes its value, and its tangent by a rule of calculus.

    def __add__(self, other):
        other = _lift(other)
        return Dual._make(self.value + other.value,
                          self.tangent + other.tangent)  # sum rule

    def __mul__(self, other):
        other = _lift(other)
        return Dual._make(self.value * other.value,
                          self.tangent * other.value
                          + self.value * other.tangent)  # eq-ad-dual

    def __matmul__(self, other):
        other = _lift(other)
        a, b = self.shape, other.shape
        if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
            raise ValueError(f"matmul needs 2-D operands whose inner sizes "
                             f"agree, got shapes {a} @ {b}")
        return Dual._make(self.value @ other.value,
                          self.tangent @ other.value
                          + self.value @ other.tangent)  # eq-ad-dual

    def __pow__(self, p):
        if isinstance(p, Dual) or np.ndim(p) != 0:
            raise TypeError(f"the exponent must be a plain number, got "
                            f"{type(p).__name__}")
        return self._unary(lambda x: x**p, lambda x: p * x ** (p - 1))

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis``, as ``np.sum``: the tangent sums alike."""
        axis, keepdims = check_axis(axis, self.value.ndim), check_bool(keepdims, "keepdims")
        return Dual._make(self.value.sum(axis=axis, keepdims=keepdims),
                          self.tangent.sum(axis=axis, keepdims=keepdims))

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis``, as ``np.mean``."""
        axis, keepdims = check_axis(axis, self.value.ndim), check_bool(keepdims, "keepdims")
        return Dual._make(self.value.mean(axis=axis, keepdims=keepdims),
                          self.tangent.mean(axis=axis, keepdims=keepdims))

    def _unary(self, f, df):
        """Elementwise ``f`` with derivative ``df``, :eq:`eq-ad-dual`."""
        return Dual._make(f(self.value),
                          df(self.value) * self.tangent)  # eq-ad-dual

    def exp(self):
        """Elementwise :math:`e^x`."""
        return self._unary(np.exp, np.exp)

    def log(self):
        """Elementwise natural logarithm."""
        return self._unary(np.log, lambda x: 1.0 / x)

    def activation(self, name):
        """An activation of :mod:`bplib.activations`, by name."""
        return self._unary(*activations.get_activation(name))

    def sigmoid(self):
        """Elementwise logistic sigmoid."""
        return self.activation("sigmoid")

    def tanh(self):
        """Elementwise hyperbolic tangent."""
        return self.activation("tanh")

    def relu(self):
        """Elementwise :math:`\\max(0, x)`."""
        return self.activation("relu")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_lift(other))

    def __truediv__(self, other):
        return self * _lift(other) ** -1.0

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return _lift(other) - self

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __rmatmul__(self, other):
        return _lift(other) @ self


def _lift(x):
    return x if isinstance(x, Dual) else Dual(x)


def _check_params(params):
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays, got "
                        f"{type(params).__name__}")
    return {k: as_float_array(v, f"params[{k!r}]")
            for k, v in params.items()}


def jvp(f, params, tangents):
    """One forward-mode pass: the value of ``f`` and its derivative along
    ``tangents`` (a Jacobian-vector product).

    Parameters
    ----------
    f : callable
        Called as ``f(duals)`` with a dict of :class:`Dual` keyed like
        ``params``; returns a :class:`Dual`.
    params : dict of str to array_like
        The point.
    tangents : dict of str to array_like
        The direction, keyed like ``params``; a missing key means zero.

    Returns
    -------
    value, tangent : ndarray
        ``f``'s value and its directional derivative, of ``f``'s shape.
    """
    params = _check_params(params)
    unknown = set(tangents) - set(params)
    if unknown:
        raise ValueError(f"tangents has keys {sorted(unknown)} that params "
                         f"lacks ({sorted(params)})")
    out = f({k: Dual(v, tangents.get(k, 0.0)) for k, v in params.items()})
    if not isinstance(out, Dual):
        raise TypeError(f"f must return a Dual, got {type(out).__name__}")
    return out.value, np.array(out.tangent)


def forward_gradient(f, params):
    """The gradient of a scalar ``f`` by forward mode: one :func:`jvp` per
    entry of every parameter, each along a unit direction.

    Parameters
    ----------
    f : callable
        As in :func:`jvp`; must return a single number (shape ``()``).
    params : dict of str to array_like

    Returns
    -------
    grads : dict of str to ndarray
        Keyed and shaped like ``params``.
    passes : int
        The number of forward passes it took: the number of parameters.
    """
    params = _check_params(params)
    duals = {k: Dual._make(v, np.zeros_like(v)) for k, v in params.items()}
    grads = {k: np.empty_like(v) for k, v in params.items()}
    passes = 0
    for key, x in params.items():
        tangent = np.zeros_like(x)
        duals[key] = Dual._make(x, tangent)  # a view: tangent[...] = 1 shows
        for index in np.ndindex(x.shape):
            tangent[index] = 1.0  # the unit direction e_i
            out = f(duals)
            tangent[index] = 0.0
            if not isinstance(out, Dual) or np.shape(out.value) != ():
                raise ValueError("f must return a Dual holding a single "
                                 "number (shape ())")
            grads[key][index] = out.tangent
            passes += 1
        duals[key] = Dual._make(x, np.zeros_like(x))
    return grads, passes
