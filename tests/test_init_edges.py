"""Tests that kill mutants of bplib.init that the main tests let survive:
the default seed, and errors that list the schemes and name the sizes."""

import re

import numpy as np
import pytest

from bplib import init


def test_the_default_seed_is_0():
    a, b = init.init_params([3, 2]), init.init_params([3, 2], rng=0)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_an_unknown_scheme_lists_the_known_ones_comma_separated():
    known = ", ".join(repr(s) for s in init.SCHEMES)
    with pytest.raises(ValueError, match=rf"; known schemes are {re.escape(known)}$"):
        init.init_params([3, 2], "he")


@pytest.mark.parametrize("sizes", [3, None])
def test_sizes_without_a_length_are_refused_with_the_value_received(sizes):
    with pytest.raises(ValueError, match=rf"^sizes must list two or more positive layer "
                                         rf"sizes, got {sizes!r}$"):
        init.init_params(sizes)
