"""Run every benchmark script in this folder, one after another.

Each script measures ratios (or per-move times) within its own run and
prints a table and a one-line ``SUMMARY``; timings are never asserted in the
tests. At the end the summaries are repeated together with each script's
running time. Usage::

    make bench                                          # all of them
    python benchmarks/run_all.py training_step cheap_gradient   # some of them
    python benchmarks/run_all.py --smoke                # tiny sizes: do they still run?

With ``--smoke`` only the scripts that support it (those built on
``_timing.py``) run; ``book_build`` then skips its minutes-long work.
"""

import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def scripts(names=()):
    """The benchmark scripts (not this runner, not the ``_helpers``), in order."""
    found = sorted(p for p in HERE.glob("*.py")
                   if p.name != pathlib.Path(__file__).name and not p.name.startswith("_"))
    if names:
        unknown = set(names) - {p.stem for p in found}
        if unknown:
            raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(p.stem for p in found)}")
        found = [p for p in found if p.stem in names]
    return found


def supports_smoke(path):
    return "_timing" in path.read_text(encoding="utf-8")


def main(argv):
    smoke = "--smoke" in argv
    names = [a for a in argv if not a.startswith("--")]
    failed, summaries, started = [], [], time.perf_counter()
    for script in scripts(names):
        if smoke and not supports_smoke(script):
            print(f"\n=== {script.name}: no --smoke mode, skipped ===", flush=True)
            continue
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, str(script)] + (["--smoke"] if smoke else []),
                             stdout=subprocess.PIPE, text=True, check=False)
        print(run.stdout, end="", flush=True)
        seconds = time.perf_counter() - start
        summaries += [f"[{script.stem}, {seconds:.0f} s] {line[len('SUMMARY '):]}"
                      for line in run.stdout.splitlines() if line.startswith("SUMMARY ")]
        if run.returncode:
            failed.append(script.name)
    print(f"\n=== summaries ({time.perf_counter() - started:.0f} s in all) ===")
    print("\n".join(summaries) or "(none)")
    if failed:
        raise SystemExit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
