"""The hashed lock files: current, complete, used, and enforced.

``locks/<use>.txt`` pins every package of one use (reading, building and
testing, benchmarking) with sha256 hashes; ``make`` installs them with
``uv pip install --require-hashes`` (uv itself comes from ``locks/setup.txt``
by ``pip install --require-hashes``), so a file that differs from the one
that was locked is refused. These tests check that the locks match their inputs
(else: ``make lock``), that every entry carries a hash, that the Makefile
installs from them, and that pip and uv really refuse a tampered hash: offline
with a wheel built here, and, when the package index can be reached, with a
real entry of the test lock.
"""

import base64
import hashlib
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "locks"
spec = importlib.util.spec_from_file_location("lock_tool", ROOT / "tools" / "lock.py")
lock_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock_tool)
NAMES = sorted(lock_tool.LOCK_INPUTS)


def entries(path):
    """{normalised name: (version, [hashes])} of a lock file."""
    text = path.read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)(.*)$", line.strip())
        if match:
            name = re.sub(r"[-_.]+", "-", match[1].split("[")[0]).lower()
            found[name] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", match[3]))
    return found


def pins(path):
    """{normalised name: version} of the exact pins of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;#]+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[3]
    return found


@pytest.mark.parametrize("name", NAMES)
def test_lock_is_current_with_its_inputs(name):
    first = (LOCKS / f"{name}.txt").read_text().splitlines()[0]
    assert first == lock_tool.header_line(name).rstrip("\n"), (
        f"locks/{name}.txt was made from other inputs than today's "
        f"{', '.join(lock_tool.inputs_of(name))}: run make lock and commit the locks")


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_pinned_exactly_with_a_hash(name):
    found = entries(LOCKS / f"{name}.txt")
    direct = [pin for req in lock_tool.inputs_of(name) for pin in pins(ROOT / req)]
    assert found and len(found) >= len(set(direct)), f"locks/{name}.txt: entries not parsed"
    for package, (version, hashes) in found.items():
        assert hashes, f"{package}=={version} has no --hash in locks/{name}.txt"
    text = (LOCKS / f"{name}.txt").read_text()
    assert not re.search(r"^\s*-e\s|^\s*(git\+|https?://)", text, re.M)


@pytest.mark.parametrize("name", NAMES)
def test_every_direct_pin_is_locked_at_its_version(name):
    found = entries(LOCKS / f"{name}.txt")
    for req in lock_tool.inputs_of(name):
        for package, version in pins(ROOT / req).items():
            assert package in found, f"{package} ({req}) missing from locks/{name}.txt"
            locked = found[package][0]
            assert locked == version or locked.startswith(version + "+"), (
                f"{req} pins {package}=={version}, locks/{name}.txt has {locked}")


def test_shared_packages_have_one_version_across_locks():
    build, test = entries(LOCKS / "build.txt"), entries(LOCKS / "test.txt")
    reader, bench = entries(LOCKS / "reader.txt"), entries(LOCKS / "bench.txt")
    assert set(build) <= set(test)
    for a, b in ((build, test), (reader, bench), (reader, build)):
        for package in set(a) & set(b):
            assert a[package][0] == b[package][0], package


def test_the_makefile_installs_from_the_locks_with_hashes_required():
    makefile = (ROOT / "Makefile").read_text()
    uv = re.search(r"^UV := (.*)$", makefile, re.M)
    assert uv and "uv pip install" in uv[1], "no `UV := ... uv pip install` in the Makefile"
    lines = [line.replace("$(UV)", uv[1]) for line in makefile.splitlines()]
    installs = [line for line in lines if "pip install" in line and " -r " in line]
    for lock in ("setup", "build", "test", "bench"):
        assert any(f"-r locks/{lock}.txt" in line for line in installs), lock
    for line in installs:
        assert "--require-hashes" in line and "-r locks/" in line, line
    assert re.search(r"uv pip install .*--no-deps -e \.", "\n".join(lines))


def _wheel(directory, name="lockcheck", version="1.0"):
    """A minimal pure-Python wheel, made here (no network)."""
    path = directory / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         b"Tag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(path, "w") as zf:
        for arc, data in files.items():
            zf.writestr(arc, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arc},sha256={digest.decode()},{len(data)}")
        record.append(f"{dist}/RECORD,,")
        zf.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return path


def _pip(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True,
                          text=True, cwd=cwd, check=False, timeout=300)


def _uv(*args, cwd):
    uv = Path(sys.executable).parent / "uv"
    assert uv.exists(), f"no uv beside {sys.executable}: run make setup (locks/setup.txt)"
    return subprocess.run([str(uv), *args], capture_output=True, text=True, cwd=cwd,
                          check=False, timeout=300)


def _good_and_bad_hash(tmp_path):
    wheel = _wheel(tmp_path)
    good = hashlib.sha256(wheel.read_bytes()).hexdigest()
    bad = ("0" if good[0] != "0" else "1") + good[1:]
    (tmp_path / "good.txt").write_text(f"lockcheck==1.0 --hash=sha256:{good}\n")
    (tmp_path / "bad.txt").write_text(f"lockcheck==1.0 --hash=sha256:{bad}\n")
    return bad


def test_a_changed_hash_fails_the_install_offline(tmp_path):
    bad = _good_and_bad_hash(tmp_path)
    common = ["install", "--dry-run", "--no-index", "--find-links", str(tmp_path),
              "--require-hashes", "--no-deps", "--isolated"]
    ok = _pip(*common, "-r", "good.txt", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    refused = _pip(*common, "-r", "bad.txt", cwd=tmp_path)
    assert refused.returncode != 0
    assert "DO NOT MATCH THE HASHES" in refused.stderr and bad in refused.stderr


def test_uv_refuses_a_changed_hash_offline(tmp_path):
    """uv, which ``make`` installs the locks with, refuses as pip does."""
    bad = _good_and_bad_hash(tmp_path)
    target = tmp_path / "venv"
    made = _uv("venv", "--quiet", str(target), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    common = ["pip", "install", "--no-index", "--find-links", str(tmp_path), "--require-hashes",
              "--no-deps", "--no-cache", "--python", str(target / "bin" / "python")]
    ok = _uv(*common, "-r", "good.txt", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    refused = _uv(*common, "--reinstall", "-r", "bad.txt", cwd=tmp_path)
    assert refused.returncode != 0, refused.stdout
    assert "Hash mismatch" in refused.stderr and bad in refused.stderr, refused.stderr


def test_a_tampered_entry_of_the_test_lock_is_refused(tmp_path):
    """The real thing: autograd's entry of locks/test.txt, as locked and with
    one hash digit changed, fetched with hashes required."""
    text = (LOCKS / "test.txt").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if ln.startswith("autograd=="))
    entry = line.split("#")[0].strip()
    tampered = re.sub(r"(--hash=sha256:)([0-9a-f])",
                      lambda m: m[1] + ("0" if m[2] != "0" else "1"), entry)
    (tmp_path / "as_locked.txt").write_text(entry + "\n")
    (tmp_path / "tampered.txt").write_text(tampered + "\n")
    common = ["download", "--no-deps", "--require-hashes", "-d", str(tmp_path / "dl")]
    ok = _pip(*common, "-r", "as_locked.txt", cwd=tmp_path)
    if ok.returncode != 0:
        pytest.skip(f"package index not reachable: {ok.stderr.strip().splitlines()[-1:]}")
    (tmp_path / "dl").joinpath(next((tmp_path / "dl").iterdir()).name).unlink()
    refused = _pip(*common, "-r", "tampered.txt", cwd=tmp_path)
    assert refused.returncode != 0
    assert "DO NOT MATCH THE HASHES" in refused.stderr
