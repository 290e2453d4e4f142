"""Tests for bplib.jacobian (chapter 4): the two orders of the Jacobian product."""

import numpy as np
import pytest

from bplib import init, jacobian, mlp
from bplib.gradcheck import numerical_gradient
from bplib.jacobian import MultiplyAdds, count_multiply_adds


def network(sizes=(3, 5, 4, 2), n=6, seed=0):
    rng = np.random.default_rng(seed)
    params = init.init_params(sizes, rng=rng)
    activations = ["tanh", "sigmoid", "identity"][: len(sizes) - 1]
    return rng.normal(size=(n, sizes[0])), rng.normal(size=(n, sizes[-1])), params, activations


def test_both_orders_give_the_same_gradient():
    X, T, params, activations = network()
    a = jacobian.input_gradient(X, T, params, activations, order="right_to_left")
    b = jacobian.input_gradient(X, T, params, activations, order="left_to_right")
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("order", jacobian.ORDERS)
def test_input_gradient_matches_central_differences(order):
    X, T, params, activations = network()
    numeric = numerical_gradient(
        lambda X: mlp.loss_and_gradients(X, T, params, activations)[0], X
    )
    np.testing.assert_allclose(
        jacobian.input_gradient(X, T, params, activations, order=order),
        numeric, rtol=1e-6, atol=1e-10,
    )


def test_input_gradient_is_the_first_delta_times_W1_transposed():
    X, T, params, activations = network(n=1)
    _, cache = mlp.forward(X, params, activations)
    delta = mlp.output_delta(cache, T)
    for l in range(3, 1, -1):  # the recursion, by hand, down to delta1
        delta = (delta @ params[f"W{l}"].T) * (
            1 - np.tanh(cache.Z[1]) ** 2 if l == 2
            else cache.A[2] * (1 - cache.A[2])
        )
    np.testing.assert_allclose(
        jacobian.input_gradient(X, T, params, activations), delta @ params["W1"].T,
        rtol=1e-12,
    )


def test_counts_by_hand_for_a_tiny_net():
    # sizes (2, 3, 1), one example.
    # forward:  x W1 is (1x2)(2x3): 6;  a1 W2 is (1x3)(3x1): 3.           -> 9
    # backward: dW2 = a1^T d2: 3; d2 W2^T: 3; times f'(z1): 3;  dW1: 6.    -> 15
    # right to left: f'(z2)*v: 1, W2 v: 3;  f'(z1)*v: 3, W1 v: 6.          -> 13
    # left to right: J1 = W1 diag f'(z1): 6; J1 W2: 2*3*1 = 6;
    #                times diag f'(z2): 2;  times the vector: 2.           -> 16
    assert count_multiply_adds([2, 3, 1]) == MultiplyAdds(9, 15, 13, 16)
    assert count_multiply_adds([2, 3, 1], n=10) == MultiplyAdds(90, 150, 130, 160)


def test_left_to_right_costs_about_a_width_more():
    w, L = 200, 5
    counts = count_multiply_adds([w] * L + [w])
    # (L-1) w^3 against L w^2: the ratio tends to (L-1) w / L.
    assert counts.left_to_right / counts.right_to_left == pytest.approx((L - 1) * w / L, rel=0.02)
    assert counts.right_to_left == pytest.approx(counts.forward, rel=0.01)
    # A training step: forward + backward, about three products per layer.
    assert (counts.forward + counts.backward) / counts.forward == pytest.approx(3, rel=0.25)


def test_bad_arguments():
    X, T, params, activations = network()
    with pytest.raises(ValueError, match="order must be one of"):
        jacobian.input_gradient(X, T, params, activations, order="middle_out")
    with pytest.raises(ValueError, match="needs dL/dY"):
        jacobian.input_gradient(X, T, params, activations,
                                loss="binary_cross_entropy_with_logits")
    with pytest.raises(ValueError, match="Y and T must have the same shape"):
        jacobian.input_gradient(X, T[:, 0], params, activations)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        count_multiply_adds([2, 3], n=0)


def test_time_orders_returns_one_time_per_width():
    result = jacobian.time_orders([4, 8], depth=3, n=2, repeats=1)
    assert set(result) == {"width", "forward", "right_to_left", "left_to_right"}
    assert all(v.shape == (2,) for v in result.values())
    assert (result["left_to_right"] > 0).all()
