"""How long one control change of chapter 6's gradient-flow explorer takes.

Builds the widget, warms it up, then changes each control in turn (depth,
width, activation, initialisation scheme, weight scale) through a cycle of
values that includes the largest network the controls allow (depth 20,
width 64), and times each full redraw: rerun the experiment, update the
artists in place, render the figure to the PNG the page shows. Prints the
median and the slowest change, overall and per control. The target is well
under 0.25 s per change.

Run: ``.venv/bin/python benchmarks/gradient_flow_redraw.py``
"""

import itertools
import statistics
import time

from bplib import gradient_flow

CYCLE = {
    "depth": [20, 5, 12, 20],
    "width": [64, 16, 48, 64],
    "activation": ["sigmoid", "relu", "tanh"],
    "scheme": ["standard_normal", "he_normal", "xavier_uniform", "xavier_normal"],
    "scale": [2.0, 0.5, 5.0, 1.0],
}


def main(rounds=4, warmup=3):
    box = gradient_flow.widget(depth=20, width=64)
    times = {name: [] for name in CYCLE}
    moves = [(name, value) for _ in range(rounds + warmup)
             for name, values in CYCLE.items() for value in values]
    for i, (name, value) in enumerate(moves):
        start = time.perf_counter()
        box.controls[name].value = value  # runs the observer: experiment, update, PNG
        if i >= warmup * sum(len(v) for v in CYCLE.values()):
            times[name].append(time.perf_counter() - start)
    every = list(itertools.chain.from_iterable(times.values()))
    print(f"gradient-flow explorer: median redraw {1000 * statistics.median(every):.0f} ms, "
          f"slowest {1000 * max(every):.0f} ms over {len(every)} control changes "
          f"(target: well under 250 ms)")
    for name, t in times.items():
        print(f"  {name:>10}: median {1000 * statistics.median(t):.0f} ms")


if __name__ == "__main__":
    main()
