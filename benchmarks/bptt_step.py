"""One BPTT step of the vanilla cell: bplib.rnn against PyTorch CPU's nn.RNN, as a ratio.

The step is the forward pass over a sequence and backpropagation through
time for the loss ``sum(G * H)`` with a fixed random ``G`` of the shape of
all hidden states (so every state receives a gradient): the cell
``h_t = tanh(x_t W_x + h_{t-1} W_h + b)``, batch 32, hidden 64, input 64,
``S = 50``, float64. Contenders, timed side by side in this one process,
interleaved, one thread each:

* ``bplib.rnn`` -- ``forward`` + ``backward`` (the baseline);
* ``PyTorch CPU`` -- ``nn.RNN(tanh)`` forward + ``backward`` (float64; one
  bias, the other set to zero and frozen), skipped with a message when
  PyTorch is not installed (``make bench`` installs it from
  ``requirements-bench.txt``);
* ``sums as one product`` -- the same recursion, but the weight gradients
  formed after the loop as one matrix product over all time steps and the
  batch (the deltas stacked), the alternative to bplib's per-step sums.

Before timing, PyTorch's gradients are checked against bplib's.

Run: ``.venv/bin/python benchmarks/bptt_step.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import rnn

TARGET = 1.0  # bplib no slower than PyTorch CPU


def _problem(S, n, d_in, d_h, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(S, n, d_in))
    G = rng.normal(size=(S, n, d_h))
    params = rnn.init_params(d_in, d_h, radius=0.9, rng=seed)
    params["b"] = 0.1 * rng.normal(size=d_h)
    return X, G, params


def bplib_step(X, G, params):
    H, cache = rnn.forward(X, params)
    return rnn.backward(G, params, cache)[0]


def stacked_sums(X, G, params):
    S, n, d_in = X.shape
    W_h = params["W_h"]
    H, cache = rnn.forward(X, params)
    delta, d = np.empty_like(G), np.zeros_like(G[0])
    for t in range(S - 1, -1, -1):
        delta[t] = (d + G[t]) * (1.0 - H[t] * H[t])
        d = delta[t] @ W_h.T
    H_prev = np.concatenate([np.zeros((1, n, W_h.shape[0])), H[:-1]])
    D = delta.reshape(S * n, -1)
    return {"W_x": X.reshape(S * n, d_in).T @ D, "W_h": H_prev.reshape(S * n, -1).T @ D,
            "b": D.sum(axis=0)}


def torch_step(model, X_t, G_t):
    model.zero_grad()
    H, _ = model(X_t)
    H.backward(G_t)
    return model


def _torch_model(params, torch):
    d_in, d_h = params["W_x"].shape
    model = torch.nn.RNN(d_in, d_h, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():  # PyTorch's column convention: weight_ih is W_x transposed
        model.weight_ih_l0.copy_(torch.from_numpy(params["W_x"].T.copy()))
        model.weight_hh_l0.copy_(torch.from_numpy(params["W_h"].T.copy()))
        model.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        model.bias_hh_l0.zero_()
    model.bias_hh_l0.requires_grad_(False)
    return model


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    S, n, d_in, d_h = (5, 4, 3, 6) if args.smoke else (50, 32, 64, 64)
    X, G, params = _problem(S, n, d_in, d_h)
    want = bplib_step(X, G, params)
    loop = stacked_sums(X, G, params)
    for k in want:
        np.testing.assert_allclose(loop[k], want[k], rtol=1e-10, atol=1e-12)
    contenders = {"bplib.rnn": lambda: bplib_step(X, G, params),
                  "sums as one product": lambda: stacked_sums(X, G, params)}
    try:
        import torch
    except ImportError:
        torch = None
        print("  PyTorch is not installed: .venv/bin/pip install -r requirements-bench.txt")
    with timing.pinned_threads(args.threads):
        timing.header(f"One BPTT step of the vanilla cell, S = {S}, batch {n}, input {d_in}, "
                      f"hidden {d_h}, float64", args)
        if torch is not None:
            model = _torch_model(params, torch)
            X_t, G_t = torch.from_numpy(X), torch.from_numpy(G)
            torch_step(model, X_t, G_t)
            got = {"W_x": model.weight_ih_l0.grad.numpy().T,
                   "W_h": model.weight_hh_l0.grad.numpy().T, "b": model.bias_ih_l0.grad.numpy()}
            for k in want:
                np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-10)
            contenders["PyTorch CPU nn.RNN"] = lambda: torch_step(model, X_t, G_t)
        res = timing.compare(contenders, rounds=2 if args.smoke else 15,
                             warmup=1 if args.smoke else 3)
        base = res["bplib.rnn"]["median"]
        timing.table(["contender", "median per step", "x bplib.rnn"],
                     [[k, timing.fmt_time(v["median"]), f"{v['median'] / base:.2f}"]
                      for k, v in res.items()], "<>>")
        timing.footer()
    if torch is not None:
        ratio = base / res["PyTorch CPU nn.RNN"]["median"]
        verdict = "meets" if ratio <= TARGET else "misses"
        print(f"SUMMARY BPTT step (S {S}, batch {n}, hidden {d_h}): bplib.rnn takes "
              f"{ratio:.2f} times PyTorch CPU's time ({verdict} the target: no slower); "
              f"the sums as one product {res['sums as one product']['median'] / base:.2f} times "
              "bplib's")
    else:
        print(f"SUMMARY BPTT step (S {S}, batch {n}, hidden {d_h}): PyTorch not installed; "
              f"the sums as one product take {res['sums as one product']['median'] / base:.2f} "
              "times "
              "bplib.rnn's time")


if __name__ == "__main__":
    main(sys.argv[1:])
