"""Every explorer's redraw on a control move: median and worst of 30, and figures allocated.

For each widget of the book (chapter 1's learning-rate explorer, chapter
3's XOR explorer, chapter 6's gradient-flow explorer, chapter 7's optimiser
and capacity explorers)
this builds the widget, moves one control a few times to warm up, then 30
times to values it has not had before, and times each move's full redraw as
the widget's observer runs it: rerun the experiment, update the artists in
place, render the PNG the page shows. Reported in wall-clock time (what a
reader waits) and CPU time (what the redraw costs, whatever else the machine
is doing), with BLAS pinned to one thread. The target is judged on the CPU
median, which is what a reader waits on an otherwise idle core; on a shared
machine the wall clock adds the other programs' turns. It also counts the matplotlib
figures created during the moves (``Figure.__init__`` calls), which should be
none: each widget draws into the one figure it made.

The capacity explorer trains only when **Run** is pressed (about a second,
hence its progress bar); its moves are between settings already run, and the
Run time is reported on a line of its own. Target: median redraw <= 150 ms.

Run: ``.venv/bin/python benchmarks/widget_redraw.py [--smoke] [--threads N]``
"""

import statistics
import sys
import time

import numpy as np

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

TARGET = 0.150


class _FigureCounter:
    """Counts ``matplotlib.figure.Figure`` objects created while active."""

    def __enter__(self):
        from matplotlib import figure

        self.count, self._cls, self._init = 0, figure.Figure, figure.Figure.__init__

        def counting_init(fig, *a, **k):
            self.count += 1
            self._init(fig, *a, **k)
        self._cls.__init__ = counting_init
        return self

    def __exit__(self, *exc):
        self._cls.__init__ = self._init


def _moves(box, control, values, warmup):
    wall, cpu = [], []
    with _FigureCounter() as figs:
        for i, value in enumerate(values):
            w0, c0 = time.perf_counter(), time.process_time()
            box.controls[control].value = value  # runs the observer: experiment, update, PNG
            if i >= warmup:
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            if i == warmup - 1:
                figs.count = 0  # count during the timed moves only
    return wall, cpu, figs.count


def learning_rate(moves, warmup):
    from bplib.explorers import learning_rate as widget_module

    box = widget_module.widget()
    values = [float(v) for v in np.geomspace(1e-3, 10**0.5, moves + warmup)]
    return _moves(box, "eta", values, warmup), "learning-rate explorer (ch. 1), η slider"


def xor(moves, warmup):
    from bplib.explorers import xor as widget_module

    box = widget_module.widget()
    values = list(range(1, moves + warmup + 1))  # a new start each move: never cached
    return _moves(box, "seed", values, warmup), "XOR explorer (ch. 3), seed slider, 2000 steps"


def gradient_flow(moves, warmup):
    from bplib.explorers import gradient_flow as widget_module

    box = widget_module.widget(depth=20, width=64)  # the largest network the sliders allow
    values = [float(v) for v in np.geomspace(0.11, 9.5, moves + warmup)]
    return (_moves(box, "scale", values, warmup),
            "gradient-flow explorer (ch. 6), weight-scale slider, depth 20, width 64")


def optimiser(moves, warmup):
    from bplib.explorers import optimiser as widget_module

    box = widget_module.widget()
    # values off the slider's grid, so the experiment's cache never answers
    values = [float(v) for v in 10 ** np.linspace(-3.93, -0.57, moves + warmup)]
    return _moves(box, "eta", values, warmup), "optimiser explorer (ch. 7), η slider, 300 steps"


def capacity(moves, warmup, runs):
    from bplib.explorers import capacity as widget_module

    box = widget_module.widget()
    decays = list(widget_module.DECAYS)
    run_times = []
    for decay in decays[1:runs + 1]:  # press Run for a few new settings
        box.controls["weight_decay"].value = decay
        start = time.perf_counter()
        box.button.click()
        run_times.append(time.perf_counter() - start)
    done = decays[:runs + 1] if runs else decays[:1]
    values = [done[i % len(done)] for i in range(1, moves + warmup + 1)]
    if len(done) == 1:  # nothing else has run: alternate with a setting not run yet
        values = [decays[i % 2] for i in range(1, moves + warmup + 1)]
    result = _moves(box, "weight_decay", values, warmup)
    return result, "capacity explorer (ch. 7), λ slider between settings already run", run_times


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0])
    moves, warmup = (3, 1) if args.smoke else (30, 3)
    rows, medians, wall_medians, run_times, new_figures = [], {}, {}, [], {}
    with timing.pinned_threads(args.threads):
        timing.header(f"Widget redraw on a control move ({moves} moves each)", args,
                      clock_kind="wall", how="also CPU time; after warm-up moves")
        for name, fn in (("learning_rate", learning_rate), ("xor", xor),
                         ("gradient_flow", gradient_flow),
                         ("optimiser", optimiser), ("capacity", capacity)):
            try:
                if name == "capacity":
                    (wall, cpu, figs), label, run_times = fn(moves, warmup, 0 if args.smoke else 3)
                else:
                    (wall, cpu, figs), label = fn(moves, warmup)
            except ImportError as exc:  # a chapter's explorer not written yet
                print(f"  {name}: skipped ({exc})")
                continue
            medians[label] = statistics.median(cpu)
            wall_medians[label] = statistics.median(wall)
            new_figures[label] = figs
            rows.append([label, timing.fmt_time(statistics.median(wall)),
                         timing.fmt_time(max(wall)),
                         timing.fmt_time(statistics.median(cpu)), timing.fmt_time(max(cpu)), figs])
    print()
    timing.table(["widget, control", "wall median", "wall worst", "CPU median", "CPU worst",
                  "new figures"], rows, "<>>>>>")
    if run_times:
        print(f"  capacity explorer, Run (1000 training steps, width 256): median "
              f"{timing.fmt_time(statistics.median(run_times))} over {len(run_times)} presses")
    timing.footer()
    worst = max(medians, key=medians.get)
    missed = [k.split(",")[0] for k, v in medians.items() if v > TARGET]
    allocating = [k.split(",")[0] for k, v in new_figures.items() if v]
    print(f"SUMMARY widgets: slowest median redraw {timing.fmt_time(medians[worst])} CPU, "
          f"{timing.fmt_time(wall_medians[worst])} wall ({worst.split(',')[0]}); "
          + (f"MISSES <=150 ms: {', '.join(missed)}" if missed else "all meet <=150 ms")
          + "; " + (f"new figure per move: {', '.join(allocating)}" if allocating
                    else "no widget allocates a figure per move"))
    return medians


if __name__ == "__main__":
    main(sys.argv[1:])
