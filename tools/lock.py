"""Regenerate the hashed lock files in ``locks/`` (``make lock``).

The requirements files pin the book's *direct* dependencies; a lock pins the
whole environment of one use, every transitive dependency included, each with
the sha256 hashes of its distributions, so that ``pip install
--require-hashes -r locks/<use>.txt`` installs the very files that were
tested, or refuses. One lock per use:

========  ===============================================  =====================
lock      compiled from                                    installed by
========  ===============================================  =====================
reader    requirements.txt                                 (readers, Binder)
build     requirements.txt + requirements-build.txt        make setup / book
test      the build's inputs + requirements-test.txt       make test (on build)
bench     requirements-bench.txt, constrained by reader    make bench
setup     requirements-setup.txt (uv, the installer)       make setup (by pip)
========  ===============================================  =====================

The ``test`` lock is compiled with ``locks/build.txt`` as a constraint and
``bench`` with ``locks/reader.txt``, so a package the locks share has one
version everywhere and the test (bench) lock can be installed on top of the
build (reader) environment. A requirements file that does not exist is left
out of the inputs.

The resolver is ``uv pip compile`` (pinned below), for Python 3.11 on Linux
x86_64, the machines the book is tested on. Each lock starts with the sha256
of its inputs; ``tests/library/test_locks.py`` fails when an input changed
after the lock was made ("run make lock"). Package sources are those pip is
configured with here (``pip config``: find-links, extra indexes), so a
locally provided build such as PyTorch's CPU wheel is found and hashed.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "locks"
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-manylinux_2_28"
UV = "uv==0.13.8"

# lock name -> (input files, constraint lock or None)
LOCK_INPUTS = {
    "reader": (["requirements.txt"], None),
    "build": (["requirements.txt", "requirements-build.txt"], None),
    "test": (["requirements.txt", "requirements-build.txt", "requirements-test.txt"],
             "build"),
    "bench": (["requirements-bench.txt"], "reader"),
    "setup": (["requirements-setup.txt"], None),
}


def inputs_of(name):
    """The input files of lock ``name`` that exist, as paths relative to the root."""
    files, _ = LOCK_INPUTS[name]
    return [f for f in files if (ROOT / f).exists()]


def inputs_digest(name):
    """One sha256 over the names and contents of the lock's inputs."""
    h = hashlib.sha256()
    for f in inputs_of(name):
        h.update(f.encode() + b"\0" + (ROOT / f).read_bytes() + b"\0")
    return h.hexdigest()


def header_line(name):
    """The first line of a lock: its inputs and their digest."""
    return f"# inputs: {' '.join(inputs_of(name))} sha256={inputs_digest(name)}\n"


def pip_sources():
    """``--find-links`` / ``--extra-index-url`` options from pip's configuration."""
    try:
        out = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                             capture_output=True, text=True, check=False).stdout
    except OSError:
        return []
    options = []
    for line in out.splitlines():
        key, _, value = line.partition("=")
        value = value.strip().strip("'\"")
        if key.endswith(".find-links"):
            options += [arg for v in value.split() for arg in ("--find-links", v)]
    return options


def uv_command():
    """The pinned ``uv``: next to this Python, in ``.venv/lock-tools`` (where
    ``make lock`` installs it) or on PATH."""
    for here in (Path(sys.executable).parent / "uv", ROOT / ".venv" / "lock-tools" / "bin" / "uv"):
        if here.exists():
            return [str(here)]
    if shutil.which("uv"):
        return [shutil.which("uv")]
    sys.exit(f"uv not found: run make lock once, or pip install {UV}")


def compile_lock(name, *, uv, upgrade=False, inputs=None, constraint=None, output=None):
    """Run ``uv pip compile --generate-hashes`` for one lock; return its path."""
    files = inputs if inputs is not None else [str(ROOT / f) for f in inputs_of(name)]
    if constraint is None and LOCK_INPUTS[name][1]:
        constraint = LOCKS / f"{LOCK_INPUTS[name][1]}.txt"
    output = Path(output or LOCKS / f"{name}.txt")
    cmd = [*uv, "pip", "compile", "--quiet", "--generate-hashes",
           "--python-version", PYTHON_VERSION, "--python-platform", PLATFORM,
           "--custom-compile-command", "make lock", "--no-strip-markers",
           *pip_sources(), *files, "-o", str(output)]
    if constraint is not None:
        cmd += ["--constraint", str(constraint)]
    if upgrade:
        cmd.append("--upgrade")
    env = dict(os.environ, UV_NO_PROGRESS="1")
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(LOCK_INPUTS),
                        help="locks to regenerate (default: all, in dependency order)")
    args = parser.parse_args(argv)
    LOCKS.mkdir(exist_ok=True)
    uv = uv_command()
    for name in args.names:
        if name not in LOCK_INPUTS:
            parser.error(f"unknown lock {name!r}; known: {', '.join(LOCK_INPUTS)}")
        if not inputs_of(name):
            print(f"locks/{name}.txt: no inputs, skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            old = LOCKS / f"{name}.txt"  # its pins are kept unless the inputs move them
            if old.exists():
                (Path(tmp) / "lock.txt").write_text(old.read_text())
            out = compile_lock(name, uv=uv, output=Path(tmp) / "lock.txt")
            text = out.read_text()
        (LOCKS / f"{name}.txt").write_text(header_line(name) + text)
        pins = sum(1 for line in text.splitlines() if "==" in line and not line.startswith("#"))
        print(f"locks/{name}.txt: {pins} packages from {', '.join(inputs_of(name))}")


if __name__ == "__main__":
    main()
