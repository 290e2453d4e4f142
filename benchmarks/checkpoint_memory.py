"""The memory and time of reverse mode over a sequence: plain BPTT against sqrt(S) checkpointing.

For the vanilla cell (batch 8, hidden 32) and sequence lengths S from 100 to
10 000, ``bplib.checkpoint.backprop`` runs the plain schedule (every step's
record kept) and the uniform one (a checkpoint every ceil(sqrt(S)) steps,
each segment recomputed when the backward sweep reaches it). Printed per S:
the peak bytes each kept (counted exactly, array by array), the forward
steps each ran, the median CPU time of each (interleaved rounds), and the
largest difference between their gradients. Then the log-log slopes of
memory against S (expected: 1 and 0.5) and the range of the time ratio
(expected: below 2, one extra forward pass).

Run: ``.venv/bin/python benchmarks/checkpoint_memory.py [--smoke] [--threads N]``
"""

import sys

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import checkpoint, rnn


def measure(S, n=8, d_h=32, rounds=5):
    rng = np.random.default_rng(S)
    X = rng.normal(size=(S, n, 1))
    params = rnn.init_params(1, d_h, radius=0.95, rng=0)
    g = rng.normal(size=(n, d_h))
    chain = checkpoint.rnn_chain(X, params)

    def loss_grad(state):
        return float(np.sum(g * state[0])), (g,)
    out = {s: checkpoint.backprop(chain, chain.state0, loss_grad, s)
           for s in ("plain", "uniform")}
    diff = max(np.abs(out["uniform"][1][k] - out["plain"][1][k]).max() for k in out["plain"][1])
    res = timing.compare({s: (lambda s=s: checkpoint.backprop(chain, chain.state0, loss_grad, s))
                          for s in out}, rounds=rounds, warmup=1, target=0.0, numbers={
                              "plain": 1, "uniform": 1})
    costs = {s: (out[s][3].peak_bytes, out[s][3].forward_steps, res[s]["median"]) for s in out}
    return costs, diff


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    lengths = [20, 50] if args.smoke else [100, 316, 1000, 3162, 10000]
    rounds = 2 if args.smoke else 5
    rows, mem, ratios, worst = [], {"plain": [], "uniform": []}, [], 0.0
    with timing.pinned_threads(args.threads):
        timing.header("Reverse mode's memory over a sequence: plain BPTT against sqrt(S) "
                      "checkpointing (vanilla cell, batch 8, hidden 32, float64)", args)
        for S in lengths:
            m, diff = measure(S, rounds=rounds)
            worst = max(worst, diff)
            for s in mem:
                mem[s].append(m[s][0])
            ratios.append(m["uniform"][2] / m["plain"][2])
            rows.append([S, f"{m['plain'][0]:,}", f"{m['uniform'][0]:,}",
                         f"{m['plain'][0] / m['uniform'][0]:.1f}", m["plain"][1], m["uniform"][1],
                         timing.fmt_time(m["plain"][2]), timing.fmt_time(m["uniform"][2]),
                         f"{ratios[-1]:.2f}", f"{diff:.1e}"])
        timing.table(["S", "plain bytes", "ckpt bytes", "saved x", "plain steps",
                      "ckpt steps", "plain time", "ckpt time", "time x", "max |dgrad|"],
                     rows, ">" * 10)
        timing.footer()
    slopes = {s: np.polyfit(np.log(lengths), np.log(v), 1)[0] for s, v in mem.items()}
    assert worst <= 1e-12, f"checkpointed gradients differ by {worst:.1e}"
    print(f"SUMMARY checkpointing (S {lengths[0]}..{lengths[-1]}): memory log-log slope "
          f"{slopes['plain']:.2f} plain, {slopes['uniform']:.2f} every sqrt(S) (expected 1 and "
          f"0.5); time {min(ratios):.2f}-{max(ratios):.2f} times plain (target < 2); gradients "
          f"differ by at most {worst:.1e}")


if __name__ == "__main__":
    main(sys.argv[1:])
