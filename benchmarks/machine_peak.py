"""How close the training step comes to the machine: GFLOP/s against a large matmul's peak.

The peak is what NumPy's BLAS achieves on one large float64 matrix product
(``N x N @ N x N``, ``2 N^3`` flops), measured in this run with the same
thread count as the step. The step is chapter 7's (64-64-10, tanh,
softmax + cross-entropy, float64, forward + backward + SGD update, as
``bplib.train`` runs it) at full batch (1078 rows) and at batch 64; its flops
are those of its matrix products (``A_prev @ W``, ``A_prev.T @ delta``,
``delta @ W.T`` per layer, ``2 n d_in d_out`` each; the last is skipped for
the first layer). The table also times those products alone, which shows how
much of the step is elementwise work (tanh, softmax, sums, the update) and
Python. Target: the full-batch step at >= 35 % of the peak.

Run: ``.venv/bin/python benchmarks/machine_peak.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _digits_net as net
    from . import _timing as timing
except ImportError:  # run as a script
    import _digits_net as net
    import _timing as timing

TARGET = 0.35


def _products(X, params, n):
    """The step's matrix products alone, on arrays of the step's shapes."""
    rng = np.random.default_rng(1)
    W1, W2 = params["W1"], params["W2"]
    A1, D2, D1 = rng.normal(size=(n, 64)), rng.normal(size=(n, 10)), rng.normal(size=(n, 64))

    def run():
        X @ W1
        A1 @ W2
        A1.T @ D2
        D2 @ W2.T
        X.T @ D1
    return run


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    N = 256 if args.smoke else 2048
    full = net.load(n=128 if args.smoke else None)
    batches = [16, len(full[0])] if args.smoke else [64, len(full[0])]
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(N, N)), rng.normal(size=(N, N))
    rows, shares = [], {}
    with timing.pinned_threads(args.threads):
        timing.header("Training step against the machine's matmul peak (GFLOP/s)", args)
        contenders = {"peak": lambda: A @ B}
        flops = {"peak": 2 * N**3}
        for n in batches:
            X, T, _ = (a[:n] for a in full)
            params = net.init()
            ref = net.bplib_grads(X, T, params)[1]
            net.assert_close("the step's gradient (checked against the per-example loop)",
                             net.per_example_grads(X, T, params)[1], ref)

            def step(X=X, T=T, p=net.copy(params)):
                net.sgd_update(p, net.bplib_grads(X, T, p)[1])
            contenders[f"step {n}"] = step
            contenders[f"products {n}"] = _products(X, params, n)
            flops[f"step {n}"] = flops[f"products {n}"] = net.matmul_flops(n)[0]
        res = timing.compare(contenders, rounds=2 if args.smoke else 15,
                             warmup=1 if args.smoke else 3, target=0.002 if args.smoke else 0.05)
    peak = flops["peak"] / res["peak"]["median"] / 1e9
    for name, r in res.items():
        gflops = flops[name] / r["median"] / 1e9
        shares[name] = gflops / peak
        label = f"{N}x{N} @ {N}x{N} (peak)" if name == "peak" else name.replace(
            "step", "training step, batch").replace("products", "its products alone, batch")
        rows.append([label, f"{flops[name] / 1e6:.1f}", timing.fmt_time(r["median"]),
                     f"{gflops:.1f}", f"{gflops / peak:.0%}"])
    print()
    timing.table(["what", "MFLOP", "median time", "GFLOP/s", "of peak"], rows, "<>>>>")
    timing.footer()
    big = batches[-1]
    share = shares[f"step {big}"]
    print(f"SUMMARY machine: peak {peak:.1f} GFLOP/s ({args.threads} thread); full-batch step "
          f"(n={big}) at {share:.0%} of peak ({'meets' if share >= TARGET else 'MISSES'} "
          f">={TARGET:.0%}), its products alone at {shares[f'products {big}']:.0%}; "
          f"batch {batches[0]} step at {shares[f'step {batches[0]}']:.0%}")
    return shares


if __name__ == "__main__":
    main(sys.argv[1:])
