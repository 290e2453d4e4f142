"""The whole book: wall time to execute every notebook, and to build the website.

Copies the book (sources, chapters, bplib's tests and tools, the vendored
assets; not the virtual environment, node_modules, _build or .git) to a
temporary folder, so the repository's notebooks and site are not touched;
then times ``tools/execute_notebooks.py`` there (what ``make execute`` runs:
every chapter re-executed with nbclient, one kernel each), and the Jupyter
Book build of the copy into a temporary ``--path-output`` (``-W
--keep-going``, as ``make build``). Wall-clock time: this is what an author
waits, on a machine that may be busy (the load average is printed). Target:
the whole book executes in <= 3 minutes on 2 cores.

``--smoke`` skips both (they take minutes) after checking that the tool and
the book's configuration are where this script expects them.

Run: ``.venv/bin/python benchmarks/book_build.py [--smoke] [--keep]``
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    from . import _timing as timing
except ImportError:  # run as a script
    import _timing as timing

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = 180.0
SKIP = shutil.ignore_patterns(".venv", "node_modules", "_build", ".git", ".pytest_cache",
                              ".hypothesis", "__pycache__", ".ipynb_checkpoints", "*.egg-info",
                              ".jupyter_cache")


def _extra(parser):
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")


def main(argv=None):
    args = timing.parse_args(argv, __doc__.splitlines()[0], _extra)
    tool, config = ROOT / "tools" / "execute_notebooks.py", ROOT / "_config.yml"
    for path in (tool, config, ROOT / "_toc.yml"):
        if not path.exists():
            raise SystemExit(f"book_build: {path} is missing")
    bindir = pathlib.Path(sys.executable).parent
    jupyter_book = bindir / "jupyter-book"
    if args.smoke:
        print("book build: skipped in smoke mode (executing and building take minutes); "
              f"found {tool.relative_to(ROOT)}, {config.name}"
              + ("" if jupyter_book.exists() else f"; note: {jupyter_book} not found"))
        return {}
    print("The book: execute every notebook, build the website")
    print(f"  machine: {timing.machine()}")
    print(f"  wall-clock time, one run each (minutes long), default threads (as `make execute` "
          f"and `make build` run); load average {timing.load()}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="book-bench-"))
    copy = work / "book"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    env = dict(os.environ, TQDM_DISABLE="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    notebooks = sorted((copy / "chapters").glob("*.ipynb"))
    try:
        start = time.perf_counter()
        run = subprocess.run([sys.executable, str(copy / "tools" / "execute_notebooks.py")],
                             cwd=copy, env=env, capture_output=True, text=True)
        t_exec = time.perf_counter() - start
        if run.returncode:
            print(run.stdout[-2000:], run.stderr[-4000:])
            raise SystemExit(f"executing the notebooks failed (exit {run.returncode})")
        per_nb = re.findall(r"executed (\S+) in ([\d.]+) s", run.stdout)
        start = time.perf_counter()
        build = subprocess.run([str(jupyter_book), "build", str(copy), "--path-output",
                                str(work / "site"), "--warningiserror", "--keep-going"],
                               cwd=copy, env=env, capture_output=True, text=True)
        t_build = time.perf_counter() - start
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"  kept {work}")
    print()
    rows = [[pathlib.Path(name).name, f"{float(t):.1f} s"] for name, t in per_nb]
    rows.append([f"all {len(notebooks)} notebooks (wall, incl. kernel starts)", f"{t_exec:.1f} s"])
    status = "ok" if build.returncode == 0 else f"exit {build.returncode}, see below"
    rows.append([f"jupyter-book build -W --keep-going ({status})", f"{t_build:.1f} s"])
    timing.table(["step", "wall time"], rows, "<>")
    if build.returncode:
        tail = [line for line in build.stdout.splitlines() + build.stderr.splitlines()
                if "WARNING" in line or "ERROR" in line][:10]
        print("  build warnings/errors (first 10):", *tail, sep="\n    ")
    timing.footer()
    print(f"SUMMARY book: all notebooks execute in {t_exec:.0f} s "
          f"({'meets' if t_exec <= TARGET else 'MISSES'} <={TARGET:.0f} s); the site builds in "
          f"{t_build:.0f} s ({status})")
    return {"execute": t_exec, "build": t_build}


if __name__ == "__main__":
    main(sys.argv[1:])
