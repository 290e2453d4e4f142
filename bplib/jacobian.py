"""The gradient as a product of Jacobians, evaluated in either order, and its cost.

Chapter 4 of the book (the delta recursion). For one example, layer ``l`` of
a network maps a row :math:`a^{(l-1)}` to a row :math:`a^{(l)}`; its
Jacobian, laid out like its weights as (inputs, outputs), is
:math:`J^{(l)} = W^{(l)} \\operatorname{diag} f^{(l)\\prime}(z^{(l)})`, and the
gradient of the loss with respect to the input is the product
:eq:`eq-delta-jacobian-product`

.. math:: (\\partial\\mathcal{L}/\\partial x)^\\top
   = J^{(1)} J^{(2)} \\cdots J^{(L)} (\\partial\\mathcal{L}/\\partial y)^\\top .

:func:`input_gradient` evaluates it right to left (a vector times one matrix
after another: backpropagation) or left to right (matrix times matrix, the
vector last). :func:`count_multiply_adds` counts what each order costs, next to
the forward and backward passes, and :func:`time_orders` measures it.
"""

import time
from typing import NamedTuple

import numpy as np

from ._validation import check_positive_int, check_rng
from .activations import get_activation
from .init import init_params
from .losses import get_loss
from .mlp import feedforward, forward

__all__ = ["MultiplyAdds", "count_multiply_adds", "input_gradient", "time_orders"]

ORDERS = ("right_to_left", "left_to_right")


class MultiplyAdds(NamedTuple):
    """Multiply-adds of a batch's forward pass, backward pass and input gradient.

    Attributes
    ----------
    forward : int
        The products :math:`A^{(l-1)}W^{(l)}`, :eq:`eq-delta-layer`.
    backward : int
        From :math:`\\delta^{(L)}` to every weight gradient:
        :eq:`eq-delta-dW` and :eq:`eq-delta-recursion` (bias sums are
        additions only and not counted).
    right_to_left, left_to_right : int
        The input gradient :eq:`eq-delta-jacobian-product` from
        :math:`\\partial\\mathcal{L}/\\partial y`, in either order.
    """

    forward: int
    backward: int
    right_to_left: int
    left_to_right: int


def count_multiply_adds(sizes, n=1):
    """Count the multiply-adds of each pass for a network and a batch.

    A product of an ``(a, b)`` and a ``(b, c)`` matrix counts ``a * b * c``;
    an elementwise product with :math:`f'(Z)` one per entry. Evaluating the
    activations and their derivatives is not counted.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    n : int, default 1
        Examples in the batch; every count is ``n`` times that of one example.

    Returns
    -------
    MultiplyAdds
    """
    d = [check_positive_int(int(s), "sizes[i]") for s in sizes]
    n = check_positive_int(n, "n")
    L = len(d) - 1
    forward = sum(d[l - 1] * d[l] for l in range(1, L + 1))
    # dW for every layer; delta @ W.T and the product with f' below layer L.
    backward = forward + sum(d[l] * d[l - 1] + d[l - 1] for l in range(2, L + 1))
    # v <- f' * v, then v <- W v, from layer L down to 1.
    right_to_left = sum(d[l] + d[l] * d[l - 1] for l in range(1, L + 1))
    # J1 = W1 diag f'; then P <- P W, P <- P diag f'; finally P times the vector.
    left_to_right = d[0] * d[1] + d[0] * d[L]
    left_to_right += sum(d[0] * d[l - 1] * d[l] + d[0] * d[l] for l in range(2, L + 1))
    return MultiplyAdds(*(n * c for c in (forward, backward, right_to_left, left_to_right)))


def _derivatives(cache):
    return {
        l: get_activation(name).derivative(cache.Z[l])
        for l, name in enumerate(cache.activations, start=1)
    }


def _right_to_left(dY, params, D):
    # eq-delta-jacobian-product from the vector end; row i of g is example
    # i's vector, so each step is one vector-matrix product per example.
    g = dY  # (n, d_L)
    for l in range(len(D), 0, -1):
        g = (g * D[l]) @ params[f"W{l}"].T  # v <- W diag(f') v
    return g  # (n, d_0)


def _left_to_right(dY, params, D):
    # eq-delta-jacobian-product from the J1 end: matrix-matrix products,
    # one (d_0, d_l) matrix P per example.
    n, L = len(dY), len(D)
    P = params["W1"][None, :, :] * D[1][:, None, :]  # J1: (n, d_0, d_1)
    for l in range(2, L + 1):
        W = params[f"W{l}"]
        P = P.reshape(-1, W.shape[0]) @ W  # P <- P W
        P = P.reshape(n, -1, W.shape[1]) * D[l][:, None, :]  # P <- P diag(f')
    return (P @ dY[:, :, None])[:, :, 0]  # finally the vector: (n, d_0)


def input_gradient(X, T, params, activations, loss="squared_error",
                   order="right_to_left"):
    """Gradient of the loss with respect to the inputs, as a product of Jacobians.

    Implements :eq:`eq-delta-jacobian-product` for every example of the
    batch, in the chosen order. Both orders give the same numbers up to
    round-off; they differ in cost (see :func:`count_multiply_adds`).

    Parameters
    ----------
    X : array_like of shape (n, d_0)
    T : array_like of shape (n, d_L)
    params : dict of str to ndarray
    activations : list of str
    loss : str, default "squared_error"
        Any loss of :mod:`bplib.losses` except the one from logits.
    order : {"right_to_left", "left_to_right"}
        Right to left starts from the vector :math:`\\partial\\mathcal{L}/
        \\partial y` (vector-matrix products); left to right starts from
        :math:`J^{(1)}` (matrix-matrix products).

    Returns
    -------
    ndarray of shape (n, d_0)
        Row ``i`` is the gradient of :math:`\\mathcal{L}` with respect to
        ``X[i]``.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    rule = get_loss(loss)
    if rule.logits_for is not None:
        raise ValueError(f"input_gradient needs dL/dY: use a loss of the output Y, "
                         f"not {loss!r}, which takes the logits")
    Y, cache = forward(X, params, activations)
    dY = rule.gradient(Y, T)
    evaluate = _right_to_left if order == "right_to_left" else _left_to_right
    return evaluate(dY, params, _derivatives(cache))


def _median_seconds(function, repeats, budget=0.05):
    # CPU time of this process, which other programs on the machine do not
    # inflate; at least `repeats` runs, more for fast functions (up to
    # `budget` seconds or 500 runs), and the median of them.
    times = []
    while len(times) < repeats or (sum(times) < budget and len(times) < 500):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return float(np.median(times))


def time_orders(widths, depth=4, n=8, repeats=5, rng=0):
    """Measure both orders of :eq:`eq-delta-jacobian-product` against width.

    For each width ``w`` a tanh network with ``w`` inputs, ``depth - 1``
    hidden layers of ``w`` units and one output is evaluated on ``n`` random
    examples. Timed, in CPU seconds of this process (median of at least
    ``repeats`` runs, and of more for fast functions, after one warm-up):
    the forward pass, and each order of the product given the forward
    pass's derivatives. Timings vary between runs and machines; with
    several BLAS threads the CPU time adds up the threads' work.

    Parameters
    ----------
    widths : sequence of int
    depth : int, default 4
        The number of layers ``L``, >= 2.
    n : int, default 8
    repeats : int, default 5
        The minimum number of timed runs of each function.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray of shape (len(widths),)
        ``"width"``, and seconds for ``"forward"``, ``"right_to_left"``,
        ``"left_to_right"``.
    """
    depth = check_positive_int(depth, "depth", minimum=2)
    repeats = check_positive_int(repeats, "repeats")
    rng = check_rng(rng)
    result = {key: [] for key in ("width", "forward") + ORDERS}
    for w in widths:
        params = init_params([w] * depth + [1], rng=rng)
        activations = ["tanh"] * (depth - 1) + ["identity"]
        X = rng.normal(size=(n, w))
        Y, cache = feedforward(X, params, tuple(activations))
        D, dY = _derivatives(cache), Y - 1.0
        runs = {
            "forward": lambda: feedforward(X, params, activations),
            "right_to_left": lambda: _right_to_left(dY, params, D),
            "left_to_right": lambda: _left_to_right(dY, params, D),
        }
        result["width"].append(w)
        for key, run in runs.items():
            run()  # warm-up
            result[key].append(_median_seconds(run, repeats))
    return {key: np.array(values) for key, values in result.items()}
