"""Copy the website's front-end assets from node_modules into _assets/vendor.

The built book must work offline: nothing may be fetched from a CDN when a
page is read. ``npm ci`` (run by ``make book``/``make test``) installs the
pinned packages of ``package.json``; this script copies what the pages load:

* MathJax 3 as components: ``startup.js`` loads ``core``, ``input/tex``,
  ``output/chtml`` (with its fonts) and ``a11y/assistive-mml`` as
  ``mathjax3_config`` in ``_config.yml`` asks, and TeX extensions on demand.

The website shows no Jupyter widgets (the precomputed explorers serve there;
see ``_ext/book_html.py``), so neither require.js nor the widgets manager is
needed.
"""

import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "_assets" / "vendor"

MATHJAX_PARTS = ["startup.js", "core.js", "input", "output", "a11y", "adaptors"]


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
    (VENDOR / ".stamp").touch()
    size = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"vendored assets into {VENDOR.relative_to(ROOT)} ({size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
