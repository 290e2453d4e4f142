"""Chapter 8's bad-input catalogue, in the form of ``test_bad_inputs.py``.

Each case is ``(callable, args, kwargs, exception type, regex)``: a public
function of ``bplib.conv``, ``bplib.norm``, ``bplib.layers`` or
``bplib.residual`` called as a reader might, with one thing wrong; the
message must name the argument and say what was expected.
"""

import re

import numpy as np
import pytest

from bplib import conv, layers, norm, residual

X4 = np.ones((2, 3, 5, 5))  # two images, three channels, 5 x 5
W4 = np.ones((4, 3, 3, 3))  # four 3 x 3 filters over three channels
X2 = np.arange(12.0).reshape(4, 3)
NET = residual.init_params(3, 3, rng=0)
_, BN_CACHE = norm.batch_norm_forward(X2, np.ones(3), np.zeros(3))
_, CONV_CACHE = conv.conv2d_forward(X4, W4)
_, POOL_CACHE = conv.max_pool_forward(X4, 2)


def case(id, func, args=(), kwargs=None, error=ValueError, match=""):
    return pytest.param(func, args, kwargs or {}, error, match, id=id)


CATALOGUE = [
    # --- convolution ----------------------------------------------------------
    case("conv-kernel-larger-than-padded-input", conv.conv2d_forward,
         (np.ones((1, 3, 2, 2)), W4),
         match=r"the kernel \(3x3\) is larger than the padded input \(2x2"),
    case("conv-kernel-larger-even-with-padding", conv.conv2d_forward,
         (np.ones((1, 3, 1, 4)), np.ones((4, 3, 4, 4))), {"padding": 1},
         match=r"the kernel \(4x4\) is larger than the padded input \(3x6"),
    case("conv-channel-mismatch", conv.conv2d_forward, (np.ones((2, 2, 5, 5)), W4),
         match=r"X has 2 channels but W expects 3"),
    case("conv-stride-zero", conv.conv2d_forward, (X4, W4), {"stride": 0},
         match=r"stride must be >= 1, got 0"),
    case("conv-stride-negative-pair", conv.conv2d_forward, (X4, W4), {"stride": (1, -2)},
         match=r"stride must be >= 1, got \(1, -2\)"),
    case("conv-stride-float", conv.conv2d_forward, (X4, W4), {"stride": 1.5},
         error=TypeError, match=r"stride must be an int or a pair of ints, got 1.5"),
    case("conv-padding-negative", conv.conv2d_forward, (X4, W4), {"padding": -1},
         match=r"padding must be >= 0, got -1"),
    case("conv-X-3d", conv.conv2d_forward, (np.ones((3, 5, 5)), W4),
         match=r"X must be 4-D, got a 3-D array of shape \(3, 5, 5\)"),
    case("conv-W-2d", conv.conv2d_forward, (X4, np.ones((3, 3))),
         match=r"W must be 4-D, got a 2-D array"),
    case("conv-bias-per-channel", conv.conv2d_forward, (X4, W4, np.zeros(3)),
         match=r"b must have shape \(4,\), one per output channel, got \(3,\)"),
    case("conv-X-nan", conv.conv2d_forward, (np.full((1, 3, 5, 5), np.nan), W4),
         match=r"X must be finite, got 75 NaN or infinite entries"),
    case("conv-dZ-wrong-shape", conv.conv2d_backward, (np.ones((2, 4, 2, 2)), CONV_CACHE),
         match=r"dZ must have the shape of the forward pass's output, \(2, 4, 3, 3\)"),
    case("conv-cache-not-a-cache", conv.conv2d_backward, (np.ones((2, 4, 3, 3)), {}),
         error=TypeError, match=r"cache must be the ConvCache of the forward pass, got dict"),
    case("conv1d-X-4d", conv.conv1d_forward, (X4, np.ones((2, 3, 2))),
         match=r"X must be 3-D, got a 4-D array"),
    case("conv1d-stride-pair", conv.conv1d_forward,
         (np.ones((1, 1, 5)), np.ones((1, 1, 2))), {"stride": (1, 1)},
         error=TypeError, match=r"stride of a 1-D convolution must be an int"),
    case("conv1d-kernel-longer-than-signal", conv.conv1d_forward,
         (np.ones((1, 1, 3)), np.ones((1, 1, 4))),
         match=r"the kernel \(1x4\) is larger than the padded input \(1x3"),
    case("col2im-wrong-rows", conv.col2im, (np.ones((5, 27)), (2, 3, 5, 5), 3, 3),
         match=r"cols must have shape \(18, 27\) for X_shape=\(2, 3, 5, 5\), got \(5, 27\)"),
    # --- pooling --------------------------------------------------------------
    case("pool-window-larger-than-input", conv.max_pool_forward, (np.ones((1, 1, 2, 2)), 3),
         match=r"the pooling window \(3x3\) is larger than the padded input \(2x2"),
    case("pool-size-zero", conv.avg_pool_forward, (X4, 0), match=r"size must be >= 1, got 0"),
    case("pool-stride-zero", conv.max_pool_forward, (X4, 2), {"stride": 0},
         match=r"stride must be >= 1, got 0"),
    case("pool-dY-wrong-shape", conv.max_pool_backward, (np.ones((2, 3, 3, 3)), POOL_CACHE),
         match=r"dY must have the shape of the forward pass's output, \(2, 3, 2, 2\)"),
    # --- normalisation --------------------------------------------------------
    case("bn-batch-of-one-training", norm.batch_norm_forward, (X2[:1], np.ones(3), np.zeros(3)),
         match=r"batch normalisation in training mode needs more than one value per "
               r"feature .* got X of shape \(1, 3\)"),
    case("bn-one-pixel-batch-of-one", norm.batch_norm_forward,
         (np.ones((1, 2, 1, 1)), np.ones(2), np.zeros(2)),
         match=r"more than one value per channel"),
    case("bn-gamma-shape", norm.batch_norm_forward, (X2, np.ones(4), np.zeros(3)),
         match=r"gamma must have shape \(3,\) for X of shape \(4, 3\), got \(4,\)"),
    case("bn-beta-shape", norm.batch_norm_forward, (X2, np.ones(3), np.zeros((3, 1))),
         match=r"beta must have shape \(3,\) for X of shape \(4, 3\), got \(3, 1\)"),
    case("bn-eps-zero", norm.batch_norm_forward, (X2, np.ones(3), np.zeros(3)), {"eps": 0},
         match=r"eps must be a positive number, got 0"),
    case("bn-X-3d", norm.batch_norm_forward, (np.ones((2, 3, 4)), np.ones(3), np.zeros(3)),
         match=r"X must be 2-D or 4-D, got a 3-D array"),
    case("bn-dY-shape", norm.batch_norm_backward, (np.ones((3, 3)), BN_CACHE),
         match=r"dY must have the shape of the forward pass's output, \(4, 3\)"),
    case("bn-momentum-above-one", norm.update_running,
         (norm.RunningStats.start(3), BN_CACHE), {"momentum": 2.0},
         match=r"momentum must lie in \(0, 1\], got 2.0"),
    case("bn-inference-running-wrong-type", norm.batch_norm_inference,
         (X2, np.ones(3), np.zeros(3), (np.zeros(3), np.ones(3))),
         error=TypeError, match=r"running must be a RunningStats, got tuple"),
    case("ln-gamma-shape", norm.layer_norm_forward, (X2, np.ones(4), np.zeros(4)),
         match=r"gamma must have shape \(3,\) for X of shape \(4, 3\), got \(4,\)"),
    # --- engine operations ----------------------------------------------------
    case("layers-bn-inference-without-running", layers.batch_norm,
         (X2, np.ones(3), np.zeros(3)), {"training": False},
         match=r"batch_norm at inference \(training=False\) needs running statistics"),
    case("layers-dropout-p-one", layers.dropout, (X2, 1.0), {"rng": 0},
         match=r"p must be a probability in \[0, 1\), got 1.0"),
    case("layers-conv-channel-mismatch", layers.conv2d, (np.ones((1, 2, 5, 5)), W4),
         match=r"X has 2 channels but W expects 3"),
    case("layers-dropout-rng-string", layers.dropout, (X2, 0.5), {"rng": "seed"},
         error=TypeError, match=r"rng must be an int seed or a numpy.random.Generator"),
    # --- residual networks ----------------------------------------------------
    case("res-width-mismatch", residual.forward, (np.ones((2, 4)), NET, "tanh"),
         match=r"X has 4 features but the network's width is 3"),
    case("res-unknown-norm", residual.forward, (np.ones((2, 3)), NET, "tanh"),
         {"norm": "group"}, match=r"norm must be one of \(None, 'batch', 'layer'\)"),
    case("res-batch-norm-batch-of-one", residual.forward, (np.ones((1, 3)), NET, "tanh"),
         {"norm": "batch"}, match=r"norm='batch' needs a batch of two or more examples"),
    case("res-unknown-activation", residual.forward, (np.ones((2, 3)), NET, "swish"),
         match=r"unknown activation 'swish'"),
    case("res-unknown-variant", residual.measure, (5, 4, "tanh", "resnet"),
         match=r"unknown variant 'resnet'; known variants are 'plain'"),
    case("res-depth-zero", residual.init_params, (0, 4),
         match=r"depth must be an integer >= 1, got 0"),
]


def test_catalogue_is_large_and_ids_unique():
    ids = [p.id for p in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 30


@pytest.mark.parametrize("func, args, kwargs, error, match", CATALOGUE)
def test_bad_input_is_refused_clearly(func, args, kwargs, error, match):
    with pytest.raises(error) as info:
        func(*args, **kwargs)
    assert type(info.value) is error, f"expected exactly {error.__name__}"
    message = str(info.value)
    assert re.search(match, message), f"message {message!r} does not match {match!r}"
