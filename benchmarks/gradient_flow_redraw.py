"""How long one control change of chapter 6's gradient-flow explorer takes.

Builds the widget, warms it up, then changes each control in turn (depth,
width, activation, initialisation scheme, weight scale) through a cycle of
values around the largest network the controls allow (depth 20, width 64),
and times each full redraw: rerun the experiment, update the artists in
place, render the figure to the PNG the page shows. Prints the median and
the slowest change, in wall-clock time (what a reader waits) and in the
process's CPU time (what the redraw costs, whatever else the machine is
doing), overall and per control. The target is well under 0.25 s per change.

Run: ``.venv/bin/python benchmarks/gradient_flow_redraw.py``; with ``--smoke``
(or ``BENCH_SMOKE=1``) one round only, to check that the script runs.
"""

import argparse
import os
import statistics
import sys
import time

from bplib.explorers import gradient_flow

CYCLE = {
    "depth": [20, 5, 12, 20],
    "width": [64, 16, 48, 64],
    "activation": ["sigmoid", "relu", "tanh"],
    "scheme": ["standard_normal", "he_normal", "xavier_uniform", "xavier_normal"],
    "scale": [2.0, 0.5, 5.0, 1.0],
    "architecture": ["residual", "normalised", "residual_normalised", "plain"],
}


def main(rounds=4, warmup=1):
    box = gradient_flow.widget(depth=20, width=64)
    wall = {name: [] for name in CYCLE}
    cpu = {name: [] for name in CYCLE}
    for r in range(warmup + rounds):
        for name, values in CYCLE.items():
            for value in values:
                w0, c0 = time.perf_counter(), time.process_time()
                box.controls[name].value = value  # runs the observer: experiment, update, PNG
                if r >= warmup:
                    wall[name].append(time.perf_counter() - w0)
                    cpu[name].append(time.process_time() - c0)
    every_wall = [t for ts in wall.values() for t in ts]
    every_cpu = [t for ts in cpu.values() for t in ts]
    ms = lambda t: f"{1000 * t:.0f} ms"  # noqa: E731
    print(f"gradient-flow explorer, {len(every_wall)} control changes "
          "(target: well under 250 ms)")
    print(f"  wall clock: median {ms(statistics.median(every_wall))}, "
          f"slowest {ms(max(every_wall))}")
    print(f"  CPU time:   median {ms(statistics.median(every_cpu))}, "
          f"slowest {ms(max(every_cpu))}")
    for name in CYCLE:
        print(f"  {name:>10}: wall median {ms(statistics.median(wall[name]))}, "
              f"CPU median {ms(statistics.median(cpu[name]))}")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        default=os.environ.get("BENCH_SMOKE") == "1",
                        help="one round, no warm-up: checks the script runs")
    args = parser.parse_args(sys.argv[1:])
    main(rounds=1, warmup=0) if args.smoke else main()
