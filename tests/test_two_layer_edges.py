"""Tests that kill mutants of bplib.two_layer that the main tests let survive:
each check names its own argument and refuses the wrong number of axes, the
callback sees the parameters, training pays for one backward pass per update,
and a loss that turns NaN in the forward pass is divergence, not bad input."""

import numpy as np
import pytest

from bplib import data, two_layer
from bplib.linear import DivergenceError
from bplib.two_layer import Params

X, T = data.xor()
PARAMS = two_layer.init_params(2, 3, 1, rng=0)


def forward_with(**change):
    return lambda: two_layer.forward(X, PARAMS._replace(**change))


@pytest.mark.parametrize("call, error, message", [
    (lambda: two_layer.forward(np.ones(2), PARAMS), ValueError,
     r"^X must be 2-D, got a 1-D array of shape \(2,\)"),
    (lambda: two_layer.forward([["a", "b"]], PARAMS), TypeError, r"^X must hold real numbers"),
    (forward_with(b1=np.zeros((3, 1))), ValueError, r"^b1 must be 1-D, got a 2-D array"),
    (forward_with(b1=["a", "b", "c"]), TypeError, r"^b1 must hold real numbers"),
    (forward_with(W2=np.zeros(3)), ValueError, r"^W2 must be 2-D, got a 1-D array"),
    (forward_with(W2=[["a"], ["b"], ["c"]]), TypeError, r"^W2 must hold real numbers"),
    (lambda: two_layer.loss(np.ones(4), T), ValueError, r"^Y must be 2-D, got a 1-D array"),
    (lambda: two_layer.loss([["a"]], [[1.0]]), TypeError, r"^Y must hold real numbers"),
    (lambda: two_layer.loss(np.ones((4, 1)), np.ones((4, 1, 1))), ValueError,
     r"^T must be 1-D or 2-D, got a 3-D array"),
])
def test_every_check_names_its_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_params_of_the_wrong_kind_are_named_with_their_type_and_length():
    with pytest.raises(TypeError) as info:
        two_layer.forward(X, PARAMS[:3])
    assert str(info.value) == "params must be a Params (W1, b1, W2, b2), got tuple of length 3"
    with pytest.raises(TypeError) as info:
        two_layer.forward(X, {"W1": PARAMS.W1})
    assert str(info.value) == "params must be a Params (W1, b1, W2, b2), got dict"


def test_init_params_default_seed_is_0():
    default, seeded = two_layer.init_params(2, 3), two_layer.init_params(2, 3, rng=0)
    for a, b in zip(default, seeded):
        np.testing.assert_array_equal(a, b)


def test_callback_sees_the_parameters_of_each_step():
    seen = []
    history = two_layer.train(X, T, PARAMS, 1.0, 3,
                              callback=lambda step, params, value: seen.append(params))
    assert len(seen) == 4
    for a, b in zip(seen[0], PARAMS):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(seen[-1], history.params):
        np.testing.assert_array_equal(a, b)
    assert loss_at(seen[1]) == pytest.approx(history.loss[1], rel=1e-12)


def loss_at(params):
    return two_layer.loss(two_layer.forward(X, params)[0], T)


def test_training_runs_one_backward_pass_per_update(monkeypatch):
    """The loss after the last update needs a forward pass only."""
    calls = []
    backward = two_layer.backward

    def counting(*args):
        calls.append(1)
        return backward(*args)

    monkeypatch.setattr(two_layer, "backward", counting)
    history = two_layer.train(X, T, PARAMS, 1.0, 5)
    assert len(calls) == 5 and history.loss.shape == (6,)


# Finite parameters whose first layer computes inf - inf = NaN: the loss is
# NaN at the start, which is divergence (raised or flagged, without a warning),
# not a complaint about Y.
HUGE = Params(np.array([[1e300], [-1e300]]), np.zeros(1), np.ones((1, 1)), np.zeros(1))
HUGE_X = np.array([[1e10, 1e10]])


def test_a_loss_nan_from_finite_parameters_is_divergence_at_step_0():
    with pytest.raises(DivergenceError, match=r"at step 0 \(eta=0.1\); the data or the") as info:
        two_layer.train(HUGE_X, [[0.5]], HUGE, 0.1, 3)
    assert info.value.step == 0 and info.value.history.loss.shape == (0,)
    history = two_layer.train(HUGE_X, [[0.5]], HUGE, 0.1, 3, on_divergence="stop")
    assert history.diverged_at == 0 and history.loss.shape == (0,)
    for a, b in zip(history.params, HUGE):
        np.testing.assert_array_equal(a, b)
