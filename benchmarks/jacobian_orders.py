"""Right to left against left to right: the two orders of chapter 4's Jacobian product.

For networks of four layers (``w`` inputs, three hidden tanh layers of ``w``
units, one output) and a batch of eight examples, times the forward pass and
both orders of the product that gives the gradient with respect to the input,
and prints the measured ratio next to the ratio of counted multiply-adds
(:func:`bplib.jacobian.count_multiply_adds`). Times are CPU seconds of this
process with one BLAS thread (medians), so other programs on the machine
barely disturb them; the counted ratio grows like ``2 w / 3``.

Run: ``.venv/bin/python benchmarks/jacobian_orders.py [WIDTH ...]``
"""

import os
import sys

from threadpoolctl import threadpool_limits

from bplib import jacobian


def main(widths=(16, 32, 64, 128, 256, 512, 1024), depth=4, n=8):
    with threadpool_limits(limits=1, user_api="blas"):
        timing = jacobian.time_orders(widths, depth=depth, n=n, repeats=5, rng=0)
    print(f"depth {depth}, batch {n}, one BLAS thread; CPU milliseconds (median)")
    print(" width   forward  right-left   left-right   measured  counted")
    for k, w in enumerate(widths):
        counts = jacobian.count_multiply_adds([w] * depth + [1], n=n)
        f, rl, lr = (1e3 * timing[key][k] for key in ("forward", "right_to_left", "left_to_right"))
        print(f"{w:>6} {f:>9.3f} {rl:>11.3f} {lr:>12.3f} {lr / rl:>10.0f} "
              f"{counts.left_to_right / counts.right_to_left:>8.0f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main(tuple(int(w) for w in sys.argv[1:]) or (16, 32, 64, 128, 256, 512, 1024))
