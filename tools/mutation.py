"""Mutation testing of bplib's core math modules, one module at a time.

``make mutation`` (or ``python tools/mutation.py activations losses``) copies
the library, its tests and ``pyproject.toml`` into a scratch directory per
module, restricts ``[tool.mutmut]`` there to that module and its tests
(``tests/test_<module>.py``, ``tests/test_<module>_edges.py``, the files
``OTHER_TESTS`` names for modules tested elsewhere too, and the
whole-library checks listed in ``LIBRARY_TESTS``), runs ``mutmut run`` and
prints killed/total per module, then the surviving mutants' names. mutmut
first runs the selected tests once to learn which tests reach which
function, then runs, for each mutant, only the tests that reach its
function, stopping at the first failure. Nothing is written to the
checkout: the scratch copies live under ``_build/mutation/``.

A mutant counts as killed when a test failed, timed out or crashed on it;
"no tests" (a function no selected test calls) and "survived" count as not
killed. The score is killed / (total - skipped).
"""

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "mutation"
MODULES = ["activations", "losses", "softmax", "linear", "two_layer", "mlp", "autodiff",
           "dual", "optim", "init", "gradcheck", "conv", "norm", "layers", "residual", "rnn",
           "checkpoint"]
LIBRARY_TESTS = ["tests/library/test_bad_inputs.py", "tests/library/test_edge_cases.py"]
# Modules tested (also) in files not named after them: chapter 8's structures in the
# structure catalogue, oracle and properties, chapter 9's recurrences in the time ones.
STRUCTURE_TESTS = ["tests/test_layers.py", "tests/library/test_structure_bad_inputs.py",
                   "tests/library/test_structure_oracle.py",
                   "tests/library/test_structure_properties.py"]
TIME_TESTS = ["tests/test_rnn.py", "tests/test_checkpoint.py", "tests/test_time_bad_inputs.py",
              "tests/test_time_oracle.py", "tests/test_time_properties.py"]
OTHER_TESTS = {"conv": STRUCTURE_TESTS, "norm": STRUCTURE_TESTS, "layers": STRUCTURE_TESTS,
               "residual": STRUCTURE_TESTS, "rnn": TIME_TESTS, "checkpoint": TIME_TESTS}
KILLED = {"killed", "timeout", "segfault", "suspicious", "caught by type check"}


def tests_for(module):
    """The test files of ``module`` that exist, plus the whole-library ones."""
    own = [f"tests/test_{module}.py", f"tests/test_{module}_edges.py"]
    files = own + [t for t in OTHER_TESTS.get(module, []) if t not in own] + LIBRARY_TESTS
    return [t for t in files if (ROOT / t).exists()]


def scratch_copy(module):
    """A fresh copy of what the tests need, its [tool.mutmut] narrowed to ``module``."""
    dest = WORK / module
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "bplib", dest / "bplib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", dest / "tests",
                    ignore=shutil.ignore_patterns("__pycache__", "site", "lab"))
    text = (ROOT / "pyproject.toml").read_text()
    text = re.sub(r"only_mutate = \[.*?\]", f'only_mutate = ["bplib/{module}.py"]', text,
                  flags=re.S)
    selection = ", ".join(f'"{t}"' for t in tests_for(module))
    text = re.sub(r"pytest_add_cli_args_test_selection = \[.*?\]",
                  f"pytest_add_cli_args_test_selection = [{selection}]", text, flags=re.S)
    (dest / "pyproject.toml").write_text(text)
    return dest


def run(module, max_children):
    """Run mutmut on one module; return (killed, counted, survivors, seconds)."""
    dest = scratch_copy(module)
    start = time.perf_counter()
    mutmut = [sys.executable, "-m", "mutmut"]
    subprocess.run([*mutmut, "run", "--max-children", str(max_children)], cwd=dest,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    out = subprocess.run([*mutmut, "results", "--all", "true"], cwd=dest,
                         capture_output=True, text=True, check=False).stdout
    status = {}
    for line in out.splitlines():
        name, sep, state = line.strip().rpartition(": ")
        if sep and name.startswith("bplib."):
            status[name] = state.strip()
    unchecked = sum(s == "not checked" for s in status.values())
    if unchecked:
        print(f"{module}: {unchecked} mutants not checked: did the selected tests fail "
              "on the unmutated code? (run them: pytest " + " ".join(tests_for(module)) + ")",
              flush=True)
    skipped = sum(s == "skipped" for s in status.values())
    killed = sum(s in KILLED for s in status.values())
    survivors = sorted(n for n, s in status.items() if s not in KILLED and s != "skipped")
    return killed, len(status) - skipped, survivors, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules (default: all core modules); "
                        "also accepts one comma-separated argument")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args(argv)
    modules = [m for arg in args.modules for m in arg.split(",") if m] or MODULES
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        parser.error(f"not core modules: {', '.join(unknown)}; known: {', '.join(MODULES)}")
    rows = []
    for module in modules:
        killed, total, survivors, seconds = run(module, args.max_children)
        score = 100 * killed / total if total else float("nan")
        rows.append((module, killed, total, score))
        print(f"{module:12s} {killed:5d} / {total:5d} killed  {score:5.1f} %  "
              f"({seconds:.0f} s)", flush=True)
        for name in survivors:
            print(f"    survived: {name}", flush=True)
    killed = sum(r[1] for r in rows)
    total = sum(r[2] for r in rows)
    if total:
        print(f"{'all':12s} {killed:5d} / {total:5d} killed  {100 * killed / total:5.1f} %")
    return 0 if all(r[3] >= 95 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
