"""A fully connected network of any depth: forward pass, delta recursion, gradients.

Chapter 4 of the book (the delta recursion). Parameters are a dict of arrays
keyed like the text, ``{"W1": W1, "b1": b1, ..., "WL": WL, "bL": bL}``, with
``W<l>`` of shape ``(d_{l-1}, d_l)`` and ``b<l>`` of shape ``(d_l,)``; the
gradients returned by :func:`backward` have the same keys and shapes, and the
dict can be handed to :func:`bplib.gradcheck.check_gradients` as it is.
Each layer has its own activation, named as in :mod:`bplib.activations`::

    params = init.init_params([2, 8, 8, 1], rng=0)
    loss, grads = loss_and_gradients(X, T, params, ["tanh", "tanh", "sigmoid"])

The formulas live in the cores, which take checked arrays and do no checks:
:func:`feedforward` (the forward pass), :func:`deltas` (the delta
recursion), :func:`gradients` (each layer's gradients from its delta) and
:func:`backpropagate` (the last two). The entry points
:func:`forward`, :func:`output_delta`, :func:`backward` and
:func:`loss_and_gradients` check their input once and call them; other
modules (:mod:`bplib.train`, :mod:`bplib.diagnostics`, :mod:`bplib.jacobian`)
call the cores.

Everything is vectorised over the batch: the forward pass costs one matrix
product per layer and the backward pass two (one fewer in total), so a
training step costs about three matrix products per layer. Left out: other
losses than those of :mod:`bplib.losses` (the softmax cross-entropy is in
:mod:`bplib.softmax`), weight sharing, and any layer that is not dense.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_same_shape
from .activations import ACTIVATIONS, get_activation
from .losses import get_loss

__all__ = [
    "Cache",
    "feedforward",
    "deltas",
    "gradients",
    "backpropagate",
    "forward",
    "output_delta",
    "backward",
    "loss_and_gradients",
    "check_params",
    "check_activations",
    "layer_sizes",
    "cache_nbytes",
]

@dataclass(frozen=True)
class Cache:
    """What the forward pass keeps for the backward pass.

    Attributes
    ----------
    A : dict of int to ndarray
        ``A[l]`` is the activation :math:`A^{(l)}` of shape ``(n, d_l)``,
        for ``l = 0, ..., L``; ``A[0]`` is the input ``X`` and ``A[L]`` the
        output ``Y``.
    Z : dict of int to ndarray
        ``Z[l]`` is the weighted input :math:`Z^{(l)}` of shape
        ``(n, d_l)``, for ``l = 1, ..., L``.
    activations : tuple of str
        The activation of each layer, ``activations[l - 1]`` for layer ``l``.
    """

    A: dict
    Z: dict
    activations: tuple


def layer_sizes(params):
    """The sizes ``(d_0, ..., d_L)`` of a network, after checking its parameters.

    Raises a clear error when a key is missing or unexpected, when a bias does
    not match its weights, or when consecutive layers disagree in size.

    Parameters
    ----------
    params : dict of str to array_like
        ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}``.

    Returns
    -------
    tuple of int
    """
    return check_params(params)[1]


def check_params(params, *, finite=True):
    """``params`` as float64 arrays (a new dict) and the layer sizes, or a
    clear error (see :func:`layer_sizes`); ``finite=False`` checks the
    structure and shapes only, without reading every entry.

    Returns
    -------
    params : dict of str to ndarray
    sizes : tuple of int
        ``(d_0, ..., d_L)``.
    """
    if not isinstance(params, dict):
        raise TypeError(
            f"params must be a dict such as {{'W1': W1, 'b1': b1}}, got {type(params).__name__}"
        )
    L = len(params) // 2
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(params) != expected:
        raise ValueError(f"params must have the keys W1, b1, ..., WL, bL, got {sorted(params)}")
    checked, sizes = {}, []
    for l in range(1, L + 1):
        W = checked[f"W{l}"] = as_float_array(params[f"W{l}"], f"W{l}", ndim=2,
                                              finite=finite)
        b = checked[f"b{l}"] = as_float_array(params[f"b{l}"], f"b{l}", ndim=1,
                                              finite=finite)
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"b{l} must have shape ({W.shape[1]},) to match W{l}.shape={W.shape}, "
                f"got b{l}.shape={b.shape}"
            )
        if sizes and W.shape[0] != sizes[-1]:
            raise ValueError(
                f"layer-size mismatch: W{l} has {W.shape[0]} rows but layer {l - 1} "
                f"has {sizes[-1]} units (W{l - 1}.shape={checked[f'W{l - 1}'].shape}, "
                f"W{l}.shape={W.shape})"
            )
        sizes += [W.shape[0], W.shape[1]] if l == 1 else [W.shape[1]]
    return checked, tuple(sizes)


def check_activations(activations, L):
    """``activations`` as a tuple of ``L`` known names, or a clear error."""
    if isinstance(activations, str) or not isinstance(activations, (list, tuple)):
        hint = f"; for one activation everywhere use [{activations!r}] * {L}"
        raise TypeError(
            f"activations must be a list of {L} names, one per layer, got {activations!r}"
            + (hint if isinstance(activations, str) else "")
        )
    if len(activations) != L:
        raise ValueError(
            f"activations must name one activation per layer, {L} for this network, "
            f"got {len(activations)}: {list(activations)}"
        )
    for name in activations:
        get_activation(name)  # raises for an unknown name, listing the known ones
    return tuple(activations)


def _check_X(X, sizes):
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != sizes[0]:
        raise ValueError(
            f"X has {X.shape[1]} features but W1 expects {sizes[0]} (X.shape={X.shape})"
        )
    return X


def feedforward(X, params, activations):
    """The forward pass, :eq:`eq-delta-layer`, on checked input (no checks).

    The core of :func:`forward`, for callers that checked ``X``, ``params``
    and ``activations`` once (see :func:`check_params`).

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W1": np.array([[1.0], [1.0]]), "b1": np.array([-1.0])}
    >>> Y, cache = feedforward(np.array([[1.0, 2.0]]), params, ("relu",))
    >>> Y, cache.Z[1]
    (array([[2.]]), array([[2.]]))
    """
    A, Z = {0: X}, {}
    for l, name in enumerate(activations, start=1):
        f = get_activation(name).function
        Z[l] = A[l - 1] @ params[f"W{l}"] + params[f"b{l}"]  # eq-delta-layer
        A[l] = f(Z[l])  # eq-delta-layer
    return A[len(activations)], Cache(A, Z, activations)


def forward(X, params, activations):
    """The forward pass, :eq:`eq-delta-layer`, keeping what the backward pass needs.

    Parameters
    ----------
    X : array_like of shape (n, d_0)
        One example per row.
    params : dict of str to ndarray
        As returned by :func:`bplib.init.init_params`.
    activations : list of str
        One name per layer, from :data:`bplib.activations.ACTIVATIONS`.

    Returns
    -------
    Y : ndarray of shape (n, d_L)
        The output :math:`A^{(L)}`.
    cache : Cache
        Every :math:`A^{(l)}` and :math:`Z^{(l)}`, and the activations' names.
    """
    params, sizes = check_params(params)
    activations = check_activations(activations, len(sizes) - 1)
    return feedforward(_check_X(X, sizes), params, activations)


def _check_T(T, cache):
    T = as_float_array(T, "T")
    Y = cache.A[len(cache.Z)]
    check_same_shape(Y, T, ("Y", "T"))
    return T


def output_delta(cache, T, loss="squared_error"):
    """The output delta :math:`\\delta^{(L)}`, :eq:`eq-delta-output`.

    In general the loss's gradient times the output activation's derivative,
    ``dY * f'(Z_L)``. For ``loss="binary_cross_entropy_with_logits"`` the
    output activation must be ``"sigmoid"``; the loss is then computed from
    the logits and the delta simplifies to :math:`(\\sigma(Z^{(L)}) - T)/n`,
    :eq:`eq-delta-logits`. For a sigmoid output and squared error it is
    chapter 2's :eq:`eq-mse-delta`.

    Parameters
    ----------
    cache : Cache
        From :func:`forward`.
    T : array_like of shape (n, d_L)
        Targets, shaped exactly like the output.
    loss : str, default "squared_error"
        A key of :data:`bplib.losses.LOSSES`.

    Returns
    -------
    delta : ndarray of shape (n, d_L)
    """
    T = _check_T(T, cache)
    return _output_delta(cache, T, loss)


def _output_delta(cache, T, loss):
    L, rule = len(cache.Z), get_loss(loss)
    if rule.logits_for is not None:  # the loss folds the output activation in
        if cache.activations[-1] != rule.logits_for:
            raise ValueError(
                f"loss {loss!r} needs a {rule.logits_for!r} output layer, "
                f"got {cache.activations[-1]!r}"
            )
        return rule.gradient(cache.Z[L], T)  # eq-delta-logits
    df = get_activation(cache.activations[-1]).derivative
    return rule.gradient(cache.A[L], T) * df(cache.Z[L])  # eq-delta-output


def _derivative(cache, l):
    """f'(Z) of layer ``l``; from the kept output where the activation
    allows it (tanh: 1 - A², no second tanh, the very same numbers)."""
    f = ACTIVATIONS[cache.activations[l - 1]]
    if f.derivative_from_output is not None:
        return f.derivative_from_output(cache.A[l])
    return f.derivative(cache.Z[l])


def deltas(delta, params, cache):
    """The delta recursion, :eq:`eq-delta-recursion`, on checked input (no
    checks).

    Parameters
    ----------
    delta : ndarray of shape (n, d_L)
        The output delta :math:`\\delta^{(L)}`.
    params : dict of str to ndarray
    cache : Cache

    Returns
    -------
    dict of int to ndarray
        ``{l: delta_l}``, :math:`\\delta^{(l)}` of shape ``(n, d_l)`` for
        ``l = L, ..., 1``.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W1": np.array([[2.0]]), "b1": np.zeros(1),
    ...           "W2": np.array([[3.0]]), "b2": np.zeros(1)}
    >>> X = np.array([[1.0]])
    >>> Y, cache = feedforward(X, params, ("identity", "identity"))
    >>> deltas(np.array([[1.0]]), params, cache)  # delta_2 W2^T f'(Z1) = 3
    {2: array([[1.]]), 1: array([[3.]])}
    """
    out = {}
    for l in range(len(cache.Z), 0, -1):  # l = L, ..., 1
        out[l] = delta
        if l > 1:
            dA = delta @ params[f"W{l}"].T  # dL/dA of layer l - 1
            delta = dA * _derivative(cache, l - 1)  # eq-delta-recursion
    return out


def gradients(deltas, cache):
    """Each layer's gradients from its delta, :eq:`eq-delta-dW` and
    :eq:`eq-delta-db` (no checks).

    Returns
    -------
    dict of str to ndarray
        ``W<l>`` and ``b<l>`` for every layer of ``deltas``, layer 1 first.
    """
    grads = {}
    for l in sorted(deltas):
        grads[f"W{l}"] = cache.A[l - 1].T @ deltas[l]  # eq-delta-dW
        grads[f"b{l}"] = deltas[l].sum(axis=0)  # eq-delta-db
    return grads


def backpropagate(delta, params, cache):
    """The backward pass on checked input (no checks): the core of
    :func:`backward`.

    Examples
    --------
    >>> import numpy as np
    >>> from bplib import init, mlp
    >>> params = init.init_params([2, 3, 1], rng=0)
    >>> X = np.ones((4, 2))
    >>> Y, cache = mlp.feedforward(X, params, ("tanh", "identity"))
    >>> grads = mlp.backpropagate(np.ones((4, 1)) / 4, params, cache)
    >>> [grads[key].shape for key in grads]
    [(2, 3), (3,), (3, 1), (1,)]
    """
    grads = gradients(deltas(delta, params, cache), cache)
    return {key: grads[key] for key in params}  # in the order of params


def _fits(params, cache):
    """Whether ``params`` are float64 arrays shaped for the cache's layers:
    the usual case, told without reading any entry (forward read them)."""
    sizes = [A.shape[1] for A in cache.A.values()]
    if not isinstance(params, dict) or len(params) != 2 * (len(sizes) - 1):
        return False
    for l in range(1, len(sizes)):
        W, b = params.get(f"W{l}"), params.get(f"b{l}")
        if not (type(W) is np.ndarray and type(b) is np.ndarray
                and W.dtype == b.dtype == np.float64
                and W.shape == (sizes[l - 1], sizes[l]) and b.shape == (sizes[l],)):
            return False
    return True


def backward(delta, params, cache):
    """The backward pass: the delta recursion and the gradients it gives.

    Starting from the output delta :math:`\\delta^{(L)}`, each layer's
    gradients follow from its delta, :eq:`eq-delta-dW` and :eq:`eq-delta-db`,
    and the delta of the layer below from the recursion
    :eq:`eq-delta-recursion`. With one layer these are the single neuron's
    gradients of chapter 2, :eq:`eq-neuron-batch-grad`.

    Parameters
    ----------
    delta : array_like of shape (n, d_L)
        The output delta, from :func:`output_delta`.
    params : dict of str to ndarray
        The parameters the forward pass used.
    cache : Cache
        From :func:`forward`.

    Returns
    -------
    dict of str to ndarray
        The gradients, keyed and shaped like ``params``: ``W<l>`` holds
        :math:`\\partial\\mathcal{L}/\\partial W^{(l)}`.
    """
    if not isinstance(cache, Cache):
        raise TypeError(
            f"cache must be the Cache returned by forward, got {type(cache).__name__}"
        )
    if not _fits(params, cache):  # lists, other dtypes, or a mistake to name
        params, sizes = check_params(params, finite=False)
        if sizes != tuple(A.shape[1] for A in cache.A.values()):
            raise ValueError(
                f"params (layer sizes {sizes}) are not the ones the cache was made with")
    delta = as_float_array(delta, "delta", ndim=2)
    check_same_shape(cache.A[len(cache.Z)], delta, ("Y", "delta"))
    return backpropagate(delta, params, cache)


def loss_and_gradients(X, T, params, activations, loss="squared_error"):
    """The loss and its gradient with respect to every parameter.

    One forward pass, the output delta, one backward pass: about three
    matrix products per layer.

    Parameters
    ----------
    X : array_like of shape (n, d_0)
    T : array_like of shape (n, d_L)
    params : dict of str to ndarray
    activations : list of str
        One per layer.
    loss : str, default "squared_error"
        A key of :data:`bplib.losses.LOSSES`; every loss is a mean over the
        ``n`` examples.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray
        Keyed and shaped like ``params``.

    Notes
    -----
    Finite inputs and weights can still overflow (entries near 1e200, or a
    diverging training run): the loss is then ``inf`` or ``nan`` and so are
    some gradients, with no ``RuntimeWarning``; check ``np.isfinite(loss)``,
    as :func:`bplib.train.train` does.
    """
    params, sizes = check_params(params)
    activations = check_activations(activations, len(sizes) - 1)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow shows in the loss
        Y, cache = feedforward(_check_X(X, sizes), params, activations)
        T = _check_T(T, cache)
        delta = _output_delta(cache, T, loss)
        rule = get_loss(loss)
        value = rule.function(Y if rule.logits_for is None else cache.Z[len(sizes) - 1], T)
        return value, backpropagate(delta, params, cache)


def cache_nbytes(cache):
    """Bytes held by the arrays of a :class:`Cache` (the input ``X`` included).

    Parameters
    ----------
    cache : Cache

    Returns
    -------
    int
    """
    return sum(a.nbytes for a in cache.A.values()) + sum(z.nbytes for z in cache.Z.values())
