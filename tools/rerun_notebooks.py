"""Execute every notebook once more, in a sealed environment, and check it.

Usage: ``python tools/rerun_notebooks.py [-j JOBS] [NOTEBOOK ...]`` (default:
every ``chapters/*.ipynb``; ``-j 2`` runs two notebooks at once, each in its
own kernel, sharing one sealed home). Exit status 0 when every check passes.

Two checks in one execution, run after nbval (which has already executed
each notebook once), so each notebook runs twice in a row:

* **Determinism.** The text outputs of the new execution (streams,
  ``text/plain``, ``text/html``, ``text/markdown``, ``text/latex``, errors;
  not images) equal the stored ones, cell by cell, after the sanitizers of
  ``tests/nbval_sanitize.cfg``. Cells that nbval ignores (cell tag
  ``nbval-ignore-output`` or ``nbval-skip``, or the ``# NBVAL_IGNORE_OUTPUT``
  / ``# NBVAL_SKIP`` comment) are skipped here too. The stored notebook is
  never written: execution happens on a copy in memory.
* **No leaks into the reader's machine.** The kernel runs with ``HOME`` and
  ``TMPDIR`` pointed at a fresh temporary folder and with a Python audit
  hook installed by an injected first cell. The hook records every file
  opened for writing, every folder made, renamed or removed, and refuses
  (and records) every network connection or name lookup that is not for
  this machine (loopback). A notebook passes when it wrote only under the
  repository's build and cache folders (``_build/``, ``build/``, any
  ``*cache*`` or ``__pycache__`` folder) or the tools' own folders in the
  temporary home (matplotlib's cache, IPython's profile, Jupyter's runtime
  files), and opened no outside connection. The kernel's own ZeroMQ
  sockets are made in C and do not pass through the hook.
"""

import argparse
import concurrent.futures
import configparser
import json
import os
import pathlib
import re
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
MARK = "BPLIB-RERUN-EVENTS "
TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex")

GUARD = r'''
import json as _json, os as _os, sys as _sys

_BPLIB_EVENTS = []
_WRITE_FLAGS = _os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_APPEND | _os.O_TRUNC
_LOCAL = ("localhost", "127.0.0.1", "::1", "", None)

def _bplib_local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in _LOCAL or (isinstance(host, str) and host.startswith("127."))

def _bplib_audit(event, args):
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int) or path is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        if writing:
            _BPLIB_EVENTS.append(["write", _os.path.abspath(_os.fsdecode(path))])
    elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree"):
        if not isinstance(args[0], int):
            _BPLIB_EVENTS.append([event, _os.path.abspath(_os.fsdecode(args[0]))])
    elif event in ("socket.connect", "socket.sendto", "socket.getaddrinfo"):
        address = args[1] if event != "socket.getaddrinfo" else (args[0], args[1])
        if isinstance(address, tuple) and not _bplib_local(address[0]):
            _BPLIB_EVENTS.append([event, repr(address)])
            raise OSError(f"network access refused while checking the notebook: {address!r}")

_sys.addaudithook(_bplib_audit)
'''
REPORT = f'print({MARK!r} + _json.dumps(_BPLIB_EVENTS))'


def _sanitizers():
    parser = configparser.ConfigParser()
    parser.read(SANITIZE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def _ignored(cell):
    tags = cell.get("metadata", {}).get("tags", [])
    return ("nbval-ignore-output" in tags or "nbval-skip" in tags
            or re.search(r"#\s*NBVAL_(IGNORE_OUTPUT|SKIP)", cell.source) is not None)


def _texts(cell, rules):
    """The cell's text outputs, consecutive stream chunks joined, sanitized."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            if out and out[-1][0] == o.name:
                out[-1] = (o.name, out[-1][1] + o.text)
            else:
                out.append((o.name, o.text))
        elif o.output_type in ("execute_result", "display_data"):
            out += [(key, o.data[key]) for key in TEXT_KEYS if key in o.data]
        elif o.output_type == "error":
            out.append(("error", f"{o.ename}: {o.evalue}"))
    cleaned = []
    for key, text in out:
        text = "".join(text) if isinstance(text, list) else text
        for regex, replace in rules:
            text = regex.sub(replace, text)
        cleaned.append((key, text))
    return cleaned


def _allowed(path, home):
    p = pathlib.Path(path)
    if p.is_relative_to(home):
        rel = p.relative_to(home).parts
        if rel in {(".cache",), (".config",), (".local",)}:  # their parents
            return True
        return rel[:2] in {(".cache", "matplotlib"), (".config", "matplotlib"),
                           (".local", "share")} or rel[:1] == (".ipython",)
    if p.is_relative_to(ROOT):
        parts = p.relative_to(ROOT).parts
        return bool(parts) and (parts[0] in ("_build", "build")
                                or any("cache" in part.lower() for part in parts[:-1]))
    return str(p) in ("/dev/null", "/dev/tty") or str(p).startswith("/dev/shm/")


def check(path, home, rules):
    """Execute ``path`` once; return a list of problems (empty: it passed)."""
    stored = nbformat.read(path, as_version=4)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    env = dict(os.environ, HOME=str(home), TMPDIR=str(home / "tmp"),
               TQDM_DISABLE="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLCONFIGDIR", None)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    problems = []
    events = json.loads("".join(o.get("text", "") for o in nb.cells[-1].outputs)
                        .split(MARK, 1)[1])
    for kind, target in events:
        if kind.startswith("socket"):
            problems.append(f"network access: {kind} {target}")
        elif not _allowed(target, home):
            problems.append(f"{kind} outside the build/cache folders: {target}")
    code = [(old, new) for old, new in zip(stored.cells, nb.cells[1:-1])
            if old.cell_type == "code"]
    for number, (old, new) in enumerate(code, start=1):
        if _ignored(old):
            continue
        want, got = _texts(old, rules), _texts(new, rules)
        if want != got:
            problems.append(f"code cell {number}: outputs differ\n  stored:   {want!r:.300}"
                            f"\n  executed: {got!r:.300}")
    return problems


def _run_one(path, home, rules):
    """:func:`check` one notebook, timed: returns (path, problems, seconds)."""
    start = time.perf_counter()
    problems = check(path, home, rules)
    return path, problems, time.perf_counter() - start


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: every chapters/*.ipynb")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="notebooks executed at once (each in its own kernel)")
    args = parser.parse_args(argv)
    paths = [pathlib.Path(p).resolve() for p in args.notebooks] or sorted(
        (ROOT / "chapters").glob("*.ipynb"))
    rules, failed = _sanitizers(), 0
    with (tempfile.TemporaryDirectory(prefix="bplib-rerun-") as tmp,
          concurrent.futures.ProcessPoolExecutor(max(1, args.jobs)) as pool):
        home = pathlib.Path(tmp).resolve()
        (home / "tmp").mkdir()
        # the longest first, so that the last one to finish is short
        runs = [pool.submit(_run_one, path, home, rules)
                for path in sorted(paths, key=lambda p: -p.stat().st_size)]
        for run in concurrent.futures.as_completed(runs):
            path, problems, seconds = run.result()
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{shown}: {status} ({seconds:.1f} s)", flush=True)
            for problem in problems:
                print(f"  {problem}")
            failed += bool(problems)
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
