"""Re-execute the book's notebooks in place, storing outputs and widget state.

Usage: ``python tools/execute_notebooks.py [NOTEBOOK ...]`` (default: every
``chapters/*.ipynb``). Stored outputs are what nbval compares and what the
website shows, so run this (``make execute``) after every change to ``bplib``.
"""

import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent


def execute(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    client.execute()
    nbformat.write(nb, path)


def main(argv):
    os.environ.setdefault("TQDM_DISABLE", "1")
    paths = [pathlib.Path(p).resolve() for p in argv] or sorted(
        (ROOT / "chapters").glob("*.ipynb")
    )
    for path in paths:
        start = time.perf_counter()
        execute(path)
        print(f"executed {os.path.relpath(path)} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
