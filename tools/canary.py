"""Upgrade canary (``make canary``): does the book still work with the newest
versions its declared ranges allow?

The locks pin what was tested; readers who install ``bplib`` with pip, or a
maintainer who bumps a pin, get newer releases. This script

1. relaxes every exact pin of the requirements files to its *declared
   range*: the range ``pyproject.toml`` declares for bplib's dependencies,
   the bounds in ``DECLARED`` below (with their reasons), and no bound for
   everything else; PyTorch stays pinned (a range pulls a CUDA build of
   several GB, see requirements-bench.txt) and is not part of the canary;
2. resolves the newest versions those ranges allow (``uv pip compile
   --upgrade``, for Python 3.11 on Linux x86_64, like the locks);
3. prints which packages moved against ``locks/test.txt``;
4. installs them into a scratch virtual environment (``_build/canary/venv``)
   with bplib from this checkout, and runs the unit tests and nbval there;
5. prints what broke, and exits non-zero if anything did.

It is not part of ``make test``: a failure here is news about a release,
not a fault of the change under test.
"""

import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lock as lock_tool  # noqa: E402

ROOT = lock_tool.ROOT
WORK = ROOT / "_build" / "canary"
INPUTS = ["requirements.txt", "requirements-build.txt", "requirements-test.txt"]
# Bounds that stay when the pins are relaxed, and why.
DECLARED = {
    "jupyter-book": ">=1,<2",  # the book is a Jupyter Book 1 (Sphinx) project; 2 is another tool
}
NOTEBOOK_TESTS = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with",
                  "tests/nbval_sanitize.cfg", "chapters"]


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_ranges():
    """{package: specifier} from pyproject's dependencies and extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    ranges = {}
    for req in reqs:
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req)
        ranges[normalise(match[1])] = match[2].strip()
    return ranges


def relaxed_requirements():
    """Each pinned package of the inputs with its declared range instead of its pin."""
    ranges = {**pyproject_ranges(), **DECLARED}
    lines = []
    for req in INPUTS:
        path = ROOT / req
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==", line.strip())
            if match:
                name = normalise(match[1])
                lines.append(f"{name}{match[2] or ''}{ranges.get(name, '')}")
    return sorted(set(lines))


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, check=False, **kw)


def summary(output):
    """pytest's closing line and its FAILED/ERROR lines."""
    lines = output.strip().splitlines()
    broken = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
    return (lines[-1] if lines else "(no output)"), broken


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    uv = lock_tool.uv_command()
    relaxed = WORK / "relaxed.in"
    relaxed.write_text("\n".join(relaxed_requirements()) + "\n")
    newest = WORK / "newest.txt"
    lock_tool.compile_lock("test", uv=uv, upgrade=True, inputs=[str(relaxed)],
                           constraint=None, output=newest)
    locked = {name: version for name, (version, _) in _entries(ROOT / "locks" / "test.txt").items()}
    now = {name: version for name, (version, _) in _entries(newest).items()}
    moved = sorted(n for n in now if n in locked and now[n] != locked[n])
    added, dropped = sorted(set(now) - set(locked)), sorted(set(locked) - set(now))
    print(f"canary: {len(now)} packages; {len(moved)} moved against locks/test.txt")
    for name in moved:
        print(f"  {name:32s} {locked[name]:>14s} -> {now[name]}")
    for name in added:
        print(f"  {name:32s} {'(new)':>14s} -> {now[name]}")
    for name in dropped:
        print(f"  {name:32s} {locked[name]:>14s} -> (no longer needed)")

    venv = WORK / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    install = run([*uv, "pip", "install", "--quiet", "--python", py, "-r", str(newest),
                   *lock_tool.pip_sources()])
    if install.returncode != 0:
        print("canary: the newest versions do not install:\n" + install.stderr)
        return 1
    run([*uv, "pip", "install", "--quiet", "--python", py, "--no-deps", "-e", "."])
    print(f"canary: installed in {time.perf_counter() - start:.0f} s")

    broke = False
    for label, args in (("unit tests", ["tests", "--ignore=tests/site", "--ignore=tests/lab",
                                        "-p", "no:cacheprovider", "-q"]),
                        ("nbval", [*NOTEBOOK_TESTS, "-p", "no:cacheprovider", "-q"])):
        start = time.perf_counter()
        result = run([py, "-m", "pytest", *args], env=_env())
        closing, broken = summary(result.stdout)
        print(f"canary: {label}: {closing} ({time.perf_counter() - start:.0f} s)")
        for line in broken:
            print(f"  {line}")
        broke |= result.returncode != 0
    print("canary: " + ("something broke with the newest versions (see above)" if broke
                        else "nothing broke with the newest versions"))
    return int(broke)


def _env():
    import os
    return dict(os.environ, BPLIB_REQUIRE_ORACLE="1", TQDM_DISABLE="1",
                PYDEVD_DISABLE_FILE_VALIDATION="1")


def _entries(path):
    text = path.read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", line.strip())
        if match:
            found[normalise(match[1].split("[")[0])] = (match[2], None)
    return found


if __name__ == "__main__":
    sys.exit(main())
