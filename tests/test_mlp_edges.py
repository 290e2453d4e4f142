"""Tests that kill mutants of bplib.mlp that the main tests let survive:
``backward``'s fast path for parameters that ``forward`` already checked,
its refusal of parameters from another network, and errors that name the
argument at fault."""

import re

import numpy as np
import pytest

from bplib import init, mlp

ACTIVATIONS = ("tanh", "relu", "sigmoid")


def net(sizes=(2, 3, 4, 1), n=5, seed=0):
    """Data, float64 parameters, the cache of a forward pass and an output delta."""
    rng = np.random.default_rng(seed)
    params = init.init_params(list(sizes), rng=rng)
    X = rng.normal(size=(n, sizes[0]))
    Y, cache = mlp.forward(X, params, ACTIVATIONS[-(len(sizes) - 1):])
    delta = rng.normal(size=Y.shape) / n
    return X, params, cache, delta


def test_backward_takes_checked_float64_params_without_checking_them_again(monkeypatch):
    X, params, cache, delta = net()
    expected = mlp.backward(delta, params, cache)

    def refuse(*args, **kwargs):
        raise AssertionError("backward re-checked parameters that forward had checked")

    monkeypatch.setattr(mlp, "check_params", refuse)
    grads = mlp.backward(delta, params, cache)
    for key in params:
        np.testing.assert_array_equal(grads[key], expected[key])


def test_backward_accepts_float32_params_as_the_same_numbers():
    X, params, cache, delta = net()
    expected = mlp.backward(delta, params, cache)
    single = {key: value.astype(np.float32) for key, value in params.items()}
    grads = mlp.backward(delta, single, cache)
    for key in params:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-6, atol=1e-9)


def test_backward_does_not_scan_the_params_for_nan():
    # forward read every weight; backward only checks the structure (neither
    # W1 nor the last bias enters any gradient, so the result is finite)
    X, params, cache, delta = net()
    expected = mlp.backward(delta, params, cache)
    odd = {key: value.astype(np.float32) for key, value in params.items()}
    odd["W1"][0, 0] = odd["b3"][0] = np.nan
    grads = mlp.backward(delta, odd, cache)
    np.testing.assert_allclose(grads["W3"], expected["W3"], rtol=1e-6)
    assert all(np.isfinite(g).all() for g in grads.values())


@pytest.mark.parametrize("other", [(4, 3, 4, 1), (2, 5, 4, 1), (2, 3, 4, 1, 1), (2, 3, 4)],
                         ids=["W1-rows", "layer-1-width", "extra-layer", "missing-layer"])
def test_backward_refuses_params_of_another_network(other):
    X, params, cache, delta = net()
    foreign = init.init_params(list(other), rng=1)
    with pytest.raises(ValueError, match=r"not the ones the cache was made with"):
        mlp.backward(delta, foreign, cache)


def test_backward_refuses_a_first_layer_of_another_shape_even_with_the_rest_right():
    X, params, cache, delta = net()
    params = dict(params, W1=np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"layer sizes \(5, 3, 4, 1\)"):
        mlp.backward(delta, params, cache)


def test_backward_refuses_params_that_are_not_a_dict():
    X, params, cache, delta = net()
    with pytest.raises(TypeError, match=r"^params must be a dict .* got list"):
        mlp.backward(delta, list(params.values()), cache)


def test_backward_names_what_it_got_instead_of_a_cache():
    X, params, cache, delta = net()
    with pytest.raises(TypeError, match=r"^cache must be the Cache returned by forward, "
                                        r"got tuple"):
        mlp.backward(delta, params, (cache.A, cache.Z))


@pytest.mark.parametrize("shape", [(5,), (5, 1, 1)])
def test_backward_names_delta_when_it_is_not_2d(shape):
    X, params, cache, delta = net()
    with pytest.raises(ValueError, match=rf"^delta must be 2-D, got a {len(shape)}-D array"):
        mlp.backward(np.zeros(shape), params, cache)


def test_backward_names_delta_when_it_is_not_real():
    X, params, cache, delta = net()
    with pytest.raises(TypeError, match=r"^delta must hold real numbers"):
        mlp.backward(np.full((5, 1), "a"), params, cache)


def test_output_delta_names_T():
    X, params, cache, delta = net()
    with pytest.raises(ValueError, match=r"^T must be finite"):
        mlp.output_delta(cache, np.full((5, 1), np.nan))
    with pytest.raises(TypeError, match=r"^T must hold real numbers"):
        mlp.output_delta(cache, np.full((5, 1), "a"))
    with pytest.raises(ValueError, match=r"^Y and T must have the same shape"):
        mlp.output_delta(cache, np.zeros((5, 2)))


def test_logit_loss_names_the_output_activation_it_got():
    rng = np.random.default_rng(0)
    params = init.init_params([2, 3, 3, 1], rng=rng)
    Y, cache = mlp.forward(rng.normal(size=(4, 2)), params, ["sigmoid", "tanh", "relu"])
    with pytest.raises(ValueError, match=r"needs a 'sigmoid' output layer, got 'relu'$"):
        mlp.output_delta(cache, np.zeros((4, 1)), loss="binary_cross_entropy_with_logits")


def test_forward_names_X():
    X, params, cache, delta = net()
    with pytest.raises(ValueError, match=r"^X must be 2-D"):
        mlp.forward(np.zeros(2), params, ACTIVATIONS)
    with pytest.raises(ValueError, match=r"^X must be finite"):
        mlp.forward(np.full((1, 2), np.inf), params, ACTIVATIONS)


@pytest.mark.parametrize("activations", [None, iter(ACTIVATIONS), {"tanh": 1}],
                         ids=["None", "iterator", "dict"])
def test_activations_that_are_not_a_list_are_refused_without_a_string_hint(activations):
    X, params, cache, delta = net()
    with pytest.raises(TypeError, match=r"^activations must be a list of 3 names, one per "
                                        rf"layer, got {re.escape(repr(activations))}$"):
        mlp.forward(X, params, activations)


def test_one_activation_name_gets_the_hint_to_repeat_it():
    X, params, cache, delta = net()
    with pytest.raises(TypeError, match=r"for one activation everywhere use \['tanh'\] \* 3$"):
        mlp.forward(X, params, "tanh")


@pytest.mark.parametrize("key, value, message", [
    ("W1", np.zeros(3), r"^W1 must be 2-D, got a 1-D array"),
    ("W2", np.zeros((3, 4, 1)), r"^W2 must be 2-D, got a 3-D array"),
    ("b1", np.zeros((1, 3)), r"^b1 must be 1-D, got a 2-D array"),
    ("b3", np.zeros((1, 1)), r"^b3 must be 1-D, got a 2-D array"),
])
def test_each_weight_must_be_2d_and_each_bias_1d(key, value, message):
    X, params, cache, delta = net()
    with pytest.raises(ValueError, match=message):
        mlp.forward(X, dict(params, **{key: value}), ACTIVATIONS)


@pytest.mark.parametrize("rows", [3, 5])
def test_a_deep_layer_must_match_the_width_of_the_layer_below(rows):
    # layer 2 has 4 units; W3 with 3 rows matches layer 1's width, not layer 2's
    X, params, cache, delta = net()
    with pytest.raises(ValueError, match=rf"^layer-size mismatch: W3 has {rows} rows but "
                                         r"layer 2 has 4 units \(W2.shape=\(3, 4\), "
                                         rf"W3.shape=\({rows}, 1\)\)"):
        mlp.forward(X, dict(params, W3=np.zeros((rows, 1))), ACTIVATIONS)


@pytest.mark.parametrize("key", ["W2", "b2"])
def test_forward_refuses_a_nan_parameter_and_names_it(key):
    X, params, cache, delta = net()
    bad = params[key].copy()
    bad.flat[0] = np.nan
    with pytest.raises(ValueError, match=rf"^{key} must be finite, got 1 NaN"):
        mlp.forward(X, dict(params, **{key: bad}), ACTIVATIONS)
