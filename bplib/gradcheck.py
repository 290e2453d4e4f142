"""Gradient checking: compare an analytic gradient with central differences.

Chapter 2 of the book (the sigmoid neuron). A hand-derived gradient is
trusted only after it agrees with a numerical one. :func:`numerical_gradient`
estimates the gradient of a scalar function of an array by central
differences, :eq:`eq-central-difference`; :func:`check_gradient` (one array)
and :func:`check_gradients` (several named arrays, e.g. ``W1, b1, W2, b2``)
compare it entry by entry with the analytic gradient through the relative
error :eq:`eq-relative-error` and report the worst entry.

How to read the relative error in float64, with the default ``h = 1e-6``:

* below ``1e-7``: the gradient is right (typical values are 1e-11 to 1e-8);
* ``1e-7`` to ``1e-4``: look closer; round-off in entries whose gradient is
  tiny compared with the function's value, or a kink (ReLU at 0) within
  ``h`` of the point, produce such values;
* above ``1e-4``: almost surely a bug (a wrong formula is typically off by
  1e-2 to 1).

The default pass threshold ``tol = 1e-6`` lies inside the second band, one
decade above its lower edge: a pass rules out a wrong formula, but an error
between ``1e-7`` and ``tol`` passes although it deserves a look, and one
between ``tol`` and ``1e-4`` fails without proving a bug.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import check_positive

__all__ = [
    "GradCheckResult",
    "numerical_gradient",
    "relative_error",
    "check_gradient",
    "check_gradients",
]

_TINY = np.finfo(np.float64).tiny


def _check_param(x, name):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"{name} must be a float64 NumPy array (it is perturbed in place "
            f"and restored), got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
            + "; convert it with np.array(..., dtype=float)"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: it is perturbed in place")


def _scalar(value, name, index):
    value = np.asarray(value)
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise TypeError(
            f"f must return a single real number, got {type(value).__name__} "
            f"of shape {value.shape} and dtype {value.dtype}"
        )
    value = float(value.reshape(()))
    if not np.isfinite(value):
        raise ValueError(f"f returned {value} when {name}{list(index)} was perturbed")
    return value


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of a scalar function,
    :eq:`eq-central-difference`.

    Each entry of ``x`` in turn is moved to ``x + h`` and ``x - h``, ``f`` is
    evaluated at both, and the entry is restored (also if ``f`` raises). The
    cost is ``2 * x.size`` evaluations of ``f``: fine for checking, far too
    slow for training.

    Parameters
    ----------
    f : callable
        Called as ``f(x)``; returns a real number. It may instead ignore its
        argument and read ``x`` from a closure: ``x`` is changed in place.
    x : ndarray of float64, any shape
        The point; unchanged on return.
    h : float, default 1e-6
        The step, > 0. Its truncation error is :math:`O(h^2)` and its
        round-off error about :math:`\\epsilon |f| / h`; 1e-6 to 1e-5 balance
        the two in float64.

    Returns
    -------
    ndarray of the shape of ``x``

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: float(np.sum(x ** 3))
    >>> g = numerical_gradient(f, np.array([1.0, 2.0]))
    >>> np.round(g, 6)  # 3 x^2
    array([ 3., 12.])
    """
    _check_param(x, "x")
    h = check_positive(h, "h")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        try:
            x[index] = old + h
            f_plus = _scalar(f(x), "x", index)
            x[index] = old - h
            f_minus = _scalar(f(x), "x", index)
        finally:
            x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)  # eq-central-difference
    return grad


def relative_error(analytic, numerical):
    """Entrywise relative error, :eq:`eq-relative-error`.

    :math:`|a - n| / \\max(|a| + |n|, \\text{tiny})`: 0 when they agree, 1
    when they differ in sign or one is 0, scale-free in between. ``tiny``,
    the smallest normal float64, only guards 0/0 (which counts as agreement).

    Parameters
    ----------
    analytic, numerical : array_like of the same shape

    Returns
    -------
    ndarray of that shape, values in [0, 1]
    """
    a, n = np.asarray(analytic, float), np.asarray(numerical, float)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), _TINY)  # eq-relative-error


@dataclass(frozen=True)
class GradCheckResult:
    """The outcome of a gradient check: where the two gradients disagree most.

    Attributes
    ----------
    max_relative_error : float
        The largest entrywise :eq:`eq-relative-error` over all arrays.
    name : str
        The array holding that entry.
    index : tuple of int
        Its position in that array.
    analytic, numerical : float
        The two gradients at that entry.
    errors : dict of str to float
        The largest relative error in each array.
    tol : float
        The threshold ``passed`` is judged by.
    """

    max_relative_error: float
    name: str
    index: tuple
    analytic: float
    numerical: float
    errors: dict
    tol: float

    @property
    def passed(self):
        """True when ``max_relative_error <= tol``."""
        return self.max_relative_error <= self.tol

    def __repr__(self):
        where = f"{self.name}[{', '.join(map(str, self.index))}]"
        return (
            f"GradCheckResult(passed={self.passed}, max_relative_error="
            f"{self.max_relative_error:.1e} at {where}: analytic="
            f"{self.analytic:.6g}, numerical={self.numerical:.6g}, tol={self.tol:g})"
        )


def check_gradients(f, grads, params, *, h=1e-6, tol=1e-6):
    """Check the analytic gradients of ``f`` with respect to several arrays.

    Parameters
    ----------
    f : callable
        Called as ``f(params)``; returns a real number.
    grads : dict of str to array_like, or callable
        The analytic gradient of each array, keyed like ``params`` and of the
        same shapes; or a function returning that dict when called as
        ``grads(params)`` (evaluated once, before any perturbation).
    params : dict of str to ndarray of float64
        The point, e.g. ``{"W": W, "b": b}``. Each array is perturbed in
        place, one entry at a time, and restored.
    h : float, default 1e-6
        The central-difference step.
    tol : float, default 1e-6
        The largest relative error that passes (see the module notes).

    Returns
    -------
    GradCheckResult

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> result = check_gradients(lambda p: float(p["w"] @ p["w"]), {"w": 2 * params["w"]},
    ...                          params)
    >>> result.passed
    True
    """
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays, got {type(params).__name__}")
    for name, x in params.items():
        _check_param(x, f"params[{name!r}]")
    grads = grads(params) if callable(grads) else grads
    if not isinstance(grads, dict) or set(grads) != set(params):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise ValueError(f"grads must be a dict with the keys {sorted(params)}, got {got}")
    tol = check_positive(tol, "tol")
    worst, errors = None, {}
    for name, x in params.items():
        analytic = np.asarray(grads[name], dtype=float)
        if analytic.shape != x.shape:
            raise ValueError(
                f"grads[{name!r}] must have the shape of params[{name!r}], "
                f"{x.shape}, got {analytic.shape}"
            )
        numerical = numerical_gradient(lambda _: f(params), x, h)
        rel = relative_error(analytic, numerical)
        index = np.unravel_index(np.argmax(rel), rel.shape)
        errors[name] = float(rel[index])
        if worst is None or errors[name] > worst[0]:
            worst = (errors[name], name, index, analytic[index], numerical[index])
    err, name, index, a, n = worst
    index = tuple(int(i) for i in index)
    return GradCheckResult(err, name, index, float(a), float(n), errors, tol)


def check_gradient(f, grad, x, *, h=1e-6, tol=1e-6):
    """Check the analytic gradient of ``f`` with respect to one array ``x``.

    Parameters
    ----------
    f : callable
        Called as ``f(x)``; returns a real number.
    grad : array_like or callable
        The analytic gradient at ``x`` (the shape of ``x``), or a function
        returning it when called as ``grad(x)``.
    x : ndarray of float64
        The point; perturbed in place during the check and restored.
    h, tol : float
        As in :func:`check_gradients`.

    Returns
    -------
    GradCheckResult
        With ``name == "x"``.
    """
    _check_param(x, "x")
    analytic = grad(x) if callable(grad) else grad
    return check_gradients(lambda p: f(p["x"]), {"x": analytic}, {"x": x}, h=h, tol=tol)
