"""Tests of tools/rerun_notebooks.py's checks, without starting a kernel:
the audit hook refuses outside connections and records writes; the allowed
folders and the output comparison behave."""

import importlib.util
import pathlib
import subprocess
import sys
import textwrap

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("rerun", ROOT / "tools" / "rerun_notebooks.py")
rerun = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rerun)


def test_guard_records_writes_and_refuses_outside_connections(tmp_path):
    # The hook is called directly with an outside address: no socket is made
    # and nothing leaves the machine, whatever happens.
    script = rerun.GUARD + textwrap.dedent(f"""
        open({str(tmp_path / 'leak.txt')!r}, "w").close()
        open({str(tmp_path / 'leak.txt')!r}).close()  # reading is not recorded
        try:
            _bplib_audit("socket.connect", (None, ("203.0.113.7", 80)))
        except OSError as err:
            print("refused:", err)
        _bplib_audit("socket.connect", (None, ("127.0.0.1", 8888)))  # loopback is fine
        _bplib_audit("socket.getaddrinfo", ("localhost", 80, 0, 0, 0, 0))
        print(_json.dumps(_BPLIB_EVENTS))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0].startswith("refused: network access refused")
    events = __import__("json").loads(out[1])
    assert ["write", str(tmp_path / "leak.txt")] in events
    assert [e[0] for e in events].count("write") == 1
    assert ["socket.connect", "('203.0.113.7', 80)"] in events and len(events) == 2


def test_allowed_folders(tmp_path):
    home = tmp_path
    assert rerun._allowed(ROOT / "_build" / "x.png", home)
    assert rerun._allowed(ROOT / "chapters" / ".jupyter_cache" / "db", home)
    assert rerun._allowed(ROOT / "bplib" / "__pycache__" / "m.pyc", home)
    assert rerun._allowed(home / ".cache" / "matplotlib" / "fontlist.json", home)
    assert not rerun._allowed(ROOT / "chapters" / "results.csv", home)
    assert not rerun._allowed(home / "Downloads" / "digits.npz", home)
    assert not rerun._allowed(pathlib.Path("/etc/passwd"), home)


def test_outputs_compare_text_not_images_and_honour_ignore_tags():
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a"),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n"),
                    nbformat.v4.new_output("display_data", data={
                        "text/plain": "<Figure size 640x480 with 1 Axes>",
                        "image/png": "iVBOR..."})]
    rules = rerun._sanitizers()
    assert rerun._texts(cell, rules) == [("stdout", "ab\n"), ("text/plain", "<Figure>")]
    assert not rerun._ignored(cell)
    cell.metadata["tags"] = ["nbval-ignore-output"]
    assert rerun._ignored(cell)
    assert rerun._ignored(nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nt = time()"))
