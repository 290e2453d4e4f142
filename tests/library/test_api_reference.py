"""Every module of bplib has an API page, and every module lists its API."""

import importlib
import pathlib
import pkgutil
import re

import pytest

import bplib

API_PAGE = pathlib.Path(__file__).resolve().parents[2] / "chapters" / "api.md"
MODULES = sorted(m.name.removeprefix("bplib.")
                 for m in pkgutil.walk_packages(bplib.__path__, "bplib.")
                 if not any(part.startswith("_") for part in m.name.split(".")))


def test_every_public_module_is_on_the_api_page():
    """Each module is listed, or its package is (autosummary is recursive)."""
    listed = set(re.findall(r"^\s{3}([\w.]+)\s*$", API_PAGE.read_text(), re.M))
    missing = {m for m in MODULES if m not in listed and m.split(".")[0] not in listed}
    assert not missing, ("add these modules to the autosummary in chapters/api.md: "
                         f"{sorted(missing)}")


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_its_public_api(name):
    module = importlib.import_module(f"bplib.{name}")
    assert module.__doc__ and module.__doc__.strip(), f"bplib.{name} has no module docstring"
    assert hasattr(module, "__all__"), f"bplib.{name} has no __all__"
    for item in module.__all__:
        obj = getattr(module, item)  # raises if __all__ names something missing
        if callable(obj):
            assert obj.__doc__, f"bplib.{name}.{item} has no docstring"
