"""How long one slider move of chapter 1's learning-rate explorer takes.

Builds the widget, warms it up, then moves the learning-rate slider through
50 values and times each full redraw: rerun the experiment, update the
artists in place, render the figure to the PNG the page shows. Prints the
median and the slowest move. The target is well under 0.25 s per move.

Run: ``.venv/bin/python benchmarks/learning_rate_redraw.py``
"""

import statistics
import time

import numpy as np

from bplib import learning_rate


def main(moves=50, warmup=5):
    box = learning_rate.widget()
    slider = box.controls["eta"]
    values = np.geomspace(1e-3, 10**0.5, moves + warmup)
    times = []
    for i, value in enumerate(values):
        start = time.perf_counter()
        slider.value = float(value)  # runs the observer: experiment, update, PNG
        if i >= warmup:
            times.append(time.perf_counter() - start)
    print(
        f"learning-rate explorer: median redraw {1000 * statistics.median(times):.0f} ms, "
        f"slowest {1000 * max(times):.0f} ms over {moves} slider moves "
        f"(target: well under 250 ms)"
    )


if __name__ == "__main__":
    main()
