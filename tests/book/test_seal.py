"""Tests of tools/seal.py, the sealed environment nbval runs the notebooks in:
the audit hook records writes and refuses outside connections; the allowed
folders; the check names the notebook; and a kernel that nbval starts under
the seal is caught writing outside the build folders."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("seal", ROOT / "tools" / "seal.py")
seal = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seal)


def _records(home):
    return [json.loads(line) for log in (home / seal.RECORDS).glob("*.jsonl")
            for line in log.read_text().splitlines()]


def test_guard_records_writes_and_refuses_outside_connections(tmp_path):
    # The hook is called directly with an outside address: no socket is made
    # and nothing leaves the machine, whatever happens.
    script = seal.GUARD + textwrap.dedent(f"""
        open({str(tmp_path / 'leak.txt')!r}, "w").close()
        open({str(tmp_path / 'leak.txt')!r}).close()  # reading is not recorded
        try:
            _bplib_audit("socket.connect", (None, ("203.0.113.7", 80)))
        except OSError as err:
            print("refused:", err)
        _bplib_audit("socket.connect", (None, ("127.0.0.1", 8888)))  # loopback is fine
        _bplib_audit("socket.getaddrinfo", ("localhost", 80, 0, 0, 0, 0))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env=dict(os.environ, HOME=str(tmp_path))).stdout
    assert out.startswith("refused: network access refused")
    events = _records(tmp_path)
    assert events[0][0] == "start"
    assert ["write", str(tmp_path / "leak.txt")] in events
    assert [e[0] for e in events].count("write") == 1
    assert ["socket.connect", "('203.0.113.7', 80)"] in events and len(events) == 3


def test_allowed_folders(tmp_path):
    home = tmp_path
    assert seal.allowed(ROOT / "_build" / "x.png", home)
    assert seal.allowed(ROOT / "chapters" / ".jupyter_cache" / "db", home)
    assert seal.allowed(ROOT / "bplib" / "__pycache__" / "m.pyc", home)
    assert seal.allowed(home / ".cache" / "matplotlib" / "fontlist.json", home)
    assert seal.allowed(home / "tmp" / "tmpab12cd", home)
    assert not seal.allowed(ROOT / "chapters" / "results.csv", home)
    assert not seal.allowed(home / "Downloads" / "digits.npz", home)
    assert not seal.allowed(pathlib.Path("/etc/passwd"), home)


def test_problems_name_the_notebook_and_what_it_did(tmp_path):
    chapter = json.loads((ROOT / "chapters" / "02_sigmoid_neuron.ipynb").read_text())
    code = ["".join(c["source"]).strip() for c in chapter["cells"] if c["cell_type"] == "code"]
    records = tmp_path / seal.RECORDS
    records.mkdir()
    lines = [["start", str(ROOT / "chapters")], ["cell", code[0][:200]],
             ["cell", code[1][:200]], ["write", str(tmp_path / ".cache" / "matplotlib" / "x")],
             ["write", str(ROOT / "chapters" / "results.csv")],
             ["socket.connect", "('203.0.113.7', 80)"]]
    (records / "123.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    found = seal.problems(tmp_path)
    assert found == [
        f"chapters/02_sigmoid_neuron.ipynb (kernel 123): write outside the build and cache "
        f"folders: {ROOT / 'chapters' / 'results.csv'}",
        "chapters/02_sigmoid_neuron.ipynb (kernel 123): network access: "
        "socket.connect ('203.0.113.7', 80)"]


def test_no_record_means_the_hook_was_not_installed(tmp_path):
    assert seal.problems(tmp_path) == [
        "no kernel recorded anything: the audit hook was not installed"]


def test_nbval_kernel_under_the_seal_is_caught_writing_outside(tmp_path):
    """End to end: nbval's kernel gets the hook from the sealed home, the
    notebook's outputs still compare, and its write outside fails the run."""
    leak = tmp_path / "leak.txt"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"open({str(leak)!r}, 'w').write('x')\nprint(1 + 1)")
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb.cells = [cell]
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "seal.py"), sys.executable, "-m", "pytest",
         "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env", str(path)],
        capture_output=True, text=True, cwd=tmp_path)
    assert "1 passed" in result.stdout, result.stdout[-2000:]
    assert result.returncode == 1, result.stdout[-2000:]
    assert f"write outside the build and cache folders: {leak}" in result.stdout
    assert "sealed: 1 kernel(s), 1 problem(s)" in result.stdout
