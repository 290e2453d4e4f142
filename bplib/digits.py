"""The handwritten-digits data set, split and standardised for training.

Chapter 7 of the book (training in practice). scikit-learn ships a small
set of handwritten digits with the package (no download): 1797 grey-scale
images of 8 x 8 pixels with values 0 to 16, each labelled 0 to 9, from the
UCI "optical recognition of handwritten digits" collection. :func:`load`
splits them into training, validation and test sets with a seed, stratified
so that every digit keeps its share in each set, and standardises every
pixel with the mean and spread of the **training** set only::

    data = load(rng=0)
    data.X_train.shape, data.T_train.shape      # (1078, 64), (1078, 10)

Fitting the standardisation on all the data would let the validation and
test sets leak into training, and their scores would flatter the model.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_rng
from .softmax import one_hot

__all__ = ["Digits", "load", "standardise", "split_indices", "subset"]

K = 10
"""int: the number of classes (the digits 0 to 9)."""


@dataclass(frozen=True)
class Digits:
    """The digits, split and standardised.

    Attributes
    ----------
    X_train, X_val, X_test : ndarray of shape (n_*, 64)
        Standardised pixels, one image per row.
    y_train, y_val, y_test : ndarray of int, shape (n_*,)
        The labels 0 to 9.
    T_train, T_val, T_test : ndarray of shape (n_*, 10)
        The same labels, one-hot.
    images_test : ndarray of shape (n_test, 8, 8)
        The raw test images (0 to 16), for showing them.
    mean, scale : ndarray of shape (64,)
        The training set's per-pixel mean and standard deviation (1 where a
        pixel is constant); ``X = (pixels - mean) / scale``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    T_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    T_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    T_test: np.ndarray
    images_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def split_indices(labels, fractions, rng=0):
    """Stratified random split of ``range(n)`` into parts of given fractions.

    Within each class the examples are shuffled and cut in the given
    proportions, so every part holds each class in about its overall share.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
    fractions : sequence of float
        The share of each part, each in (0, 1), summing to at most 1; the
        remaining examples form one more part, returned last.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of ndarray of int
        ``len(fractions) + 1`` index arrays, each sorted, disjoint, together
        covering ``range(n)``.
    """
    labels = np.asarray(labels)
    fractions = [float(f) for f in fractions]
    if not fractions or min(fractions) <= 0 or sum(fractions) >= 1:
        raise ValueError(
            f"fractions must be positive and sum to less than 1, got {fractions}"
        )
    rng = check_rng(rng)
    parts = [[] for _ in range(len(fractions) + 1)]
    cuts = np.cumsum(fractions)
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        bounds = np.round(cuts * len(members)).astype(int)
        for part, chunk in zip(parts, np.split(members, bounds)):
            part.append(chunk)
    return [np.sort(np.concatenate(part)) for part in parts]


def standardise(X_fit, *others):
    """Centre and scale every column with the statistics of ``X_fit`` only.

    Parameters
    ----------
    X_fit : array_like of shape (n, d)
        The data the mean and standard deviation are computed from (the
        training set).
    *others : array_like of shape (m, d)
        Further sets, transformed with the same statistics.

    Returns
    -------
    tuple
        The transformed ``X_fit``, then each of ``others``, then ``mean`` and
        ``scale`` (shape ``(d,)``; 1 for a column constant in ``X_fit``).
    """
    X_fit = as_float_array(X_fit, "X_fit", ndim=2)
    mean, scale = X_fit.mean(axis=0), X_fit.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    out = [(X_fit - mean) / scale]
    for i, X in enumerate(others):
        X = as_float_array(X, f"others[{i}]", ndim=2)
        if X.shape[1] != X_fit.shape[1]:
            raise ValueError(f"others[{i}] has {X.shape[1]} columns but X_fit "
                             f"has {X_fit.shape[1]}")
        out.append((X - mean) / scale)
    return (*out, mean, scale)


def load(rng=0, validation=0.2, test=0.2):
    """scikit-learn's digits, split (seeded, stratified) and standardised.

    Parameters
    ----------
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the split.
    validation, test : float, default 0.2
        The shares of the validation and test sets; the rest (60 % by
        default: 1078 of the 1797 images) is the training set.

    Returns
    -------
    Digits
    """
    from sklearn.datasets import load_digits  # shipped with scikit-learn

    bunch = load_digits()
    pixels, labels = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    val_idx, test_idx, train_idx = split_indices(labels, [validation, test], rng)
    X_train, X_val, X_test, mean, scale = standardise(
        pixels[train_idx], pixels[val_idx], pixels[test_idx]
    )
    y = [labels[i] for i in (train_idx, val_idx, test_idx)]
    return Digits(
        X_train, y[0], one_hot(y[0], K), X_val, y[1], one_hot(y[1], K),
        X_test, y[2], one_hot(y[2], K), bunch.images[test_idx], mean, scale,
    )


def subset(data, n, rng=0):
    """The first ``n`` training examples of a stratified shuffle.

    Parameters
    ----------
    data : Digits
    n : int
        How many training examples to keep, 10 <= n <= ``len(data.X_train)``.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    X, y, T : ndarray
        ``n`` rows of ``data.X_train``, ``data.y_train`` and ``data.T_train``
        (the same rows for every call with the same seed and a larger ``n``
        holds every row of a smaller one).
    """
    total = len(data.X_train)
    if not 10 <= int(n) <= total:
        raise ValueError(f"n must be between 10 and {total}, got {n!r}")
    order = _interleaved_order(data.y_train, check_rng(rng))
    rows = np.sort(order[: int(n)])
    return data.X_train[rows], data.y_train[rows], data.T_train[rows]


def _interleaved_order(labels, rng):
    """A shuffle in which every prefix holds each class about equally often."""
    ranks = np.empty(len(labels))
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        ranks[members] = (np.arange(len(members)) + rng.random()) / len(members)
    return np.argsort(ranks, kind="stable")
