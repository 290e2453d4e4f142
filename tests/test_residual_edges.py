"""Tests that kill mutants of bplib.residual that the main tests let survive:
the public ``backward`` (its result and its checks), whole messages naming
the argument, the checks of ``diagnose`` and ``loss_and_gradients``, the
defaults of ``init_params``, ``measure`` and ``gradient_norms`` and the
arguments they pass on."""

import numpy as np
import pytest

from bplib import init, residual

X = np.array([[0.5, -1.0, 0.25], [1.5, 0.0, -0.5], [-0.75, 2.0, 1.0], [0.1, 0.2, 0.3]])
T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
PARAMS = residual.init_params(2, 3, "tanh", rng=1)


@pytest.mark.parametrize("residual_flag, norm", [(False, None), (True, None),
                                                 (False, "batch"), (True, "layer")])
def test_backward_of_the_loss_gradient_is_loss_and_gradients(residual_flag, norm):
    options = {"residual": residual_flag, "norm": norm}
    loss, expected = residual.loss_and_gradients(X, T, PARAMS, "tanh", **options)
    Y, cache = residual.forward(X, PARAMS, "tanh", **options)
    grads = residual.backward((Y - T) / len(X), PARAMS, cache)
    assert list(grads) == list(PARAMS)
    for key in PARAMS:
        np.testing.assert_array_equal(grads[key], expected[key])


@pytest.mark.parametrize("call, error, message", [
    (lambda c: residual.backward(np.ones(3), PARAMS, c), ValueError,
     r"^dY must be 2-D, got a 1-D array"),
    (lambda c: residual.backward([["a"] * 3] * 4, PARAMS, c), TypeError,
     r"^dY must hold real numbers"),
    (lambda c: residual.backward(np.ones((4, 3)), PARAMS, tuple(c)), TypeError,
     r"^cache must be the Cache returned by forward, got tuple$"),
    (lambda c: residual.backward(np.ones((4, 3)), residual.init_params(2, 2), c), ValueError,
     r"^X has 3 features but the network's width is 2"),
])
def test_backward_checks_its_arguments(call, error, message):
    _, cache = residual.forward(X, PARAMS, "tanh")
    with pytest.raises(error, match=message):
        call(cache)


def test_backward_checks_the_caches_input_not_its_overflowed_blocks():
    """A first block that overflowed (warnings silenced by the caller) is
    the caller's business: backward still runs on the finite input."""
    huge = {"W1": np.full((3, 3), 1e308), "b1": np.zeros(3)}
    with np.errstate(all="ignore"):
        Y, cache = residual.forward(X, huge, "relu")
        grads = residual.backward(np.ones((4, 3)), huge, cache)
    assert not np.isfinite(cache.A[1]).all()
    assert grads["W1"].shape == (3, 3)


def forward(X_=X, params=PARAMS, **options):
    return lambda: residual.forward(X_, params, "tanh", **options)


@pytest.mark.parametrize("call, error, message", [
    (forward(params=[1.0, 2.0]), TypeError,
     r"^params must be a dict \{'W1', 'b1', ..., 'WL', 'bL'\} as made by init_params, "
     r"got list of 2 entries$"),
    (forward(X_=np.ones(3)), ValueError, r"^X must be 2-D, got a 1-D array"),
    (forward(X_=[["a", "b", "c"]]), TypeError, r"^X must hold real numbers"),
    (forward(params={"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "c2": np.zeros(3)}),
     ValueError, r"^params lacks W2 or b2; it must hold W1, b1, ..., W2, b2$"),
    (forward(params={"W1": np.ones(3), "b1": np.zeros(3)}), ValueError,
     r"^params\['W1'\] must be 2-D, got a 1-D array"),
    (forward(params={"W1": [["a"] * 3] * 3, "b1": np.zeros(3)}), TypeError,
     r"^params\['W1'\] must hold real numbers"),
    (forward(params={"W1": np.ones((3, 2)), "b1": np.zeros(2)}), ValueError,
     r"^every layer must map the width 3 to itself: W1 of shape \(3, 3\) and b1 of shape "
     r"\(3,\), got \(3, 2\) and \(2,\)$"),
    (forward(X_=np.ones((4, 2))), ValueError,
     r"^X has 2 features but the network's width is 3 \(X.shape=\(4, 2\), "
     r"W1.shape=\(3, 3\)\)$"),
    (lambda: residual.forward(np.ones((4, 1)), residual.init_params(1, 1), "tanh",
                              norm="layer"), ValueError,
     r"^norm='layer' needs two or more features, got X of shape \(4, 1\)$"),
])
def test_every_check_names_what_it_received(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda T_, **kw: residual.loss_and_gradients(X, T_, PARAMS, "tanh", **kw),
    lambda T_, **kw: residual.diagnose(X, T_, PARAMS, "tanh", **kw),
])
def test_targets_are_checked_by_name(call):
    with pytest.raises(ValueError, match=r"^T must be 2-D, got a 1-D array"):
        call(np.ones(4))
    with pytest.raises(TypeError, match=r"^T must hold real numbers"):
        call([["a"] * 3] * 4)
    with pytest.raises(ValueError, match=r" and T must have the same shape, got "
                                         r"[XY].shape=\(4, 3\) and T.shape=\(4, 2\)$"):
        call(np.ones((4, 2)))


def test_the_shape_messages_name_the_arrays_compared():
    with pytest.raises(ValueError, match=r"^Y and T must have the same shape"):
        residual.loss_and_gradients(X, np.ones((4, 2)), PARAMS, "tanh")
    with pytest.raises(ValueError, match=r"^X and T must have the same shape"):
        residual.diagnose(X, np.ones((4, 2)), PARAMS, "tanh")


def test_diagnose_checks_norm_and_tol():
    with pytest.raises(ValueError, match=r"^norm must be one of"):
        residual.diagnose(X, T, PARAMS, "tanh", norm="group")
    with pytest.raises(ValueError, match=r"^tol must be a positive number"):
        residual.diagnose(X, T, PARAMS, "tanh", tol=0.0)


def test_init_params_defaults_and_schemes():
    with pytest.raises(ValueError, match=r"^width must be an integer >= 1, got 0$"):
        residual.init_params(2, 0)
    for activation, scheme in (("relu", "he_normal"), ("tanh", "xavier_normal")):
        params = residual.init_params(2, 4, activation)
        expected = init.init_params([4, 4, 4], scheme, rng=0)
        for key in expected:
            np.testing.assert_array_equal(params[key], expected[key])
    chosen = residual.init_params(2, 4, "tanh", scheme="he_normal", rng=3)
    np.testing.assert_array_equal(chosen["W1"],
                                  init.init_params([4, 4, 4], "he_normal", rng=3)["W1"])


def by_hand(depth, width, activation, variant, scheme=None, scale=1.0, n=64, seed=0):
    """measure's recipe: one generator for the weights, then the data."""
    rng = np.random.default_rng(seed)
    params = residual.init_params(depth, width, activation, scheme=scheme, scale=scale,
                                  rng=rng)
    X_, T_ = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    return residual.diagnose(X_, T_, params, activation,
                             **residual.VARIANTS[variant]).grad_norms


def test_measure_defaults_and_the_arguments_it_passes_on():
    np.testing.assert_array_equal(residual.measure(), by_hand(50, 32, "tanh", "plain"))
    np.testing.assert_array_equal(
        residual.measure(3, 4, "relu", "residual", scheme="lecun_normal", scale=0.5, n=2,
                         rng=5),
        by_hand(3, 4, "relu", "residual", "lecun_normal", 0.5, 2, 5))
    np.testing.assert_array_equal(residual.measure(3, 4, "relu", n=5, rng=2),
                                  by_hand(3, 4, "relu", "plain", n=5, seed=2))


def test_measure_messages():
    with pytest.raises(ValueError, match=r"^unknown variant 'deep'; known variants are "
                                         r"'plain', 'residual', 'normalised', "
                                         r"'residual_normalised'$"):
        residual.measure(variant="deep")
    with pytest.raises(ValueError, match=r"^n must be an integer >= 2, got 1$"):
        residual.measure(3, 4, n=1)


def test_gradient_norms_defaults_and_the_arguments_it_passes_on():
    norms = residual.gradient_norms()
    assert sorted(norms) == sorted((v, a) for v in residual.VARIANTS
                                   for a in ("sigmoid", "tanh", "relu"))
    np.testing.assert_array_equal(norms["residual", "relu"],
                                  residual.measure(variant="residual", activation="relu"))
    chosen = residual.gradient_norms(3, 4, ("tanh",), ("plain",), scheme="he_normal",
                                     scale=0.5, n=5, rng=7)
    np.testing.assert_array_equal(
        chosen["plain", "tanh"],
        residual.measure(3, 4, "tanh", "plain", scheme="he_normal", scale=0.5, n=5, rng=7))


def test_gradient_norms_refuses_a_bare_string_in_a_whole_sentence():
    with pytest.raises(TypeError, match=r"^activations and variants must be sequences of "
                                        r"names, e.g. \('tanh',\), not a bare string$"):
        residual.gradient_norms(activations="tanh")
