"""A JupyterLab server for the browser test of the chapters in JupyterLab.

The server is the one ``make lab`` starts (the venv's ``jupyter lab``, with
jupyterlab-myst), on 127.0.0.1 with a random token, serving a temporary copy
of ``chapters/`` (running the cells must not rewrite the stored notebooks),
with its own settings: no autosave, every cell in the page (no windowing),
no news or update checks. It is stopped when the session ends.

These tests are slow (every chapter is run in a browser): ``make lab-test``
runs them; a plain ``pytest tests`` skips them unless ``tests/lab`` is named.
"""

import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
JUPYTER = pathlib.Path(sys.executable).with_name("jupyter")

SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def pytest_collection_modifyitems(config, items):
    named = any("tests/lab" in str(arg).replace(os.sep, "/") for arg in config.args)
    if named:
        return
    skip = pytest.mark.skip(reason="JupyterLab browser test: run `make lab-test`")
    for item in items:
        if "tests/lab" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(skip)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """(base URL, token, root folder) of a running JupyterLab."""
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(ROOT / "chapters", root / "chapters",
                    ignore=shutil.ignore_patterns("generated", ".ipynb_checkpoints"))
    # derivatives.ipynb reads the book's tools from the folder above chapters/;
    # the references are written out from _toc.yml and references.bib
    for name in ("tools", "_toc.yml", "references.bib"):
        (root / name).symlink_to(ROOT / name)
    home = tmp_path_factory.mktemp("lab-home")
    settings = home / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, HOME=str(home), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               TQDM_DISABLE="1", MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("PYTHONPATH", None)
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(JUPYTER), "lab", f"--config={ROOT / 'binder' / 'jupyter_server_config.py'}",
         "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.disable_check_xsrf=False", "--LabApp.news_url=",
         "--ServerApp.open_browser=False"] + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (home / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token, root
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` "
                    "(make test does this as root) or set CHROMIUM=/path/to/chrome")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()
