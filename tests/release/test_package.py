"""bplib as a package: the wheel and sdist that ``make dist`` builds.

A fresh virtual environment installs the wheel with its declared
dependencies only (from the package index, as a reader's would; with uv,
which ``make setup`` installs, when it is there), imports
every module, and runs one example from each chapter's "what bplib gained"
section. It never sees the checkout: the examples run from a temporary
folder, so a module missing from the wheel fails here.
"""

import pathlib
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import venv
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# uv, which make setup installs beside the venv's Python (it resolves from the
# same index, with a cache); the tests fall back on pip without it
UV = pathlib.Path(sys.executable).with_name("uv")

# One example per chapter, each using what that chapter added to bplib.
EXAMPLES = textwrap.dedent("""
    import numpy as np
    from bplib import (activations, autodiff, data, gradcheck, init, linear,
                       losses, mlp, optim, softmax, two_layer)

    # chapter 1: the linear neuron's gradient is zero at least squares
    X, T = data.regression(n=40, rng=0)
    W = linear.least_squares(X, T)
    dW, db = linear.gradient(X, T, W, np.zeros(1))
    assert np.abs(dW).max() < 1e-8, dW

    # chapter 2: sigma' = sigma (1 - sigma), checked by central differences
    z = np.linspace(-3, 3, 7)
    s = activations.sigmoid(z)
    num = (activations.sigmoid(z + 1e-6) - activations.sigmoid(z - 1e-6)) / 2e-6
    assert np.allclose(s * (1 - s), num, atol=1e-8)

    # chapters 3-4: the delta recursion agrees with central differences
    rng = np.random.default_rng(0)
    params = init.init_params([3, 4, 2], "xavier_normal", rng=rng)
    X, T = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    _, grads = mlp.loss_and_gradients(X, T, params, ["tanh", "identity"])
    f = lambda p: mlp.loss_and_gradients(X, T, p, ["tanh", "identity"])[0]
    result = gradcheck.check_gradients(f, grads, params)
    assert result.passed, result

    # chapter 5: the engine reproduces chapter 4's gradients
    def net(p):
        H = (autodiff.Tensor(X, requires_grad=False) @ p["W1"] + p["b1"]).tanh()
        return autodiff.squared_error(H @ p["W2"] + p["b2"], T)
    value, g = autodiff.value_and_grad(net, params)
    assert all(np.allclose(g[k], grads[k]) for k in params)

    # chapters 6-7: a few Adam steps on softmax cross-entropy lower the loss
    Xc = rng.normal(size=(30, 4)); labels = (Xc[:, 0] > 0).astype(int)
    Tc = softmax.one_hot(labels, 2)
    p = init.init_params([4, 2], "he_normal", rng=1)
    opt = optim.Adam(eta=0.1)
    def loss(p):
        Z = Xc @ p["W1"] + p["b1"]
        return softmax.cross_entropy(Z, Tc), softmax.cross_entropy_gradient(Z, Tc)
    first = loss(p)[0]
    for _ in range(20):
        _, dZ = loss(p)
        opt.step(p, {"W1": Xc.T @ dZ, "b1": dZ.sum(axis=0)})
    assert loss(p)[0] < first

    # chapter 8: a convolution's weight gradient sums over positions
    from bplib import conv
    Xi, Wk = rng.normal(size=(2, 1, 5, 5)), rng.normal(size=(3, 1, 3, 3))
    Z, cache = conv.conv2d_forward(Xi, Wk, stride=1, padding=1)
    dX, dWk, db = conv.conv2d_backward(np.ones_like(Z), cache)
    assert dX.shape == Xi.shape and dWk.shape == Wk.shape and np.allclose(db, Z[0, 0].size * 2)
    print("examples ok")
""")


def _run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _modules():
    """Every module of the bplib package in the checkout, dotted."""
    package = ROOT / "bplib"
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
                  .removesuffix(".__init__")
                  for p in package.rglob("*.py"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    installer = ["--installer", "uv"] if UV.exists() else []
    _run([sys.executable, "-m", "build", *installer, "--outdir", str(out), str(ROOT)])
    return out


def test_version_in_one_place():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in config["project"].get("dynamic", []), \
        "the version is written in bplib/__init__.py only"
    assert "version" not in config["project"]


def test_wheel_and_sdist_carry_every_module_and_its_data(dist):
    wheel = next(dist.glob("bplib-*.whl"))
    sdist = next(dist.glob("bplib-*.tar.gz"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "bplib").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    with tarfile.open(sdist) as tar:
        members = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    assert expected <= members, f"missing from the sdist: {sorted(expected - members)}"


def _installer(python):
    """uv's pip interface aimed at ``python``, or that Python's pip."""
    if UV.exists():
        return [str(UV), "pip"], ["--python", str(python)]
    return [str(python), "-m", "pip"], []


def test_fresh_environment_installs_the_wheel_and_runs_each_chapter(dist, tmp_path):
    env_dir = tmp_path / "venv"
    python = env_dir / "bin" / "python"
    pip, target = _installer(python)
    venv.create(env_dir, with_pip=target == [])
    wheel = next(dist.glob("bplib-*.whl"))
    _run([*pip, "install", "--quiet", *target, str(wheel)])
    # nothing but the declared dependencies came in
    freeze = _run([*pip, "freeze", *target]).stdout.lower().split()
    installed = {line.split("==")[0].split(" @ ")[0] for line in freeze}
    extra = installed & {"jupyter-book", "pytest", "playwright", "torch", "ipywidgets"}
    assert not extra, f"the wheel pulled in {sorted(extra)}"
    assert {"numpy", "matplotlib", "scikit-learn"} <= installed
    imports = "\n".join(f"import {m}" for m in _modules())
    _run([str(python), "-c", imports], cwd=tmp_path)
    result = _run([str(python), "-c", EXAMPLES], cwd=tmp_path)
    assert "examples ok" in result.stdout
