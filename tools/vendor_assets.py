"""Copy the website's front-end assets from node_modules into _assets/vendor.

The built book must work offline: nothing may be fetched from a CDN when a
page is read. ``npm ci`` (run by ``make book``/``make test``) installs the
pinned packages of ``package.json``; this script copies what the pages load:

* MathJax 3 (``tex-mml-chtml.js`` and the component folders it loads lazily,
  including the CHTML fonts),
* require.js and the Jupyter widgets HTML manager (``embed-amd.js`` and the
  modules and fonts it loads), which render stored widget state.
"""

import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "_assets" / "vendor"

MATHJAX_PARTS = ["tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors"]


def copy(src, dst):
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map"))
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def main():
    if not NODE.is_dir():
        raise SystemExit("node_modules/ is missing: run `npm ci` first (make assets does)")
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for part in MATHJAX_PARTS:
        copy(NODE / "mathjax" / "es5" / part, VENDOR / "mathjax" / part)
    copy(NODE / "requirejs" / "require.js", VENDOR / "require.js")
    copy(NODE / "@jupyter-widgets" / "html-manager" / "dist", VENDOR / "html-manager")
    (VENDOR / ".stamp").touch()
    size = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"vendored assets into {VENDOR.relative_to(ROOT)} ({size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
