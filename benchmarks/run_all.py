"""Run every benchmark script in this folder, one after another.

Each script measures ratios (or per-move times) within its own run and
prints a table; timings are never asserted in the tests. Usage::

    make bench                      # all of them
    python benchmarks/run_all.py learning_rate_redraw   # some of them
"""

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(names):
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != pathlib.Path(__file__).name)
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode:
            failed.append(script.name)
    if failed:
        raise SystemExit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
