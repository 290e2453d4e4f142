"""Checkers for the exercises of chapters 3 and 4: backward passes through layers.

* :func:`check_two_layer_backward`: the eight equations of chapter 3's
  backward pass, :eq:`eq-two-layer-dY` to :eq:`eq-two-layer-db1`;
* :func:`check_delta_backward`: the delta recursion for any depth,
  :eq:`eq-delta-recursion`, :eq:`eq-delta-dW` and :eq:`eq-delta-db`
  (chapter 4).

The first case of each has square weight matrices wherever it can, so that
a transpose too many or too few, or the wrong layer's array, gives wrong
numbers (and a named mistake) rather than a wrong shape.
"""

import numpy as np

from .. import mlp, two_layer
from ..activations import get_activation, sigmoid_derivative
from .core import Case, Exercise, Mistake, central_differences, run

__all__ = ["check_two_layer_backward", "check_delta_backward"]


def _report(answer, exercise):
    verdict = run(answer, exercise)
    print(verdict.message)
    return verdict


# -- chapter 3: two layers -------------------------------------------------------


def _two_layer_cases():
    cases = []
    for seed, (n, d_in, d1, d_out) in enumerate([(4, 3, 3, 2), (1, 2, 5, 1), (8, 4, 3, 2)]):
        rng = np.random.default_rng(seed)
        params = two_layer.Params(rng.normal(size=(d_in, d1)), rng.normal(size=d1),
                                  rng.normal(size=(d1, d_out)), rng.normal(size=d_out))
        X = rng.normal(size=(n, d_in))
        T = rng.uniform(size=(n, d_out))
        cache = two_layer.forward(X, params)[1]
        cases.append(Case(f"n={n}, d_in={d_in}, d1={d1}, d_out={d_out}, seed {seed}",
                          (T, params, cache)))
    return tuple(cases)


def _two_layer_numerical(T, params, cache):
    point = params._asdict()

    def loss_at(name):
        def f(P):
            p = two_layer.Params(**{**point, name: P})
            return two_layer.loss(two_layer.forward(cache.X, p)[0], T)
        return f
    return tuple(central_differences(loss_at(name), point[name]) for name in point)


def _two_layer_variant(*, dY=lambda Y, T, n: (Y - T) / n, d2=None, d1=None,
                       input2="H1", bias=lambda delta: delta.sum(axis=0)):
    """A backward pass with one of its lines changed; the defaults are right."""
    def produce(T, params, cache):
        X, Z1, H1, Z2, Y = cache
        delta2 = dY(Y, T, len(X)) * (d2 or (lambda Z, A: sigmoid_derivative(Z)))(Z2, Y)
        dW2 = (H1 if input2 == "H1" else X).T @ delta2
        dH1 = delta2 @ params.W2.T
        delta1 = dH1 * (d1 or (lambda Z, A: sigmoid_derivative(Z)))(Z1, H1)
        return X.T @ delta1, bias(delta1), dW2, bias(delta2)
    return produce


def _twice(Z, A):
    return sigmoid_derivative(Z) ** 2


def _at_activation(Z, A):
    return sigmoid_derivative(A)


def _missing(Z, A):
    return np.ones_like(Z)


def _three_ways(key, cause, derivative):
    """The mistake in delta2 only, in delta1 only, and in both."""
    return tuple(Mistake(key, cause, _two_layer_variant(**kw)) for kw in
                 ({"d1": derivative}, {"d2": derivative}, {"d1": derivative, "d2": derivative}))


def _two_layer_not_summed(name, shape, T, params, cache):
    return name in ("db1", "db2") and len(shape) >= 1 and shape[0] == len(cache.X) > 1


def _two_layer_input_shape(name, shape, T, params, cache):
    return name == "dW2" and shape == (cache.X.shape[1], params.W2.shape[1])


TWO_LAYER_BACKWARD = Exercise(
    name="two_layer_backward",
    parameters=("T", "params", "cache"),
    outputs=("dW1", "db1", "dW2", "db2"),
    cases=_two_layer_cases(),
    reference=lambda T, params, cache: two_layer.backward(T, params, cache),
    reference_name="bplib.two_layer.backward",
    summary="batch sizes 4, 1 and 8; layer sizes 3-3-2, 2-5-1 and 4-3-2",
    numerical=_two_layer_numerical,
    mistakes=(
        Mistake("input-for-activation", "X used where the hidden activation H1 belongs: "
                "dW2 = H1.T @ delta2, the input of the layer that W2 belongs to",
                _two_layer_variant(input2="X"), _two_layer_input_shape),
        Mistake("missing-1/n", "the 1/n of the mean left out of dL/dY = (Y - T) / n",
                _two_layer_variant(dY=lambda Y, T, n: Y - T)),
        Mistake("factor-2", "the gradient of the loss without its 1/2: 2 (Y - T) / n "
                "where (Y - T) / n belongs",
                _two_layer_variant(dY=lambda Y, T, n: 2 * (Y - T) / n)),
        Mistake("sign", "the sign flipped: T - Y where Y - T belongs",
                _two_layer_variant(dY=lambda Y, T, n: (T - Y) / n)),
        *_three_ways("sigma-prime-twice", "sigma' applied twice: each delta multiplies by "
                     "sigma'(Z) once", _twice),
        *_three_ways("sigma-prime-of-activation", "sigma' evaluated at the activation "
                     "(sigmoid_derivative(H1) or of Y) instead of the pre-activation Z; that "
                     "applies sigma twice. Use sigmoid_derivative(Z1), or H1 * (1 - H1)",
                     _at_activation),
        *_three_ways("sigma-prime-missing", "sigma' left out: a delta is dL/dA times "
                     "sigma'(Z)", _missing),
        Mistake("bias-averaged", "an extra 1/n in the bias gradients: the mean of the "
                "deltas, which already carry the 1/n; sum them",
                _two_layer_variant(bias=lambda delta: delta.mean(axis=0))),
        Mistake("bias-not-summed", "the bias gradient not summed over the batch (one row "
                "per example); sum it over axis 0", None, _two_layer_not_summed),
    ),
)


def check_two_layer_backward(backward):
    """Check the reader's backward pass of chapter 3's two-layer network.

    Parameters
    ----------
    backward : callable
        ``two_layer_backward(T, params, cache) -> (dW1, db1, dW2, db2)`` (a
        :class:`bplib.two_layer.Gradients` or a tuple), with ``params`` a
        :class:`bplib.two_layer.Params` and ``cache`` the
        :class:`bplib.two_layer.Cache` ``(X, Z1, H1, Z2, Y)`` of
        :func:`bplib.two_layer.forward`; the loss is half the mean squared
        error, :eq:`eq-two-layer-loss`.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"input-for-activation"``,
        ``"missing-1/n"``, ``"factor-2"``, ``"sign"``,
        ``"sigma-prime-twice"``, ``"sigma-prime-of-activation"``,
        ``"sigma-prime-missing"``, ``"bias-averaged"``, ``"transpose"``; wrong
        shapes: ``"bias-not-summed"``, ``"input-for-activation"``,
        ``"transpose"``.
    """
    return _report(backward, TWO_LAYER_BACKWARD)


# -- chapter 4: the delta recursion -------------------------------------------------

_TARGETS = {}  # id(cache) -> (X, T): for the central differences of a case


def _delta_cases():
    cases = []
    networks = [([3, 3, 3, 3], ["tanh", "sigmoid", "identity"], 5),
                ([2, 4], ["sigmoid"], 1),
                ([4, 6, 5, 3, 2], ["relu", "tanh", "softplus", "sigmoid"], 8),
                ([3, 4, 2], ["tanh", "identity"], 1)]
    for seed, (sizes, activations, n) in enumerate(networks):
        rng = np.random.default_rng(seed)
        params = {}
        for l, (d_prev, d) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{l}"] = rng.normal(scale=1 / np.sqrt(d_prev), size=(d_prev, d))
            params[f"b{l}"] = rng.normal(scale=0.5, size=d)
        X, T = rng.normal(size=(n, sizes[0])), rng.normal(size=(n, sizes[-1]))
        cache = mlp.forward(X, params, activations)[1]
        _TARGETS[id(cache)] = X, T
        label = (f"L={len(activations)} ({', '.join(activations)}), sizes {sizes}, "
                 f"n={n}, seed {seed}")
        cases.append(Case(label, (mlp.output_delta(cache, T), params, cache)))
    return tuple(cases)


def _delta_names(delta, params, cache):
    return tuple(f'grads["{k}"]' for k in params)  # W1, b1, ..., WL, bL


def _delta_call(answer, delta, params, cache):
    from .core import call_answer
    grads = call_answer(answer, delta, params, cache)
    if grads is None:
        return None
    if not isinstance(grads, dict):
        raise TypeError(f"delta_backward must return a dict of gradients keyed like params "
                        f"({', '.join(params)}), got {type(grads).__name__}")
    missing = [k for k in params if k not in grads]
    if missing:
        hint = (" (does the loop stop before layer 1?)" if "W1" in missing
                and len(missing) < len(params) else "")
        raise TypeError(f"delta_backward's dict lacks {', '.join(missing)}{hint}; it must have "
                        f"the keys of params, {', '.join(params)}")
    return tuple(grads[k] for k in params)


def _delta_numerical(delta, params, cache):
    X, T = _TARGETS[id(cache)]
    point = {k: v.copy() for k, v in params.items()}

    def loss_at(key):
        def f(P):
            return mlp.loss_and_gradients(X, T, {**point, key: P}, list(cache.activations))[0]
        return f
    return tuple(central_differences(loss_at(k), point[k]) for k in point)


def _derivative(cache, l, at="Z"):
    df = get_activation(cache.activations[l - 1]).derivative
    return df(cache.Z[l] if at == "Z" else cache.A[l])


def _recursion_variant(*, weight_input=lambda cache, l: cache.A[l - 1],
                       back=lambda delta, W: delta @ W.T,
                       derivative=lambda cache, l: _derivative(cache, l),
                       scale=lambda n: 1.0, bias=lambda delta: delta.sum(axis=0),
                       recurse=True):
    """chapter 4's backward pass with one thing changed; the defaults are right."""
    def produce(delta, params, cache):
        grads, n, top = {}, len(cache.A[0]), delta
        for l in range(len(cache.Z), 0, -1):
            grads[f"W{l}"] = weight_input(cache, l).T @ delta * scale(n)
            grads[f"b{l}"] = bias(delta) * scale(n)
            if l > 1:
                delta = (back(delta, params[f"W{l}"]) * derivative(cache, l - 1)
                         if recurse else top)
        return tuple(grads[k] for k in params)
    return produce


def _delta_not_summed(name, shape, delta, params, cache):
    return '"b' in name and len(shape) >= 1 and shape[0] == len(delta) > 1


DELTA_BACKWARD = Exercise(
    name="delta_backward",
    parameters=("delta", "params", "cache"),
    outputs=_delta_names,
    cases=_delta_cases(),
    reference=lambda delta, params, cache: tuple(mlp.backward(delta, params, cache).values()),
    reference_name="bplib.mlp.backward",
    summary="1 to 4 layers, five activations, batch sizes 1 to 8",
    numerical=_delta_numerical,
    call=_delta_call,
    returns="a dict of gradients keyed like params",
    mistakes=(
        Mistake("output-for-input", "the layer's output A[l] used where its input A[l-1] "
                "belongs: dW_l = A[l-1].T @ delta_l",
                _recursion_variant(weight_input=lambda cache, l: cache.A[l])),
        Mistake("input-for-activation", "X used where the hidden activation belongs: "
                "dW_l = A[l-1].T @ delta_l, and only layer 1's input is X",
                _recursion_variant(weight_input=lambda cache, l: cache.A[0])),
        Mistake("transpose", "a missing transpose in the recursion: delta @ W.T, not delta @ W",
                _recursion_variant(back=lambda delta, W: delta @ W)),
        Mistake("derivative-wrong-layer", "f' of the wrong layer: the new delta of layer l-1 "
                "needs f'(Z[l-1]), not f'(Z[l])",
                _recursion_variant(derivative=lambda cache, l: _derivative(cache, l + 1))),
        Mistake("derivative-wrong-layer", "the activation of the wrong layer: the delta of "
                "layer l-1 needs layer l-1's f', get_activation(cache.activations[l - 2]) "
                "(the list starts at layer 1)",
                _recursion_variant(derivative=lambda cache, l: get_activation(
                    cache.activations[l]).derivative(cache.Z[l]))),
        Mistake("derivative-of-activation", "f' evaluated at the activation A[l-1] instead of "
                "the pre-activation Z[l-1]",
                _recursion_variant(derivative=lambda cache, l: _derivative(cache, l, at="A"))),
        Mistake("derivative-missing", "f' left out of the recursion: delta_(l-1) = "
                "(delta_l @ W_l.T) * f'(Z[l-1])",
                _recursion_variant(derivative=lambda cache, l: 1.0)),
        Mistake("derivative-twice", "f' applied twice in the recursion",
                _recursion_variant(derivative=lambda cache, l: _derivative(cache, l) ** 2)),
        Mistake("no-recursion", "the output delta used for every layer: each layer needs "
                "its own delta from the recursion", _recursion_variant(recurse=False)),
        Mistake("extra-1/n", "an extra 1/n: the output delta already carries the loss's "
                "1/n, so dW and db are sums over the batch, not means",
                _recursion_variant(scale=lambda n: 1.0 / n)),
        Mistake("bias-averaged", "an extra 1/n in the bias gradients: the mean of the "
                "deltas, which already carry the 1/n; sum them",
                _recursion_variant(bias=lambda delta: delta.mean(axis=0))),
        Mistake("bias-not-summed", "the bias gradient not summed over the batch (one row "
                "per example); sum it over axis 0", None, _delta_not_summed),
    ),
)


def check_delta_backward(backward):
    """Check the reader's backward pass for a network of any depth (chapter 4).

    Parameters
    ----------
    backward : callable
        ``delta_backward(delta, params, cache) -> grads``, as
        :func:`bplib.mlp.backward`: ``delta`` the output delta
        :math:`\\delta^{(L)}` (n, d_L), ``params`` the dict ``W1, b1, ...,
        WL, bL``, ``cache`` the :class:`bplib.mlp.Cache` of
        :func:`bplib.mlp.forward` (``cache.A[l]``, ``cache.Z[l]``,
        ``cache.activations[l - 1]``); ``grads`` a dict keyed like
        ``params``. Checked on networks of 1 to 4 layers, batch sizes 1 to 8.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"output-for-input"``,
        ``"input-for-activation"``, ``"transpose"``,
        ``"derivative-wrong-layer"``, ``"derivative-of-activation"``,
        ``"derivative-missing"``, ``"derivative-twice"``,
        ``"no-recursion"``, ``"extra-1/n"``, ``"bias-averaged"``; wrong
        shapes: ``"bias-not-summed"``, ``"transpose"``.
    """
    return _report(backward, DELTA_BACKWARD)
