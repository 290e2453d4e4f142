"""The memory of reverse mode, and checkpointing (chapter 9).

Reverse mode runs the forward pass first and the backward pass in the
opposite order, so it must keep what each step's backward needs until the
sweep comes back to it: memory grows with the number of steps ``S``,
:eq:`eq-ckpt-plain`. Checkpointing keeps only some states and recomputes the
rest from the nearest one when the backward sweep needs them.

A *chain* is any sequence of steps with this interface (the two here are
:func:`rnn_chain`, the steps of a recurrent cell, and :func:`mlp_chain`, the
layers of chapter 4's network)::

    chain.n                                  # number of steps
    chain.step(t, state) -> (state, kept)    # forward step t; kept = what back needs
    chain.back(t, d_new, state, kept, grads) -> d_state   # adds into grads
    chain.zero_grads() -> dict

:func:`backprop` runs a chain with one of three schedules and returns the
loss, the gradients (the same as plain backpropagation's to rounding), the
gradient with respect to the initial state and what it cost:

* ``"plain"``: keep every step, :math:`S` records.
* ``"uniform"``: keep every ``every``-th state (``every`` = ⌈√S⌉ by
  default), recompute one segment at a time, :eq:`eq-ckpt-sqrt`: about
  :math:`2\\sqrt S` records for one extra forward pass.
* ``"revolve"``: binomial checkpointing with ``slots`` states
  :cite:p:`griewank1992,griewank2000revolve`, the fewest forward steps for
  that memory, :eq:`eq-ckpt-revolve`.

Memory is counted as the bytes of the arrays a schedule holds at its peak
(each array once), not the process's memory.
"""

from dataclasses import dataclass
from math import comb

import numpy as np

from . import rnn
from ._validation import as_float_array, check_positive_int, lookup
from .activations import get_activation

__all__ = ["SCHEDULES", "Cost", "rnn_chain", "mlp_chain", "backprop", "revolve_steps"]

SCHEDULES = ("plain", "uniform", "revolve")
"""tuple of str: the schedules of :func:`backprop`."""


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        return [obj]
    return [a for o in obj for a in _arrays(o)] if isinstance(obj, (tuple, list)) else []


def _nbytes(*objs):
    seen = {id(a): a.nbytes for o in objs for a in _arrays(o)}
    return sum(seen.values())


class _RNNChain:
    def __init__(self, X, params, cell):
        X, p, self.spec, self.state0 = rnn._check(X, params, cell)
        S, n, d_in = X.shape
        self.X, self.p, self.n = X, p, S
        self.U = (X.reshape(S * n, d_in) @ p["W_x"] + p["b"]).reshape(S, n, -1)

    def step(self, t, state):
        return self.spec.step(self.U[t], state, self.p["W_h"])

    def back(self, t, d_new, state, kept, grads):
        delta, d_state = self.spec.back(d_new, state, kept, self.p["W_h"])
        grads["W_x"] += self.X[t].T @ delta  # eq-bptt-grads
        grads["W_h"] += state[0].T @ delta  # eq-bptt-grads
        grads["b"] += delta.sum(axis=0)  # eq-bptt-grads
        return d_state

    def zero_grads(self):
        return {k: np.zeros_like(self.p[k]) for k in ("W_x", "W_h", "b")}


def rnn_chain(X, params, cell="vanilla"):
    """The steps of a recurrent cell over ``X`` as a chain for :func:`backprop`.

    Parameters
    ----------
    X : array_like of shape (S, n, d_in)
    params : dict
        ``W_x``, ``W_h``, ``b`` (:func:`bplib.rnn.init_params`).
    cell : {"vanilla", "lstm"}

    Returns
    -------
    chain
        With ``chain.state0`` the zero initial state and ``chain.n = S``.
    """
    return _RNNChain(X, params, cell)


class _MLPChain:
    def __init__(self, params, activations):
        from . import mlp

        params, sizes = mlp.check_params(params)
        self.activations = mlp.check_activations(activations, len(sizes) - 1)
        self.p, self.n = params, len(sizes) - 1

    def step(self, t, state):
        Z = state @ self.p[f"W{t + 1}"] + self.p[f"b{t + 1}"]  # eq-delta-layer
        return get_activation(self.activations[t]).function(Z), Z

    def back(self, t, d_new, state, kept, grads):
        delta = d_new * get_activation(self.activations[t]).derivative(kept)
        grads[f"W{t + 1}"] += state.T @ delta  # eq-delta-dW
        grads[f"b{t + 1}"] += delta.sum(axis=0)  # eq-delta-db
        return delta @ self.p[f"W{t + 1}"].T  # eq-delta-recursion

    def zero_grads(self):
        return {k: np.zeros_like(v) for k, v in self.p.items()}


def mlp_chain(params, activations):
    """The layers of a :mod:`bplib.mlp` network as a chain for :func:`backprop`
    (the state is the layer's activation :math:`A^{(l)}`, the input ``X`` the
    initial state)."""
    return _MLPChain(params, activations)


@dataclass(frozen=True)
class Cost:
    """What one :func:`backprop` cost.

    Attributes
    ----------
    schedule : str
    peak_bytes : int
        Bytes of the states and step records held at the peak.
    forward_steps : int
        Forward steps run, the first pass included (``S`` for plain).
    """

    schedule: str
    peak_bytes: int
    forward_steps: int


class _Meter:
    """Counts forward steps and the bytes held now and at the peak."""

    def __init__(self):
        self.now = self.peak = self.steps = 0

    def add(self, nbytes):
        self.now += nbytes
        self.peak = max(self.peak, self.now)


def _run(chain, a, b, state, meter, keep=False):
    """Forward steps a, ..., b - 1 from ``state``; with ``keep``, their records
    (input state, kept values), whose bytes the meter counts."""
    records = []
    for t in range(a, b):
        new, kept = chain.step(t, state)
        meter.steps += 1
        if keep:
            records.append((state, kept, _nbytes(kept, new)))  # the output state and kept
            meter.add(records[-1][2])
        state = new
    return state, records


def _reverse(chain, a, records, d, grads, meter):
    """Backward through the records of steps a, a + 1, ... (last first),
    freeing each record once used."""
    for j in range(len(records) - 1, -1, -1):
        state, kept, nbytes = records.pop()
        d = chain.back(a + j, d, state, kept, grads)
        meter.now -= nbytes
    return d


def _beta(c, r):
    return comb(c + r, c)


def revolve_steps(n, slots):
    """Fewest forward steps that reverse ``n`` steps with ``slots`` stored
    states besides the initial one, :eq:`eq-ckpt-revolve`.

    ``n + t(n, slots + 1)``, with Griewank's :math:`t(n, c) = r n -
    \\binom{c + r}{r - 1}` and ``r`` the least with :math:`\\binom{c + r}{c}
    \\ge n` :cite:p:`griewank1992`. ``revolve_steps(n, n - 1) = 2n - 1``.

    Parameters
    ----------
    n : int
        Steps, >= 1.
    slots : int
        Stored states, >= 0.

    Returns
    -------
    int
    """
    n, slots = check_positive_int(n, "n"), check_positive_int(slots, "slots", minimum=0)
    c, r = slots + 1, 0
    while _beta(c, r) < n:  # the least r with beta(c, r) >= n
        r += 1
    return n + r * n - (_beta(c + 1, r - 1) if r else 0)  # eq-ckpt-revolve, exact for any n


def _costs(ns, s):
    """revolve_steps for an array of step counts ``ns`` and ``s`` slots."""
    c, betas = s + 1, [1]
    while betas[-1] < ns.max():
        betas.append(_beta(c, len(betas)))
    r = np.searchsorted(np.array(betas, dtype=float), ns)  # least r with beta(c, r) >= n
    sub = np.array([0.0] + [_beta(c + 1, k - 1) for k in range(1, len(betas))])
    return ns + r * ns - sub[r]  # eq-ckpt-revolve


def _split(n, s):
    """An optimal first segment m (1 <= m < n) for n steps and s >= 1 slots."""
    m = np.arange(1, n)
    return int(m[np.argmin(m + _costs(n - m, s - 1) + _costs(m, s))])


class _Loss:
    """The loss at the last state, evaluated when a schedule first reaches it."""

    def __init__(self, loss_grad, n):
        self.loss_grad, self.n, self.value = loss_grad, n, None

    def seed(self, b, state, d):
        """The adjoint leaving step ``b - 1`` backwards: the loss's gradient at the end."""
        if b < self.n:
            return d
        self.value, d = self.loss_grad(state)
        return d


def _revolve(chain, state0, loss, slots, meter, grads):
    stack, d = [(0, chain.n, slots, state0)], None  # reverse [a, a + n) with s free slots
    while stack:  # the latest steps are always on top
        a, n, s, state = stack.pop()
        if n == 1 or s == 0:  # no slot left: recompute from `state` for each step
            for j in range(n - 1, -1, -1):
                x, _ = _run(chain, a, a + j, state, meter)
                end, records = _run(chain, a + j, a + j + 1, x, meter, keep=True)
                d = _reverse(chain, a + j, records, loss.seed(a + j + 1, end, d), grads, meter)
            if a > 0:
                meter.now -= _nbytes(state)  # this checkpoint is done
            continue
        m = _split(n, s)
        mid, _ = _run(chain, a, a + m, state, meter)
        meter.add(_nbytes(mid))
        stack.append((a, m, s, state))
        stack.append((a + m, n - m, s - 1, mid))
    return d


def _uniform(chain, state0, loss, every, meter, grads):
    starts = list(range(0, chain.n, every))
    checkpoints, state = {0: state0}, state0
    for a in starts[1:]:  # first pass: keep every `every`-th state
        state, _ = _run(chain, a - every, a, state, meter)
        checkpoints[a] = state
        meter.add(_nbytes(state))
    d = None
    for a in reversed(starts):  # eq-ckpt-sqrt
        b = min(a + every, chain.n)
        end, records = _run(chain, a, b, checkpoints[a], meter, keep=True)
        d = _reverse(chain, a, records, loss.seed(b, end, d), grads, meter)
        if a > 0:
            meter.now -= _nbytes(checkpoints.pop(a))
    return d


def _plain(chain, state0, loss, meter, grads):
    end, records = _run(chain, 0, chain.n, state0, meter, keep=True)  # eq-ckpt-plain
    return _reverse(chain, 0, records, loss.seed(chain.n, end, None), grads, meter)


def backprop(chain, state0, loss_grad, schedule="plain", *, every=None, slots=None):
    """Reverse-mode gradients of a chain's loss, with or without checkpoints.

    Parameters
    ----------
    chain
        From :func:`rnn_chain` or :func:`mlp_chain` (or any object with
        ``n``, ``step``, ``back`` and ``zero_grads``, see the module).
    state0 : ndarray or tuple of ndarray
        The initial state (``chain.state0`` for an RNN, ``X`` for a network).
    loss_grad : callable
        ``final_state -> (loss, d_final_state)``.
    schedule : {"plain", "uniform", "revolve"}
        Keep every record (:eq:`eq-ckpt-plain`), checkpoint every ``every``
        steps, or run the binomial schedule with ``slots`` stored states.
    every : int, optional
        For ``"uniform"``: the distance between checkpoints, 1 <= every <= S;
        ⌈√S⌉ by default, :eq:`eq-ckpt-sqrt`.
    slots : int, optional
        For ``"revolve"``: states stored besides ``state0``, 0 <= slots < S;
        ⌈√S⌉ by default (at most S - 1).

    Returns
    -------
    loss : float
    grads : dict
        Shaped like the chain's parameters.
    d_state0 : ndarray or tuple of ndarray
    cost : Cost
    """
    lookup(dict.fromkeys(SCHEDULES), schedule, "schedule")
    S = chain.n
    if isinstance(state0, (tuple, list)):
        state0 = tuple(as_float_array(s, "state0", ndim=2) for s in state0)
    else:
        state0 = as_float_array(state0, "state0", ndim=2)
    default = max(1, min(S, int(np.ceil(np.sqrt(S)))))
    if every is not None and schedule != "uniform" or slots is not None and schedule != "revolve":
        raise ValueError(f"every goes with schedule='uniform' and slots with 'revolve', "
                         f"got schedule={schedule!r}")
    meter, grads, loss = _Meter(), chain.zero_grads(), _Loss(loss_grad, S)
    if schedule == "plain":
        d = _plain(chain, state0, loss, meter, grads)
    elif schedule == "uniform":
        every = default if every is None else check_positive_int(every, "every")
        if every > S:
            raise ValueError(f"every must be an integer between 1 and S = {S}, got {every}")
        d = _uniform(chain, state0, loss, every, meter, grads)
    else:
        slots = min(default, S - 1) if slots is None else check_positive_int(slots, "slots",
                                                                             minimum=0)
        if slots >= S:
            raise ValueError(f"slots must be an integer between 0 and S - 1 = {S - 1}, "
                             f"got {slots}")
        d = _revolve(chain, state0, loss, slots, meter, grads)
    return loss.value, grads, d, Cost(schedule, meter.peak, meter.steps)
