"""Checker of chapter 5: the matrix product as an operation of the engine."""

import numpy as np
import pytest

from bplib import autodiff, exercises
from bplib.autodiff import Tensor
from bplib.exercises import AnswerShapeError


def by_hand(vjp_a=lambda a, b, g: g @ b.value.T, vjp_b=lambda a, b, g: a.value.T @ g,
            add=True, check=True, attach=True):
    """matmul in the engine's three beats, with its VJPs (and habits) as given."""
    def matmul(a, b):
        out = Tensor._node(a.value @ b.value, (a, b), "@")

        def _backward(g):
            for parent, vjp in ((a, vjp_a), (b, vjp_b)):
                if parent.requires_grad or not check:
                    if add:
                        parent.grad += vjp(a, b, g)
                    else:
                        parent.grad = vjp(a, b, g)
        if attach:
            out._backward = _backward
        return out
    return matmul


def test_correct_by_hand(capsys):
    verdict = exercises.check_matmul(by_hand())
    assert verdict.correct
    assert capsys.readouterr().out.startswith("matmul: correct on all 5 cases")


def test_correct_with_operation():
    def matmul(a, b):
        return autodiff.operation(a.value @ b.value, (a, b),
                                  (lambda g: g @ b.value.T, lambda g: a.value.T @ g), "@")
    assert exercises.check_matmul(matmul).correct


@pytest.mark.parametrize("kw, mistake", [
    ({"vjp_a": lambda a, b, g: g @ b.value}, "missing-transpose"),
    ({"vjp_b": lambda a, b, g: a.value @ g}, "missing-transpose"),
    ({"vjp_a": lambda a, b, g: b.value.T @ g, "vjp_b": lambda a, b, g: g @ a.value.T},
     "operands-swapped"),
    ({"vjp_a": lambda a, b, g: np.ones_like(g) @ b.value.T,
      "vjp_b": lambda a, b, g: a.value.T @ np.ones_like(g)}, "adjoint-ignored"),
    ({"add": False}, "overwrites-adjoint"),
    ({"attach": False}, "not-connected"),
    ({"vjp_b": lambda a, b, g: g.T @ a.value}, "transpose"),
])
def test_mistakes(kw, mistake):
    verdict = exercises.check_matmul(by_hand(**kw))
    assert not verdict.correct and verdict.mistake == mistake, verdict.message


def test_new_leaf_is_not_connected():
    verdict = exercises.check_matmul(lambda a, b: Tensor(a.value @ b.value))
    assert verdict.mistake == "not-connected"


def test_errors():
    with pytest.raises(TypeError, match="adds into the adjoint of a constant"):
        exercises.check_matmul(by_hand(check=False))
    with pytest.raises(TypeError, match="matmul must return a Tensor"):
        exercises.check_matmul(lambda a, b: a.value @ b.value)
    with pytest.raises(AnswerShapeError, match=r"matmul returned a Tensor of shape \(3, 3\)"):
        exercises.check_matmul(lambda a, b: Tensor(np.zeros((3, 3))) if a.shape != (3, 3)
                               else by_hand()(a, b))
    with pytest.raises(TypeError, match=r"matmul must take the arguments \(a, b\)"):
        exercises.check_matmul(lambda a: a)


def test_stubs():
    def stub(a, b):
        raise NotImplementedError
    assert exercises.check_matmul(stub).mistake == "not-implemented"
    assert exercises.check_matmul(by_hand(vjp_a=lambda a, b, g: (_ for _ in ()).throw(
        NotImplementedError))).mistake == "not-implemented"
