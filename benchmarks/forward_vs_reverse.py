"""Forward mode against reverse mode: the full gradient as the parameter count grows.

Forward mode (``bplib.dual.forward_gradient``) finds one directional
derivative per pass, so the full gradient of a loss of ``P`` parameters
takes ``P`` passes; reverse mode (``bplib.autodiff.value_and_grad``) takes
one forward and one backward sweep whatever ``P`` is. Their time ratio
should therefore grow in proportion to ``P``: the last column, ratio / P,
should stay roughly level while P grows a hundredfold. Networks ``8-h-1``
(tanh hidden layer, identity output, half mean squared error, batch 16), the
same function handed to both engines; before timing, the two gradients are
checked against each other.

Run: ``.venv/bin/python benchmarks/forward_vs_reverse.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import autodiff, dual, init


def _loss(X, T):
    """One function for both engines: it uses only operations Dual and Tensor share."""
    n = len(X)

    def f(p):
        Y = (X @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]
        return ((Y - T) ** 2).sum() * (0.5 / n)
    return f


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    hidden = (1, 4) if args.smoke else (2, 4, 8, 16, 32, 64, 128)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(16, 8)), rng.normal(size=(16, 1))
    f = _loss(X, T)
    rows, ratios = [], []
    with timing.pinned_threads(args.threads):
        timing.header("Forward mode (one pass per parameter) vs reverse mode (one sweep), "
                      "8-h-1 tanh, batch 16", args)
        for h in hidden:
            params = init.init_params([8, h, 1], rng=0)
            P = sum(v.size for v in params.values())
            g_fwd, passes = dual.forward_gradient(f, params)
            _, g_rev = autodiff.value_and_grad(f, params)
            for key in params:
                if not np.allclose(g_fwd[key], g_rev[key], rtol=1e-10, atol=1e-13):
                    raise AssertionError(f"forward and reverse mode disagree on {key} (h={h})")
            res = timing.compare({
                "forward": lambda: dual.forward_gradient(f, params),
                "reverse": lambda: autodiff.value_and_grad(f, params),
            }, rounds=2 if args.smoke else 7, warmup=1, target=0.002 if args.smoke else 0.05)
            t_f, t_r = res["forward"]["median"], res["reverse"]["median"]
            ratios.append((P, t_f / t_r))
            rows.append([P, passes, timing.fmt_time(t_f), timing.fmt_time(t_r),
                         f"{t_f / t_r:.1f}", f"{t_f / t_r / P:.3f}"])
    print()
    timing.table(["P", "forward passes", "forward mode", "reverse mode", "ratio", "ratio / P"],
                 rows, ">>>>>>")
    timing.footer()
    (p0, r0), (p1, r1) = ratios[0], ratios[-1]
    slope = np.polyfit(np.log([p for p, _ in ratios]), np.log([r for _, r in ratios]), 1)[0]
    print(f"SUMMARY forward vs reverse: as P grows {p1 / p0:.0f}-fold ({p0} to {p1}), "
          "the ratio grows "
          f"{r1 / r0:.0f}-fold ({r0:.1f} to {r1:.0f}); log-log slope {slope:.2f} "
          f"(1 means proportional to P)")
    return ratios


if __name__ == "__main__":
    main(sys.argv[1:])
