"""Checkers of chapters 1 and 2: every recognised mistake, written as a reader would."""

import numpy as np
import pytest

from bplib import exercises
from bplib.exercises import AnswerShapeError


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


# -- chapter 1 -------------------------------------------------------------------


def linear_right(X, T, W, b):
    E = X @ W + b - T
    return X.T @ E / len(X), E.sum(axis=0) / len(X)


def linear_sum(X, T, W, b):
    E = X @ W + b - T
    return X.T @ E, E.sum(axis=0)


def linear_two(X, T, W, b):
    E = X @ W + b - T
    return 2 * X.T @ E / len(X), 2 * E.sum(axis=0) / len(X)


def linear_sign(X, T, W, b):
    E = T - (X @ W + b)
    return X.T @ E / len(X), E.sum(axis=0) / len(X)


def linear_no_bias(X, T, W, b):
    E = X @ W - T
    return X.T @ E / len(X), E.sum(axis=0) / len(X)


def linear_db_mean(X, T, W, b):
    E = (X @ W + b - T) / len(X)
    return X.T @ E, E.mean(axis=0)


@pytest.mark.parametrize("answer, mistake", [
    (linear_sum, "missing-1/n"), (linear_two, "factor-2"), (linear_sign, "sign"),
    (linear_no_bias, "bias-left-out"), (linear_db_mean, "bias-averaged"),
])
def test_linear_mistakes(answer, mistake, capsys):
    verdict = exercises.check_linear_gradient(answer)
    assert not verdict.correct and verdict.mistake == mistake
    assert capsys.readouterr().out == verdict.message + "\n"


def test_linear_correct_and_sum_mistake_is_right_for_one_example(capsys):
    verdict = exercises.check_linear_gradient(linear_right)
    assert verdict.correct and verdict.mistake is None
    assert capsys.readouterr().out.startswith("linear_gradient: correct on all 3 cases")
    assert "right on the other one" in exercises.check_linear_gradient(linear_sum).message


def test_linear_wrong_shapes():
    def not_summed(X, T, W, b):
        E = X @ W + b - T
        return X.T @ E / len(X), E / len(X)

    def per_example(X, T, W, b):
        E = X @ W + b - T
        return X * E / len(X), E.sum(axis=0) / len(X)

    def transposed(X, T, W, b):
        E = X @ W + b - T
        return E.T @ X / len(X), E.sum(axis=0) / len(X)

    for answer, mistake, words in [(not_summed, "bias-not-summed", "not summed over the batch"),
                                   (per_example, "not-summed", "elementwise product"),
                                   (transposed, "transpose", "transpose")]:
        with pytest.raises(AnswerShapeError, match=words) as info:
            exercises.check_linear_gradient(answer)
        assert info.value.mistake == mistake


def test_linear_signature_and_stub(capsys):
    with pytest.raises(TypeError, match=r"linear_gradient must take the arguments \(X, T, W, b\)"):
        exercises.check_linear_gradient(lambda X, T, W: None)

    def stub(X, T, W, b):
        raise NotImplementedError
    verdict = exercises.check_linear_gradient(stub)
    assert verdict.mistake == "not-implemented"
    assert capsys.readouterr().out == (
        "linear_gradient: not implemented yet (it raises NotImplementedError). "
        "Write your code in its body and run the cell again.\n")


# -- chapter 2: sigma' ----------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda Z: sigmoid(Z) * (1 - sigmoid(Z)),  # overflow warning at -1000, right value
    lambda Z: np.exp(-np.logaddexp(0, -Z) - np.logaddexp(0, Z)),
])
def test_sigmoid_derivative_correct(answer):
    assert exercises.check_sigmoid_derivative(answer).correct


@pytest.mark.parametrize("answer, mistake", [
    (lambda Z: Z * (1 - Z), "formula-on-Z"),
    (lambda Z: sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z))), "sigma-twice"),
    (lambda Z: sigmoid(Z), "sigmoid-itself"),
    (lambda Z: sigmoid(Z) * (sigmoid(Z) - 1), "sign"),
    (lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2, "not-finite"),
])
def test_sigmoid_derivative_mistakes(answer, mistake):
    verdict = exercises.check_sigmoid_derivative(answer)
    assert not verdict.correct and verdict.mistake == mistake


def test_sigmoid_derivative_shape_and_stub():
    with pytest.raises(AnswerShapeError, match=r"returned dA_dZ of shape \(\)"):
        exercises.check_sigmoid_derivative(lambda Z: float(np.sum(Z)))
    assert exercises.check_sigmoid_derivative(lambda Z: None).mistake == "not-implemented"


# -- chapter 2: the cross-entropy gradient ----------------------------------------


def logistic(delta_of):
    def gradient(X, T, W, b):
        Z = X @ W + b
        delta = delta_of(Z, T, len(X))
        return X.T @ delta, delta.sum(axis=0)
    return gradient


def test_logistic_correct():
    verdict = exercises.check_logistic_gradient(logistic(lambda Z, T, n: (sigmoid(Z) - T) / n))
    assert verdict.correct


@pytest.mark.parametrize("delta_of, mistake", [
    (lambda Z, T, n: (sigmoid(Z) - T) / n * sigmoid(Z) * (1 - sigmoid(Z)), "sigma-prime-kept"),
    (lambda Z, T, n: sigmoid(Z) - T, "missing-1/n"),
    (lambda Z, T, n: (T - sigmoid(Z)) / n, "sign"),
])
def test_logistic_mistakes(delta_of, mistake):
    assert exercises.check_logistic_gradient(logistic(delta_of)).mistake == mistake


def test_logistic_bias_mistakes():
    def averaged(X, T, W, b):
        delta = (sigmoid(X @ W + b) - T) / len(X)
        return X.T @ delta, delta.mean(axis=0)

    def not_summed(X, T, W, b):
        delta = (sigmoid(X @ W + b) - T) / len(X)
        return X.T @ delta, delta
    assert exercises.check_logistic_gradient(averaged).mistake == "bias-averaged"
    with pytest.raises(AnswerShapeError, match="not summed") as info:
        exercises.check_logistic_gradient(not_summed)
    assert info.value.mistake == "bias-not-summed"


# -- chapter 2: central differences --------------------------------------------------


def differences(step):
    def numerical_gradient(f, P, h=1e-6):
        grad = np.zeros_like(P)
        for j in np.ndindex(P.shape):
            e = np.zeros_like(P)
            e[j] = h
            grad[j] = step(f, P, e, h)
        return grad
    return numerical_gradient


def test_numerical_gradient_correct():
    central = differences(lambda f, P, e, h: (f(P + e) - f(P - e)) / (2 * h))
    assert exercises.check_numerical_gradient(central).correct


@pytest.mark.parametrize("step, mistake", [
    (lambda f, P, e, h: (f(P + e) - f(P)) / h, "forward-difference"),
    (lambda f, P, e, h: (f(P) - f(P - e)) / h, "backward-difference"),
    (lambda f, P, e, h: (f(P + e) - f(P - e)) / h, "over-h"),
])
def test_numerical_gradient_mistakes(step, mistake):
    assert exercises.check_numerical_gradient(differences(step)).mistake == mistake


def test_numerical_gradient_not_restored():
    def in_place(f, P, h=1e-6):
        grad = np.zeros_like(P)
        for j in np.ndindex(P.shape):
            P[j] += h
            f_plus = f(P)
            P[j] -= 2 * h
            grad[j] = (f_plus - f(P)) / (2 * h)
        return grad
    assert exercises.check_numerical_gradient(in_place).mistake == "not-restored"
