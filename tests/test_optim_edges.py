"""Tests that kill mutants of bplib.optim that the main tests let survive:
Adam's defaults and its epsilon, ``reset`` on stateful optimisers, and
errors that name the key or the type at fault."""

import numpy as np
import pytest

from bplib import optim


def test_key_mismatch_says_what_grads_lacks_and_what_it_has_beyond_params():
    params = {key: np.zeros(2) for key in ("W1", "b1", "W2")}
    grads = {key: np.zeros(2) for key in ("W1", "X", "Y")}
    with pytest.raises(ValueError, match=r": grads lacks 'W2', 'b1' and has 'X', 'Y', "
                                         r"which params lacks$"):
        optim.SGD(0.1).step(params, grads)
    with pytest.raises(ValueError, match=r"\]: grads has 'c', which params lacks$"):
        optim.SGD(0.1).step({"W": np.zeros(2)}, {"W": np.zeros(2), "c": np.zeros(2)})


@pytest.mark.parametrize("params, grads, got", [
    ([np.zeros(2)], {"W": np.zeros(2)}, "list and dict"),
    ({"W": np.zeros(2)}, [np.zeros(2)], "dict and list"),
])
def test_params_and_grads_must_be_dicts_and_the_error_names_both_types(params, grads, got):
    with pytest.raises(TypeError, match=rf"^params and grads must be dicts of arrays, "
                                        rf"got {got}$"):
        optim.SGD(0.1).step(params, grads)


def test_a_parameter_that_is_not_a_float_array_is_named_with_its_type():
    with pytest.raises(TypeError, match=r"^params\['W'\] must be a float ndarray "
                                        r"\(it is updated in place\), got list$"):
        optim.SGD(0.1).step({"W": [1.0]}, {"W": np.zeros(1)})


def test_a_changed_network_is_refused_with_the_remedy():
    opt = optim.SGD(0.1)
    opt.step({"W": np.zeros(2)}, {"W": np.zeros(2)})
    with pytest.raises(ValueError, match=r"; use a new optimiser or call reset\(\) for "
                                         r"another network$"):
        opt.step({"W": np.zeros(3)}, {"W": np.zeros(3)})


@pytest.mark.parametrize("make", [lambda: optim.Momentum(0.1, momentum=0.5),
                                  lambda: optim.Adam(0.1)], ids=["Momentum", "Adam"])
def test_reset_makes_the_optimiser_as_good_as_new(make):
    used, fresh = make(), make()
    used.step({"W": np.zeros(3)}, {"W": np.ones(3)})
    used.reset()
    a, b = {"W": np.zeros(2)}, {"W": np.zeros(2)}  # another network, after reset
    for opt, params in ((used, a), (fresh, b)):
        for _ in range(2):
            opt.step(params, {"W": np.array([1.0, -2.0])})
    np.testing.assert_array_equal(a["W"], b["W"])


def test_adam_defaults_to_eta_1e_3():
    assert optim.Adam().eta == 1e-3
    params = {"w": np.array([0.0])}
    optim.Adam().step(params, {"w": np.array([5.0])})  # first step: -eta sign(g)
    np.testing.assert_allclose(params["w"], [-1e-3], rtol=1e-6)


def test_adam_adds_eps_to_the_root_mean_square():
    # a gradient as small as eps: the step is eta * g / (|g| + eps) = eta / 2
    params = {"w": np.array([0.0])}
    optim.Adam(eta=0.1, eps=1e-8).step(params, {"w": np.array([1e-8])})
    np.testing.assert_allclose(params["w"], [-0.05], rtol=1e-6)


def test_cosine_needs_eta_min_strictly_below_eta_max():
    with pytest.raises(ValueError, match=r"^eta_min must lie in \[0, eta_max=0.1\), got 0.1$"):
        optim.cosine(0.1, 10, eta_min=0.1)


def test_repr_names_the_optimiser():
    assert repr(optim.SGD(0.5)) == "SGD(eta=0.5)"
