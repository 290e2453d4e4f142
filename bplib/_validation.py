"""Input checks shared by the public entry points of ``bplib``.

Every message names the argument, says what was expected and what was
received, in the manner of scikit-learn. These run once per public call, never
inside a hot loop.
"""

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "check_bool",
    "check_axis",
    "check_positive",
    "check_non_negative",
    "check_positive_int",
    "check_same_shape",
    "check_rng",
    "check_on_divergence",
    "lookup",
]


def as_float_array(x, name, *, ndim=None, allow_empty=False, finite=True):
    """Return ``x`` as a float64 array, or raise a clear error.

    Parameters
    ----------
    x : array_like
        The value to check.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        The allowed number(s) of dimensions.
    allow_empty : bool, default False
        Whether an array with a zero-length axis is acceptable.
    finite : bool, default True
        Whether to reject NaN and infinite entries.

    Returns
    -------
    ndarray of float64
        A new array when a conversion was needed, otherwise ``x`` itself
        (never modified).
    """
    arr = x if type(x) is np.ndarray else np.asarray(x)
    if arr.dtype != np.float64:  # the common case, float64 already, costs nothing
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} must hold real numbers, got an array of dtype "
                f"{arr.dtype} (e.g. strings or objects)"
            )
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}, got a {arr.ndim}-D array of shape "
                f"{arr.shape}"
            )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must be finite, got {bad} NaN or infinite "
            f"entr{'y' if bad == 1 else 'ies'}"
        )
    return arr


def _to_float(value, requirement):
    """``float(value)``; an int beyond float64's range (e.g. ``10**400``) is
    reported as ``"<requirement>, got an integer of <k> digits ..."``."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(
            f"{requirement}, got an integer of {len(str(abs(value)))} digits, "
            "too large for a float"
        ) from None


def check_positive(value, name):
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    as_float = _to_float(value, f"{name} must be a finite positive number")
    if not np.isfinite(as_float) or as_float <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return as_float


def check_non_negative(value, name):
    """Return ``value`` as a float if it is a finite number >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0, got {value!r}")
    as_float = _to_float(value, f"{name} must be a finite number >= 0")
    if not np.isfinite(as_float) or as_float < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return as_float


def check_positive_int(value, name, *, minimum=1):
    """Return ``value`` as an int if it is an integer >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_same_shape(Y, T, names=("Y", "T")):
    """Raise if two arrays differ in shape (no silent broadcasting).

    A target of shape ``(n,)`` against an output of shape ``(n, 1)`` would
    broadcast to ``(n, n)`` in NumPy; here it is an error that says how to fix
    it.
    """
    a, b = names
    if Y.shape != T.shape:
        hint = ""
        if Y.ndim != T.ndim and Y.size == T.size:
            hint = f"; reshape {b} with {b}.reshape({Y.shape})"
        raise ValueError(
            f"{a} and {b} must have the same shape, got {a}.shape={Y.shape} "
            f"and {b}.shape={T.shape}{hint}"
        )


def check_rng(rng):
    """Return a :class:`numpy.random.Generator` from a seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, bool):
            raise TypeError(f"rng must be an int seed or a Generator, got {rng!r}")
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )


def check_on_divergence(value):
    """``"raise"`` or ``"stop"``, what a training loop does when its loss
    becomes NaN or infinite; anything else raises."""
    if value not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {value!r}")
    return value


def lookup(registry, name, kind, kinds=None):
    """Return ``registry[name]``; an unknown name's error lists the known ones.

    Parameters
    ----------
    registry : dict
        A name-to-value table such as ``ACTIVATIONS`` or ``LOSSES``.
    name : str
        The key to look up.
    kind : str
        What the registry holds, for the message (``"activation"``, ``"loss"``).
    kinds : str, optional
        Its plural, when adding an "s" is wrong (``"losses"``).
    """
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a string, got {name!r}")
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(repr(key) for key in registry)
        kinds = kinds or f"{kind}s"
        raise ValueError(f"unknown {kind} {name!r}; known {kinds} are {known}") from None


def check_bool(value, name):
    """Return ``value`` if it is a bool (or NumPy bool), else raise TypeError.

    A string such as ``"no"`` is truthy; taking it as True would do the
    opposite of what was asked, so only True and False are accepted.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_axis(axis, ndim, name="axis"):
    """Return ``axis`` (None, an int or a tuple of ints) with each axis made
    non-negative, or raise if an array of ``ndim`` axes lacks one of them."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
            raise TypeError(f"{name} must be None, an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name} {a} is out of range for an array of {ndim} "
                f"ax{'is' if ndim == 1 else 'es'} (valid: {-ndim} to {ndim - 1})"
            )
    norm = tuple(int(a) % ndim for a in axes)
    if len(set(norm)) != len(norm):
        raise ValueError(f"{name} must not repeat an axis, got {axis!r}")
    return norm if isinstance(axis, tuple) else norm[0]
