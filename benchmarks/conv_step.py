"""A convolutional layer's forward + backward: bplib.conv against its peers, as ratios.

The layer is chapter 8's: 3 x 3 kernels, padding 1, stride 1, on 8 x 8
inputs at batch 64 (the digits), with 1 input channel and 16 output
channels (the first layer of the chapter's network), and a second geometry
with 8 input channels, as a second convolutional layer would have. Each
contender computes the output ``Z`` and, for one upstream gradient ``dZ``,
all three VJPs ``dX``, ``dW``, ``db``. Timed side by side in this one process,
interleaved, one thread each:

* ``bplib.conv`` -- ``conv2d_forward`` + ``conv2d_backward`` (im2col by one
  gather, one matrix product forward and two backward, col2im by one
  ``bincount``); the baseline;
* ``PyTorch CPU`` -- ``torch.nn.functional.conv2d`` and
  ``torch.autograd.grad`` (skipped with a message when PyTorch is not
  installed: ``make bench`` installs it from ``requirements-bench.txt``);
* ``plain loop`` -- the definition as written, and the tests' independent
  implementation (``tests/_structure_loops.py``): one Python iteration per
  example, output channel and position (first geometry only, one call per
  round: it is slow);
* ``loop over positions`` -- a stronger loop: one Python iteration per
  output position, each a small product vectorised over the batch and the
  channels (forward, and the same loop backward).

Before any timing every contender's outputs and gradients are checked
against ``bplib.conv``'s. Targets: ``bplib.conv`` no slower than PyTorch CPU
at batch 64, and at least 20 times faster than the plain loop (the ratio to
the loop over positions, much smaller, is reported beside it).

Run: ``.venv/bin/python benchmarks/conv_step.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import conv

TARGET_TORCH = 1.0  # bplib time / PyTorch time at most this
TARGET_LOOP = 20.0  # loop time / bplib time at least this


def loop_step(X, W, b, dZ, padding=1):
    """Forward and backward, one Python iteration per output position."""
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    O, C, kh, kw = W.shape
    n, _, Ho, Wo = dZ.shape
    Z = np.empty((n, O, Ho, Wo))
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    for i in range(Ho):
        for j in range(Wo):
            window = Xp[:, :, i:i + kh, j:j + kw]  # (n, C, kh, kw)
            Z[:, :, i, j] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
    for i in range(Ho):
        for j in range(Wo):
            g = dZ[:, :, i, j]  # (n, O)
            dXp[:, :, i:i + kh, j:j + kw] += np.tensordot(g, W, axes=(1, 0))
            dW += np.tensordot(g, Xp[:, :, i:i + kh, j:j + kw], axes=(0, 0))
    H, Wd = X.shape[2:]
    return Z, dXp[:, :, padding:padding + H, padding:padding + Wd], dW, dZ.sum(axis=(0, 2, 3))


def plain_loop_step(X, W, b, dZ, padding=1):
    """Forward and backward, one Python iteration per example, channel and position."""
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    O, C, kh, kw = W.shape
    n, _, Ho, Wo = dZ.shape
    Z, dXp, dW = np.empty((n, O, Ho, Wo)), np.zeros_like(Xp), np.zeros_like(W)
    for m in range(n):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    window = Xp[m, :, i:i + kh, j:j + kw]
                    Z[m, o, i, j] = np.sum(window * W[o]) + b[o]
                    dXp[m, :, i:i + kh, j:j + kw] += dZ[m, o, i, j] * W[o]
                    dW[o] += dZ[m, o, i, j] * window
    H, Wd = X.shape[2:]
    return Z, dXp[:, :, padding:padding + H, padding:padding + Wd], dW, dZ.sum(axis=(0, 2, 3))


def bplib_step(X, W, b, dZ):
    Z, cache = conv.conv2d_forward(X, W, b, padding=1)
    return (Z,) + conv.conv2d_backward(dZ, cache)


def _torch_step(torch, X, W, b, dZ):
    Xt, Wt, bt = (torch.from_numpy(a).requires_grad_() for a in (X, W, b))
    dZt = torch.from_numpy(dZ)

    def step():
        Z = torch.nn.functional.conv2d(Xt, Wt, bt, padding=1)
        return (Z,) + torch.autograd.grad(Z, (Xt, Wt, bt), dZt)
    return step


def measure(n, C, O, args, torch, rng, plain=False):
    X, W = rng.normal(size=(n, C, 8, 8)), rng.normal(size=(O, C, 3, 3)) / 3
    b, dZ = rng.normal(size=O), rng.normal(size=(n, O, 8, 8))
    contenders = {"bplib.conv": lambda: bplib_step(X, W, b, dZ)}
    if torch is not None:
        contenders["PyTorch CPU"] = _torch_step(torch, X, W, b, dZ)
    if plain:
        contenders["plain loop"] = lambda: plain_loop_step(X, W, b, dZ)
    contenders["loop over positions"] = lambda: loop_step(X, W, b, dZ)
    reference = contenders["bplib.conv"]()
    for name, fn in contenders.items():  # same numbers before any timing
        for mine, ref in zip(fn(), reference):
            got = mine.detach().numpy() if hasattr(mine, "detach") else mine
            np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10, err_msg=name)
    res = timing.compare(contenders, rounds=2 if args.smoke else 15,
                         warmup=1 if args.smoke else 2, target=0.002 if args.smoke else 0.03,
                         numbers={"plain loop": 1})
    return {k: r["median"] for k, r in res.items()}


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    try:
        import torch  # noqa: F401 -- loaded before pinning, so that its threads are pinned too
        torch.set_default_dtype(torch.float64)
    except ImportError:
        torch = None
    n = 4 if args.smoke else 64
    rng = np.random.default_rng(0)
    rows, results = [], {}
    with timing.pinned_threads(args.threads):
        timing.header(f"conv2d 3x3, padding 1, 8x8 inputs, batch {n}: forward + backward",
                      args)
        if torch is None:
            print("  PyTorch not installed: its column is skipped "
                  "(pip install -r requirements-bench.txt)")
        for C, O in ((1, 16), (8, 16)):
            t = measure(n, C, O, args, torch, rng, plain=C == 1)
            results[C, O] = t
            base = t["bplib.conv"]
            rows += [[f"{C} -> {O} channels", name, timing.fmt_time(sec), f"{sec / base:.2f}"]
                     for name, sec in t.items()]
    print()
    timing.table(["geometry", "contender", "median time", "x bplib.conv"], rows, "<<>>")
    timing.footer()
    t = results[1, 16]
    loop = t["plain loop"] / t["bplib.conv"]
    positions = t["loop over positions"] / t["bplib.conv"]
    line = (f"SUMMARY conv step (1->16 channels, batch {n}): plain loop/bplib = {loop:.0f}x "
            f"({'meets' if loop >= TARGET_LOOP else 'MISSES'} >={TARGET_LOOP:g}x), loop over "
            f"positions/bplib = {positions:.1f}x")
    if "PyTorch CPU" in t:
        ratio = t["bplib.conv"] / t["PyTorch CPU"]
        wide = results[8, 16]["bplib.conv"] / results[8, 16]["PyTorch CPU"]
        line += (f"; bplib/PyTorch = {ratio:.2f} ({'meets' if ratio <= TARGET_TORCH else 'MISSES'}"
                 f" <={TARGET_TORCH:g}), {wide:.2f} at 8->16 channels")
    else:
        line += "; PyTorch not installed"
    print(line)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
