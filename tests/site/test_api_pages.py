"""Every public name of every bplib module is documented on the built site."""

import importlib
import pkgutil

import pytest

import bplib
from conftest import HTML

MODULES = sorted(m.name for m in pkgutil.iter_modules(bplib.__path__) if not m.name.startswith("_"))


@pytest.mark.site
@pytest.mark.parametrize("name", MODULES)
def test_public_names_have_api_entries(name):
    page = HTML / "chapters" / "generated" / f"bplib.{name}.html"
    assert page.exists(), f"no API page for bplib.{name} at {page}"
    html = page.read_text(encoding="utf-8")
    module = importlib.import_module(f"bplib.{name}")
    missing = [item for item in module.__all__ if f'id="bplib.{name}.{item}"' not in html]
    assert not missing, f"bplib.{name}: not on its API page: {missing}"
