"""Checkers of chapters 6 and 7: He initialisation and one Adam step."""

import numpy as np
import pytest

from bplib import exercises, init
from bplib.exercises import AnswerShapeError


def he_with(std=lambda fan_in, fan_out: np.sqrt(2.0 / fan_in), draw="normal", bias=0.0,
            global_state=False, fixed_seed=False, transpose=False):
    def he_init(sizes, *, rng=0):
        rng = np.random.default_rng(0 if fixed_seed else rng)
        params = {}
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            s = std(fan_in, fan_out)
            shape = (fan_out, fan_in) if transpose else (fan_in, fan_out)
            if global_state:
                W = np.random.normal(0.0, s, size=shape)
            elif draw == "uniform":
                W = rng.uniform(-s, s, size=shape)
            elif draw == "positive":
                W = rng.uniform(0.0, s, size=shape)
            else:
                W = rng.normal(0.0, s, size=shape)
            params[f"W{l}"], params[f"b{l}"] = W, np.full(fan_out, bias)
        return params
    return he_init


@pytest.mark.parametrize("answer", [
    he_with(), he_with(std=lambda i, o: np.sqrt(6.0 / i), draw="uniform"),
    lambda sizes, *, rng=0: init.init_params(sizes, "he_normal", rng=rng),
    lambda sizes, *, rng=0: init.init_params(sizes, "he_uniform", rng=rng),
])
def test_he_correct(answer, capsys):
    verdict = exercises.check_he_init(answer)
    assert verdict.correct, verdict.message
    assert capsys.readouterr().out.startswith("he_init: correct")


@pytest.mark.parametrize("answer, mistake", [
    (he_with(std=lambda i, o: np.sqrt(2.0 / o)), "fan-out"),
    (he_with(std=lambda i, o: np.sqrt(2.0 / (i + o))), "xavier"),
    (he_with(std=lambda i, o: np.sqrt(1.0 / i)), "missing-2"),
    (he_with(std=lambda i, o: 2.0 / i), "std-for-variance"),
    (he_with(std=lambda i, o: np.sqrt(2.0 / i), draw="uniform"), "uniform-limit"),
    (he_with(std=lambda i, o: 1.0), "standard-normal"),
    (he_with(std=lambda i, o: np.sqrt(6.0 / i), draw="positive"), "nonzero-mean"),
    (he_with(bias=0.1), "bias-not-zero"),
    (he_with(global_state=True), "ignores-rng"),
    (he_with(fixed_seed=True), "ignores-rng"),
])
def test_he_mistakes(answer, mistake):
    verdict = exercises.check_he_init(answer)
    assert not verdict.correct and verdict.mistake == mistake, verdict.message


def test_he_errors_and_stub():
    with pytest.raises(AnswerShapeError, match="W1 of shape .* a transpose") as info:
        exercises.check_he_init(he_with(transpose=True))
    assert info.value.mistake == "transpose"
    with pytest.raises(TypeError, match=r"he_init must take the arguments \(sizes, \*, rng\)"):
        exercises.check_he_init(lambda sizes: {})

    def rng_without_default(sizes, *, rng):
        return he_with()(sizes, rng=rng)
    assert exercises.check_he_init(rng_without_default).correct
    with pytest.raises(TypeError, match="must return the keys W1, b1, W2, b2"):
        exercises.check_he_init(lambda sizes, *, rng=0: {"W1": np.zeros((sizes[0], sizes[1]))})

    def stub(sizes, *, rng=0):
        raise NotImplementedError
    assert exercises.check_he_init(stub).mistake == "not-implemented"
    assert exercises.check_he_init(lambda sizes, *, rng=0: None).mistake == "not-implemented"


# -- chapter 7 ---------------------------------------------------------------------


def adam_with(correct_m=True, correct_v=True, shift=0, eps_inside=False, root=np.sqrt,
              square=True, swap=False, sign=1.0, old_state=False):
    def adam_step(theta, g, m, v, t, eta=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        a1, a2 = (1 - beta1, 1 - beta2) if swap else (beta1, beta2)
        m_new = a1 * m + (1 - a1) * g
        v_new = a2 * v + (1 - a2) * (g ** 2 if square else g)
        m_hat = m_new / (1 - beta1 ** (t + shift)) if correct_m else m_new
        v_hat = v_new / (1 - beta2 ** (t + shift)) if correct_v else v_new
        denominator = np.sqrt(v_hat + eps) if eps_inside else root(v_hat) + eps
        theta = theta - sign * eta * m_hat / denominator
        return (theta, m, v) if old_state else (theta, m_new, v_new)
    return adam_step


def test_adam_correct(capsys):
    verdict = exercises.check_adam_step(adam_with())
    assert verdict.correct
    assert capsys.readouterr().out.startswith("adam_step: correct on all 5 cases")


@pytest.mark.parametrize("kw, mistake", [
    ({"correct_m": False, "correct_v": False}, "no-bias-correction"),
    ({"correct_v": False}, "bias-correction-m-only"),
    ({"correct_m": False}, "bias-correction-v-only"),
    ({"shift": 1}, "step-count-off-by-one"),
    ({"eps_inside": True}, "eps-inside-sqrt"),
    ({"root": lambda x: x}, "no-sqrt"),
    ({"square": False}, "g-not-squared"),
    ({"swap": True}, "betas-swapped"),
    ({"sign": -1.0}, "sign"),
    ({"old_state": True}, "state-not-returned"),
])
def test_adam_mistakes(kw, mistake):
    verdict = exercises.check_adam_step(adam_with(**kw))
    assert not verdict.correct and verdict.mistake == mistake, verdict.message


def test_adam_errors_and_stub():
    with pytest.raises(TypeError, match="adam_step must take the arguments"):
        exercises.check_adam_step(lambda theta, g: theta)
    with pytest.raises(TypeError, match=r"must return 3 arrays, \(theta, m, v\)"):
        exercises.check_adam_step(lambda theta, g, m, v, t, eta, b1, b2, eps: theta)

    def stub(theta, g, m, v, t, eta=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError
    assert exercises.check_adam_step(stub).mistake == "not-implemented"
