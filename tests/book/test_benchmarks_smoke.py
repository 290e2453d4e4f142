"""The benchmark scripts still run: each one's ``--smoke`` mode, in process.

Smoke mode shrinks every benchmark to tiny sizes and a couple of rounds, so
these tests check that the scripts work with the current ``bplib`` (and that
their contenders still agree on the gradient, which each script asserts
before timing), not how fast anything is: no timing is asserted. The whole
module takes well under a minute. ``make bench`` runs the real thing.
"""

import importlib.util
import pathlib
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"

# Scripts written before the shared smoke mode; they are only imported here.
WITHOUT_SMOKE = {"gradient_flow_redraw", "optimiser_explorer_redraw"}


def _load(name, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # the scripts import _timing as siblings
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scripts():
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    return [p.stem for p in run_all.scripts()]


SCRIPTS = _scripts()


def test_every_script_has_a_smoke_mode_or_is_listed():
    missing = {name for name in SCRIPTS
               if "_timing" not in (BENCH / f"{name}.py").read_text(encoding="utf-8")}
    assert missing <= WITHOUT_SMOKE, f"give these a --smoke mode (see _timing.py): {missing}"


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s not in WITHOUT_SMOKE])
def test_smoke_mode_runs(name, monkeypatch, capsys):
    monkeypatch.delenv("BENCH_SMOKE", raising=False)
    _load(name, monkeypatch).main(["--smoke"])
    out = capsys.readouterr().out
    if name == "book_build":
        assert "skipped in smoke mode" in out
    elif name == "learning_rate_redraw":
        assert "slider moves" in out
    else:
        assert "SUMMARY" in out and "SMOKE MODE" in out, out[-2000:]


@pytest.mark.parametrize("name", sorted(WITHOUT_SMOKE & set(SCRIPTS)))
def test_older_scripts_import(name, monkeypatch):
    module = _load(name, monkeypatch)  # defines functions only; running it takes minutes
    assert any(callable(getattr(module, attr, None)) for attr in ("main", "optimiser_moves"))


def test_smoke_flag_from_the_environment(monkeypatch):
    monkeypatch.setenv("BENCH_SMOKE", "1")
    timing = _load("_timing", monkeypatch)
    assert timing.parse_args([], "x").smoke
    monkeypatch.setenv("BENCH_SMOKE", "0")
    assert not timing.parse_args([], "x").smoke
