"""One SGD training step on the digits: bplib against its peers, as ratios.

The step is forward, backward and update of chapter 7's classifier
(64-64-10, tanh hidden, softmax + cross-entropy, float64) on the digits'
training split, at batch 64 and at full batch (all 1078 rows). Contenders,
all timed side by side in this one process, interleaved, one thread each:

* ``bplib.mlp`` -- the step ``bplib.train`` runs in its loop (the baseline);
* ``bplib.mlp, public API`` -- the same through the validated public calls a
  reader's own loop makes (``mlp.forward``, ``softmax.cross_entropy_gradient``,
  ``mlp.backward``), each checking its input once; target: within 1.3x of
  ``bplib.mlp`` at batch 64;
* ``PyTorch CPU`` -- ``nn.Sequential`` + ``cross_entropy`` + ``optim.SGD``
  (skipped with a message when PyTorch is not installed: ``make bench``
  installs it from ``requirements-bench.txt``);
* ``scikit-learn`` -- ``MLPClassifier.partial_fit`` on the batch (plain SGD,
  no momentum, no L2, no shuffling: one step);
* ``per-example loop`` -- the same equations one row at a time in Python;
* ``bplib.autodiff`` -- the same net as a graph of chapter 5's engine, with
  its softmax cross-entropy node; and ``bplib.autodiff, log-softmax as a
  graph``, the loss spelled out in ``exp``, ``sum`` and ``log`` nodes;
* ``scalar engine`` -- a micrograd-style engine (one node per multiply), on
  a few rows, scaled to the batch (its cost is linear in the rows).

Before any timing, every contender's gradient is checked against
``bplib.mlp``'s (scikit-learn's through the update it makes). Each row
reports the median time per step and its ratio to ``bplib.mlp``.

Run: ``.venv/bin/python benchmarks/training_step.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _digits_net as net
    from . import _timing as timing
except ImportError:  # run as a script
    import _digits_net as net
    import _timing as timing

PUBLIC_TARGET = 1.3  # the public calls' step against bplib.train's, at the small batch

TARGETS = {  # contender: (batch-64 target, full-batch target) for "x slower than bplib.mlp"
    "PyTorch CPU": (3.0, 1.5),
    "scikit-learn partial_fit": (10.0, 2.5),
    "per-example loop": (15.0, 15.0),
}


def _contenders(X, T, y, params, scalar_rows):
    """name -> (step callable, gradient at params for the check, rows it works on)."""
    out = {}
    p_mlp = net.copy(params)
    out["bplib.mlp"] = lambda: net.sgd_update(p_mlp, net.bplib_grads(X, T, p_mlp)[1])
    p_pub = net.copy(params)
    out["bplib.mlp, public API"] = lambda: net.sgd_update(
        p_pub, net.bplib_public_grads(X, T, p_pub)[1])
    try:
        import torch
    except ImportError:  # said once, in main
        torch = None
    if torch is not None:
        model = net.torch_net(params)
        opt = torch.optim.SGD(model.parameters(), lr=net.LR)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def torch_step():
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(model(Xt), yt).backward()
            opt.step()
        out["PyTorch CPU"] = torch_step
    sk = net.sklearn_net(params, X, y)
    out["scikit-learn partial_fit"] = lambda: sk.partial_fit(X, y)
    p_loop = net.copy(params)
    out["per-example loop"] = lambda: net.sgd_update(
        p_loop, net.per_example_grads(X, T, p_loop)[1])
    from bplib import autodiff

    f_ad = net.autodiff_loss(X, T)
    p_ad = net.copy(params)
    out["bplib.autodiff"] = lambda: net.sgd_update(p_ad, autodiff.value_and_grad(f_ad, p_ad)[1])
    f_graph = net.autodiff_graph_loss(X, T)
    p_graph = net.copy(params)
    out["bplib.autodiff, log-softmax as a graph"] = lambda: net.sgd_update(
        p_graph, autodiff.value_and_grad(f_graph, p_graph)[1])
    return out


def check_gradients(X, T, y, params, scalar_rows):
    """Every contender's gradient at ``params`` against bplib.mlp's; raises if one differs."""
    from bplib import autodiff

    ref = net.bplib_grads(X, T, params)[1]
    net.assert_close("bplib.mlp public API", net.bplib_public_grads(X, T, params)[1], ref)
    net.assert_close("per-example loop", net.per_example_grads(X, T, params)[1], ref)
    for name, loss in [("bplib.autodiff", net.autodiff_loss),
                       ("bplib.autodiff graph", net.autodiff_graph_loss)]:
        net.assert_close(name, autodiff.value_and_grad(loss(X, T), params)[1], ref)
    try:
        import torch
    except ImportError:
        pass
    else:
        net.assert_close("PyTorch", net.torch_grads(net.torch_net(params), torch.from_numpy(X),
                                                    torch.from_numpy(y))[1], ref)
    sk = net.sklearn_net(params, X, y)
    sk.partial_fit(X, y)  # one plain SGD step: new = old - lr * grad
    moved = {k: (params[k] - v) / net.LR for k, v in net.sklearn_params(sk).items()}
    net.assert_close("scikit-learn (from its update)", moved, ref, rtol=1e-7, atol=1e-10)
    if scalar_rows:
        small = net.bplib_grads(X[:scalar_rows], T[:scalar_rows], params)[1]
        net.assert_close("scalar engine", net.scalar_grads(X[:scalar_rows], y[:scalar_rows],
                                                           params)[1], small)


def run(batch, X, T, y, params, args):
    scalar_rows = 0 if batch > 64 else (1 if args.smoke else 4)
    check_gradients(X, T, y, params, scalar_rows)
    contenders = _contenders(X, T, y, params, scalar_rows)
    rounds = 2 if args.smoke else 15
    res = timing.compare(contenders, rounds=rounds, warmup=1 if args.smoke else 3,
                         target=0.002 if args.smoke else 0.03)
    per_step = {k: r["median"] for k, r in res.items()}
    if scalar_rows:  # seconds per call: a few calls, median; linear in the rows
        Xs, ys = X[:scalar_rows], y[:scalar_rows]
        times = timing.repeat(lambda: net.scalar_grads(Xs, ys, params), 1 if args.smoke else 3,
                              clock_kind="cpu")
        per_step["scalar engine"] = float(np.median(times)) * batch / scalar_rows
    base = per_step["bplib.mlp"]
    rows = []
    for name, t in per_step.items():
        note = (f"(timed on {scalar_rows} rows, x{batch // scalar_rows})"
                if name == "scalar engine" else "")
        rows.append([name, timing.fmt_time(t), f"{t / base:.2f}", note])
    print(f"\n  batch {batch} (one SGD step: forward, backward, update)")
    timing.table(["contender", "median per step", "x bplib.mlp", ""], rows, "<>><")
    return per_step


def _sklearn_version():
    import sklearn

    return sklearn.__version__


def _verdict(value, target, at_least=True, digits=1):
    ok = value >= target if at_least else value <= target
    return (f"{value:.{digits}f}x ({'meets' if ok else 'MISSES'} "
            f"{'>=' if at_least else '<='}{target:g})")


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    full = net.load(n=128 if args.smoke else None)
    batches = [16, len(full[0])] if args.smoke else [64, len(full[0])]
    try:
        import torch  # noqa: F401 -- loaded before pinning, so that its threads are pinned too
    except ImportError:
        torch = None
    with timing.pinned_threads(args.threads):
        timing.header("Training step on the digits, 64-64-10 tanh/softmax, float64", args)
        if torch is None:
            print("  PyTorch is not installed: its row is skipped "
                  "(make bench installs it from requirements-bench.txt)")
        else:
            print(f"  PyTorch {torch.__version__}, scikit-learn {_sklearn_version()}")
        params = net.init()
        results = {}
        for batch in batches:
            X, T, y = (a[:batch] for a in full)
            results[batch] = run(batch, X, T, y, params, args)
    timing.footer()
    small, big = batches
    parts = []
    for name, (t_small, t_big) in TARGETS.items():
        if name in results[small]:
            ratio_small = results[small][name] / results[small]["bplib.mlp"]
            ratio_big = results[big][name] / results[big]["bplib.mlp"]
            parts.append(f"{name} {_verdict(ratio_small, t_small)} / "
                         f"{_verdict(ratio_big, t_big)}")
        else:
            parts.append(f"{name} skipped")
    r = results[small]
    public = r["bplib.mlp, public API"] / r["bplib.mlp"]
    print(f"  public API step / bplib.train's step at batch {small}: {public:.2f} "
          f"(target <= {PUBLIC_TARGET:g})")
    parts.insert(0, f"public API {_verdict(public, PUBLIC_TARGET, at_least=False, digits=2)} "
                    f"at batch {small}")
    ratios = [results[b]["bplib.autodiff"] / results[b]["bplib.mlp"] for b in batches]
    parts.append("bplib.autodiff " + " / ".join(_verdict(x, 2.0, at_least=False) for x in ratios)
                 + " of bplib.mlp")
    graph = [results[b]["bplib.autodiff, log-softmax as a graph"] / results[b]["bplib.mlp"]
             for b in batches]
    parts.append("with the log-softmax as a graph (nine more nodes; no target) "
                 + " / ".join(f"{x:.1f}x" for x in graph))
    if "scalar engine" in r:
        parts.append(f"scalar engine {_verdict(r['scalar engine'] / r['bplib.autodiff'], 1000)} "
                     "slower than bplib.autodiff")
    print(f"SUMMARY training step (batch {small} / full batch {big}, times slower than "
          f"bplib.mlp): " + "; ".join(parts))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
