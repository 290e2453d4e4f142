"""Tests that kill mutants of bplib.losses that the main tests let survive:
each loss names *its own* arguments in its errors (``Z`` for the logit
losses, ``Y`` for the probability ones), for every kind of check."""

import numpy as np
import pytest

from bplib import losses

LOGIT_LOSSES = [losses.binary_cross_entropy_with_logits,
                losses.binary_cross_entropy_with_logits_gradient]
PROB_LOSSES = [losses.squared_error, losses.squared_error_gradient,
               losses.binary_cross_entropy, losses.binary_cross_entropy_gradient]
ALL = [(f, "Z") for f in LOGIT_LOSSES] + [(f, "Y") for f in PROB_LOSSES]
IDS = [f.__name__ for f, _ in ALL]


@pytest.mark.parametrize("f, name", ALL, ids=IDS)
def test_output_must_be_2d_and_the_error_names_it(f, name):
    with pytest.raises(ValueError, match=rf"^{name} must be 2-D, got a 1-D array"):
        f(np.zeros(3), np.zeros(3))


@pytest.mark.parametrize("f, name", ALL, ids=IDS)
def test_shape_mismatch_names_both_arguments(f, name):
    with pytest.raises(ValueError, match=rf"^{name} and T must have the same shape, "
                                         rf"got {name}.shape=\(3, 1\) and T.shape=\(3,\); "
                                         rf"reshape T with T.reshape\(\(3, 1\)\)"):
        f(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("f, name", ALL, ids=IDS)
def test_non_real_output_names_it(f, name):
    with pytest.raises(TypeError, match=rf"^{name} must hold real numbers"):
        f(np.array([["a"]]), np.zeros((1, 1)))


@pytest.mark.parametrize("f", [losses.binary_cross_entropy,
                               losses.binary_cross_entropy_gradient])
def test_probability_losses_check_that_Y_lies_in_the_unit_interval(f):
    with pytest.raises(ValueError, match=r"^Y must lie in \[0, 1\], got values from 0.5 to 1.5"):
        f(np.array([[0.5], [1.5]]), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"^T must lie in \[0, 1\], got values from -1 to 0"):
        f(np.array([[0.5], [0.5]]), np.array([[-1.0], [0.0]]))


@pytest.mark.parametrize("f", LOGIT_LOSSES)
def test_logit_losses_accept_any_logit_but_check_T(f):
    f(np.array([[-50.0], [50.0]]), np.array([[0.0], [1.0]]))  # logits outside [0, 1]: fine
    with pytest.raises(ValueError, match=r"^T must lie in \[0, 1\], got values from 0 to 2"):
        f(np.array([[0.5], [0.5]]), np.array([[0.0], [2.0]]))
