"""Small seeded toy data sets, one generator function each.

Chapter 1 adds :func:`regression`, the two-input regression set on which the
linear neuron is trained; later chapters add their own sets here. Every
function takes ``rng``, an int seed or a :class:`numpy.random.Generator`, and
returns float64 arrays in the book's row convention: inputs ``X`` of shape
``(n, d)`` and targets ``T`` of shape ``(n, 1)``.
"""

import numbers

import numpy as np

from ._validation import as_float_array, check_positive, check_positive_int, check_rng

__all__ = ["regression", "two_blobs", "xor"]


def regression(n=50, *, weights=(2.0, -1.0), bias=0.0, correlation=0.8,
               noise=0.3, rng=0):
    """Targets that a two-input linear neuron can nearly fit.

    The two inputs are standard normal with the given correlation; each
    target is ``x1 * weights[0] + x2 * weights[1] + bias`` plus Gaussian noise.
    Correlated inputs stretch the loss surface over the weights into a long
    valley, which is what makes the choice of learning rate interesting.

    Parameters
    ----------
    n : int, default 50
        The number of examples, >= 1.
    weights : pair of float, default (2.0, -1.0)
        The weights that generate the targets.
    bias : float, default 0.0
        The bias that generates the targets.
    correlation : float in (-1, 1), default 0.8
        The correlation of the two inputs.
    noise : float >= 0, default 0.3
        The standard deviation of the noise added to the targets.
    rng : int, numpy.random.Generator or None, default 0
        The seed or generator.

    Returns
    -------
    X : ndarray of shape (n, 2)
        The inputs, one example per row.
    T : ndarray of shape (n, 1)
        The targets.

    Examples
    --------
    >>> X, T = regression(4, rng=1)
    >>> X.shape, T.shape
    ((4, 2), (4, 1))
    """
    n = check_positive_int(n, "n")
    weights = as_float_array(weights, "weights", ndim=1)
    if weights.shape != (2,):
        raise ValueError(f"weights must hold 2 numbers, got shape {weights.shape}")
    for name, value in (("correlation", correlation), ("noise", noise), ("bias", bias)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
    if not -1 < correlation < 1:
        raise ValueError(f"correlation must lie strictly between -1 and 1, got {correlation!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if not np.isfinite(bias):
        raise ValueError(f"bias must be a finite number, got {bias!r}")
    rng = check_rng(rng)
    Z = rng.standard_normal((n, 2))
    X = np.column_stack([Z[:, 0], correlation * Z[:, 0] + np.sqrt(1 - correlation**2) * Z[:, 1]])
    T = X @ weights[:, None] + bias + noise * rng.standard_normal((n, 1))
    return X, T


def two_blobs(n=100, *, centers=((-1.0, -0.5), (1.0, 1.0)), spread=0.8, rng=0):
    """Two overlapping Gaussian clouds, one per class: a classification set.

    Chapter 2 trains a sigmoid neuron (logistic regression) on it. Half the
    examples (class 0) are drawn around ``centers[0]``, the rest (class 1)
    around ``centers[1]``, with independent normal noise of standard
    deviation ``spread`` in each coordinate; the rows are then shuffled. The
    best boundary is a straight line, but the clouds overlap, so no line
    separates them perfectly.

    Parameters
    ----------
    n : int, default 100
        The number of examples, >= 2 (class 0 gets ``n // 2``).
    centers : 2 x 2 array_like, default ((-1.0, -0.5), (1.0, 1.0))
        The centre of class 0 and of class 1.
    spread : float, default 0.8
        The noise's standard deviation, > 0.
    rng : int, numpy.random.Generator or None, default 0
        The seed or generator.

    Returns
    -------
    X : ndarray of shape (n, 2)
        The inputs, one example per row.
    T : ndarray of shape (n, 1)
        The labels, 0.0 or 1.0.

    Examples
    --------
    >>> X, T = two_blobs(6, rng=1)
    >>> X.shape, T.shape, int(T.sum())
    ((6, 2), (6, 1), 3)
    """
    n = check_positive_int(n, "n", minimum=2)
    centers = as_float_array(centers, "centers", ndim=2)
    if centers.shape != (2, 2):
        raise ValueError(f"centers must have shape (2, 2), got {centers.shape}")
    spread = check_positive(spread, "spread")
    rng = check_rng(rng)
    labels = np.repeat([0, 1], [n // 2, n - n // 2])
    X = centers[labels] + spread * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], labels[order, None].astype(np.float64)


def xor(repeats=1, *, noise=0.0, rng=0):
    """The exclusive-or problem: label 1 where exactly one input is 1.

    Chapter 3 proves that no single neuron separates these four points and
    trains a two-layer network on them. With the defaults the result is the
    four corners of the unit square in the order (0, 0), (0, 1), (1, 0),
    (1, 1), with targets 0, 1, 1, 0. With ``repeats > 1`` the four corners are
    repeated that many times (in the same order), and ``noise > 0`` jitters
    each input by independent Gaussian noise, for a larger, noisy version.

    Parameters
    ----------
    repeats : int, default 1
        How many copies of the four corners, >= 1.
    noise : float >= 0, default 0.0
        The standard deviation of the noise added to every input.
    rng : int, numpy.random.Generator or None, default 0
        The seed or generator (used only when ``noise > 0``).

    Returns
    -------
    X : ndarray of shape (4 * repeats, 2)
        The inputs, one example per row.
    T : ndarray of shape (4 * repeats, 1)
        The labels, 0.0 or 1.0.

    Examples
    --------
    >>> X, T = xor()
    >>> X.shape, T.shape, T[:, 0].tolist()
    ((4, 2), (4, 1), [0.0, 1.0, 1.0, 0.0])
    """
    repeats = check_positive_int(repeats, "repeats")
    if noise != 0:  # zero means no noise; anything else must be a number > 0
        noise = check_positive(noise, "noise")
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = np.tile(corners, (repeats, 1))
    T = np.tile([[0.0], [1.0], [1.0], [0.0]], (repeats, 1))
    if noise > 0:
        X = X + noise * check_rng(rng).standard_normal(X.shape)
    return X, T
