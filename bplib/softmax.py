"""Softmax outputs and the multi-class cross-entropy, computed from the logits.

Chapter 7 of the book (training in practice). A classifier with ``K``
classes ends in a layer of ``K`` logits ``Z`` (an ``"identity"`` output
layer in :mod:`bplib.mlp`); the softmax turns each row of logits into
probabilities, and the loss is the mean negative log-probability of the
correct class. Everything here works from the logits::

    Z = mlp.forward(X, params, activations)[0]      # (n, K) logits
    loss = cross_entropy(Z, T)                      # T one-hot, (n, K)
    delta = cross_entropy_gradient(Z, T)            # (softmax(Z) - T) / n

The log-softmax subtracts each row's maximum before exponentiating, so
logits of any size give finite results without overflow warnings as long as
each row's spread ``max - min`` is a finite float (true whenever
``|Z| <= np.finfo(float).max / 2``, about 9e307; a wider row overflows in
that subtraction).
"""

import numpy as np

from ._validation import as_float_array, check_positive_int, check_same_shape

__all__ = [
    "log_probabilities",
    "cross_entropy_and_delta",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "cross_entropy_gradient",
    "one_hot",
    "predict_labels",
    "accuracy",
    "check_targets",
]

_MAX_ENTRIES = 10**8
"""int: the most entries :func:`one_hot` makes, 800 MB of float64."""


def _logits(Z):
    return as_float_array(Z, "Z", ndim=2)


def log_probabilities(Z):
    """Row-wise log-softmax of checked logits (no checks): the core of
    :func:`log_softmax`, :eq:`eq-softmax`, for a float64 ``Z`` of shape
    (n, K); non-finite entries propagate.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[0.0, np.log(3.0)], [1000.0, 0.0]])
    >>> np.exp(log_probabilities(Z))
    array([[0.25, 0.75],
           [1.  , 0.  ]])
    """
    shifted = Z - Z.max(axis=1, keepdims=True)  # the largest entry becomes 0
    log_total = np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # >= log 1
    return shifted - log_total  # eq-softmax


def cross_entropy_and_delta(Z, T):
    """The mean cross-entropy :eq:`eq-softmax-ce` and its gradient with
    respect to the logits :eq:`eq-softmax-grad`, from one log-softmax, on
    checked input (no checks): the core of :func:`cross_entropy` and
    :func:`cross_entropy_gradient`, used by :mod:`bplib.train` and
    :mod:`bplib.autodiff`.

    Parameters
    ----------
    Z : ndarray of shape (n, K)
        Logits, float64.
    T : ndarray of shape (n, K)
        One probability distribution per row.

    Returns
    -------
    loss : float
    delta : ndarray of shape (n, K)
        :math:`(\\operatorname{softmax}(Z) - T)/n`, the output delta.

    Examples
    --------
    >>> import numpy as np
    >>> Z, T = np.zeros((1, 2)), np.array([[1.0, 0.0]])
    >>> loss, delta = cross_entropy_and_delta(Z, T)
    >>> round(loss, 4), delta
    (0.6931, array([[-0.5,  0.5]]))
    """
    log_p, n = log_probabilities(Z), len(Z)
    loss = -np.sum(T * log_p) / n  # eq-softmax-ce
    delta = (np.exp(log_p) - T) / n  # eq-softmax-grad
    return float(loss), delta


def log_softmax(Z):
    """The logarithm of :func:`softmax`, row by row, without overflow.

    Uses :math:`\\log \\operatorname{softmax}(z)_k = (z_k - m) -
    \\log \\sum_j e^{z_j - m}` with :math:`m = \\max_j z_j`, the
    log-sum-exp trick applied to :eq:`eq-softmax`: every exponent is at most
    0, and the sum is at least 1, so neither overflows nor takes ``log(0)``.

    Parameters
    ----------
    Z : array_like of shape (n, K)
        Logits, one row per example.

    Returns
    -------
    ndarray of shape (n, K)
        Log-probabilities, each row's exponentials summing to 1.
    """
    return log_probabilities(_logits(Z))


def softmax(Z):
    """Class probabilities from logits, :eq:`eq-softmax`, row by row.

    :math:`\\operatorname{softmax}(z)_k = e^{z_k} / \\sum_j e^{z_j}`,
    computed as the exponential of :func:`log_softmax` (stable for any
    finite logits, e.g. ``Z = [[1000, 0]]`` gives ``[[1, 0]]`` quietly).

    Parameters
    ----------
    Z : array_like of shape (n, K)

    Returns
    -------
    ndarray of shape (n, K)
        Non-negative entries, each row summing to 1.

    Examples
    --------
    >>> softmax([[0.0, 0.0], [1000.0, 0.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    return np.exp(log_probabilities(_logits(Z)))


def check_targets(Z, T):
    """Logits ``Z`` (n, K) and targets ``T`` of the same shape, one probability
    distribution per row, as float64 arrays; or a clear error."""
    Z = _logits(Z)
    T = as_float_array(T, "T", finite=False)  # NaN or inf fail the test below
    check_same_shape(Z, T, ("Z", "T"))
    # np.allclose's tolerance, spelled out (faster); "not <=" also catches NaN
    if not (T.min() >= 0 and np.abs(T.sum(axis=1) - 1.0).max() <= 1e-5 + 1e-8):
        as_float_array(T, "T")  # names NaN or infinite entries, if those are the fault
        raise ValueError(
            "T must hold one probability distribution per row (one-hot rows, "
            f"non-negative and summing to 1), got row sums from {T.sum(axis=1).min():g} "
            f"to {T.sum(axis=1).max():g} and a smallest entry of {T.min():g}; "
            "make one-hot targets from labels with bplib.softmax.one_hot"
        )
    return Z, T


def cross_entropy(Z, T):
    """Mean cross-entropy of ``softmax(Z)`` against ``T``, :eq:`eq-softmax-ce`.

    :math:`\\mathcal{L} = -\\frac{1}{n}\\sum_{i,k} T_{ik}
    \\log \\operatorname{softmax}(z_i)_k`, from the logits through
    :func:`log_softmax`: finite for any ``Z`` whose rows span a finite
    float (e.g. ``|Z| <= np.finfo(float).max / 2``), even when the correct
    class has probability below the smallest float.

    Parameters
    ----------
    Z : array_like of shape (n, K)
        Logits.
    T : array_like of shape (n, K)
        Targets, one probability distribution per row (usually one-hot).

    Returns
    -------
    float
    """
    return cross_entropy_and_delta(*check_targets(Z, T))[0]


def cross_entropy_gradient(Z, T):
    """Gradient of :func:`cross_entropy` with respect to the logits,
    :eq:`eq-softmax-grad`: :math:`(\\operatorname{softmax}(Z) - T)/n`.

    This is the output delta :math:`\\delta^{(L)}` of a network whose last
    layer is the identity, ready for :func:`bplib.mlp.backward`.

    Parameters
    ----------
    Z, T : array_like of shape (n, K)

    Returns
    -------
    dZ : ndarray of shape (n, K)
        Each row sums to 0.

    Examples
    --------
    >>> cross_entropy_gradient([[0.0, 0.0]], [[1.0, 0.0]])
    array([[-0.5,  0.5]])
    """
    return cross_entropy_and_delta(*check_targets(Z, T))[1]


def one_hot(labels, K=None):
    """One-hot targets from integer class labels.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class labels in ``0, ..., K - 1``.
    K : int, optional
        The number of classes; by default ``labels.max() + 1``.

    Returns
    -------
    T : ndarray of shape (n, K)
        ``T[i, labels[i]] = 1``, every other entry 0.

    Raises
    ------
    ValueError
        If a label lies outside ``0, ..., K - 1``, or if ``T`` would have
        more than ``10**8`` entries (800 MB): the sign of labels that are
        not class indices, e.g. ``one_hot([10**12])``, which would ask for
        ``K = 10**12 + 1`` columns. Map such labels to ``0, ..., K - 1``
        first, e.g. with ``np.unique(labels, return_inverse=True)``.

    Examples
    --------
    >>> one_hot([2, 0], K=3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu":
        raise ValueError(
            "labels must be a non-empty 1-D array of integers, got "
            f"{labels.ndim}-D of dtype {labels.dtype} and shape {labels.shape}"
        )
    if labels.min() < 0:
        raise ValueError(f"labels must be class indices 0, 1, 2, ..., got a "
                         f"smallest label of {labels.min()}")
    K_given = K is not None
    K = check_positive_int(K, "K") if K_given else int(labels.max()) + 1
    if labels.max() >= K:
        raise ValueError(
            f"labels must lie in 0..{K - 1} for K={K}, got values from "
            f"{labels.min()} to {labels.max()}"
        )
    _check_size(labels, K, K_given)
    T = np.zeros((labels.size, K))
    T[np.arange(labels.size), labels] = 1.0
    return T


def _check_size(labels, K, K_given):
    """Refuse a one-hot array of more than ``_MAX_ENTRIES`` entries, by name."""
    n = labels.size
    if n * K <= _MAX_ENTRIES:
        return
    if K_given:
        culprit = f"K={K} with {n} label{'' if n == 1 else 's'} makes"
        fix = "pass a smaller K, or fewer labels at a time"
    else:
        culprit = (f"labels must be class indices 0..K-1; their largest value, "
                   f"{labels.max()}, makes K = labels.max() + 1 = {K} classes and")
        fix = "map the labels to 0..K-1 first, e.g. with np.unique(labels, return_inverse=True)"
    raise ValueError(
        f"{culprit} a one-hot array of shape ({n}, {K}), {n * K:.3g} entries "
        f"({8 * n * K / 1e9:,.1f} GB), more than one_hot's limit of {_MAX_ENTRIES:,}; {fix}"
    )


def predict_labels(Z):
    """The most probable class of each row: ``argmax`` of the logits.

    The softmax is increasing in each logit, so it need not be computed.

    Parameters
    ----------
    Z : array_like of shape (n, K)

    Returns
    -------
    ndarray of int, shape (n,)
    """
    return _logits(Z).argmax(axis=1)


def accuracy(Z, labels):
    """The fraction of rows whose largest logit is at the correct label.

    Parameters
    ----------
    Z : array_like of shape (n, K)
        Logits (or probabilities: the argmax is the same).
    labels : array_like of int, shape (n,)
        Class indices in ``0, ..., K - 1``.

    Returns
    -------
    float
    """
    Z, labels = _logits(Z), np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    if labels.shape != (len(Z),):
        raise ValueError(
            f"labels must have shape ({len(Z)},) to match Z.shape={Z.shape}, "
            f"got labels.shape={labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= Z.shape[1]:
        raise ValueError(
            f"labels must lie in 0..{Z.shape[1] - 1} for Z with {Z.shape[1]} columns, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return float(np.mean(Z.argmax(axis=1) == labels))
