"""Checker of chapter 9 (one BPTT step): every recognised mistake, written as a reader would."""

import numpy as np
import pytest

from bplib.exercises import AnswerShapeError
from bplib.exercises.recurrent import check_bptt_step


def step(derivative=lambda h, h_prev: 1 - h ** 2, back=lambda delta, dh, W_h: delta @ W_h.T,
         dW_x=lambda x, h_prev, h, d: x.T @ d, dW_h=lambda x, h_prev, h, d: h_prev.T @ d,
         db=lambda d: d.sum(axis=0)):
    def bptt_step(dh, h, h_prev, x, W_h):
        delta = dh * derivative(h, h_prev)
        return back(delta, dh, W_h), dW_x(x, h_prev, h, delta), dW_h(x, h_prev, h, delta), db(
            delta)
    return bptt_step


def test_correct_answers():
    def written_out(dh, h, h_prev, x, W_h):
        delta = dh * (1 - h * h)
        return delta @ W_h.T, x.T @ delta, h_prev.T @ delta, np.sum(delta, axis=0)
    verdict = check_bptt_step(written_out)
    assert verdict.correct and verdict.mistake is None
    assert check_bptt_step(step()).correct


@pytest.mark.parametrize("kw, mistake", [
    ({"derivative": lambda h, p: 1.0}, "tanh-prime-missing"),
    ({"derivative": lambda h, p: 1 - p ** 2}, "tanh-prime-of-previous-state"),
    ({"derivative": lambda h, p: 1 - np.tanh(h) ** 2}, "tanh-applied-again"),
    ({"dW_h": lambda x, p, h, d: h.T @ d}, "new-state-for-previous"),
    ({"dW_h": lambda x, p, h, d: x.T @ d, "dW_x": lambda x, p, h, d: p.T @ d},
     "input-and-state-swapped"),
    ({"back": lambda delta, dh, W_h: delta @ W_h}, "W_h-not-transposed"),
    ({"back": lambda delta, dh, W_h: dh @ W_h.T}, "dh-for-delta"),
    ({"back": lambda delta, dh, W_h: -(delta @ W_h.T)}, "sign"),
    ({"dW_x": lambda x, p, h, d: d.T @ x}, "transpose"),
])
def test_mistakes_are_named(kw, mistake):
    verdict = check_bptt_step(step(**kw))
    assert not verdict.correct and verdict.mistake == mistake, verdict.message


def test_wrong_shapes_signature_and_stub():
    with pytest.raises(AnswerShapeError, match="not summed over the batch") as info:
        check_bptt_step(step(db=lambda d: d))
    assert info.value.mistake == "bias-not-summed"
    with pytest.raises(TypeError, match=r"must take the arguments \(dh, h, h_prev, x, W_h\)"):
        check_bptt_step(lambda dh, h, x, W_h: None)
    with pytest.raises(TypeError, match=r"must return 4 arrays"):
        check_bptt_step(lambda dh, h, h_prev, x, W_h: (dh, dh))

    def stub(dh, h, h_prev, x, W_h):
        raise NotImplementedError
    assert check_bptt_step(stub).mistake == "not-implemented"
