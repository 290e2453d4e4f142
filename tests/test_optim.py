"""Tests for bplib.optim: two hand-computed steps of each optimiser, Adam's
bias correction, the schedule and the validation of hyper-parameters."""

import numpy as np
import pytest

from bplib import init, mlp, optim

G1 = {"w": np.array([0.5, 1.0])}
G2 = {"w": np.array([-1.0, 0.5])}


def _two_steps(opt):
    params = {"w": np.array([1.0, -2.0])}
    opt.step(params, G1)
    first = params["w"].copy()
    opt.step(params, G2)
    return first, params["w"]


def test_sgd_two_steps():
    # w1 = (1, -2) - 0.1 (0.5, 1) = (0.95, -2.1); w2 = w1 - 0.1 (-1, 0.5) = (1.05, -2.15)
    first, second = _two_steps(optim.SGD(0.1))
    np.testing.assert_allclose(first, [0.95, -2.1])
    np.testing.assert_allclose(second, [1.05, -2.15])


def test_momentum_two_steps():
    # v1 = g1 = (0.5, 1); w1 = (1, -2) - 0.1 v1 = (0.95, -2.1)
    # v2 = 0.9 v1 + g2 = (0.45 - 1, 0.9 + 0.5) = (-0.55, 1.4); w2 = w1 - 0.1 v2 = (1.005, -2.24)
    opt = optim.Momentum(0.1, momentum=0.9)
    first, second = _two_steps(opt)
    np.testing.assert_allclose(first, [0.95, -2.1])
    np.testing.assert_allclose(second, [1.005, -2.24])
    np.testing.assert_allclose(opt.velocity["w"], [-0.55, 1.4])


def test_momentum_zero_is_sgd():
    np.testing.assert_allclose(_two_steps(optim.Momentum(0.1, momentum=0.0))[1],
                               _two_steps(optim.SGD(0.1))[1])


def test_adam_two_steps():
    # Step 1: m = 0.1 g1 = (0.05, 0.1), v = 0.001 g1^2 = (0.00025, 0.001);
    #   corrected: m_hat = g1, v_hat = g1^2, so the step is 0.1 * sign(g1):
    #   w1 = (0.9, -2.1).
    # Step 2: m = 0.9 (0.05, 0.1) + 0.1 (-1, 0.5) = (-0.055, 0.14), m_hat = m / 0.19;
    #   v = 0.999 (0.00025, 0.001) + 0.001 (1, 0.25) = (0.00124975, 0.001249),
    #   v_hat = v / (1 - 0.999^2) = v / 0.001999;
    #   w2 = w1 - 0.1 m_hat / (sqrt(v_hat) + 1e-8) = (0.93661035, -2.19321796).
    opt = optim.Adam(0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    first, second = _two_steps(opt)
    np.testing.assert_allclose(first, [0.9, -2.1])
    np.testing.assert_allclose(opt.m["w"], [-0.055, 0.14])
    np.testing.assert_allclose(opt.v["w"], [0.00124975, 0.001249])
    np.testing.assert_allclose(second, [0.93661035, -2.19321796], rtol=1e-7)
    assert opt.t == 2


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e6])
def test_adam_bias_correction_makes_the_first_step_lr_whatever_the_scale(scale):
    # Without the correction the first step would be lr * 0.1 / sqrt(0.001),
    # about 3.16 lr; with it, exactly lr in each coordinate (up to eps).
    params = {"w": np.zeros(3)}
    optim.Adam(0.01).step(params, {"w": scale * np.array([1.0, -2.0, 0.5])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adam_bias_correction_over_many_steps():
    # A constant gradient g: m_hat = g and v_hat = g^2 exactly at every step,
    # so every step has length lr; uncorrected, early steps would be far off.
    params = {"w": np.array([0.0])}
    opt = optim.Adam(0.1, beta1=0.9, beta2=0.999, eps=0.0 + 1e-12)
    for t in range(1, 6):
        opt.step(params, {"w": np.array([3.0])})
        assert params["w"][0] == pytest.approx(-0.1 * t, rel=1e-9)


def test_step_updates_mlp_params_in_place():
    params = init.init_params([3, 4, 2], rng=0)
    W1 = params["W1"]
    grads = {k: np.ones_like(p) for k, p in params.items()}
    optim.Adam(1e-3).step(params, grads)
    assert params["W1"] is W1  # the same array, changed in place
    np.testing.assert_allclose(params["b2"], [-1e-3, -1e-3])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: optim.SGD(0.0), "eta must be a positive number, got 0.0"),
        (lambda: optim.SGD(-1), "eta must be a positive number"),
        (lambda: optim.Momentum(0.1, momentum=1.0), r"momentum must lie in \[0, 1\), got 1.0"),
        (lambda: optim.Momentum(0.1, momentum=-0.1), "momentum must lie in"),
        (lambda: optim.Adam(beta1=1.0), r"beta1 must lie in \[0, 1\)"),
        (lambda: optim.Adam(beta2=1.5), r"beta2 must lie in \[0, 1\)"),
        (lambda: optim.Adam(eps=0.0), "eps must be a positive number"),
        (lambda: optim.cosine(0.1, 10, eta_min=0.2), r"eta_min must lie in \[0, eta_max"),
    ],
)
def test_bad_hyper_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_types_and_eta_changes():
    with pytest.raises(TypeError, match="momentum must be a number"):
        optim.Momentum(0.1, momentum="0.9")
    opt = optim.SGD(0.1)
    opt.eta = 0.05
    assert opt.eta == 0.05
    with pytest.raises(ValueError, match="eta must be a positive number"):
        opt.eta = 0


def test_mismatched_params_and_grads():
    opt = optim.SGD(0.1)
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3)}
    with pytest.raises(ValueError, match="same keys"):
        opt.step(params, {"W1": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"grads\['b1'\] must have the shape of params\['b1'\]"):
        opt.step(params, {"W1": np.zeros((2, 3)), "b1": np.zeros(2)})
    with pytest.raises(TypeError, match="must be a float ndarray"):
        opt.step({"w": [1.0]}, {"w": [1.0]})
    opt.step(params, {k: np.ones_like(p) for k, p in params.items()})
    other = {"W1": np.zeros((2, 4)), "b1": np.zeros(4)}
    with pytest.raises(ValueError, match="params changed since the first step"):
        opt.step(other, {k: np.ones_like(p) for k, p in other.items()})
    opt.reset()
    opt.step(other, {k: np.ones_like(p) for k, p in other.items()})
    assert opt.t == 1


def test_cosine_schedule():
    schedule = optim.cosine(0.1, 10, eta_min=0.01)
    assert schedule(0) == pytest.approx(0.1)
    assert schedule(5) == pytest.approx(0.055)
    assert schedule(10) == pytest.approx(0.01) and schedule(20) == pytest.approx(0.01)
    assert optim.cosine(0.1, 10)(10) == pytest.approx(1e-4)  # floored above 0


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: optim.cosine(0.1, 10, eta_min="a"), TypeError,
         r"eta_min must be a number >= 0, got 'a'"),
        (lambda: optim.cosine(0.1, 10, eta_min=None), TypeError,
         r"eta_min must be a number >= 0, got None"),
        (lambda: optim.cosine(0.1, 10, eta_min=-0.01), ValueError,
         r"eta_min must be a finite number >= 0, got -0.01"),
        (lambda: optim.cosine(0.1, 10, eta_min=10**400), ValueError,
         r"eta_min must be a finite number >= 0, got an integer of 401 digits"),
        (lambda: optim.cosine("a", 10), TypeError, r"eta_max must be a positive number, got 'a'"),
        (lambda: optim.cosine(0.1, 2.5), TypeError, r"epochs must be an integer, got 2.5"),
        (lambda: optim.cosine(0.1, 10)("a"), TypeError, r"epoch must be an integer, got 'a'"),
        (lambda: optim.cosine(0.1, 10)(-1), ValueError,
         r"epoch must be an integer >= 0, got -1"),
    ],
)
def test_cosine_names_every_bad_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_mismatched_keys_are_named():
    params = {"W1": np.zeros(2), "b1": np.zeros(1)}
    with pytest.raises(ValueError, match=r"grads lacks 'b1' and has 'b2', which params lacks"):
        optim.SGD(0.1).step(params, {"W1": np.zeros(2), "b2": np.zeros(1)})
    with pytest.raises(ValueError, match=r"grads lacks 'b1'$"):
        optim.SGD(0.1).step(params, {"W1": np.zeros(2)})


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Adam"])
def test_non_finite_gradients_are_caught_at_the_next_forward_pass(name):
    # Documented choice: step does not scan grads for NaN/inf (it would cost
    # about as much as the update); the NaN reaches params, and the next
    # forward pass names it.
    params = init.init_params([2, 3, 1], rng=0)
    grads = {key: np.zeros_like(p) for key, p in params.items()}
    grads["W1"][0, 0] = np.nan
    getattr(optim, name)(0.1).step(params, grads)
    with pytest.raises(ValueError, match=r"W1 must be finite, got 1 NaN or infinite entry"):
        mlp.loss_and_gradients(np.ones((2, 2)), np.ones((2, 1)), params, ["tanh", "sigmoid"])
