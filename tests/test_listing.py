"""bplib.listing: the source a chapter shows is the library's own code."""

import doctest
import inspect
import textwrap

import pytest

from bplib import autodiff, linear
from bplib import listing as listing_module
from bplib.listing import listing


def test_doctests():
    result = doctest.testmod(listing_module)
    assert result.attempted >= 3 and result.failed == 0


def test_listing_is_the_source_dedented():
    code = listing(autodiff.Tensor.backward)
    assert code.data == textwrap.dedent(inspect.getsource(autodiff.Tensor.backward))
    assert code.data.startswith("def backward(")


def test_start_at_and_end_before_select_like_literalinclude():
    whole = listing(linear.predict).data.splitlines()
    part = listing(linear.predict, start_at='"""', end_before="Parameters").data.splitlines()
    start = next(i for i, line in enumerate(whole) if '"""' in line)
    end = next(i for i, line in enumerate(whole) if "Parameters" in line)
    assert part == whole[start:end][:len(part)]
    assert not "".join(whole[start:end][len(part):]).strip()


def test_markdown_shows_the_code_in_a_fence_longer_than_any_backtick_run():
    code = listing(listing_module._backtick_runs)
    markdown = code._repr_markdown_()
    assert markdown.startswith("```python\n") and markdown.rstrip().endswith("```")
    assert code.data in markdown
    assert code._repr_html_() is None  # the front end highlights the Markdown itself
    assert code._repr_latex_() is None
    fenced = listing(listing_module.listing)._repr_markdown_()
    assert fenced.count("```python") == 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"start_at": "no such line"}, ValueError, "start_at='no such line' occurs in no line"),
    ({"end_before": 3}, TypeError, "end_before must be a string"),
    ({"start_at": ""}, ValueError, "start_at must be non-empty"),
])
def test_bad_selections(kwargs, error, match):
    with pytest.raises(error, match=match):
        listing(linear.predict, **kwargs)


def test_objects_without_source_are_refused():
    with pytest.raises(TypeError, match="obj must be a Python function"):
        listing(len)
