"""How long one control move of chapter 7's explorers takes.

Optimiser explorer: builds the widget, warms it up, then moves the
learning-rate slider through values not seen before (so every move reruns
the 300-step experiment), and times each full redraw: experiment, update of
the artists, PNG rendering. The target is well under 0.25 s per move.

Capacity explorer: times a press of Run (a full training run, which is why
it has a button and a progress bar) and the redraw when a control returns to
a setting already run (which is instant).

BLAS is limited to one thread, as in the chapter: for matrices this small
threads cost more than they save, dramatically so on a busy machine.

Run: ``.venv/bin/python benchmarks/optimiser_explorer_redraw.py``
"""

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from bplib.explorers import capacity as capacity_explorer
from bplib.explorers import optimiser as optimiser_explorer


def _ms(seconds):
    return f"{1000 * seconds:.0f} ms"


def optimiser_moves(moves=20, warmup=3):
    box = optimiser_explorer.widget()
    slider = box.controls["eta"]
    values = 10 ** np.linspace(-3.95, -0.55, moves + warmup)  # off the slider's 0.1 grid
    times = []
    for i, value in enumerate(values):
        start = time.perf_counter()
        slider.value = float(value)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    print(f"optimiser explorer: median redraw {_ms(statistics.median(times))}, slowest "
          f"{_ms(max(times))} over {moves} new learning rates (target: well under 250 ms)")


def capacity_moves(runs=3):
    box = capacity_explorer.widget()
    run_times, redraw_times = [], []
    for decay in capacity_explorer.DECAYS[1:runs + 1]:
        box.controls["weight_decay"].value = decay
        start = time.perf_counter()
        box.button.click()
        run_times.append(time.perf_counter() - start)
    for decay in capacity_explorer.DECAYS[:runs + 1]:
        start = time.perf_counter()
        box.controls["weight_decay"].value = decay
        redraw_times.append(time.perf_counter() - start)
    print(f"capacity explorer: Run (1000 steps, width 256) median "
          f"{_ms(statistics.median(run_times))}; "
          f"redraw of a setting already run: median {_ms(statistics.median(redraw_times))}")


if __name__ == "__main__":
    with threadpool_limits(1):
        optimiser_moves()
        capacity_moves()
