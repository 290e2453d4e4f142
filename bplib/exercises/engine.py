"""Checker for the exercise of chapter 5: a new operation in the autodiff engine.

:func:`check_matmul` takes the reader's ``matmul(a, b)``, a function of two
:class:`bplib.autodiff.Tensor` that returns their matrix product as a new
node of the graph with its vector-Jacobian products,
:eq:`eq-ad-vjp-matmul`. It builds the product, runs the engine's reverse
sweep from the scalar ``sum(R * C)`` with a random ``R`` (so that the
output's adjoint is ``R``) and compares the value and both adjoints with
``bplib``'s own ``@``, and with central differences. How the reader makes
the node (``autodiff.operation`` or the three beats by hand) does not
matter.
"""

import numpy as np

from ..autodiff import Tensor
from .core import AnswerShapeError, Case, Exercise, Mistake, central_differences, run

__all__ = ["check_matmul"]


def _cases():
    cases = []
    specs = [("A (3, 3) @ B (3, 3)", (3, 3), (3, 3), "both"),
             ("A (1, 4) @ B (4, 2): one row", (1, 4), (4, 2), "both"),
             ("A (5, 3) @ B (3, 2), B a constant", (5, 3), (3, 2), "constant"),
             ("A (3, 3) @ A: A used twice", (3, 3), (3, 3), "fan-out"),
             ("A (4, 2) @ B (2, 6)", (4, 2), (2, 6), "both")]
    for seed, (label, shape_a, shape_b, kind) in enumerate(specs):
        rng = np.random.default_rng(seed)
        A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
        if kind == "fan-out":
            B = A
        R = rng.normal(size=(shape_a[0], shape_b[1]))  # the adjoint of C
        cases.append(Case(f"{label}, seed {seed}", (A, B, R, kind)))
    return tuple(cases)


def _names(A, B, R, kind):
    return ("C", "dA") if kind in ("constant", "fan-out") else ("C", "dA", "dB")


def _outputs(C, dA, dB, kind):
    if kind == "fan-out":
        return C, dA + dB  # A receives both shares
    return (C, dA) if kind == "constant" else (C, dA, dB)


def _reference(A, B, R, kind):
    tA = Tensor(A)
    tB = tA if kind == "fan-out" else Tensor(B, requires_grad=kind != "constant")
    C = tA @ tB
    (C * R).sum().backward()
    return (C.value, tA.grad) if kind != "both" else (C.value, tA.grad, tB.grad)


def _numerical(A, B, R, kind):
    if kind == "fan-out":
        return None, central_differences(lambda P: float(np.sum(R * (P @ P))), A)
    dA = central_differences(lambda P: float(np.sum(R * (P @ B))), A)
    if kind == "constant":
        return None, dA
    return None, dA, central_differences(lambda P: float(np.sum(R * (A @ P))), B)


def _call(answer, A, B, R, kind):
    tA = Tensor(A, name="A")
    tB = tA if kind == "fan-out" else Tensor(B, name="B", requires_grad=kind != "constant")
    C = answer(tA, tB)  # fresh Tensors each time: no copies (run() silences warnings)
    if C is None:
        return None
    if not isinstance(C, Tensor):
        raise TypeError(f"matmul must return a Tensor, the output node of the graph, got "
                        f"{type(C).__name__}")
    if C.shape != (A.shape[0], B.shape[1]):
        raise AnswerShapeError(f"matmul returned a Tensor of shape {C.shape}; A @ B for A of "
                               f"shape {A.shape} and B of shape {B.shape} has shape "
                               f"{(A.shape[0], B.shape[1])}")
    try:
        (C * R).sum().backward()
    except TypeError as error:
        if kind == "constant" and "NoneType" in str(error):
            raise TypeError(
                "matmul's VJP adds into the adjoint of a constant (B.grad is None because B "
                "has requires_grad=False): add into a parent's grad only if "
                "parent.requires_grad, or make the node with autodiff.operation, which "
                "does that for you") from None
        raise
    zeros = np.zeros_like
    dA = zeros(A) if tA.grad is None else tA.grad
    dB = zeros(B) if tB.grad is None or kind == "fan-out" else tB.grad
    return _outputs(C.value, dA, dB if kind != "fan-out" else zeros(A), kind)


def _variant(dA_of, dB_of):
    """The outputs when the VJPs are ``dA_of(A, B, g)`` and ``dB_of(A, B, g)``."""
    def produce(A, B, R, kind):
        dA = dA_of(A, B, R)
        dB = dB_of(A, B, R)
        if kind == "fan-out":
            return A @ A, dA + dB
        return (A @ B, dA) if kind == "constant" else (A @ B, dA, dB)
    return produce


def _right_dA(A, B, g):
    return g @ B.T  # eq-ad-vjp-matmul


def _right_dB(A, B, g):
    return A.T @ g  # eq-ad-vjp-matmul


def _overwritten(which):
    def produce(A, B, R, kind):
        if kind != "fan-out":
            return _variant(_right_dA, _right_dB)(A, B, R, kind)
        last = _right_dB(A, A, R) if which == "b" else _right_dA(A, A, R)
        return A @ A, last
    return produce


MATMUL = Exercise(
    name="matmul",
    parameters=("a", "b"),
    outputs=_names,
    cases=_cases(),
    reference=_reference,
    reference_name="the engine's own @",
    summary="square, one-row and wide products; a constant B; A @ A",
    numerical=_numerical,
    call=_call,
    returns="a Tensor",
    mistakes=(
        Mistake("missing-transpose", "a missing transpose in the VJP: the adjoint of A is "
                "g @ B.T and that of B is A.T @ g",
                _variant(lambda A, B, g: g @ B, _right_dB)),
        Mistake("missing-transpose", "a missing transpose in the VJP: the adjoint of A is "
                "g @ B.T and that of B is A.T @ g",
                _variant(_right_dA, lambda A, B, g: A @ g)),
        Mistake("missing-transpose", "missing transposes in the VJP: the adjoint of A is "
                "g @ B.T and that of B is A.T @ g",
                _variant(lambda A, B, g: g @ B, lambda A, B, g: A @ g)),
        Mistake("operands-swapped", "the factors of a VJP in the wrong order: the adjoint "
                "of A is g @ B.T (not B.T @ g), that of B is A.T @ g (not g @ A.T)",
                _variant(lambda A, B, g: B.T @ g, lambda A, B, g: g @ A.T)),
        Mistake("adjoint-ignored", "the output's adjoint g left out of the VJP: the "
                "adjoint of A is g @ B.T, not a sum of B's entries",
                _variant(lambda A, B, g: np.ones_like(g) @ B.T,
                         lambda A, B, g: A.T @ np.ones_like(g))),
        Mistake("overwrites-adjoint", "the adjoint overwritten (=) instead of added to "
                "(+=): a tensor used twice must receive the sum of both shares",
                _overwritten("b")),
        Mistake("overwrites-adjoint", "the adjoint overwritten (=) instead of added to "
                "(+=): a tensor used twice must receive the sum of both shares",
                _overwritten("a")),
        Mistake("not-connected", "no adjoint reached A or B: the output node must list "
                "its parents and carry its VJP closure (out._backward = _backward, or "
                "autodiff.operation)",
                _variant(lambda A, B, g: np.zeros(A.shape), lambda A, B, g: np.zeros(B.shape))),
    ),
)


def check_matmul(matmul):
    """Check the reader's matrix product as an operation of the engine.

    Parameters
    ----------
    matmul : callable
        ``matmul(a, b) -> Tensor`` for Tensors ``a`` (n, m) and ``b``
        (m, k): the node of value ``a.value @ b.value`` whose VJPs give the
        parents' adjoints :eq:`eq-ad-vjp-matmul`. It must add (not assign)
        into an adjoint, and leave a constant's adjoint alone
        (``autodiff.operation`` does both).

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"missing-transpose"``,
        ``"operands-swapped"``, ``"adjoint-ignored"``,
        ``"overwrites-adjoint"``, ``"not-connected"``, ``"transpose"``.
        Adding into a constant's adjoint raises a TypeError that says so.
    """
    verdict = run(matmul, MATMUL)
    print(verdict.message)
    return verdict
