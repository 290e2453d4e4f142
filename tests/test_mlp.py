"""Tests for bplib.mlp (chapter 4): the delta recursion for any depth."""

import numpy as np
import pytest

from bplib import init, mlp
from bplib.gradcheck import check_gradients, numerical_gradient

HIDDEN = ["sigmoid", "tanh", "relu", "identity", "softplus"]


def problem(depth, n, loss, hidden, seed=0, width=4, d_in=3, d_out=2):
    """Data, parameters and activations for a net of the given depth."""
    rng = np.random.default_rng(seed)
    sizes = [d_in] + [width] * (depth - 1) + [d_out]
    params = init.init_params(sizes, rng=rng)
    for l in range(1, depth + 1):  # non-zero biases, so that db is exercised
        params[f"b{l}"] = rng.normal(scale=0.5, size=sizes[l])
    X = rng.normal(size=(n, d_in))
    if loss == "squared_error":
        T = rng.normal(size=(n, d_out))
        activations = [hidden] * depth  # the output layer's f' enters delta_L
    else:
        T = rng.integers(0, 2, size=(n, d_out)).astype(float)
        activations = [hidden] * (depth - 1) + ["sigmoid"]
    if hidden == "relu":  # keep every weighted input away from the kink at 0
        _, cache = mlp.forward(X, params, activations)
        assert min(np.abs(Z).min() for Z in cache.Z.values()) > 1e-4
    return X, T, params, activations


def assert_matches_central_differences(X, T, params, activations, loss):
    _, grads = mlp.loss_and_gradients(X, T, params, activations, loss)
    for key, P in params.items():
        numeric = numerical_gradient(
            lambda _: mlp.loss_and_gradients(X, T, params, activations, loss)[0], P
        )
        # Round-off in the differences is about 1e-16 * loss / h ~ 1e-10.
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-9, err_msg=key)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("n", [1, 7])
@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy_with_logits"])
def test_gradients_match_central_differences(depth, hidden, n, loss):
    X, T, params, activations = problem(depth, n, loss, hidden)
    assert_matches_central_differences(X, T, params, activations, loss)


@pytest.mark.parametrize("depth", [1, 3])
def test_gradients_with_probability_cross_entropy(depth):
    X, T, params, activations = problem(depth, 6, "binary_cross_entropy", "tanh")
    assert_matches_central_differences(X, T, params, activations, "binary_cross_entropy")


def test_gradcheck_accepts_params_and_grads_as_they_are():
    X, T, params, activations = problem(3, 5, "squared_error", "tanh")
    result = check_gradients(
        lambda p: mlp.loss_and_gradients(X, T, p, activations)[0],
        lambda p: mlp.loss_and_gradients(X, T, p, activations)[1],
        params,
        tol=1e-5,
    )
    assert result.passed, result


def test_logit_and_probability_cross_entropy_agree():
    X, T, params, activations = problem(3, 6, "binary_cross_entropy", "tanh")
    a = mlp.loss_and_gradients(X, T, params, activations, "binary_cross_entropy")
    b = mlp.loss_and_gradients(X, T, params, activations, "binary_cross_entropy_with_logits")
    assert a[0] == pytest.approx(b[0], rel=1e-12)
    for key in params:
        np.testing.assert_allclose(a[1][key], b[1][key], rtol=1e-9, atol=1e-15)


def test_batch_gradient_is_the_mean_of_per_example_gradients():
    X, T, params, activations = problem(3, 6, "squared_error", "tanh")
    loss, grads = mlp.loss_and_gradients(X, T, params, activations)
    singles = [mlp.loss_and_gradients(X[i:i + 1], T[i:i + 1], params, activations)
               for i in range(len(X))]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-12)
    for key in params:
        mean = np.mean([s[1][key] for s in singles], axis=0)
        np.testing.assert_allclose(grads[key], mean, rtol=1e-12, atol=1e-15)


def test_reproduces_two_layer_exactly():
    two_layer = pytest.importorskip("bplib.two_layer")
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(9, 3)), rng.uniform(size=(9, 2))
    tl_params = two_layer.init_params(3, 5, 2, rng=4)
    params = dict(tl_params._asdict())  # the same arrays, keyed W1, b1, W2, b2
    params["b1"] = rng.normal(size=5)
    tl_params = tl_params._replace(b1=params["b1"])
    Y_tl, cache_tl = two_layer.forward(X, tl_params)
    Y, cache = mlp.forward(X, params, ["sigmoid", "sigmoid"])
    np.testing.assert_array_equal(Y, Y_tl)
    np.testing.assert_array_equal(cache.A[1], cache_tl.H1)
    loss_tl, grads_tl = two_layer.loss_and_gradients(X, T, tl_params)
    loss, grads = mlp.loss_and_gradients(X, T, params, ["sigmoid", "sigmoid"])
    assert loss == loss_tl
    for key in params:
        np.testing.assert_array_equal(grads[key], getattr(grads_tl, "d" + key), err_msg=key)


def test_forward_cache_holds_every_layer():
    X, T, params, activations = problem(3, 4, "squared_error", "tanh")
    Y, cache = mlp.forward(X, params, activations)
    assert sorted(cache.A) == [0, 1, 2, 3] and sorted(cache.Z) == [1, 2, 3]
    assert cache.A[0] is X and cache.A[3] is Y
    np.testing.assert_allclose(cache.Z[2], cache.A[1] @ params["W2"] + params["b2"])
    np.testing.assert_allclose(cache.A[2], np.tanh(cache.Z[2]))


def test_gradients_have_the_structure_of_params_and_inputs_are_unchanged():
    X, T, params, activations = problem(4, 5, "squared_error", "sigmoid")
    copies = {key: P.copy() for key, P in params.items()}
    X0 = X.copy()
    _, grads = mlp.loss_and_gradients(X, T, params, activations)
    assert list(grads) == list(params)
    assert all(grads[key].shape == params[key].shape for key in params)
    np.testing.assert_array_equal(X, X0)
    for key in params:
        np.testing.assert_array_equal(params[key], copies[key])


def test_backward_from_output_delta_equals_loss_and_gradients():
    X, T, params, activations = problem(3, 5, "squared_error", "relu")
    Y, cache = mlp.forward(X, params, activations)
    grads = mlp.backward(mlp.output_delta(cache, T), params, cache)
    _, expected = mlp.loss_and_gradients(X, T, params, activations)
    for key in params:
        np.testing.assert_array_equal(grads[key], expected[key])


def test_hand_computed_two_layer_identity_net():
    # X = [[1, 2]], W1 = [[1], [-1]], b1 = [0.5], W2 = [[2]], b2 = [0], T = [[0]].
    # Z1 = 1 - 2 + 0.5 = -0.5, A1 = -0.5 (identity), Z2 = Y = -1.
    # L = (Y - T)^2 / 2 = 0.5;  delta2 = (Y - T) / n = -1;
    # dW2 = A1^T delta2 = 0.5, db2 = -1; delta1 = delta2 W2^T = -2;
    # dW1 = X^T delta1 = [[-2], [-4]], db1 = -2.
    params = {"W1": np.array([[1.0], [-1.0]]), "b1": np.array([0.5]),
              "W2": np.array([[2.0]]), "b2": np.array([0.0])}
    loss, grads = mlp.loss_and_gradients(
        np.array([[1.0, 2.0]]), np.array([[0.0]]), params, ["identity", "identity"]
    )
    assert loss == 0.5
    np.testing.assert_array_equal(grads["W2"], [[0.5]])
    np.testing.assert_array_equal(grads["b2"], [-1.0])
    np.testing.assert_array_equal(grads["W1"], [[-2.0], [-4.0]])
    np.testing.assert_array_equal(grads["b1"], [-2.0])


def test_init_params_shapes_seed_and_scale():
    params = init.init_params([3, 5, 2], rng=7)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,)}
    again = init.init_params([3, 5, 2], rng=np.random.default_rng(7))
    for key in params:
        np.testing.assert_array_equal(params[key], again[key])
    assert not params["b1"].any()
    big = init.init_params([400, 300, 1], rng=0)
    assert big["W1"].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    W = init.init_params([400, 300], "standard_normal", rng=0, scale=2.0)["W1"]
    assert W.std() == pytest.approx(2, rel=0.02)
    assert mlp.layer_sizes(big) == (400, 300, 1)


def test_cache_nbytes_counts_every_kept_array():
    params = init.init_params([3, 4, 2], rng=0)
    _, cache = mlp.forward(np.ones((10, 3)), params, ["tanh", "identity"])
    # A0 (10x3), Z1 and A1 (10x4 each), Z2 and A2 (10x2 each): 150 float64s.
    assert mlp.cache_nbytes(cache) == 8 * (30 + 40 + 40 + 20 + 20)


# --- bad input ------------------------------------------------------------

def test_layer_size_mismatch():
    params = init.init_params([3, 4, 2], rng=0)
    params["W2"] = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"layer-size mismatch: W2 has 5 rows but layer 1 has 4"):
        mlp.forward(np.ones((2, 3)), params, ["tanh", "tanh"])


def test_bias_of_the_wrong_size():
    params = init.init_params([3, 4, 2], rng=0)
    params["b1"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"b1 must have shape \(4,\)"):
        mlp.loss_and_gradients(np.ones((2, 3)), np.ones((2, 2)), params, ["tanh", "tanh"])


def test_missing_or_extra_keys():
    params = init.init_params([3, 4, 2], rng=0)
    del params["b2"]
    with pytest.raises(ValueError, match="keys W1, b1, ..., WL, bL"):
        mlp.forward(np.ones((2, 3)), params, ["tanh", "tanh"])
    with pytest.raises(TypeError, match="params must be a dict"):
        mlp.forward(np.ones((2, 3)), [np.ones((3, 4))], ["tanh"])


def test_input_with_the_wrong_number_of_features():
    params = init.init_params([3, 4, 2], rng=0)
    with pytest.raises(ValueError, match=r"X has 5 features but W1 expects 3"):
        mlp.forward(np.ones((2, 5)), params, ["tanh", "tanh"])
    with pytest.raises(ValueError, match="X must be 2-D"):
        mlp.forward(np.ones(3), params, ["tanh", "tanh"])


@pytest.mark.parametrize("T_shape", [(6,), (6, 2), (5, 1)])
def test_target_of_the_wrong_shape(T_shape):
    params = init.init_params([3, 4, 1], rng=0)
    expected = r"Y and T must have the same shape, got Y.shape=\(6, 1\)"
    with pytest.raises(ValueError, match=expected):
        mlp.loss_and_gradients(np.ones((6, 3)), np.zeros(T_shape), params, ["tanh", "tanh"])


def test_target_of_shape_n_is_refused_with_a_hint():
    params = init.init_params([3, 4, 1], rng=0)
    _, cache = mlp.forward(np.ones((6, 3)), params, ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=r"reshape T with T.reshape\(\(6, 1\)\)"):
        mlp.output_delta(cache, np.zeros(6))


def test_unknown_activation_and_wrong_number_of_activations():
    params = init.init_params([3, 4, 2], rng=0)
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match="unknown activation 'sigmod'; known activations are"):
        mlp.forward(X, params, ["sigmod", "tanh"])
    with pytest.raises(ValueError, match="one activation per layer, 2 for this network, got 3"):
        mlp.forward(X, params, ["tanh", "tanh", "tanh"])
    with pytest.raises(TypeError, match=r"use \['tanh'\] \* 2"):
        mlp.forward(X, params, "tanh")


def test_unknown_loss_and_logits_without_sigmoid():
    params = init.init_params([3, 4, 1], rng=0)
    X, T = np.ones((2, 3)), np.zeros((2, 1))
    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        mlp.loss_and_gradients(X, T, params, ["tanh", "sigmoid"], loss="mse")
    with pytest.raises(ValueError, match="needs a 'sigmoid' output layer, got 'tanh'"):
        mlp.loss_and_gradients(X, T, params, ["tanh", "tanh"],
                               loss="binary_cross_entropy_with_logits")


def test_backward_checks_delta_and_cache():
    params = init.init_params([3, 4, 2], rng=0)
    _, cache = mlp.forward(np.ones((5, 3)), params, ["tanh", "tanh"])
    with pytest.raises(ValueError, match=r"Y and delta must have the same shape"):
        mlp.backward(np.ones((5, 3)), params, cache)
    with pytest.raises(ValueError, match="are not the ones the cache was made with"):
        mlp.backward(np.ones((5, 2)), init.init_params([3, 6, 2]), cache)
    with pytest.raises(TypeError, match="cache must be the Cache"):
        mlp.backward(np.ones((5, 2)), params, {"A": {}})


@pytest.mark.parametrize("sizes", [[3], [3, 0, 1], "abc", [3, 2.5]])
def test_init_params_rejects_bad_sizes(sizes):
    with pytest.raises((ValueError, TypeError), match="sizes"):
        init.init_params(sizes)


def test_init_params_rejects_bad_scale_and_rng():
    with pytest.raises(ValueError, match="scale must be a positive number"):
        init.init_params([2, 3], "standard_normal", scale=0.0)
    with pytest.raises(TypeError, match="rng must be"):
        init.init_params([2, 3], rng="seed")


def test_integer_and_list_parameters_are_accepted():
    params = {"W1": [[1, 0], [0, 1]], "b1": [0, 0], "W2": [[1], [1]], "b2": [0]}
    Y, _ = mlp.forward(np.array([[1.0, 2.0]]), params, ["identity", "identity"])
    np.testing.assert_array_equal(Y, [[3.0]])
    assert mlp.layer_sizes(params) == (2, 2, 1)
