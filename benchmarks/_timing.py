"""The small timing kit every benchmark script shares.

Machines here are shared and noisy, so the scripts never report a lone
absolute time. They measure the implementations they compare **side by side
in one process**, interleaved round by round (a burst of load then hurts
every contender alike), after a warm-up, and report the **median** of the
rounds and **ratios** of medians. By default the clock is the process's CPU
time (``time.process_time``) with BLAS, OpenMP and PyTorch all pinned to one
thread, so another program on the other core barely moves the numbers; the
load average before and after is printed with every table.

``--smoke`` (or the environment variable ``BENCH_SMOKE=1``) shrinks every
script to tiny sizes and a couple of rounds: the test suite runs it so that
the scripts cannot rot. Smoke numbers mean nothing.
"""

import argparse
import os
import platform
import statistics
import time
from contextlib import contextmanager

import numpy as np


def parse_args(argv, description, extra=None):
    """Parse the common options (``--smoke``, ``--threads``) plus any ``extra``.

    Parameters
    ----------
    argv : list of str or None
        The arguments (``None``: ``sys.argv[1:]``).
    description : str
    extra : callable, optional
        ``extra(parser)`` adds the script's own options.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true",
                        default=os.environ.get("BENCH_SMOKE") == "1",
                        help="tiny sizes, two rounds: checks the script runs "
                             "(numbers mean nothing)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS / OpenMP / PyTorch threads for every contender (default 1)")
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


@contextmanager
def pinned_threads(n=1):
    """Pin BLAS and OpenMP (threadpoolctl) and PyTorch, if loaded, to ``n`` threads."""
    from threadpoolctl import threadpool_limits

    torch = _torch_if_loaded()
    before = torch.get_num_threads() if torch else None
    with threadpool_limits(limits=n):
        if torch:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch:
                torch.set_num_threads(before)


def _torch_if_loaded():
    import sys

    return sys.modules.get("torch")


def clock(kind="cpu"):
    """``time.process_time`` for ``"cpu"``, ``time.perf_counter`` for ``"wall"``."""
    return time.process_time if kind == "cpu" else time.perf_counter


def calibrate(fn, target=0.02, clock_kind="cpu", cap=100_000):
    """How many calls of ``fn`` make one timed block of about ``target`` seconds.

    Blocks of many calls average out the clock's granularity and the
    per-call jitter of tiny workloads; their median over rounds is then
    robust to bursts of load.
    """
    tick = clock(clock_kind)
    number = 1
    while True:
        start = tick()
        for _ in range(number):
            fn()
        elapsed = tick() - start
        if elapsed >= target / 4 or number >= cap:
            return max(1, min(cap, int(number * target / max(elapsed, 1e-9))))
        number *= 4


def compare(contenders, rounds=15, warmup=2, target=0.02, clock_kind="cpu", numbers=None):
    """Time several callables side by side; the median seconds per call of each.

    Each round times one block of calls of every contender in turn (the
    order rotates from round to round); ``warmup`` rounds are run first and
    discarded.

    Parameters
    ----------
    contenders : dict of str to callable
        Zero-argument callables.
    rounds : int
        Timed rounds (the median is over these).
    warmup : int
        Untimed rounds first (caches, lazy imports, allocator, JIT-like
        first-call costs).
    target : float
        Seconds per block, used to choose each contender's block size.
    clock_kind : {"cpu", "wall"}
    numbers : dict of str to int, optional
        Fixed block sizes (calls per block) for some contenders, e.g. 1 for
        a slow one.

    Returns
    -------
    dict of str to dict
        For each name: ``median`` and ``min`` seconds per call, ``number``
        of calls per block, and the per-round ``samples``.
    """
    tick = clock(clock_kind)
    numbers = dict(numbers or {})
    for name, fn in contenders.items():
        fn()  # first call: imports, allocations
        if name not in numbers:
            numbers[name] = calibrate(fn, target, clock_kind)
    names = list(contenders)
    samples = {name: [] for name in names}
    for r in range(warmup + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn, number = contenders[name], numbers[name]
            start = tick()
            for _ in range(number):
                fn()
            if r >= warmup:
                samples[name].append((tick() - start) / number)
    return {name: {"median": statistics.median(s), "min": min(s), "number": numbers[name],
                   "samples": s} for name, s in samples.items()}


def repeat(fn, times, warmup=1, clock_kind="wall"):
    """Run ``fn`` ``warmup + times`` times; the seconds of each timed run."""
    tick = clock(clock_kind)
    out = []
    for i in range(warmup + times):
        start = tick()
        fn()
        if i >= warmup:
            out.append(tick() - start)
    return out


def fmt_time(seconds):
    """A duration with a sensible unit: ``12.3 µs``, ``4.56 ms``, ``1.23 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(headers, rows, align=None):
    """Print a plain-text table; ``align`` is a string of ``<`` / ``>`` per column."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    align = align or "<" + ">" * (len(headers) - 1)
    line = lambda row: "  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths))  # noqa: E731
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(line(row))


def machine():
    """One line naming the machine: CPU, cores, BLAS, NumPy, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        libs.sort(key=lambda i: "numpy" not in i.get("filepath", ""))  # NumPy's own first
        if libs:
            i = libs[0]
            blas = f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')})"
    except Exception:  # pragma: no cover - informational only
        pass
    return (f"{cpu}, {os.cpu_count()} cores; {blas}; NumPy {np.__version__}; "
            f"Python {platform.python_version()}")


def load():
    """The 1-minute load average, formatted, with the core count."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def header(title, args, clock_kind="cpu", how="medians of interleaved rounds after warm-up"):
    """Print the title, the machine, the thread pinning, the clock and the load."""
    print(title)
    print(f"  machine: {machine()}")
    what = "CPU time of this process" if clock_kind == "cpu" else "wall-clock time"
    print(f"  {args.threads} thread(s) for BLAS/OpenMP/PyTorch; {what}; "
          f"{how}; load average {load()}"
          + ("; SMOKE MODE (tiny sizes, numbers meaningless)" if args.smoke else ""))


def footer():
    print(f"  load average after: {load()}")
