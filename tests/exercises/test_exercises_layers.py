"""Checkers of chapters 3 and 4: every recognised mistake, written as a reader would."""

import pytest

from bplib import exercises
from bplib.activations import get_activation, sigmoid, sigmoid_derivative
from bplib.exercises import AnswerShapeError


def two_layer(dY=lambda Y, T, n: (Y - T) / n, d2=lambda Z2, Y: sigmoid_derivative(Z2),
              d1=lambda Z1, H1: sigmoid_derivative(Z1), dW2=lambda X, H1, d: H1.T @ d,
              dW1=lambda X, d: X.T @ d, db=lambda d: d.sum(axis=0)):
    def backward(T, params, cache):
        X, Z1, H1, Z2, Y = cache
        delta2 = dY(Y, T, len(X)) * d2(Z2, Y)
        delta1 = (delta2 @ params.W2.T) * d1(Z1, H1)
        return dW1(X, delta1), db(delta1), dW2(X, H1, delta2), db(delta2)
    return backward


def test_two_layer_correct_written_out():
    def backward(T, params, cache):
        X, Z1, H1, Z2, Y = cache
        delta2 = (Y - T) / len(X) * Y * (1 - Y)
        delta1 = delta2 @ params.W2.T * H1 * (1 - H1)
        return X.T @ delta1, delta1.sum(axis=0), H1.T @ delta2, delta2.sum(axis=0)
    assert exercises.check_two_layer_backward(backward).correct
    assert exercises.check_two_layer_backward(two_layer()).correct


@pytest.mark.parametrize("kw, mistake", [
    ({"dW2": lambda X, H1, d: X.T @ d}, "input-for-activation"),
    ({"dY": lambda Y, T, n: Y - T}, "missing-1/n"),
    ({"dY": lambda Y, T, n: 2 * (Y - T) / n}, "factor-2"),
    ({"dY": lambda Y, T, n: (T - Y) / n}, "sign"),
    ({"d1": lambda Z1, H1: sigmoid_derivative(Z1) ** 2}, "sigma-prime-twice"),
    ({"d1": lambda Z1, H1: sigmoid_derivative(Z1) ** 2,
      "d2": lambda Z2, Y: sigmoid_derivative(Z2) ** 2}, "sigma-prime-twice"),
    ({"d1": lambda Z1, H1: sigmoid_derivative(H1)}, "sigma-prime-of-activation"),
    ({"d2": lambda Z2, Y: sigmoid(Y) * (1 - sigmoid(Y))}, "sigma-prime-of-activation"),
    ({"d1": lambda Z1, H1: 1.0}, "sigma-prime-missing"),
    ({"db": lambda d: d.mean(axis=0)}, "bias-averaged"),
    ({"dW1": lambda X, d: d.T @ X}, "transpose"),
])
def test_two_layer_mistakes(kw, mistake):
    verdict = exercises.check_two_layer_backward(two_layer(**kw))
    assert not verdict.correct and verdict.mistake == mistake


def test_two_layer_two_mistakes_both_named():
    verdict = exercises.check_two_layer_backward(two_layer(
        dW2=lambda X, H1, d: X.T @ d, d1=lambda Z1, H1: sigmoid_derivative(H1)))
    assert set(verdict.mistakes) == {"input-for-activation", "sigma-prime-of-activation"}
    assert "Likely cause of dW2: X used where the hidden activation H1 belongs" in verdict.message


def test_two_layer_wrong_shapes_and_stub():
    with pytest.raises(AnswerShapeError, match="not summed over the batch") as info:
        exercises.check_two_layer_backward(two_layer(db=lambda d: d))
    assert info.value.mistake == "bias-not-summed"
    with pytest.raises(TypeError, match=r"must return 4 arrays, \(dW1, db1, dW2, db2\)"):
        exercises.check_two_layer_backward(lambda T, params, cache: (1.0, 2.0))
    with pytest.raises(TypeError, match=r"must take the arguments \(T, params, cache\)"):
        exercises.check_two_layer_backward(lambda X, T, params, cache: None)

    def stub(T, params, cache):
        X, Z1, H1, Z2, Y = cache
        raise NotImplementedError
    assert exercises.check_two_layer_backward(stub).mistake == "not-implemented"


# -- chapter 4 -------------------------------------------------------------------


def f_prime(cache, l, at="Z"):
    df = get_activation(cache.activations[l - 1]).derivative
    return df(cache.Z[l] if at == "Z" else cache.A[l])


def recursion(inp=lambda cache, l: cache.A[l - 1], back=lambda d, W: d @ W.T,
              deriv=lambda cache, l: f_prime(cache, l), scale=lambda n: 1.0,
              db=lambda d: d.sum(axis=0), recurse=True, last=1):
    def backward(delta, params, cache):
        grads, output_delta, n = {}, delta, len(delta)
        for l in range(len(cache.Z), last - 1, -1):
            grads[f"W{l}"] = inp(cache, l).T @ delta * scale(n)
            grads[f"b{l}"] = db(delta) * scale(n)
            if l > 1:
                delta = back(delta, params[f"W{l}"]) * deriv(cache, l - 1) if recurse \
                    else output_delta
        return grads
    return backward


def test_delta_correct():
    verdict = exercises.check_delta_backward(recursion())
    assert verdict.correct, verdict.message
    assert "1 to 4 layers" in verdict.message


@pytest.mark.parametrize("kw, mistake", [
    ({"inp": lambda cache, l: cache.A[l]}, "output-for-input"),
    ({"inp": lambda cache, l: cache.A[0]}, "input-for-activation"),
    ({"back": lambda d, W: d @ W}, "transpose"),
    ({"deriv": lambda cache, l: f_prime(cache, l + 1)}, "derivative-wrong-layer"),
    ({"deriv": lambda cache, l: get_activation(cache.activations[l]).derivative(cache.Z[l])},
     "derivative-wrong-layer"),
    ({"deriv": lambda cache, l: f_prime(cache, l, at="A")}, "derivative-of-activation"),
    ({"deriv": lambda cache, l: 1.0}, "derivative-missing"),
    ({"deriv": lambda cache, l: f_prime(cache, l) ** 2}, "derivative-twice"),
    ({"recurse": False}, "no-recursion"),
    ({"scale": lambda n: 1.0 / n}, "extra-1/n"),
    ({"db": lambda d: d.mean(axis=0)}, "bias-averaged"),
])
def test_delta_mistakes(kw, mistake):
    verdict = exercises.check_delta_backward(recursion(**kw))
    assert not verdict.correct and verdict.mistake == mistake, verdict.message


def test_delta_errors_and_stub():
    with pytest.raises(TypeError, match=r"lacks W1, b1 \(does the loop stop before layer 1\?\)"):
        exercises.check_delta_backward(recursion(last=2))
    with pytest.raises(TypeError, match="must return a dict of gradients keyed like params"):
        exercises.check_delta_backward(lambda delta, params, cache: [delta])
    with pytest.raises(AnswerShapeError, match="not summed over the batch") as info:
        exercises.check_delta_backward(recursion(db=lambda d: d))
    assert info.value.mistake == "bias-not-summed"
    verdict = exercises.check_delta_backward(lambda delta, params, cache: None)
    assert verdict.mistake == "not-implemented"


def test_delta_case_batches_include_one():
    from bplib.exercises.layers import DELTA_BACKWARD
    batches = {len(case.args[0]) for case in DELTA_BACKWARD.cases}
    depths = {len(case.args[2].Z) for case in DELTA_BACKWARD.cases}
    assert 1 in batches and {1, 2, 3, 4} <= depths


def test_an_answer_that_writes_into_the_cache_cannot_spoil_later_checks():
    def vandal(delta, params, cache):
        for l in cache.Z:
            cache.Z[l] *= 0.0
            cache.A[l] *= 0.0
        params["W1"] *= 0.0
        return recursion()(delta, params, cache)
    assert not exercises.check_delta_backward(vandal).correct
    assert exercises.check_delta_backward(recursion()).correct
