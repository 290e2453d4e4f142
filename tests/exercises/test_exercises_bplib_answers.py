"""bplib's own functions are right answers: every checker says "correct" to
them, prints exactly its verdict's message, and leaves NumPy's global random
state alone."""

import numpy as np
import pytest

from bplib import activations, exercises, gradcheck, init, linear, mlp, two_layer


def _logistic(X, T, W, b):
    delta = (activations.sigmoid(X @ W + b) - T) / len(X)
    return X.T @ delta, delta.sum(axis=0)


def _adam(theta, g, m, v, t, eta, beta1, beta2, eps):
    m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
    step = eta * m / (1 - beta1 ** t) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return theta - step, m, v


ANSWERS = {
    "check_linear_gradient": linear.gradient,
    "check_sigmoid_derivative": activations.sigmoid_derivative,
    "check_logistic_gradient": _logistic,
    "check_numerical_gradient": gradcheck.numerical_gradient,
    "check_two_layer_backward": two_layer.backward,
    "check_delta_backward": mlp.backward,
    "check_matmul": lambda a, b: a @ b,
    "check_he_init": lambda sizes, *, rng=0: init.init_params(sizes, "he_normal", rng=rng),
    "check_adam_step": _adam,
}


def test_every_checker_is_exported_and_covered():
    checkers = {name for name in exercises.__all__ if name.startswith("check_")}
    assert checkers == set(ANSWERS)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_bplib_is_correct_quietly(name, capsys):
    np.random.seed(20260101)
    before = np.random.get_state()
    verdict = getattr(exercises, name)(ANSWERS[name])
    after = np.random.get_state()
    assert verdict.correct and verdict.mistake is None, verdict.message
    assert capsys.readouterr().out == verdict.message + "\n"
    assert before[0] == after[0] and np.array_equal(before[1], after[1])
    assert before[2:] == after[2:]


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_stub_verdict_is_the_same_every_time(name, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError
    first = getattr(exercises, name)(stub)
    second = getattr(exercises, name)(stub)
    assert first.mistake == "not-implemented" and first.message == second.message
    assert "not implemented yet (it raises NotImplementedError)" in first.message


def test_docstrings_name_every_recognised_mistake():
    from bplib.exercises import engine, layers, neuron, training
    pairs = [(neuron.LINEAR_GRADIENT, neuron.check_linear_gradient),
             (neuron.SIGMOID_DERIVATIVE, neuron.check_sigmoid_derivative),
             (neuron.LOGISTIC_GRADIENT, neuron.check_logistic_gradient),
             (neuron.NUMERICAL_GRADIENT, neuron.check_numerical_gradient),
             (layers.TWO_LAYER_BACKWARD, layers.check_two_layer_backward),
             (layers.DELTA_BACKWARD, layers.check_delta_backward),
             (engine.MATMUL, engine.check_matmul),
             (training.ADAM_STEP, training.check_adam_step)]
    for exercise, checker in pairs:
        for mistake in exercise.mistakes:
            assert f'"{mistake.key}"' in checker.__doc__, (checker.__name__, mistake.key)
