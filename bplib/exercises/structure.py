"""Checker for the exercise of chapter 8: a convolution's input gradient.

:func:`check_conv_input_gradient` takes the reader's
``conv_input_gradient(dZ, W)``: the gradient of the loss with respect to the
input of a 2-D convolutional layer (stride 1, no padding), given the deltas
``dZ`` of its output and its weights ``W``, :eq:`eq-conv-dX`. It compares the
answer with :func:`bplib.conv.conv2d_backward` and with central differences,
on batches of 2, 1 and 3, square and rectangular kernels, and as many or
fewer input channels than filters. It names the classic slips: the kernel
not flipped, the input and output channels not swapped, and a valid
correlation where the full one belongs.
"""

import numpy as np

from .. import conv
from .core import Case, Exercise, Mistake, central_differences, run

__all__ = ["check_conv_input_gradient"]


def _cases():
    cases = []
    specs = [  # (n, C_in, C_out, H, W, kh, kw): equal channel counts first
        (2, 2, 2, 5, 5, 3, 3),
        (1, 3, 3, 4, 6, 2, 3),
        (3, 1, 4, 6, 5, 3, 2),
        (2, 3, 2, 5, 4, 2, 2),
    ]
    for seed, (n, c_in, c_out, h, w, kh, kw) in enumerate(specs):
        rng = np.random.default_rng(seed)
        W = rng.normal(size=(c_out, c_in, kh, kw))
        dZ = rng.normal(size=(n, c_out, h - kh + 1, w - kw + 1))
        cases.append(Case(f"batch {n}, {c_in} -> {c_out} channels, {h}x{w} input, "
                          f"{kh}x{kw} kernel, seed {seed}", (dZ, W)))
    return tuple(cases)


def _input_shape(dZ, W):
    n, _, h_out, w_out = dZ.shape
    _, c_in, kh, kw = W.shape
    return n, c_in, h_out + kh - 1, w_out + kw - 1


def _reference(dZ, W):
    _, cache = conv.conv2d_forward(np.zeros(_input_shape(dZ, W)), W)
    return (conv.conv2d_backward(dZ, cache)[0],)  # eq-conv-dX


def _numerical(dZ, W):
    X = np.zeros(_input_shape(dZ, W))
    return (central_differences(lambda P: float(np.sum(dZ * conv.conv2d_forward(P, W)[0])),
                                X),)


def _full(dZ, kernel):
    """Correlate ``dZ``, padded by k - 1 on each side, with ``kernel``."""
    kh, kw = kernel.shape[2:]
    return conv.conv2d_forward(dZ, kernel, padding=(kh - 1, kw - 1))[0]


def _not_flipped(dZ, W):
    return (_full(dZ, W.transpose(1, 0, 2, 3)),)


def _not_swapped(dZ, W):
    flipped = W[:, :, ::-1, ::-1]
    if flipped.shape[1] != dZ.shape[1]:  # channels do not fit: only shows as a shape
        return (np.full(_input_shape(dZ, W), np.nan),)
    return (_full(dZ, flipped),)


CONV_INPUT_GRADIENT = Exercise(
    name="conv_input_gradient",
    parameters=("dZ", "W"),
    outputs=("dX",),
    cases=_cases(),
    reference=_reference,
    reference_name="bplib.conv.conv2d_backward",
    numerical=_numerical,
    returns="dX, of shape (n, C_in, H, W)",
    summary="batches of 2, 1 and 3; 3x3, 2x3, 3x2 and 2x2 kernels; 1 to 4 channels",
    mistakes=(
        Mistake("kernel-not-flipped", "the kernel not flipped: the input gradient is the "
                "full correlation of dZ with the kernel turned by 180 degrees",
                _not_flipped),
        Mistake("channels-not-swapped", "the kernel's input and output channels not "
                "swapped: dX has C_in channels, each summed over the C_out filters "
                "(W.transpose(1, 0, 2, 3))", _not_swapped,
                shape=lambda name, shape, dZ, W: (len(shape) == 4
                                                  and shape[1] == W.shape[0] != W.shape[1])),
        Mistake("valid-not-full", "a valid correlation where the full one belongs: pad dZ "
                "with k - 1 rows and columns of zeros on every side first", None,
                shape=lambda name, shape, dZ, W: (
                    len(shape) == 4 and shape[2:] == (dZ.shape[2] - W.shape[2] + 1,
                                                      dZ.shape[3] - W.shape[3] + 1))),
    ),
)


def check_conv_input_gradient(conv_input_gradient):
    """Check the reader's input gradient of a convolution, :eq:`eq-conv-dX`.

    Parameters
    ----------
    conv_input_gradient : callable
        ``conv_input_gradient(dZ, W) -> dX`` for ``dZ`` of shape
        (n, C_out, H_out, W_out) and ``W`` of shape (C_out, C_in, kh, kw)
        (stride 1, no padding, so ``H = H_out + kh - 1``), returning ``dX`` of
        shape (n, C_in, H, W).

    Returns
    -------
    bplib.exercises.core.Verdict
        Its ``mistake`` is one of ``"kernel-not-flipped"``,
        ``"channels-not-swapped"``, ``"valid-not-full"``, a generic cause, or
        ``"not-implemented"`` for the stub. The verdict is also printed.
    """
    verdict = run(conv_input_gradient, CONV_INPUT_GRADIENT)
    print(verdict.message)
    return verdict
