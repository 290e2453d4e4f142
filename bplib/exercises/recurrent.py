"""Checker for the exercise of chapter 9: one step of backpropagation through time.

:func:`check_bptt_step` runs the reader's backward step of the vanilla cell,
:eq:`eq-bptt-delta` and the step's terms of :eq:`eq-bptt-grads`, on three
cases (batch sizes 4, 1 and 6; the first with as many inputs as hidden units,
so that an input used for a state, or a state for another, gives wrong
numbers rather than a wrong shape) and compares it with
:mod:`bplib.rnn`'s step and with central differences.
"""

import numpy as np

from .. import rnn
from .core import Case, Exercise, Mistake, central_differences, run

__all__ = ["check_bptt_step"]

_WEIGHTS = {}  # id(h) -> (W_x, b): for the central differences of a case


def _cases():
    cases = []
    for seed, (n, d_in, d_h) in enumerate([(4, 3, 3), (1, 2, 4), (6, 5, 3)]):
        rng = np.random.default_rng(seed)
        x, h_prev = rng.normal(size=(n, d_in)), np.tanh(rng.normal(size=(n, d_h)))
        W_x, W_h = rng.normal(size=(d_in, d_h)) / np.sqrt(d_in), rng.normal(size=(d_h, d_h))
        b = 0.3 * rng.normal(size=d_h)
        h = np.tanh(x @ W_x + h_prev @ W_h + b)
        dh = rng.normal(size=(n, d_h))
        _WEIGHTS[id(h)] = W_x, b
        cases.append(Case(f"n={n}, d_in={d_in}, d_h={d_h}, seed {seed}", (dh, h, h_prev, x, W_h)))
    return tuple(cases)


def _reference(dh, h, h_prev, x, W_h):
    delta, (dh_prev,) = rnn.CELLS["vanilla"].back((dh,), (h_prev,), h, W_h)
    return dh_prev, x.T @ delta, h_prev.T @ delta, delta.sum(axis=0)


def _numerical(dh, h, h_prev, x, W_h):
    W_x, b = _WEIGHTS[id(h)]

    def loss(x=x, h_prev=h_prev, W_x=W_x, W_h=W_h, b=b):  # L = sum(dh * h_t)
        return float(np.sum(dh * np.tanh(x @ W_x + h_prev @ W_h + b)))
    point = {"h_prev": h_prev.copy(), "W_x": W_x.copy(), "W_h": W_h.copy(), "b": b.copy()}
    return tuple(central_differences(lambda P, k=k: loss(**{k: P}), point[k])
                 for k in ("h_prev", "W_x", "W_h", "b"))


def _variant(*, derivative=lambda h, h_prev: 1.0 - h * h, back=lambda delta, dh, W_h:
             delta @ W_h.T, state=lambda h, h_prev, x: h_prev, inp=lambda h, h_prev, x: x):
    """The backward step with one thing changed; the defaults are right."""
    def produce(dh, h, h_prev, x, W_h):
        delta = dh * derivative(h, h_prev)
        return (back(delta, dh, W_h), inp(h, h_prev, x).T @ delta,
                state(h, h_prev, x).T @ delta, delta.sum(axis=0))
    return produce


def _not_summed(name, shape, dh, h, h_prev, x, W_h):
    return name == "db" and len(shape) == 2 and shape[0] == len(dh) > 1


BPTT_STEP = Exercise(
    name="bptt_step",
    parameters=("dh", "h", "h_prev", "x", "W_h"),
    outputs=("dh_prev", "dW_x", "dW_h", "db"),
    cases=_cases(),
    reference=_reference,
    reference_name="bplib.rnn (the vanilla cell's backward step)",
    numerical=_numerical,
    summary="batch sizes 4, 1 and 6; hidden sizes 3, 4 and 3",
    mistakes=(
        Mistake("tanh-prime-missing", "tanh' left out: delta = dh * (1 - h**2), the state's "
                "gradient times the derivative of tanh", _variant(derivative=lambda h, p: 1.0)),
        Mistake("tanh-prime-of-previous-state", "tanh' taken at the previous state h_prev; "
                "the derivative belongs to this step's output, 1 - h**2",
                _variant(derivative=lambda h, p: 1.0 - p * p)),
        Mistake("tanh-applied-again", "1 - tanh(h)**2: h is already tanh(Z), so tanh' is "
                "1 - h**2", _variant(derivative=lambda h, p: 1.0 - np.tanh(h) ** 2)),
        Mistake("new-state-for-previous", "h used where h_prev belongs: W_h multiplies the "
                "previous state, so dW_h = h_prev.T @ delta",
                _variant(state=lambda h, p, x: h)),
        Mistake("input-and-state-swapped", "x and h_prev swapped: dW_x = x.T @ delta and "
                "dW_h = h_prev.T @ delta", _variant(state=lambda h, p, x: x,
                                                     inp=lambda h, p, x: p)),
        Mistake("W_h-not-transposed", "W_h where its transpose belongs: dh_prev = "
                "delta @ W_h.T (row convention)",
                _variant(back=lambda delta, dh, W_h: delta @ W_h)),
        Mistake("dh-for-delta", "dh sent back instead of delta: tanh' must be applied before "
                "the step back, dh_prev = delta @ W_h.T",
                _variant(back=lambda delta, dh, W_h: dh @ W_h.T)),
        Mistake("bias-not-summed", "the bias gradient not summed over the batch (one row per "
                "example); sum delta over axis 0", None, _not_summed),
    ),
)


def check_bptt_step(bptt_step):
    """Check the reader's backward step of the vanilla recurrent cell.

    The step is :math:`h_t = \\tanh(x_t W_x + h_{t-1} W_h + b)`; given the
    gradient ``dh`` of the loss with respect to :math:`h_t` (all of it: the
    direct part and what came back from step :math:`t + 1`), it returns the
    gradient with respect to :math:`h_{t-1}` and this step's terms of the
    weight gradients, :eq:`eq-bptt-delta` and :eq:`eq-bptt-grads`.

    Parameters
    ----------
    bptt_step : callable
        ``bptt_step(dh, h, h_prev, x, W_h) -> (dh_prev, dW_x, dW_h, db)``
        with ``dh``, ``h`` and ``h_prev`` of shape (n, d_h), ``x`` (n, d_in)
        and ``W_h`` (d_h, d_h).

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"tanh-prime-missing"``,
        ``"tanh-prime-of-previous-state"``, ``"tanh-applied-again"``,
        ``"new-state-for-previous"``, ``"input-and-state-swapped"``,
        ``"W_h-not-transposed"``, ``"dh-for-delta"``, the generic sign,
        factor and transpose; wrong shape: ``"bias-not-summed"``.
    """
    verdict = run(bptt_step, BPTT_STEP)
    print(verdict.message)
    return verdict
