"""How long one slider move of chapter 1's learning-rate explorer takes.

Builds the widget, warms it up, then moves the learning-rate slider through
50 values and times each full redraw: rerun the experiment, update the
artists in place, render the figure to the PNG the page shows. Prints the
median and the slowest move, in wall-clock time (what a reader waits) and in
the process's CPU time (what the redraw costs, whatever else the machine is
doing). The target is well under 0.25 s per move.

Run: ``.venv/bin/python benchmarks/learning_rate_redraw.py``
"""

import os
import statistics
import time

import numpy as np

from bplib import learning_rate


def main(moves=50, warmup=5):
    box = learning_rate.widget()
    slider = box.controls["eta"]
    values = np.geomspace(1e-3, 10**0.5, moves + warmup)
    wall, cpu = [], []
    for i, value in enumerate(values):
        w0, c0 = time.perf_counter(), time.process_time()
        slider.value = float(value)  # runs the observer: experiment, update, PNG
        if i >= warmup:
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
    ms = lambda t: f"{1000 * t:.0f} ms"  # noqa: E731
    print(f"learning-rate explorer, {moves} slider moves (target: well under 250 ms)")
    print(f"  wall clock: median {ms(statistics.median(wall))}, slowest {ms(max(wall))}")
    print(f"  CPU time:   median {ms(statistics.median(cpu))}, slowest {ms(max(cpu))}")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
