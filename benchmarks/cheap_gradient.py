"""The cheap-gradient ratio: (forward + backward) / forward, for several widths and depths.

Reverse mode promises the whole gradient for a small constant times the
cost of evaluating the loss (chapter 5, :eq:`eq-ad-cheap`); for a network
the backward pass does two matrix products per layer to the forward pass's
one, so the ratio should be about 3 when products dominate and less when the
elementwise work (the activations, computed once) or Python's per-call
overhead does. Measured for ``bplib.mlp`` (public API: ``mlp.forward`` plus
the loss against ``mlp.loss_and_gradients``) and for the same networks
written with ``bplib.autodiff`` (building the graph and evaluating it against
``value_and_grad``), tanh hidden layers, identity output of 10 units, half
mean squared error, batch 64. The first row is the digits net of chapter 7
(64-64-10); the target there is a ratio <= 2.5 for ``bplib.mlp``. Before
timing, the two gradients are checked against each other.

Run: ``.venv/bin/python benchmarks/cheap_gradient.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import autodiff, init, losses, mlp

TARGET = 2.5


def _nets(smoke):
    if smoke:
        return [(16, 1, 16), (16, 2, 8)]
    return ([(64, 1, 64)]  # (inputs, hidden layers, width): the digits net first
            + [(64, 2, w) for w in (16, 32, 128, 256, 512)]
            + [(64, depth, 64) for depth in (4, 8, 16)])


def _autodiff_f(X, T, L, acts):
    Xc = autodiff.Tensor(X, requires_grad=False)  # data: no VJP

    def f(p):
        A = Xc
        for l in range(1, L + 1):
            A = (A @ p[f"W{l}"] + p[f"b{l}"]).activation(acts[l - 1])
        return autodiff.squared_error(A, T)
    return f


def measure(d_in, hidden, width, n, args, rng):
    sizes = [d_in] + [width] * hidden + [10]
    L = len(sizes) - 1
    acts = ["tanh"] * hidden + ["identity"]
    params = init.init_params(sizes, rng=0)
    X, T = rng.normal(size=(n, d_in)), rng.normal(size=(n, 10))
    f = _autodiff_f(X, T, L, acts)
    _, g_mlp = mlp.loss_and_gradients(X, T, params, acts)
    _, g_ad = autodiff.value_and_grad(f, params)
    for key in params:  # the two must agree before anything is timed
        if not np.allclose(g_mlp[key], g_ad[key], rtol=1e-10, atol=1e-13):
            raise AssertionError(f"bplib.mlp and bplib.autodiff disagree on {key}")

    def mlp_forward():
        return losses.squared_error(mlp.forward(X, params, acts)[0], T)

    def ad_forward():
        return float(f({k: autodiff.Tensor(v) for k, v in params.items()}).value)

    res = timing.compare({
        "mlp F": mlp_forward,
        "mlp F+B": lambda: mlp.loss_and_gradients(X, T, params, acts),
        "ad F": ad_forward,
        "ad F+B": lambda: autodiff.value_and_grad(f, params),
    }, rounds=2 if args.smoke else 11, warmup=1 if args.smoke else 2,
        target=0.002 if args.smoke else 0.02)
    return {k: r["median"] for k, r in res.items()}, "-".join(map(str, sizes))


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    n = 8 if args.smoke else 64
    rng = np.random.default_rng(0)
    rows, ratios = [], {}
    with timing.pinned_threads(args.threads):
        timing.header(f"Cheap-gradient ratio (forward + backward) / forward, batch {n}", args)
        for net in _nets(args.smoke):
            t, name = measure(*net, n, args, rng)
            r_mlp, r_ad = t["mlp F+B"] / t["mlp F"], t["ad F+B"] / t["ad F"]
            ratios[name] = (r_mlp, r_ad, t["ad F+B"] / t["mlp F+B"])
            rows.append([name, timing.fmt_time(t["mlp F"]), timing.fmt_time(t["mlp F+B"]),
                         f"{r_mlp:.2f}", timing.fmt_time(t["ad F"]), timing.fmt_time(t["ad F+B"]),
                         f"{r_ad:.2f}", f"{t['ad F+B'] / t['mlp F+B']:.2f}"])
    print()
    timing.table(["layer sizes", "mlp F", "mlp F+B", "ratio", "autodiff F", "autodiff F+B",
                  "ratio", "autodiff/mlp"], rows, "<>>>>>>>")
    timing.footer()
    first = next(iter(ratios))
    r_mlp = ratios[first][0]
    all_mlp = [r[0] for r in ratios.values()]
    all_ad = [r[1] for r in ratios.values()]
    print(f"SUMMARY cheap gradient: bplib.mlp (F+B)/F = {r_mlp:.2f} for {first} at batch {n} "
          f"({'meets' if r_mlp <= TARGET else 'MISSES'} <={TARGET}); over all nets "
          f"bplib.mlp {min(all_mlp):.2f}-{max(all_mlp):.2f}, bplib.autodiff "
          f"{min(all_ad):.2f}-{max(all_ad):.2f}")
    return ratios


if __name__ == "__main__":
    main(sys.argv[1:])
