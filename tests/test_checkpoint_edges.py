"""Tests that kill mutants of bplib.checkpoint that the main tests let survive:
the memory a schedule frees when a checkpoint is done (a chain whose first
step keeps far more than the others), biases of a network chain, the
counts of revolve for step counts beyond int64, and whole messages."""

from math import comb

import numpy as np
import pytest

from bplib import checkpoint, init, mlp


class _Chain:
    """S steps of x -> x + 1 on a (1, 1) state; step t keeps ``sizes[t]`` floats
    (nothing, None, when ``sizes[t]`` is None)."""

    def __init__(self, sizes):
        self.sizes, self.n = sizes, len(sizes)

    def step(self, t, state):
        return state + 1.0, None if self.sizes[t] is None else np.zeros(self.sizes[t])

    def back(self, t, d_new, state, kept, grads):
        grads["steps"] += 1.0
        return d_new

    def zero_grads(self):
        return {"steps": np.zeros(1)}


def _loss_grad(state):
    return float(state[0, 0]), np.ones_like(state)


STATE, FLOAT = np.zeros((1, 1)), 8


@pytest.mark.parametrize("every", [1, 2])
def test_uniform_frees_each_checkpoint_once_its_segment_is_done(every):
    """The first step keeps 1000 floats, so the peak is at the last segment
    reversed (steps 0, 1, ...): every other checkpoint must be freed by then."""
    chain = _Chain([1000, 1, 1, 1])
    loss, grads, d0, cost = checkpoint.backprop(chain, STATE, _loss_grad, "uniform",
                                                every=every)
    assert loss == 4.0 and grads["steps"][0] == 4.0
    np.testing.assert_array_equal(d0, np.ones((1, 1)))
    first_segment = sum(1000 if t == 0 else 1 for t in range(every)) + every  # kept + states
    assert cost.peak_bytes == first_segment * FLOAT
    assert cost.forward_steps == 4 + 4 - every


@pytest.mark.parametrize("slots", [1, 2, 3])
def test_revolve_frees_each_checkpoint_once_its_steps_are_done(slots):
    chain = _Chain([1000, 1, 1, 1])
    loss, grads, _, cost = checkpoint.backprop(chain, STATE, _loss_grad, "revolve",
                                               slots=slots)
    assert loss == 4.0 and grads["steps"][0] == 4.0
    assert cost.peak_bytes == (1000 + 1) * FLOAT  # step 0's record alone, nothing else held
    assert cost.forward_steps == checkpoint.revolve_steps(4, slots)


def test_a_network_chain_with_biases_matches_mlp():
    rng = np.random.default_rng(3)
    params = init.init_params([3, 4, 2], rng=0)
    params = {k: v + rng.normal(size=v.shape) for k, v in params.items()}  # biases not 0
    X, T = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    acts = ["tanh", "identity"]
    loss, grads = mlp.loss_and_gradients(X, T, params, acts)

    def loss_grad(A):
        return float(np.sum((A - T) ** 2) / 10), (A - T) / 5
    for schedule in checkpoint.SCHEDULES:
        value, got, _, _ = checkpoint.backprop(checkpoint.mlp_chain(params, acts), X, loss_grad,
                                               schedule)
        assert value == pytest.approx(loss, rel=1e-14)
        for key in grads:
            np.testing.assert_allclose(got[key], grads[key], rtol=1e-12, atol=1e-15)


def _griewank(n, slots):
    """n + t(n, c) with c = slots + 1, r found by bisection, all in Python ints."""
    c, lo, hi = slots + 1, 0, 1
    while comb(c + hi, c) < n:
        hi *= 2
    while lo < hi:  # the least r with comb(c + r, c) >= n
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if comb(c + mid, c) >= n else (mid + 1, hi)
    return n + lo * n - (comb(c + lo, lo - 1) if lo else 0)


@pytest.mark.parametrize("n, slots", [(10**15, 3), (2**53 + 1, 40), (10**17, 200), (1, 0),
                                      (2, 0), (10_000, 20)])
def test_revolve_steps_is_exact_for_any_number_of_steps(n, slots):
    """Beyond 2**63 forward steps an int64 formula wrapped round (10**15 steps
    with 3 slots gave a negative count) and a float one rounds."""
    steps = checkpoint.revolve_steps(n, slots)
    assert steps == _griewank(n, slots)
    assert type(steps) is int and n <= steps <= n * (n + 1) // 2


def test_revolve_steps_names_slots():
    with pytest.raises(ValueError, match=r"^slots must be an integer >= 0, got -1$"):
        checkpoint.revolve_steps(3, -1)


def test_revolve_of_two_steps_with_the_default_slots():
    """⌈√2⌉ = 2 slots is one more than two steps can use: the default is capped
    at S - 1 instead of refusing a value the caller never gave."""
    loss, grads, _, cost = checkpoint.backprop(_Chain([1, 1]), STATE, _loss_grad, "revolve")
    assert loss == 2.0 and grads["steps"][0] == 2.0
    assert cost.forward_steps == checkpoint.revolve_steps(2, 1) == 3
    assert cost.peak_bytes == 3 * FLOAT  # the middle state, then step 1's record
    with pytest.raises(ValueError, match=r"^slots must be an integer between 0 and S - 1 = 1, "
                                         r"got 2$"):
        checkpoint.backprop(_Chain([1, 1]), STATE, _loss_grad, "revolve", slots=2)


@pytest.mark.parametrize("schedule", checkpoint.SCHEDULES)
def test_steps_that_keep_nothing_cost_their_states_only(schedule):
    loss, _, _, cost = checkpoint.backprop(_Chain([None] * 4), STATE, _loss_grad, schedule)
    assert loss == 4.0 and cost.peak_bytes > 0
    assert cost.peak_bytes == {"plain": 4, "uniform": 1 + 2, "revolve": 2 + 1}[schedule] * FLOAT


@pytest.mark.parametrize("state0, message", [
    (np.zeros(1), r"^state0 must be 2-D, got a 1-D array of shape \(1,\)$"),
    ((np.zeros(1),), r"^state0 must be 2-D, got a 1-D array of shape \(1,\)$"),
    ([np.full((1, 1), np.nan)], r"^state0 must be finite, got 1 NaN or infinite entry$"),
    (np.full((1, 1), np.inf), r"^state0 must be finite, got 1 NaN or infinite entry$"),
])
def test_state0_is_checked_by_name_alone_or_in_a_tuple(state0, message):
    with pytest.raises(ValueError, match=message):
        checkpoint.backprop(_Chain([1, 1]), state0, _loss_grad)


def test_revolve_of_one_step_takes_no_slot():
    loss, _, _, cost = checkpoint.backprop(_Chain([1]), STATE, _loss_grad, "revolve")
    assert loss == 1.0 and cost.forward_steps == 1
    with pytest.raises(ValueError, match=r"^slots must be an integer between 0 and S - 1 = 0, "
                                         r"got 1$"):
        checkpoint.backprop(_Chain([1]), STATE, _loss_grad, "revolve", slots=1)
