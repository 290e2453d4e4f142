"""Chapter 1 runs in a fresh kernel without bplib, as in Colab.

A new virtual environment gets only what Colab would have: a notebook
kernel, NumPy, Matplotlib, scikit-learn and ipywidgets (the versions of
requirements.txt), and no bplib. Chapter 1 is executed there with nbclient;
its first cell (the install cell of tools/prepare_notebooks.py) must install
bplib, here from a wheel built from this checkout (``BPLIB_INSTALL_SOURCE``,
the variable the install cell honours), and every cell must then run.
Afterwards bplib is imported from the new environment, not from the checkout.

Depends on the notebooks being prepared (``make prepare``). Slow (a venv and
a few wheels): ``make fresh-kernel-test`` runs it; a plain ``pytest tests``
skips it unless this file is named.
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapters" / "01_linear_neuron.ipynb"
# What Colab has installed already (scikit-learn included), at this book's pins.
COLAB_LIKE = ["ipykernel", "numpy", "matplotlib", "scikit-learn", "ipywidgets"]


@pytest.fixture(autouse=True)
def _only_when_named(request):
    named = any("test_fresh_kernel" in str(arg) for arg in request.config.args)
    if not named:
        pytest.skip("fresh-kernel test (a new venv): run `make fresh-kernel-test`")


def _pins(names):
    """``name==version`` for each name, from requirements.txt."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match[1].lower()] = match[0]
    missing = [n for n in names if n not in pins]
    assert not missing, f"requirements.txt pins no {missing}"
    return [pins[n] for n in names]


def _run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True,
                          **kwargs)


def test_chapter_1_installs_bplib_and_runs_in_a_fresh_kernel(tmp_path, monkeypatch):
    import nbclient
    import nbformat

    nb = nbformat.read(CHAPTER, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "BPLIB_INSTALL_SOURCE" in first.source, (
        "chapter 1 has no install cell first: run `make prepare` (tools/prepare_notebooks.py)")

    # a wheel of bplib from this checkout (built from a copy: setuptools writes
    # build/ and *.egg-info beside the sources)
    source = tmp_path / "source"
    shutil.copytree(ROOT / "bplib", source / "bplib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ["pyproject.toml", "README.md"]:
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source)
    (wheel,) = wheels.glob("bplib-*.whl")

    # the Colab-like environment: a kernel, NumPy, Matplotlib, scikit-learn,
    # ipywidgets, no bplib; made with uv, beside this Python (make setup puts
    # it there), because pip takes minutes here; the install cell uses pip
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    uv = pathlib.Path(sys.executable).parent / "uv"
    _run(uv, "pip", "install", "--quiet", "--python", python, *_pins(COLAB_LIKE))
    absent = subprocess.run([str(python), "-c", "import bplib"], capture_output=True,
                            cwd=tmp_path)
    assert absent.returncode != 0, "the fresh environment already has bplib"
    prefix = tmp_path / "kernels"
    _run(python, "-m", "ipykernel", "install", "--prefix", prefix, "--name", "fresh")

    # run the chapter there, from a folder that holds only the notebook
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(CHAPTER, work)
    monkeypatch.setenv("BPLIB_INSTALL_SOURCE", str(wheel))
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    client = nbclient.NotebookClient(nb, kernel_name="fresh", timeout=600,
                                     resources={"metadata": {"path": str(work)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure

    where = _run(python, "-c", "import bplib, pathlib; print(pathlib.Path(bplib.__file__))",
                 cwd=tmp_path).stdout.strip()
    assert pathlib.Path(where).is_relative_to(venv), f"bplib imported from {where}"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, json.dumps(errors[0])[:2000]
