"""Edge cases found by an independent tester, by kind, and the docstrings'
promises tested at the boundaries they name (issue 23).

The bad-input catalogue (test_bad_inputs.py) checks each refusal's message;
here each kind is checked for *every* instance in the public API, that a
refusal leaves nothing half done, and that the accepted inputs next to the
boundary still give the right answer. The pytest configuration turns every
RuntimeWarning into an error, so a test that passes also shows that no
overflow or divide-by-zero warning escaped.
"""

import math

import numpy as np
import pytest

from bplib import (
    activations,
    autodiff,
    dual,
    init,
    layers,
    linear,
    losses,
    mlp,
    norm,
    optim,
    residual,
    softmax,
    train,
    two_layer,
)

BIG = np.finfo(float).max  # the largest finite float, about 1.8e308
OPTIMISERS = [lambda: optim.SGD(0.1), lambda: optim.Momentum(0.1), lambda: optim.Adam(0.1)]


# --- optimiser steps with gradients that are not real arrays ------------------------

@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Momentum", "Adam"])
@pytest.mark.parametrize("bad, received", [
    ([0.5, 0.5], "got list"),
    ((0.5, 0.5), "got tuple"),
    (np.array([1 + 1j, 2j]), "got an array of dtype complex128"),
    (np.array(["a", "b"]), "got an array of dtype <U1"),
    (np.array([None, None]), "got an array of dtype object"),
])
def test_optimiser_step_refuses_non_real_gradients_and_changes_nothing(make, bad, received):
    params = {"W1": np.ones(2), "b1": np.zeros(2)}
    opt = make()
    with pytest.raises(TypeError, match=r"grads\['b1'\] must be an ndarray of real numbers, "
                                        + received):
        opt.step(params, {"W1": np.ones(2), "b1": bad})
    assert opt.t == 0  # no step counted
    np.testing.assert_array_equal(params["W1"], np.ones(2))  # nothing updated


@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Momentum", "Adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_optimiser_step_accepts_every_real_gradient_dtype(make, dtype):
    params, grads = {"W1": np.ones(2)}, {"W1": np.ones(2, dtype=dtype)}
    make().step(params, grads)
    assert params["W1"].dtype == np.float64 and np.all(params["W1"] < 1.0)


# --- boolean options given non-booleans --------------------------------------------

X = np.arange(8.0).reshape(4, 2) / 8
BOOL_OPTIONS = {  # every bool parameter of the public API, as a call with that option
    "Tensor.requires_grad": lambda v: autodiff.Tensor(np.ones(2), requires_grad=v),
    "Tensor.sum.keepdims": lambda v: autodiff.Tensor(np.ones(2)).sum(keepdims=v),
    "Tensor.mean.keepdims": lambda v: autodiff.Tensor(np.ones(2)).mean(keepdims=v),
    "Dual.sum.keepdims": lambda v: dual.Dual(np.ones(2), np.ones(2)).sum(keepdims=v),
    "Dual.mean.keepdims": lambda v: dual.Dual(np.ones(2), np.ones(2)).mean(keepdims=v),
    "linear.hessian.bias": lambda v: linear.hessian(X, bias=v),
    "linear.max_stable_eta.bias": lambda v: linear.max_stable_eta(X, bias=v),
    "layers.batch_norm.training": lambda v: layers.batch_norm(
        np.arange(8.0).reshape(4, 2), np.ones(2), np.zeros(2), training=v,
        running=norm.RunningStats.start(2)),
    "layers.dropout.training": lambda v: layers.dropout(np.ones((4, 2)), 0.5, rng=0,
                                                        training=v),
    "residual.forward.residual": lambda v: residual.forward(
        X, residual.init_params(2, 2), "tanh", residual=v),
    "residual.loss_and_gradients.residual": lambda v: residual.loss_and_gradients(
        X, np.zeros((4, 2)), residual.init_params(2, 2), "tanh", residual=v),
    "train.train.progress": lambda v: train.train(
        X, softmax.one_hot([0, 1, 0, 1]), init.init_params([2, 2]), ["identity"],
        optim.SGD(0.1), epochs=1, progress=v),
}
NAME = {key: key.rsplit(".", 1)[1] for key in BOOL_OPTIONS}


@pytest.mark.parametrize("key", sorted(BOOL_OPTIONS))
@pytest.mark.parametrize("bad", ["no", "False", 0, 1, None, 1.0, np.array([True])],
                         ids=["no", "False-str", "0", "1", "None", "1.0", "array"])
def test_bool_option_refuses_non_booleans(key, bad):
    with pytest.raises(TypeError, match=rf"{NAME[key]} must be True or False, got "):
        BOOL_OPTIONS[key](bad)


@pytest.mark.parametrize("key", sorted(BOOL_OPTIONS))
@pytest.mark.parametrize("good", [True, False, np.True_, np.False_],
                         ids=["True", "False", "np.True_", "np.False_"])
def test_bool_option_accepts_python_and_numpy_booleans(key, good):
    BOOL_OPTIONS[key](good)


def test_requires_grad_false_is_respected():
    assert autodiff.Tensor(1.0, requires_grad=np.False_).requires_grad is False
    assert autodiff.Tensor(1.0, requires_grad=True).requires_grad is True


# --- the clipping margin of binary_cross_entropy ------------------------------------

def test_bce_gives_the_right_answer_where_eps_0_6_gave_a_wrong_one():
    Y, T = np.array([[0.9]]), np.array([[1.0]])
    assert losses.binary_cross_entropy(Y, T) == pytest.approx(-math.log(0.9))  # 0.1054
    assert losses.binary_cross_entropy(Y, T, eps=0.4999) == pytest.approx(-math.log(0.5001))
    for f in (losses.binary_cross_entropy, losses.binary_cross_entropy_gradient):
        for eps in (0.5, 0.6, 1.0, 2.0):
            with pytest.raises(ValueError, match=r"eps must lie in \(0, 0.5\)"):
                f(Y, T, eps=eps)


@pytest.mark.parametrize("eps", [1e-12, 0.1, 0.3, 0.49])
def test_bce_gradient_matches_central_differences_for_every_allowed_eps(eps):
    rng = np.random.default_rng(0)
    Y = rng.uniform(0.495, 0.505, (3, 2))  # inside [eps, 1 - eps] for every eps here
    T = rng.uniform(0, 1, (3, 2))
    h, numeric = 1e-7, np.zeros_like(Y)
    for idx in np.ndindex(Y.shape):
        up, down = Y.copy(), Y.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (losses.binary_cross_entropy(up, T, eps=eps)
                        - losses.binary_cross_entropy(down, T, eps=eps)) / (2 * h)
    np.testing.assert_allclose(losses.binary_cross_entropy_gradient(Y, T, eps=eps), numeric,
                               rtol=1e-5, atol=1e-8)


def test_bce_clipping_caps_each_term_at_minus_log_eps():
    Y, T = np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])  # confidently wrong
    assert losses.binary_cross_entropy(Y, T, eps=1e-3) == pytest.approx(-math.log(1e-3))


# --- class labels out of range -------------------------------------------------------

def test_accuracy_accepts_the_last_class_and_refuses_beyond_it():
    Z = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert softmax.accuracy(Z, np.array([1, 0])) == 1.0
    assert softmax.accuracy(Z, np.array([0, 1], dtype=np.uint8)) == 0.0
    for labels in ([0, 2], [-1, 0], [0, 99], [np.iinfo(np.int64).min, 0]):
        with pytest.raises(ValueError, match=r"labels must lie in 0..1 for Z with 2 columns"):
            softmax.accuracy(Z, np.array(labels))


# --- max_stable_eta on a bowl without curvature --------------------------------------

@pytest.mark.parametrize("X_flat", [np.zeros((3, 2)), np.full((3, 2), 1e-170),
                                    np.full((3, 2), 5e-324)],
                         ids=["zeros", "tiny", "subnormal"])
def test_max_stable_eta_is_inf_without_warning_when_the_bowl_is_flat(X_flat):
    eta = linear.max_stable_eta(X_flat)
    assert eta == math.inf and type(eta) is float


def test_max_stable_eta_is_two_over_the_largest_eigenvalue_and_a_float():
    Xs = np.array([[1.0, 0.0], [0.0, 3.0]])  # X^T X / n = diag(0.5, 4.5)
    assert linear.max_stable_eta(Xs) == pytest.approx(2 / 4.5)
    assert type(linear.max_stable_eta(Xs)) is float
    # with bias: the Hessian gains the constant input's row and column
    H = linear.hessian(Xs, bias=True)
    assert linear.max_stable_eta(Xs, bias=True) == pytest.approx(2 / np.linalg.eigvalsh(H)[-1])
    # the smallest curvature that still gives a finite threshold
    lam = 2.0 / BIG * 1.01
    assert math.isfinite(linear.max_stable_eta(np.array([[math.sqrt(lam)]])))


def test_max_stable_eta_is_the_divergence_threshold():
    rng = np.random.default_rng(1)
    Xs = rng.normal(size=(20, 2))
    T = Xs @ np.array([[1.0], [-2.0]])
    eta = linear.max_stable_eta(Xs)
    W0 = np.zeros((2, 1))
    below = linear.gradient_descent(Xs, T, W0, 0.95 * eta, 400)
    above = linear.gradient_descent(Xs, T, W0, 1.05 * eta, 400, on_divergence="stop")
    assert below.loss[-1] < 1e-6
    assert above.diverged_at is not None or above.loss[-1] > above.loss[0]


# --- mlp.loss_and_gradients on inputs that overflow ----------------------------------

@pytest.mark.parametrize("loss, acts", [
    ("squared_error", ["relu", "identity"]),
    ("squared_error", ["identity", "identity"]),
])
def test_mlp_overflow_shows_in_the_loss_not_as_a_warning(loss, acts):
    params = init.init_params([2, 3, 1], "xavier_normal", rng=0)
    value, grads = mlp.loss_and_gradients(np.array([[1e200, -1e200], [3e200, 1e200]]),
                                          np.array([[1.0], [0.0]]), params, acts, loss)
    assert isinstance(value, float) and not math.isfinite(value)
    assert grads.keys() == params.keys()
    assert not all(np.all(np.isfinite(g)) for g in grads.values())


def test_mlp_warnings_are_silenced_only_inside_the_call():
    params = init.init_params([2, 3, 1], "xavier_normal", rng=0)
    mlp.loss_and_gradients(np.array([[1e200, -1e200]]), np.ones((1, 1)), params,
                           ["relu", "identity"])
    with pytest.raises(FloatingPointError):
        with np.errstate(over="raise"):
            np.array([1e300]) * 1e300
    assert np.geterr()["over"] == "warn"


def test_two_layer_and_residual_overflowing_inputs_give_no_warning():
    Xh = np.array([[1e200, -1e200]])
    value, _ = two_layer.loss_and_gradients(Xh, np.ones((1, 1)), two_layer.init_params(2, 3))
    assert math.isfinite(value)  # sigmoids saturate: the loss stays finite
    value, _ = residual.loss_and_gradients(Xh, np.ones((1, 2)), residual.init_params(2, 2),
                                           "tanh")
    assert math.isfinite(value)


# --- the engines' reductions and their axes ------------------------------------------

A3 = np.arange(24.0).reshape(2, 3, 4)
AXES = [None, 0, 2, -1, -3, (0, 2), (-1, 0), (1,), ()]


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_tensor_reductions_match_numpy_for_every_valid_axis(op, axis, keepdims):
    x = autodiff.Tensor(A3)
    y = getattr(x, op)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y.value, getattr(A3, op)(axis=axis, keepdims=keepdims))
    weights = np.random.default_rng(0).normal(size=y.shape)
    (y * weights).sum().backward()
    count = A3.size / y.value.size  # elements summed into each output
    expected = np.broadcast_to(weights if keepdims or axis is None
                               else np.expand_dims(weights, axis), A3.shape)
    np.testing.assert_allclose(x.grad, expected / (count if op == "mean" else 1))


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_dual_reductions_match_numpy_for_every_valid_axis(op, axis):
    d = getattr(dual.Dual(A3, 2 * A3), op)(axis=axis, keepdims=True)
    np.testing.assert_allclose(d.value, getattr(A3, op)(axis=axis, keepdims=True))
    np.testing.assert_allclose(d.tangent, 2 * getattr(A3, op)(axis=axis, keepdims=True))


@pytest.mark.parametrize("make", [lambda a: autodiff.Tensor(a),
                                  lambda a: dual.Dual(a, np.ones_like(a))],
                         ids=["Tensor", "Dual"])
@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("axis, error", [(3, ValueError), (-4, ValueError),
                                         ((0, 3), ValueError), ((0, -3), ValueError),
                                         (1.5, TypeError), ("0", TypeError),
                                         (True, TypeError), ([0], TypeError)])
def test_reductions_refuse_an_axis_the_array_lacks(make, op, axis, error):
    with pytest.raises(error, match=r"axis"):
        getattr(make(A3), op)(axis=axis)


# --- claims that hold: docstring promises at their boundaries -----------------------

EXTREME = np.array([-BIG, -1e300, -746.0, -745.0, -37.0, -1.0, -0.0, 0.0, 1e-310, 1.0,
                    37.0, 745.0, 1e300, BIG])


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("given", [EXTREME, EXTREME.reshape(2, 7), np.arange(-3, 4),
                                   np.array([True, False]), np.float32(3.0)],
                         ids=["1d", "2d", "int", "bool", "float32-scalar"])
def test_activations_return_new_finite_float64_for_any_finite_input(name, given):
    """Module docstring: 'return new float64 arrays' for arrays of any shape."""
    f = activations.ACTIVATIONS[name]
    for g in (f.function, f.derivative):
        out = g(given)
        assert out.dtype == np.float64 and out.shape == np.shape(given)
        assert np.all(np.isfinite(out))
        assert not np.shares_memory(out, given)


def test_sigmoid_and_tanh_ranges_and_saturation_points():
    """sigmoid in [0, 1] (exactly 0 or 1 only where float64 cannot tell);
    tanh' in [0, 1]."""
    s = activations.sigmoid(EXTREME)
    assert np.all((0 <= s) & (s <= 1))
    assert activations.sigmoid(np.array([37.0]))[0] == 1.0 > activations.sigmoid(
        np.array([36.0]))[0]
    assert activations.sigmoid(np.array([-746.0]))[0] == 0.0 < activations.sigmoid(
        np.array([-745.0]))[0]
    d = activations.tanh_derivative(EXTREME)
    assert np.all((0 <= d) & (d <= 1))


def test_softplus_never_overflows():
    """softplus docstring: computed with np.logaddexp, 'never overflows'."""
    out = activations.softplus(EXTREME)
    assert np.all(np.isfinite(out)) and out[-1] == BIG and out[0] == 0.0


@pytest.mark.parametrize("Z", [np.array([[-1000.0], [1000.0]]), np.array([[BIG]]),
                               np.array([[-BIG]]), np.array([[-BIG / 4], [BIG / 4]])],
                         ids=["1000", "max", "-max", "quarter-max-rows"])
def test_bce_with_logits_is_finite_where_its_terms_sum_to_a_float(Z):
    """losses docstrings: '|Z| = 1000 gives a finite loss and no warning'; its
    terms never overflow (only a sum above the largest float would)."""
    for T in (np.zeros_like(Z), np.ones_like(Z)):
        assert math.isfinite(losses.binary_cross_entropy_with_logits(Z, T))
        assert np.all(np.isfinite(losses.binary_cross_entropy_with_logits_gradient(Z, T)))


def test_bce_with_logits_narrowed_promise_a_sum_beyond_the_largest_float_overflows():
    with pytest.raises(RuntimeWarning, match="overflow"):
        losses.binary_cross_entropy_with_logits(np.array([[-BIG], [-BIG]]), np.ones((2, 1)))


@pytest.mark.parametrize("Z", [np.array([[-BIG / 2, BIG / 2, 0.0]]),
                               np.array([[BIG, BIG / 2, 0.0]]),
                               np.array([[-BIG, -BIG / 2, -1e300]])],
                         ids=["half-max-spread", "top", "bottom"])
def test_softmax_is_finite_without_warning_for_rows_spanning_a_finite_float(Z):
    """softmax docstrings: finite for rows whose spread max - min is a float."""
    log_p = softmax.log_softmax(Z)
    assert np.all(np.isfinite(log_p)) and np.all(log_p <= 0)
    p = softmax.softmax(Z)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    T = np.zeros_like(Z)
    T[0, -1] = 1.0  # the least likely class is the correct one
    assert math.isfinite(softmax.cross_entropy(Z, T))
    assert np.all(np.isfinite(softmax.cross_entropy_gradient(Z, T)))


def test_softmax_narrowed_promise_a_row_spanning_more_than_the_largest_float_warns():
    with pytest.raises(RuntimeWarning, match="overflow"):
        softmax.log_softmax(np.array([[-BIG, BIG]]))


def test_two_layer_outputs_lie_in_the_closed_unit_interval_even_when_saturated():
    params = two_layer.init_params(2, 3, 1, rng=0)
    Y, _ = two_layer.forward(np.array([[1e300, -1e300], [0.0, 0.0], [-BIG, BIG]]), params)
    assert np.all((0 <= Y) & (Y <= 1))


@pytest.mark.parametrize("value", [3, [1, 2], np.arange(3, dtype=np.int8), True, BIG])
def test_tensor_and_dual_store_float64(value):
    """Tensor docstring: 'Stored as a float64 array'; dual: value and tangent are float64."""
    assert autodiff.Tensor(value).value.dtype == np.float64
    d = dual.Dual(value, np.zeros(np.shape(value), dtype=int))
    assert d.value.dtype == np.float64 and d.tangent.dtype == np.float64
