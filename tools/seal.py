"""Run a command that executes the notebooks (nbval) sealed, and check the kernels.

Usage: ``python tools/seal.py COMMAND [ARG ...]``, for example
``python tools/seal.py pytest --nbval chapters``. Exit status: the
command's own when it fails, else 1 when a kernel broke the seal, else 0.

The command runs with ``HOME`` and ``TMPDIR`` pointed at a fresh temporary
folder. IPython runs the start-up files of the profile in that home in every
kernel started there, so one such file (``GUARD``) installs a Python audit
hook in each notebook's kernel before its first cell. The hook writes a
record, one JSON line per event, to a file of its own in the home, and:

* records every file opened for writing and every folder made, renamed or
  removed;
* refuses (and records) every network connection or name lookup that is not
  for this machine (loopback);
* records the start of each of the kernel's first cells, so that the check
  can name the notebook the kernel ran.

After the command, a kernel passes when it wrote only under the repository's
build and cache folders (``_build/``, ``build/``, any ``*cache*`` or
``__pycache__`` folder) or the tools' own folders in the temporary home
(matplotlib's cache, IPython's profile, Jupyter's runtime files, the
temporary files' folder ``TMPDIR``), and opened
no outside connection. The check fails, too, when no kernel left a record:
the hook was not installed. The kernels' own ZeroMQ sockets are made in C and
do not pass through the hook.

Together with nbval, which compares every cell's outputs with the stored
ones, this is the notebooks' reproducibility check: the chapter's outputs
come from its code alone, and running it leaves nothing in the reader's
home, working folder or network.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDS = "bplib-seal"  # the records' folder, in the sealed home
GUARD = r'''
import json as _json, os as _os, sys as _sys

_BPLIB_LOCAL = ("localhost", "127.0.0.1", "::1", "", None)
_BPLIB_WRITE_FLAGS = _os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_APPEND | _os.O_TRUNC
_bplib_records = _os.path.join(_os.environ["HOME"], "bplib-seal")
_os.makedirs(_bplib_records, exist_ok=True)
# opened before the hook is installed; writing to it is not an audited event
_bplib_log = open(_os.path.join(_bplib_records, f"{_os.getpid()}.jsonl"), "a")

def _bplib_record(*event):
    _bplib_log.write(_json.dumps(event) + "\n")
    _bplib_log.flush()

def _bplib_local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in _BPLIB_LOCAL or (isinstance(host, str) and host.startswith("127."))

def _bplib_audit(event, args):
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int) or path is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _BPLIB_WRITE_FLAGS)
        if writing:
            _bplib_record("write", _os.path.abspath(_os.fsdecode(path)))
    elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree"):
        if not isinstance(args[0], int):
            _bplib_record(event, _os.path.abspath(_os.fsdecode(args[0])))
    elif event in ("socket.connect", "socket.sendto", "socket.getaddrinfo"):
        address = args[1] if event != "socket.getaddrinfo" else (args[0], args[1])
        if isinstance(address, tuple) and not _bplib_local(address[0]):
            _bplib_record(event, repr(address))
            raise OSError(f"network access refused while checking the notebook: {address!r}")

def _bplib_cell(info, _seen=[]):  # the first three cells name the notebook
    if len(_seen) < 3:
        _seen.append(1)
        _bplib_record("cell", info.raw_cell.strip()[:200])

_bplib_record("start", _os.getcwd())
_sys.addaudithook(_bplib_audit)
if "get_ipython" in globals():
    get_ipython().events.register("pre_run_cell", _bplib_cell)
'''


def allowed(path, home):
    """Whether a kernel may write ``path`` (``home``: the sealed home)."""
    p = pathlib.Path(path)
    if p.is_relative_to(home):
        rel = p.relative_to(home).parts
        if rel in {(".cache",), (".config",), (".local",)}:  # their parents
            return True
        return rel[:2] in {(".cache", "matplotlib"), (".config", "matplotlib"),
                           (".local", "share")} or rel[:1] in {(".ipython",), ("tmp",),
                                                               (RECORDS,)}
    if p.is_relative_to(ROOT):
        parts = p.relative_to(ROOT).parts
        return bool(parts) and (parts[0] in ("_build", "build")
                                or any("cache" in part.lower() for part in parts[:-1]))
    return str(p) in ("/dev/null", "/dev/tty") or str(p).startswith("/dev/shm/")


def _notebook(cells):
    """The chapter whose code cells include every recorded cell start, if one."""
    found = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        sources = ["".join(c["source"]).strip()[:200] for c in nb["cells"]
                   if c["cell_type"] == "code"]
        if cells and all(cell in sources for cell in cells):
            found.append(path.relative_to(ROOT).as_posix())
    return found[0] if len(found) == 1 else "a notebook"


def problems(home):
    """What the kernels started under ``home`` did that they should not have:
    a list of lines naming the kernel's notebook (empty: the seal held)."""
    logs = sorted((home / RECORDS).glob("*.jsonl"))
    if not logs:
        return ["no kernel recorded anything: the audit hook was not installed"]
    found = []
    for log in logs:
        events = [json.loads(line) for line in log.read_text().splitlines()]
        name = _notebook([target for kind, target in events if kind == "cell"])
        for kind, target in events:
            if kind.startswith("socket"):
                found.append(f"{name} (kernel {log.stem}): network access: {kind} {target}")
            elif kind not in ("start", "cell") and not allowed(target, home):
                found.append(f"{name} (kernel {log.stem}): {kind} outside the build "
                             f"and cache folders: {target}")
    return found


def sealed_home(tmp):
    """A fresh home in ``tmp`` whose IPython profile installs ``GUARD``."""
    home = pathlib.Path(tmp).resolve()
    (home / "tmp").mkdir()
    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-bplib-seal.py").write_text(GUARD, encoding="utf-8")
    return home


def main(argv):
    if not argv:
        sys.exit(__doc__.split("\n\n")[1])
    with tempfile.TemporaryDirectory(prefix="bplib-seal-") as tmp:
        home = sealed_home(tmp)
        env = dict(os.environ, HOME=str(home), TMPDIR=str(home / "tmp"))
        for name in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                     "JUPYTER_RUNTIME_DIR"):
            env.pop(name, None)
        status = subprocess.call(argv, env=env)
        if status:
            return status
        found = problems(home)
        kernels = len(list((home / RECORDS).glob("*.jsonl")))
    for line in found:
        print(line)
    print(f"sealed: {kernels} kernel(s), " + (f"{len(found)} problem(s)" if found
                                              else "nothing written outside the build and "
                                              "cache folders, no outside connection"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
