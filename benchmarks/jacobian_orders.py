"""Right to left against left to right: the two orders of chapter 4's Jacobian product.

For networks of four layers (``w`` inputs, three hidden tanh layers of ``w``
units, one output) and a batch of eight examples, times the forward pass and
both orders of the product that gives the gradient with respect to the input,
and prints the measured ratio next to the ratio of counted multiply-adds
(:func:`bplib.jacobian.count_multiply_adds`). Times are CPU seconds of this
process with one BLAS thread (medians), so other programs on the machine
barely disturb them; the counted ratio grows like ``2 w / 3``.

Run: ``.venv/bin/python benchmarks/jacobian_orders.py [--smoke] [--widths W ...]``
"""

import sys

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib import jacobian

WIDTHS = (16, 32, 64, 128, 256, 512, 1024)


def _extra(parser):
    parser.add_argument("--widths", type=int, nargs="+", default=None,
                        help=f"network widths (default {' '.join(map(str, WIDTHS))})")


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0], _extra)
    widths = tuple(args.widths or ((8, 16) if args.smoke else WIDTHS))
    depth, n = 4, 8
    with timing.pinned_threads(args.threads):
        timing.header("Jacobian product orders (chapter 4)", args, how="medians of 5 runs")
        timing_ = jacobian.time_orders(widths, depth=depth, n=n, repeats=2 if args.smoke else 5,
                                       rng=0)
    print(f"depth {depth}, batch {n}; CPU milliseconds (median)")
    print(" width   forward  right-left   left-right   measured  counted")
    ratios = []
    for k, w in enumerate(widths):
        counts = jacobian.count_multiply_adds([w] * depth + [1], n=n)
        f, rl, lr = (1e3 * timing_[key][k]
                     for key in ("forward", "right_to_left", "left_to_right"))
        ratios.append(lr / rl)
        print(f"{w:>6} {f:>9.3f} {rl:>11.3f} {lr:>12.3f} {lr / rl:>10.0f} "
              f"{counts.left_to_right / counts.right_to_left:>8.0f}")
    timing.footer()
    print(f"SUMMARY Jacobian orders: left-to-right / right-to-left from {ratios[0]:.0f}x at width "
          f"{widths[0]} to {ratios[-1]:.0f}x at width {widths[-1]}")
    return ratios


if __name__ == "__main__":
    main(sys.argv[1:])
