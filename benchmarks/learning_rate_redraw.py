"""How long one slider move of chapter 1's learning-rate explorer takes.

Builds the widget, warms it up, then moves the learning-rate slider through
50 values and times each full redraw: rerun the experiment, update the
artists in place, render the figure to the PNG the page shows. Prints the
median and the slowest move, in wall-clock time (what a reader waits) and in
the process's CPU time (what the redraw costs, whatever else the machine is
doing). The target is well under 0.25 s per move. (``widget_redraw.py``
measures every explorer of the book the same way.)

Run: ``.venv/bin/python benchmarks/learning_rate_redraw.py [--smoke]``
"""

import statistics
import sys
import time

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

from bplib.explorers import learning_rate


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    moves, warmup = (3, 1) if args.smoke else (50, 5)
    box = learning_rate.widget()
    slider = box.controls["eta"]
    values = np.geomspace(1e-3, 10**0.5, moves + warmup)
    wall, cpu = [], []
    with timing.pinned_threads(args.threads):
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
    print(f"  load average while measuring: {timing.load()}")
    return wall, cpu


if __name__ == "__main__":
    main(sys.argv[1:])
