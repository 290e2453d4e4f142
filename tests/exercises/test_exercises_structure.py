"""Checker of chapter 8: a convolution's input gradient."""

import numpy as np
import pytest

from bplib import conv
from bplib.exercises import AnswerShapeError
from bplib.exercises.structure import check_conv_input_gradient


def full(dZ, kernel, pad=True):
    kh, kw = kernel.shape[2:]
    return conv.conv2d_forward(dZ, kernel, padding=(kh - 1, kw - 1) if pad else 0)[0]


def right(dZ, W):
    return full(dZ, W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))


def by_loops(dZ, W):
    """The scatter of eq-conv-dX written as a reader might: a loop over positions."""
    n, _, h_out, w_out = dZ.shape
    _, c_in, kh, kw = W.shape
    dX = np.zeros((n, c_in, h_out + kh - 1, w_out + kw - 1))
    for i in range(h_out):
        for j in range(w_out):
            dX[:, :, i:i + kh, j:j + kw] += np.einsum("no,ocuv->ncuv", dZ[:, :, i, j], W)
    return dX


@pytest.mark.parametrize("answer", [right, by_loops])
def test_correct(answer, capsys):
    verdict = check_conv_input_gradient(answer)
    assert verdict.correct, verdict.message
    assert capsys.readouterr().out.startswith("conv_input_gradient: correct on all 4 cases")


@pytest.mark.parametrize("answer, mistake", [
    (lambda dZ, W: full(dZ, W.transpose(1, 0, 2, 3)), "kernel-not-flipped"),
    (lambda dZ, W: full(dZ, W[:, :, ::-1, ::-1]), "channels-not-swapped"),
    (lambda dZ, W: -right(dZ, W), "sign"),
    (lambda dZ, W: 2 * right(dZ, W), None),  # a constant factor: a generic cause
])
def test_mistakes(answer, mistake):
    verdict = check_conv_input_gradient(answer)
    assert not verdict.correct
    if mistake is not None:
        assert verdict.mistake == mistake, verdict.message
    else:
        assert verdict.mistake is not None, verdict.message


def test_valid_instead_of_full_is_named_by_its_shape():
    with pytest.raises(AnswerShapeError) as info:
        check_conv_input_gradient(
            lambda dZ, W: full(dZ, W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3), pad=False))
    assert info.value.mistake == "valid-not-full"


def test_channels_not_swapped_shows_as_a_shape_when_the_counts_differ():
    def only_works_for_equal_channels(dZ, W):
        flipped = W[:, :, ::-1, ::-1]
        if W.shape[0] == W.shape[1]:
            return right(dZ, W)  # right on the first cases, then the slip
        return np.zeros((dZ.shape[0], W.shape[0]) + right(dZ, W).shape[2:]) + 0 * flipped.sum()
    with pytest.raises(AnswerShapeError) as info:
        check_conv_input_gradient(only_works_for_equal_channels)
    assert info.value.mistake == "channels-not-swapped"


def test_signature_and_stub():
    with pytest.raises(TypeError, match="conv_input_gradient must take"):
        check_conv_input_gradient(lambda dZ: dZ)

    def stub(dZ, W):
        raise NotImplementedError
    assert check_conv_input_gradient(stub).mistake == "not-implemented"
