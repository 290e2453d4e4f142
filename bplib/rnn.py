"""Recurrent networks and backpropagation through time (chapter 9).

Two cells, each a row-convention step from the state at time ``t - 1`` to
the state at time ``t``, with the input projection ``U = X W_x + b`` done for
all time steps in one matrix product:

* ``"vanilla"``: :math:`h_t = \\tanh(x_t W_x + h_{t-1} W_h + b)`,
  :eq:`eq-rnn-vanilla`; its state is ``(h,)``.
* ``"lstm"``: the long short-term memory cell, :eq:`eq-lstm-gates` to
  :eq:`eq-lstm-hidden`, with input, forget, output and candidate blocks side
  by side in ``W_x`` (d_in, 4 d_h), ``W_h`` (d_h, 4 d_h) and ``b`` (4 d_h,);
  its state is ``(h, c)``.

:func:`forward` runs a cell over a sequence ``X`` of shape (S, n, d_in)
(time first, then the batch) and keeps the states; :func:`backward` is
backpropagation through time, :eq:`eq-bptt-delta`, full or truncated every
``truncate`` steps. The only Python loop is over time; each step adds its
terms of the weight gradients, sums over time :eq:`eq-bptt-grads`, as one
matrix product over the batch. :func:`loss_and_gradients` adds a linear read-out of the
last hidden state and half the mean squared error.

Left out: biases of the read-out per step, bidirectional and stacked cells,
peepholes, dropout. The step functions are shared with
:mod:`bplib.checkpoint`.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_positive, check_positive_int, check_rng, lookup

__all__ = ["CELLS", "Cache", "init_params", "forward", "backward", "state_gradients",
           "loss_and_gradients"]


def _vanilla_step(u, state, W_h):
    """One vanilla step; returns the new state and what its backward needs."""
    (h,) = state
    h_new = np.tanh(u + h @ W_h)  # eq-rnn-vanilla
    return (h_new,), h_new


def _vanilla_back(d_new, state, kept, W_h):
    """``d_new`` = (dL/dh_t,) -> (delta_t, (dL/dh_{t-1},))."""
    delta = d_new[0] * (1.0 - kept * kept)  # eq-bptt-delta
    return delta, (delta @ W_h.T,)  # eq-bptt-delta


def _sigmoid(Z):
    return 0.5 + 0.5 * np.tanh(0.5 * Z)  # = 1 / (1 + exp(-Z)), one ufunc, no overflow


def _lstm_step(u, state, W_h):
    h, c = state
    Z = u + h @ W_h  # eq-lstm-gates
    d = h.shape[1]
    G = _sigmoid(Z[:, :3 * d])  # input, forget and output gates, eq-lstm-gates
    i, f, o = G[:, :d], G[:, d:2 * d], G[:, 2 * d:]
    g = np.tanh(Z[:, 3 * d:])  # the candidate, eq-lstm-gates
    c_new = f * c + i * g  # eq-lstm-cell
    tc = np.tanh(c_new)
    h_new = o * tc  # eq-lstm-hidden
    return (h_new, c_new), (G, g, tc)


def _lstm_back(d_new, state, kept, W_h):
    dh, dc = d_new
    G, g, tc = kept
    d = g.shape[1]
    i, f, o = G[:, :d], G[:, d:2 * d], G[:, 2 * d:]
    dc = dc + dh * o * (1.0 - tc * tc)  # eq-lstm-back-cell
    dG = np.concatenate([dc * g, dc * state[1], dh * tc], axis=1) * G * (1.0 - G)
    delta = np.concatenate([dG, dc * i * (1.0 - g * g)], axis=1)  # eq-lstm-back-gates
    return delta, (delta @ W_h.T, dc * f)  # eq-lstm-back-cell


@dataclass(frozen=True)
class _Cell:
    step: object
    back: object
    blocks: int  # gate blocks side by side in W_x, W_h, b
    n_state: int  # arrays in the state


CELLS = {"vanilla": _Cell(_vanilla_step, _vanilla_back, 1, 1),
         "lstm": _Cell(_lstm_step, _lstm_back, 4, 2)}
"""dict: the cells, by name (``"vanilla"``, ``"lstm"``)."""


@dataclass
class Cache:
    """What :func:`forward` keeps for :func:`backward`.

    Attributes
    ----------
    X : ndarray of shape (S, n, d_in)
    states : list of tuple of ndarray
        ``S + 1`` states, from the initial one; each array (n, d_h).
    kept : list
        Per step, what the cell's backward needs (the vanilla cell: h_t;
        the LSTM: its three gates, its candidate and tanh(c_t)).
    cell : str
    """

    X: np.ndarray
    states: list
    kept: list
    cell: str

    @property
    def nbytes(self):
        """Bytes held by the stored states and step values (``X`` excluded)."""
        arrays = [a for s in self.states for a in s]
        arrays += [a for k in self.kept for a in (k if isinstance(k, tuple) else (k,))]
        return sum({id(a): a.nbytes for a in arrays}.values())  # shared arrays once


def init_params(d_in, d_hidden, cell="vanilla", *, d_out=None, radius=None, forget_bias=1.0,
                rng=0):
    """Random parameters of a cell (and optionally a read-out).

    ``W_x`` is Xavier-normal; ``W_h`` is an orthogonal matrix times ``radius``,
    so that its spectral radius is exactly ``radius`` (default 1 for the
    vanilla cell; for the LSTM each gate block's ``W_h`` is orthogonal times
    ``radius``, default 1). Biases are zero except the LSTM's forget gate,
    ``forget_bias`` (1 by default, so that the cell path starts open).

    Parameters
    ----------
    d_in, d_hidden : int
    cell : {"vanilla", "lstm"}
    d_out : int, optional
        Adds a read-out ``W_y`` (d_hidden, d_out) and ``b_y`` for
        :func:`loss_and_gradients`.
    radius : float, optional
        Spectral radius of ``W_h`` (of each block for the LSTM), > 0.
    forget_bias : float, default 1.0
        The LSTM's forget-gate bias; ignored by the vanilla cell.
    rng : int or numpy.random.Generator

    Returns
    -------
    dict of str to ndarray
        ``W_x``, ``W_h``, ``b`` (and ``W_y``, ``b_y``).
    """
    spec = lookup(CELLS, cell, "cell")
    d_in, d_hidden = check_positive_int(d_in, "d_in"), check_positive_int(d_hidden, "d_hidden")
    rng = check_rng(rng)
    radius = 1.0 if radius is None else check_positive(radius, "radius")
    k = spec.blocks * d_hidden
    blocks = [np.linalg.qr(rng.normal(size=(d_hidden, d_hidden)))[0] * radius
              for _ in range(spec.blocks)]
    params = {"W_x": rng.normal(0.0, np.sqrt(2.0 / (d_in + k)), size=(d_in, k)),
              "W_h": np.concatenate(blocks, axis=1), "b": np.zeros(k)}
    if cell == "lstm":
        params["b"][d_hidden:2 * d_hidden] = float(forget_bias)  # forget gate open
    if d_out is not None:
        d_out = check_positive_int(d_out, "d_out")
        params["W_y"] = rng.normal(0.0, np.sqrt(1.0 / d_hidden), size=(d_hidden, d_out))
        params["b_y"] = np.zeros(d_out)
    return params


def _check(X, params, cell, h0=None):
    spec = lookup(CELLS, cell, "cell")
    X = as_float_array(X, "X", ndim=3, allow_empty=True)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one time step, got shape {X.shape} "
                         "(S, n, d_in) with S = 0")
    if X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(f"X must not be empty, got shape {X.shape}")
    if not isinstance(params, dict) or any(k not in params for k in ("W_x", "W_h", "b")):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must have the keys W_x, W_h, b, got {got}")
    p = {k: as_float_array(v, k, ndim=1 if k.startswith("b") else 2) for k, v in params.items()}
    d_h = p["W_h"].shape[0]
    k = spec.blocks * d_h
    if p["W_h"].shape != (d_h, k):
        raise ValueError(f"W_h must have shape (d_h, {spec.blocks} d_h) = ({d_h}, {k}) for "
                         f"the {cell} cell, got W_h.shape={p['W_h'].shape}")
    if p["W_x"].shape != (X.shape[2], k):
        raise ValueError(f"W_x must have shape ({X.shape[2]}, {k}) for X with {X.shape[2]} "
                         f"features and hidden size {d_h}, got W_x.shape={p['W_x'].shape}")
    if p["b"].shape != (k,):
        raise ValueError(f"b must have shape ({k},), got b.shape={p['b'].shape}")
    n = X.shape[1]
    if h0 is None:
        state = tuple(np.zeros((n, d_h)) for _ in range(spec.n_state))
    else:
        state = tuple(h0) if isinstance(h0, (tuple, list)) else (h0,)
        if len(state) != spec.n_state:
            raise ValueError(f"h0 must hold {spec.n_state} array(s) for the {cell} cell, "
                             f"got {len(state)}")
        state = tuple(as_float_array(s, "h0", ndim=2) for s in state)
        for s in state:
            if s.shape != (n, d_h):
                raise ValueError(f"h0 must have shape (n, d_h) = ({n}, {d_h}), got {s.shape}")
    return X, p, spec, state


def _forward(X, p, spec, state):
    S, n, d_in = X.shape
    U = (X.reshape(S * n, d_in) @ p["W_x"] + p["b"]).reshape(S, n, -1)  # input part, all t
    states, kept = [state], []
    for t in range(S):
        state, k = spec.step(U[t], state, p["W_h"])
        states.append(state)
        kept.append(k)
    return np.stack([s[0] for s in states[1:]]), Cache(X, states, kept, None)


def forward(X, params, cell="vanilla", *, h0=None):
    """Run a cell over a sequence, :eq:`eq-rnn-vanilla` (or the LSTM's
    :eq:`eq-lstm-gates`, :eq:`eq-lstm-cell` and :eq:`eq-lstm-hidden`).

    Parameters
    ----------
    X : array_like of shape (S, n, d_in)
        ``S >= 1`` time steps of a batch of ``n`` sequences.
    params : dict
        ``W_x``, ``W_h``, ``b`` as from :func:`init_params`.
    cell : {"vanilla", "lstm"}
    h0 : ndarray of shape (n, d_h), or a pair (h0, c0) for the LSTM, optional
        The initial state; zeros by default.

    Returns
    -------
    H : ndarray of shape (S, n, d_h)
        The hidden states :math:`h_1, \\dots, h_S`.
    cache : Cache
    """
    X, p, spec, state = _check(X, params, cell, h0)
    H, cache = _forward(X, p, spec, state)
    cache.cell = cell
    return H, cache


def _backward(dH, p, spec, cache, truncate):
    S, n, _ = cache.X.shape
    W_h = p["W_h"]
    grads = {k: np.zeros_like(p[k]) for k in ("W_x", "W_h", "b")}
    d_state = tuple(np.zeros((n, W_h.shape[0])) for _ in range(spec.n_state))
    for t in range(S - 1, -1, -1):  # t = S, ..., 1 in the text
        d_new = (d_state[0] + dH[t],) + d_state[1:]
        delta, d_state = spec.back(d_new, cache.states[t], cache.kept[t], W_h)
        grads["W_x"] += cache.X[t].T @ delta  # eq-bptt-grads
        grads["W_h"] += cache.states[t][0].T @ delta  # eq-bptt-grads
        grads["b"] += delta.sum(axis=0)  # eq-bptt-grads
        if truncate is not None and t % truncate == 0:
            d_state = tuple(np.zeros_like(d) for d in d_state)  # eq-bptt-truncated
    return grads, d_state


def backward(dH, params, cache, *, truncate=None):
    """Backpropagation through time, :eq:`eq-bptt-delta` and :eq:`eq-bptt-grads`.

    For the LSTM the step backwards is :eq:`eq-lstm-back-cell` and
    :eq:`eq-lstm-back-gates`; the weight gradients are the same sums over
    time.

    Parameters
    ----------
    dH : array_like of shape (S, n, d_h)
        The loss's direct gradient with respect to each hidden state
        :math:`h_t` (zero where the loss does not read :math:`h_t`).
    params : dict
        The parameters :func:`forward` used.
    cache : Cache
        From :func:`forward`.
    truncate : int, optional
        Truncated BPTT, :eq:`eq-bptt-truncated`: the sequence is cut into
        chunks of ``truncate`` steps (from the start, as streaming training
        cuts it) and no gradient crosses a cut; the state still does. None
        (or ``truncate >= S``) is full BPTT.

    Returns
    -------
    grads : dict
        ``W_x``, ``W_h``, ``b``, shaped like the parameters.
    d_state0 : tuple of ndarray
        The gradient with respect to the initial state (zero if a cut
        stopped it).
    """
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache returned by forward, got "
                        f"{type(cache).__name__}")
    X, p, spec, _ = _check(cache.X, params, cache.cell)
    if len(cache.states) != X.shape[0] + 1:
        raise ValueError("cache does not belong to this sequence")
    d_h = p["W_h"].shape[0]
    dH = as_float_array(dH, "dH", ndim=3)
    if dH.shape != (X.shape[0], X.shape[1], d_h):
        raise ValueError(f"dH must have shape (S, n, d_h) = {(X.shape[0], X.shape[1], d_h)}, "
                         f"got {dH.shape}")
    truncate = _check_truncate(truncate, X.shape[0])
    return _backward(dH, p, spec, cache, truncate)


def state_gradients(g, params, cache):
    """The adjoints :math:`\\partial\\mathcal{L}/\\partial h_t` of every hidden
    state for the loss :math:`\\mathcal{L} = \\sum g \\odot h_S`.

    Going back from :math:`h_S`, each step multiplies by one Jacobian,
    :eq:`eq-bptt-jacobian`; the norm of entry ``S - lag`` is the gradient
    that reaches ``lag`` steps into the past, bounded by :eq:`eq-bptt-bound`
    for the vanilla cell.

    Parameters
    ----------
    g : array_like of shape (n, d_h)
        The adjoint of the last hidden state.
    params, cache
        As for :func:`backward`.

    Returns
    -------
    ndarray of shape (S + 1, n, d_h)
        Entry ``t`` is the adjoint of :math:`h_t` (entry 0: of the initial
        state). For the LSTM, the adjoint of :math:`h_t` (its cell state's
        adjoint flows on beside it).
    """
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache returned by forward, got "
                        f"{type(cache).__name__}")
    X, p, spec, _ = _check(cache.X, params, cache.cell)
    g = as_float_array(g, "g", ndim=2)
    if g.shape != cache.states[-1][0].shape:
        raise ValueError(f"g must have the shape of h_S, {cache.states[-1][0].shape}, "
                         f"got {g.shape}")
    out = np.empty((X.shape[0] + 1,) + g.shape)
    d_state = (g,) + tuple(np.zeros_like(g) for _ in range(spec.n_state - 1))
    out[-1], W_h = g, p["W_h"]
    for t in range(X.shape[0] - 1, -1, -1):
        _, d_state = spec.back(d_state, cache.states[t], cache.kept[t], W_h)  # eq-bptt-jacobian
        out[t] = d_state[0]
    return out


def _check_truncate(truncate, S):
    if truncate is None:
        return None
    truncate = check_positive_int(truncate, "truncate")
    return None if truncate >= S else truncate


def loss_and_gradients(X, T, params, cell="vanilla", *, h0=None, truncate=None):
    """Half the mean squared error of a read-out of the last hidden state, and its gradients.

    :math:`Y = h_S W_y + b_y`, :math:`\\mathcal{L} = \\frac{1}{2n}\\sum (Y - T)^2`
    (chapter 2's :eq:`eq-mse`), then :func:`backward` with the read-out's
    delta :math:`(Y - T)/n` pushed into :math:`h_S`.

    Parameters
    ----------
    X : array_like of shape (S, n, d_in)
    T : array_like of shape (n, d_out)
    params : dict
        ``W_x``, ``W_h``, ``b``, ``W_y``, ``b_y`` (:func:`init_params` with
        ``d_out``).
    cell : {"vanilla", "lstm"}
    h0 : optional
        As in :func:`forward`.
    truncate : int, optional
        As in :func:`backward`.

    Returns
    -------
    loss : float
    grads : dict
        Keyed and shaped like ``params``.
    """
    X, p, spec, state = _check(X, params, cell, h0)
    for key in ("W_y", "b_y"):
        if key not in p:
            raise ValueError(f"params must have a read-out {key} (init_params(..., d_out=k))")
    d_h = p["W_h"].shape[0]
    if p["W_y"].shape[0] != d_h or p["b_y"].shape != (p["W_y"].shape[1],):
        raise ValueError(f"W_y must have shape ({d_h}, d_out) and b_y (d_out,), got "
                         f"{p['W_y'].shape} and {p['b_y'].shape}")
    T = as_float_array(T, "T", ndim=2)
    if T.shape != (X.shape[1], p["W_y"].shape[1]):
        raise ValueError(f"T must have shape (n, d_out) = {(X.shape[1], p['W_y'].shape[1])}, "
                         f"got {T.shape}")
    truncate = _check_truncate(truncate, X.shape[0])
    H, cache = _forward(X, p, spec, state)
    n = X.shape[1]
    Y = H[-1] @ p["W_y"] + p["b_y"]
    loss = float(np.sum((Y - T) ** 2) / (2 * n))  # eq-mse
    dY = (Y - T) / n  # eq-mse-grad
    dH = np.zeros_like(H)
    dH[-1] = dY @ p["W_y"].T
    grads, _ = _backward(dH, p, spec, cache, truncate)
    grads["W_y"], grads["b_y"] = H[-1].T @ dY, dY.sum(axis=0)
    return loss, {k: grads[k] for k in params}
