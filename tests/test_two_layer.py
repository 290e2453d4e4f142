"""Tests for bplib.two_layer (chapter 3: two layers by hand)."""

import numpy as np
import pytest

from bplib import data, two_layer
from bplib.activations import sigmoid, sigmoid_derivative
from bplib.gradcheck import check_gradients
from bplib.linear import DivergenceError
from bplib.two_layer import Gradients, Params


def random_problem(n, d_in, h, d_out, seed):
    """Inputs, targets in [0, 1] and parameters at a random point."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in))
    T = rng.uniform(size=(n, d_out))
    params = Params(
        rng.normal(size=(d_in, h)),
        rng.normal(size=h),
        rng.normal(size=(h, d_out)),
        rng.normal(size=d_out),
    )
    return X, T, params


# At random points some gradient entries are tiny (1e-7, from saturated
# units) next to a loss near 0.1; central differences then carry a relative
# round-off error of up to about 1e-5 there. A wrong formula is off by 1e-2 or
# far more, so 1e-5 still separates right from wrong by three orders.
TOL = 1e-5


def gradcheck(X, T, params, backward=two_layer.backward, loss=two_layer.loss):
    """Check ``backward``'s gradients of ``loss`` at ``params`` (tolerance TOL)."""
    point = params._asdict()  # the arrays themselves: perturbed in place

    def f(p):
        Y, _ = two_layer.forward(X, Params(**p))
        return loss(Y, T)

    def analytic(p):
        current = Params(**p)
        _, cache = two_layer.forward(X, current)
        return dict(zip(Params._fields, backward(T, current, cache)))

    return check_gradients(f, analytic, point, tol=TOL)


# --- a tiny case by hand ------------------------------------------------------


def test_hand_computed_example():
    # One example x = (1, 0.5) with target 1; two hidden units, one output.
    X = np.array([[1.0, 0.5]])
    T = np.array([[1.0]])
    params = Params(
        W1=np.array([[0.5, -0.5], [1.0, 0.5]]),
        b1=np.array([0.0, 0.25]),
        W2=np.array([[1.0], [-1.0]]),
        b2=np.array([0.0]),
    )
    Y, cache = two_layer.forward(X, params)
    # Z1 = (1*0.5 + 0.5*1.0 + 0,  1*(-0.5) + 0.5*0.5 + 0.25) = (1, 0)
    np.testing.assert_allclose(cache.Z1, [[1.0, 0.0]])
    # H1 = (sigma(1), sigma(0)) = (0.7310586, 0.5)
    np.testing.assert_allclose(cache.H1, [[0.7310586, 0.5]], rtol=1e-7)
    # Z2 = 0.7310586 * 1 + 0.5 * (-1) + 0 = 0.2310586;  Y = sigma(0.2310586) = 0.5575090
    np.testing.assert_allclose(cache.Z2, [[0.2310586]], rtol=1e-6)
    np.testing.assert_allclose(Y, [[0.5575090]], rtol=1e-6)
    # L = (0.5575090 - 1)^2 / (2 * 1) = 0.0978991
    assert two_layer.loss(Y, T) == pytest.approx(0.0978991, rel=1e-6)

    grads = two_layer.backward(T, params, cache)
    # dY = (Y - T) / n = -0.4424910
    # delta2 = dY * Y (1 - Y) = -0.4424910 * 0.2466891 = -0.1091593
    np.testing.assert_allclose(grads.db2, [-0.1091593], rtol=1e-6)
    # dW2 = H1^T delta2 = (0.7310586, 0.5) * (-0.1091593) = (-0.0798018, -0.0545797)
    np.testing.assert_allclose(grads.dW2, [[-0.0798018], [-0.0545797]], rtol=1e-6)
    # dH1 = delta2 W2^T = -0.1091593 * (1, -1) = (-0.1091593, 0.1091593)
    # sigma'(Z1) = (0.7310586 * 0.2689414, 0.5 * 0.5) = (0.1966119, 0.25)
    # delta1 = dH1 * sigma'(Z1) = (-0.0214620, 0.0272898) = db1
    np.testing.assert_allclose(grads.db1, [-0.0214620, 0.0272898], rtol=1e-5)
    # dW1 = x^T delta1: row 1 is 1 * delta1, row 2 is 0.5 * delta1
    np.testing.assert_allclose(
        grads.dW1, [[-0.0214620, 0.0272898], [-0.0107310, 0.0136449]], rtol=1e-5
    )


def test_forward_is_the_formula():
    X, T, params = random_problem(6, 3, 4, 2, seed=0)
    Y, cache = two_layer.forward(X, params)
    H1 = 1 / (1 + np.exp(-(X @ params.W1 + params.b1)))
    expected = 1 / (1 + np.exp(-(H1 @ params.W2 + params.b2)))
    np.testing.assert_allclose(Y, expected, rtol=1e-12)
    np.testing.assert_array_equal(cache.Y, Y)
    np.testing.assert_array_equal(cache.X, X)
    assert cache.Z1.shape == cache.H1.shape == (6, 4)
    assert cache.Z2.shape == Y.shape == (6, 2)


# --- every gradient against gradcheck -----------------------------------------

SHAPES = [  # (n, d_in, h, d_out): batch of 1 and of many, width 1 and several
    (1, 2, 2, 1),
    (1, 3, 1, 2),
    (1, 1, 5, 1),
    (4, 2, 2, 1),
    (7, 3, 1, 1),
    (10, 4, 6, 3),
    (25, 2, 8, 2),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}-in{}-h{}-out{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_gradient_passes_gradcheck(shape, seed):
    X, T, params = random_problem(*shape, seed=seed)
    result = gradcheck(X, T, params)
    assert result.passed, result
    assert set(result.errors) == {"W1", "b1", "W2", "b2"}


@pytest.mark.parametrize("shape", SHAPES[:4], ids=str)
def test_gradients_have_their_parameters_shapes(shape):
    X, T, params = random_problem(*shape, seed=3)
    _, grads = two_layer.loss_and_gradients(X, T, params)
    assert isinstance(grads, Gradients)
    for P, dP in zip(params, grads):
        assert dP.shape == P.shape and dP.dtype == np.float64


def test_loss_and_gradients_is_forward_then_backward():
    X, T, params = random_problem(5, 2, 3, 1, seed=4)
    value, grads = two_layer.loss_and_gradients(X, T, params)
    Y, cache = two_layer.forward(X, params)
    assert value == two_layer.loss(Y, T)
    for a, b in zip(grads, two_layer.backward(T, params, cache)):
        np.testing.assert_array_equal(a, b)


def test_first_step_lowers_the_loss_by_eta_times_squared_gradient_norm():
    # To first order, one step of size eta lowers L by eta * |grad L|^2. Only
    # the true gradient gives a ratio of 1 (a gradient off by a factor c
    # gives c, a wrong direction less than 1).
    X, T = data.xor()
    params = two_layer.init_params(2, 3, 1, rng=5)
    value, grads = two_layer.loss_and_gradients(X, T, params)
    eta = 1e-4
    history = two_layer.train(X, T, params, eta, 1)
    predicted = eta * sum(np.sum(g * g) for g in grads)
    assert (history.loss[0] - history.loss[1]) / predicted == pytest.approx(1, abs=1e-3)
    assert history.loss[0] == value


# --- XOR ----------------------------------------------------------------------


def test_xor_is_learned_to_full_accuracy():
    X, T = data.xor()
    params = two_layer.init_params(2, 2, 1, rng=0)
    history = two_layer.train(X, T, params, eta=2.0, steps=3000)
    Y, _ = two_layer.forward(X, history.params)
    np.testing.assert_array_equal(Y > 0.5, T == 1)
    assert history.loss.shape == (3001,)
    assert history.loss[-1] < 2e-3 < 0.1 < history.loss[0]
    assert history.diverged_at is None
    assert np.all(np.diff(history.loss) < 1e-12)  # a small enough step never climbs


def test_train_does_not_modify_its_arguments():
    X, T = data.xor()
    params = two_layer.init_params(2, 2, 1, rng=1)
    copies = [P.copy() for P in params]
    history = two_layer.train(X, T, params, eta=1.0, steps=5)
    for P, C in zip(params, copies):
        np.testing.assert_array_equal(P, C)
    assert not np.array_equal(history.params.W1, params.W1)


def test_callback_sees_every_step():
    X, T = data.xor()
    seen = []
    history = two_layer.train(
        X, T, two_layer.init_params(2, 2, rng=2), 1.0, 4,
        callback=lambda step, params, value: seen.append((step, value)),
    )
    assert [s for s, _ in seen] == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal([v for _, v in seen], history.loss)


def test_init_params_shapes_seed_and_scale():
    params = two_layer.init_params(3, 5, 2, scale=0.5, rng=7)
    assert [P.shape for P in params] == [(3, 5), (5,), (5, 2), (2,)]
    np.testing.assert_array_equal(params.b1, 0)
    np.testing.assert_array_equal(params.b2, 0)
    again = two_layer.init_params(3, 5, 2, scale=0.5, rng=np.random.default_rng(7))
    for a, b in zip(params, again):
        np.testing.assert_array_equal(a, b)
    big = two_layer.init_params(200, 300, 1, scale=0.5, rng=0)
    assert big.W1.std() == pytest.approx(0.5, rel=0.02)


# --- three wrong derivations, each caught by gradcheck ------------------------
# Plausible mistakes when deriving the backward pass by hand. Each runs
# without error when the input width equals the hidden width; gradcheck must
# reject each one and name the parameter it gets wrong.


def backward_with_input_for_H1(T, params, cache):
    """dW2 computed from the network's input X instead of the layer's input H1."""
    X, Z1, H1, Z2, Y = cache
    delta2 = (Y - T) / len(X) * sigmoid_derivative(Z2)
    delta1 = (delta2 @ params.W2.T) * sigmoid_derivative(Z1)
    return Gradients(X.T @ delta1, delta1.sum(axis=0), X.T @ delta2, delta2.sum(axis=0))


def mean_squared_error(Y, T):
    """The mean squared error without the half: sum((Y - T)**2) / n."""
    return float(np.sum((Y - T) ** 2) / len(Y))


def backward_mse_without_2_over_n(T, params, cache):
    """For sum((Y - T)**2) / n the output gradient is 2 (Y - T) / n; this uses Y - T."""
    X, Z1, H1, Z2, Y = cache
    delta2 = (Y - T) * sigmoid_derivative(Z2)
    delta1 = (delta2 @ params.W2.T) * sigmoid_derivative(Z1)
    return Gradients(X.T @ delta1, delta1.sum(axis=0), H1.T @ delta2, delta2.sum(axis=0))


def backward_with_transposed_dW1(T, params, cache):
    """dW1 = delta1^T X, of shape (h, d_in): the transpose of the right X^T delta1."""
    X, Z1, H1, Z2, Y = cache
    delta2 = (Y - T) / len(X) * sigmoid_derivative(Z2)
    delta1 = (delta2 @ params.W2.T) * sigmoid_derivative(Z1)
    return Gradients(delta1.T @ X, delta1.sum(axis=0), H1.T @ delta2, delta2.sum(axis=0))


def backward_mse_right(T, params, cache):
    """The right gradient of the mean squared error: twice that of the half-MSE."""
    return Gradients(*(2 * g for g in two_layer.backward(T, params, cache)))


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_input_in_place_of_H1_is_caught_in_W2_only(n, seed):
    X, T, params = random_problem(n, 3, 3, 2, seed)
    result = gradcheck(X, T, params, backward_with_input_for_H1)
    assert not result.passed
    assert result.name == "W2" and result.errors["W2"] > 1e-2
    assert max(result.errors["W1"], result.errors["b1"], result.errors["b2"]) < TOL


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_transposed_dW1_is_caught_in_W1_only(n, seed):
    X, T, params = random_problem(n, 3, 3, 1, seed)
    result = gradcheck(X, T, params, backward_with_transposed_dW1)
    assert not result.passed
    assert result.name == "W1" and result.errors["W1"] > 1e-2
    assert max(result.errors["b1"], result.errors["W2"], result.errors["b2"]) < TOL


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_dropped_2_over_n_is_caught_everywhere_by_the_same_amount(n, seed):
    X, T, params = random_problem(n, 3, 3, 2, seed)
    # The right gradient of the mean squared error passes ...
    assert gradcheck(X, T, params, backward_mse_right, mean_squared_error).passed
    # ... and the one without 2/n is n/2 times too large in every entry, so
    # every parameter shows the relative error |c - 1| / (c + 1) with c = n/2.
    result = gradcheck(X, T, params, backward_mse_without_2_over_n, mean_squared_error)
    c = n / 2
    assert not result.passed
    for error in result.errors.values():
        assert error == pytest.approx(abs(c - 1) / (c + 1), abs=1e-6)


@pytest.mark.parametrize("n", [4, 6])
def test_dropped_2_over_n_is_caught_with_the_books_loss_too(n):
    # Against the book's half-MSE the same backward is off by the factor n.
    X, T, params = random_problem(n, 3, 3, 2, 0)
    result = gradcheck(X, T, params, backward_mse_without_2_over_n)
    assert not result.passed
    assert min(result.errors.values()) == pytest.approx((n - 1) / (n + 1), abs=1e-6)


# --- divergence and bad input -------------------------------------------------


def test_divergence_raises_or_stops_without_warnings():
    X, T = data.xor()
    T = T * 1e150  # finite loss at the start, an enormous gradient
    params = two_layer.init_params(2, 2, rng=0)
    with pytest.raises(DivergenceError, match="non-finite at step 1") as info:
        two_layer.train(X, T, params, eta=1e200, steps=10)
    assert info.value.step == 1 and info.value.history.loss.shape == (1,)
    history = two_layer.train(X, T, params, eta=1e200, steps=10, on_divergence="stop")
    assert history.diverged_at == 1 and history.loss.shape == (1,)
    for a, b in zip(history.params, params):
        np.testing.assert_array_equal(a, b)


def good():
    X, T = data.xor()
    return X, T, two_layer.init_params(2, 3, 1, rng=0)


def test_x_with_the_wrong_number_of_features():
    X, T, params = good()
    with pytest.raises(ValueError, match=r"X has 3 features but W1 expects 2 \(X.shape=\(4, 3\)"):
        two_layer.forward(np.ones((4, 3)), params)
    with pytest.raises(ValueError, match="X has 3 features but W1 expects 2"):
        two_layer.train(np.ones((4, 3)), T, params, 1.0, 1)


def test_target_of_shape_n_against_output_n_by_1():
    X, T, params = good()
    Y, cache = two_layer.forward(X, params)
    message = r"Y and T must have the same shape, got Y.shape=\(4, 1\) and T.shape=\(4,\)"
    with pytest.raises(ValueError, match=message):
        two_layer.backward(T[:, 0], params, cache)
    with pytest.raises(ValueError, match=message):
        two_layer.loss_and_gradients(X, T[:, 0], params)
    with pytest.raises(ValueError, match=message):
        two_layer.train(X, T[:, 0], params, 1.0, 1)
    with pytest.raises(ValueError, match=r"got Y.shape=\(4, 1\) and T.shape=\(3, 1\)"):
        two_layer.loss(Y, T[:3])


@pytest.mark.parametrize("where", ["X", "T"])
def test_non_finite_data(where):
    X, T, params = good()
    X, T = X.copy(), T.copy()
    (X if where == "X" else T)[0, 0] = np.nan
    with pytest.raises(ValueError, match=f"{where} must be finite, got 1 NaN or infinite entry"):
        two_layer.train(X, T, params, 1.0, 1)


def test_non_finite_parameters():
    X, T, params = good()
    W1 = params.W1.copy()
    W1[1, 1] = np.inf
    with pytest.raises(ValueError, match="W1 must be finite"):
        two_layer.forward(X, params._replace(W1=W1))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"b1": np.zeros(2)}, r"b1 must have shape \(3,\) for W1.shape=\(2, 3\)"),
        ({"W2": np.zeros((2, 1))}, r"W2 must have shape \(3, 1\) .* got W2.shape=\(2, 1\)"),
        ({"b2": np.zeros((1, 1))}, r"b2 must be 1-D, got a 2-D array of shape \(1, 1\)"),
        ({"W1": np.zeros(2)}, r"W1 must be 2-D, got a 1-D array"),
    ],
)
def test_inconsistent_parameter_shapes(change, message):
    X, _, params = good()
    with pytest.raises(ValueError, match=message):
        two_layer.forward(X, params._replace(**change))


def test_params_must_be_four_arrays():
    X, _, params = good()
    with pytest.raises(TypeError, match="params must be a Params"):
        two_layer.forward(X, params[:3])
    with pytest.raises(TypeError, match="params must be a Params"):
        two_layer.forward(X, {"W1": params.W1})


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"eta": 0.0}, ValueError, "eta must be a positive number, got 0.0"),
        ({"eta": -1.0}, ValueError, "eta must be a positive number, got -1.0"),
        ({"eta": "1"}, TypeError, "eta must be a positive number, got '1'"),
        ({"steps": 0}, ValueError, "steps must be an integer >= 1, got 0"),
        ({"on_divergence": "ignore"}, ValueError, "on_divergence must be 'raise' or 'stop'"),
    ],
)
def test_bad_training_arguments(kwargs, error, message):
    X, T, params = good()
    arguments = {"eta": 1.0, "steps": 2, **kwargs}
    with pytest.raises(error, match=message):
        two_layer.train(X, T, params, **arguments)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((0, 2, 1), ValueError, "d_in must be an integer >= 1, got 0"),
        ((2, 2.5, 1), TypeError, "d_hidden must be an integer, got 2.5"),
        ((2, 2, 0), ValueError, "d_out must be an integer >= 1, got 0"),
    ],
)
def test_bad_init_arguments(args, error, message):
    with pytest.raises(error, match=message):
        two_layer.init_params(*args)


def test_bad_scale_and_rng():
    with pytest.raises(ValueError, match="scale must be a positive number, got 0"):
        two_layer.init_params(2, 2, scale=0)
    with pytest.raises(TypeError, match="rng must be an int seed"):
        two_layer.init_params(2, 2, rng="0")


def test_sigmoid_pieces_used_are_the_chapter_2_ones():
    # The backward pass differentiates the activation at Z, as chapter 2 does.
    Z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(sigmoid_derivative(Z), sigmoid(Z) * (1 - sigmoid(Z)))
