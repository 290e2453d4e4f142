"""Checkers for the exercises of chapters 1 and 2: one neuron.

* :func:`check_linear_gradient`: the linear neuron's gradient
  :eq:`eq-linear-grad` of half the mean squared error (chapter 1);
* :func:`check_sigmoid_derivative`: :math:`\\sigma'(z)`,
  :eq:`eq-sigmoid-derivative` (chapter 2);
* :func:`check_logistic_gradient`: the sigmoid neuron's gradient of the
  binary cross-entropy, :eq:`eq-bce-grad` and :eq:`eq-neuron-batch-grad`
  (chapter 2);
* :func:`check_numerical_gradient`: central differences,
  :eq:`eq-central-difference` (chapter 2).

Each takes the reader's function, prints a verdict and returns it (see
:mod:`bplib.exercises.core`).
"""

import numpy as np

from .. import activations, gradcheck, linear, losses
from .core import Case, Exercise, Mistake, central_differences, run

__all__ = [
    "check_linear_gradient",
    "check_sigmoid_derivative",
    "check_logistic_gradient",
    "check_numerical_gradient",
]


def _report(answer, exercise):
    verdict = run(answer, exercise)
    print(verdict.message)
    return verdict


def _neuron_cases(targets):
    """(X, T, W, b) for batch sizes 5, 1 and 20, seeds 0-2."""
    cases = []
    for seed, (n, d) in enumerate([(5, 3), (1, 2), (20, 4)]):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(n, d))
        T = targets(rng, n)
        W, b = rng.normal(size=(d, 1)), rng.normal(size=1)
        cases.append(Case(f"n={n}, d={d}, seed {seed}", (X, T, W, b)))
    return tuple(cases)


def _not_summed(name, shape, X, T, W, b):
    return name == "db" and len(shape) >= 1 and shape[0] == len(X) > 1


def _per_example_dW(name, shape, X, T, W, b):
    return name == "dW" and shape == X.shape and len(X) > 1


_NOT_SUMMED = Mistake(
    "bias-not-summed",
    "the bias gradient not summed over the batch (one row per example); "
    "sum it over axis 0", None, _not_summed)
_PER_EXAMPLE_dW = Mistake(
    "not-summed",
    "an elementwise product X * (Y - T) where the matrix product X.T @ (Y - T) "
    "sums over the examples", None, _per_example_dW)


# -- chapter 1: the linear neuron --------------------------------------------


def _linear_errors(X, T, W, b):
    return X @ W + b - T  # Y - T


def _linear_numerical(X, T, W, b):
    dW = central_differences(lambda V: linear.loss(X @ V + b, T), W)
    db = central_differences(lambda c: linear.loss(X @ W + c, T), b)
    return dW, db


def _linear_scaled(c_of_n):
    def produce(X, T, W, b):
        E, c = _linear_errors(X, T, W, b), c_of_n(len(X))
        return c * X.T @ E, c * E.sum(axis=0)
    return produce


LINEAR_GRADIENT = Exercise(
    name="linear_gradient",
    parameters=("X", "T", "W", "b"),
    outputs=("dW", "db"),
    cases=_neuron_cases(lambda rng, n: rng.normal(size=(n, 1))),
    reference=lambda X, T, W, b: linear.gradient(X, T, W, b),
    reference_name="bplib.linear.gradient",
    summary="batch sizes 5, 1 and 20, seeds 0 to 2",
    numerical=_linear_numerical,
    mistakes=(
        Mistake("missing-1/n", "the 1/n of the mean left out: a sum over the examples "
                "where the loss averages them", _linear_scaled(lambda n: 1.0)),
        Mistake("factor-2", "the gradient of the loss without its 1/2: 2/n where 1/n "
                "belongs (the 2 from the square cancels the 1/2)",
                _linear_scaled(lambda n: 2.0 / n)),
        Mistake("sign", "the sign flipped: T - Y where Y - T belongs",
                _linear_scaled(lambda n: -1.0 / n)),
        Mistake("bias-left-out", "the bias left out of the outputs: Y = X @ W + b, "
                "not X @ W", lambda X, T, W, b: ((X.T @ (X @ W - T)) / len(X),
                                                  (X @ W - T).sum(axis=0) / len(X))),
        Mistake("bias-averaged", "an extra 1/n in db: the mean of (Y - T) / n",
                lambda X, T, W, b: (X.T @ _linear_errors(X, T, W, b) / len(X),
                                    _linear_errors(X, T, W, b).sum(axis=0) / len(X) ** 2)),
        _NOT_SUMMED,
        _PER_EXAMPLE_dW,
    ),
)


def check_linear_gradient(linear_gradient):
    """Check the reader's gradient of the linear neuron, :eq:`eq-linear-grad`.

    Parameters
    ----------
    linear_gradient : callable
        ``linear_gradient(X, T, W, b) -> (dW, db)`` with ``X`` (n, d), ``T``
        (n, 1), ``W`` (d, 1), ``b`` (1,), for half the mean squared error
        :eq:`eq-linear-loss` of ``Y = X @ W + b``; ``dW`` (d, 1), ``db`` (1,).

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"missing-1/n"``,
        ``"factor-2"``, ``"sign"``, ``"bias-left-out"``, ``"bias-averaged"``;
        wrong shapes (``AnswerShapeError``): ``"bias-not-summed"``,
        ``"not-summed"``, ``"transpose"``.
    """
    return _report(linear_gradient, LINEAR_GRADIENT)


# -- chapter 2: sigma' -------------------------------------------------------


def _sigmoid_cases():
    rng = np.random.default_rng(0)
    return (
        Case("Z of shape (7,), from -3 to 3", (np.linspace(-3.0, 3.0, 7),)),
        Case("Z of shape (3, 4), seed 0", (rng.normal(scale=2.0, size=(3, 4)),)),
        Case("Z of shape (1, 1)", (np.array([[0.5]]),)),
        Case("Z = (-1000, -40, 0, 40, 1000)",
             (np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]),)),
    )


def _sigma_numerical(Z, h=1e-6):
    return ((activations.sigmoid(Z + h) - activations.sigmoid(Z - h)) / (2 * h),)


def _on_sigma(g):
    return lambda Z: (g(activations.sigmoid(Z)),)


SIGMOID_DERIVATIVE = Exercise(
    name="sigmoid_derivative",
    parameters=("Z",),
    outputs=("dA_dZ",),
    cases=_sigmoid_cases(),
    reference=lambda Z: (activations.sigmoid_derivative(Z),),
    reference_name="bplib.activations.sigmoid_derivative",
    summary="Z of shapes (7,), (3, 4), (1, 1) and (5,), |Z| up to 1000",
    numerical=_sigma_numerical,
    returns="an array of the shape of Z",
    mistakes=(
        Mistake("formula-on-Z", "the formula y (1 - y) applied to Z itself; "
                "it needs y = sigma(Z)", lambda Z: (Z * (1 - Z),)),
        Mistake("sigma-twice", "sigma applied twice: the formula y (1 - y) with "
                "y = sigma(sigma(Z)), or sigma' evaluated at the activation",
                lambda Z: activations.sigmoid_derivative(activations.sigmoid(Z))[None]),
        Mistake("sigmoid-itself", "sigma(Z) returned; its derivative is sigma(Z) (1 - sigma(Z))",
                _on_sigma(lambda s: s)),
        Mistake("sign", "the sign flipped: sigma (sigma - 1) instead of sigma (1 - sigma)",
                _on_sigma(lambda s: s * (s - 1))),
    ),
)


def check_sigmoid_derivative(sigmoid_derivative):
    """Check the reader's :math:`\\sigma'(z)`, :eq:`eq-sigmoid-derivative`.

    Parameters
    ----------
    sigmoid_derivative : callable
        ``sigmoid_derivative(Z) -> array`` of the shape of ``Z``, elementwise,
        at the pre-activation ``Z``; finite for ``|Z|`` up to 1000.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"formula-on-Z"``,
        ``"sigma-twice"``, ``"sigmoid-itself"``, ``"sign"``,
        ``"not-finite"`` (an overflow).
    """
    return _report(sigmoid_derivative, SIGMOID_DERIVATIVE)


# -- chapter 2: the sigmoid neuron's cross-entropy gradient -------------------


def _logistic_delta(X, T, W, b):
    return losses.binary_cross_entropy_with_logits_gradient(X @ W + b, T)  # eq-bce-grad


def _logistic_reference(X, T, W, b):
    dZ = _logistic_delta(X, T, W, b)
    return X.T @ dZ, dZ.sum(axis=0)  # eq-neuron-batch-grad


def _logistic_numerical(X, T, W, b):
    bce = losses.binary_cross_entropy_with_logits
    return (central_differences(lambda V: bce(X @ V + b, T), W),
            central_differences(lambda c: bce(X @ W + c, T), b))


def _logistic_with(transform):
    def produce(X, T, W, b):
        dZ = transform(_logistic_delta(X, T, W, b), X @ W + b, len(X))
        return X.T @ dZ, dZ.sum(axis=0)
    return produce


LOGISTIC_GRADIENT = Exercise(
    name="logistic_gradient",
    parameters=("X", "T", "W", "b"),
    outputs=("dW", "db"),
    cases=_neuron_cases(lambda rng, n: rng.integers(0, 2, size=(n, 1)).astype(float)),
    reference=_logistic_reference,
    reference_name="bplib's cross-entropy gradient (sigma(Z) - T) / n, through X.T",
    summary="batch sizes 5, 1 and 20, seeds 0 to 2",
    numerical=_logistic_numerical,
    mistakes=(
        Mistake("sigma-prime-kept", "sigma'(Z) kept in the delta: for the cross-entropy it "
                "cancels, delta = (sigma(Z) - T) / n (that extra factor belongs to the "
                "squared error's delta)",
                _logistic_with(lambda dZ, Z, n: dZ * activations.sigmoid_derivative(Z))),
        Mistake("missing-1/n", "the 1/n of the mean left out: a sum over the examples "
                "where the loss averages them", _logistic_with(lambda dZ, Z, n: dZ * n)),
        Mistake("sign", "the sign flipped: T - sigma(Z) where sigma(Z) - T belongs",
                _logistic_with(lambda dZ, Z, n: -dZ)),
        Mistake("bias-averaged", "an extra 1/n in db: the mean of the deltas, which "
                "already carry the 1/n",
                lambda X, T, W, b: (_logistic_reference(X, T, W, b)[0],
                                    _logistic_delta(X, T, W, b).mean(axis=0))),
        _NOT_SUMMED,
        _PER_EXAMPLE_dW,
    ),
)


def check_logistic_gradient(logistic_gradient):
    """Check the reader's gradient of the sigmoid neuron with cross-entropy.

    Parameters
    ----------
    logistic_gradient : callable
        ``logistic_gradient(X, T, W, b) -> (dW, db)`` for
        ``Y = sigmoid(X @ W + b)`` and the mean binary cross-entropy
        :eq:`eq-bce` of ``Y`` against 0/1 targets ``T`` (n, 1):
        :eq:`eq-bce-grad` then :eq:`eq-neuron-batch-grad`.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"sigma-prime-kept"``,
        ``"missing-1/n"``, ``"sign"``, ``"bias-averaged"``; wrong shapes:
        ``"bias-not-summed"``, ``"not-summed"``, ``"transpose"``.
    """
    return _report(logistic_gradient, LOGISTIC_GRADIENT)


# -- chapter 2: central differences -------------------------------------------

_H = 1e-4  # large enough that a forward difference's error (about h) shows


def _bowl(P):
    """A test function with third derivatives, so forward differences err by O(h)."""
    k = np.arange(1, P.size + 1).reshape(P.shape) / P.size
    return float(np.sum(np.exp(k * P)) + np.sum(P) ** 3 / 3)


def _bowl_gradient(P):
    k = np.arange(1, P.size + 1).reshape(P.shape) / P.size
    return k * np.exp(k * P) + np.sum(P) ** 2


def _difference(kind):
    def produce(f, P, h):
        P, grad = P.copy(), np.zeros_like(P)
        for j in np.ndindex(P.shape):
            e = np.zeros_like(P)
            e[j] = h
            if kind == "forward":
                grad[j] = (f(P + e) - f(P)) / h
            elif kind == "backward":
                grad[j] = (f(P) - f(P - e)) / h
            elif kind == "over-h":
                grad[j] = (f(P + e) - f(P - e)) / h
            else:  # "not-restored": moves P[j] up by h, then down by 2h, and leaves it
                P[j] += h
                f_plus = f(P)
                P[j] -= 2 * h
                grad[j] = (f_plus - f(P)) / (2 * h)
        return (grad,)
    return produce


def _numerical_cases():
    rng = np.random.default_rng(0)
    return (
        Case("P of shape (3, 2), seed 0, h = 1e-4", (_bowl, rng.normal(size=(3, 2)), _H)),
        Case("P of shape (1,), h = 1e-4", (_bowl, np.array([0.7]), _H)),
        Case("P of shape (5,), seed 0, h = 1e-4", (_bowl, rng.normal(size=5), _H)),
    )


NUMERICAL_GRADIENT = Exercise(
    name="numerical_gradient",
    parameters=("f", "P", "h"),
    outputs=("grad",),
    cases=_numerical_cases(),
    reference=lambda f, P, h: (_bowl_gradient(P),),
    reference_name="the exact gradient",
    summary="P of shapes (3, 2), (1,) and (5,), h = 1e-4",
    numerical=lambda f, P, h: (gradcheck.numerical_gradient(f, P.copy(), h),),
    returns="an array of the shape of P",
    rtol=1e-7,
    atol=1e-9,
    mistakes=(
        Mistake("forward-difference", "a forward difference (f(P + h e) - f(P)) / h, "
                "whose error shrinks only like h; the central difference's shrinks like h^2",
                _difference("forward")),
        Mistake("backward-difference", "a backward difference (f(P) - f(P - h e)) / h, "
                "whose error shrinks only like h", _difference("backward")),
        Mistake("over-h", "the central difference divided by h instead of 2h",
                _difference("over-h")),
        Mistake("not-restored", "each entry left perturbed (P[j] ends at P[j] - h): "
                "restore it before moving to the next", _difference("not-restored")),
    ),
)


def check_numerical_gradient(numerical_gradient):
    """Check the reader's central differences, :eq:`eq-central-difference`.

    Parameters
    ----------
    numerical_gradient : callable
        ``numerical_gradient(f, P, h) -> grad`` of the shape of ``P``: the
        central-difference estimate of the gradient of the scalar function
        ``f`` at the array ``P``, one entry at a time. It is called with
        ``h = 1e-4``, where a forward difference's error is about 1e-4
        and a central difference's about 1e-9.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"forward-difference"``,
        ``"backward-difference"``, ``"over-h"``, ``"not-restored"``.
    """
    return _report(numerical_gradient, NUMERICAL_GRADIENT)
