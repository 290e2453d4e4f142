"""The bad-input catalogue: one parametrised test over the public API.

Each case is ``(callable, args, kwargs, exception type, regex)``; the regex
must match a message that names the offending argument and says what was
expected (often also what was received). Every case calls a public function
of ``bplib`` exactly as a reader might, with one thing wrong.

Removing the validation behind a case makes that case fail: either nothing
is raised, or NumPy's own error (a different type, or a message that names
no argument) comes out instead. This was checked by hand by deleting
validations one at a time (see the report in the pull request).
"""

import re

import numpy as np
import pytest

from bplib import (
    activations,
    autodiff,
    data,
    dual,
    gradcheck,
    init,
    jacobian,
    linear,
    losses,
    mlp,
    two_layer,
)

X = np.arange(8.0).reshape(4, 2) / 8  # four examples, two features
T = np.array([[0.0], [1.0], [1.0], [0.0]])  # (4, 1)
W = np.ones((2, 1))
NET = init.init_params([2, 3, 1], rng=0)
TL = two_layer.init_params(2, 3, 1, rng=0)


def _with(params, **changes):
    return {**params, **changes}


def _optional(module):
    """Chapter 6/7 modules: the cases that use them skip if they are missing."""
    try:
        return __import__(f"bplib.{module}", fromlist=[module])
    except ImportError:  # pragma: no cover - only before chapter 7 exists
        return None


optim, softmax, train, init, diagnostics, optimiser_explorer = (
    _optional(m) for m in ("optim", "softmax", "train", "init", "diagnostics",
                           "explorers.optimiser"))


def case(id, func, args=(), kwargs=None, error=ValueError, match=""):
    return pytest.param(func, args, kwargs or {}, error, match, id=id)


def _needs(module, id, *rest, **kw):
    if module is None:
        return pytest.param(None, (), {}, None, "", id=id,
                            marks=pytest.mark.skip(reason="module not written yet"))
    return case(id, *rest, **kw)


CATALOGUE = [
    # --- wrong shapes -------------------------------------------------------
    case("X-1d", linear.predict, (np.ones(4), W),
         match=r"X must be 2-D, got a 1-D array of shape \(4,\)"),
    case("X-features-vs-W", two_layer.forward, (np.ones((4, 3)), TL),
         match=r"X has 3 features but W1 expects 2"),
    case("W-shape", linear.gradient, (X, T, np.ones((3, 1))),
         match=r"W must have shape \(2, 1\) for X with 2 features, got W.shape=\(3, 1\)"),
    case("T-(n,)-vs-(n,1)-loss", losses.squared_error, (T, T.ravel()),
         match=r"Y and T must have the same shape.*reshape T with T.reshape\(\(4, 1\)\)"),
    case("T-(n,)-vs-(n,1)-linear", linear.gradient_descent, (X, T.ravel(), W, 0.1, 5),
         match=r"T must have shape \(4, 1\), one target per row of X.*T.reshape\(4, 1\)"),
    case("T-(n,)-vs-(n,1)-mlp", mlp.loss_and_gradients, (X, T.ravel(), NET, ["tanh", "sigmoid"]),
         match=r"Y and T must have the same shape, got Y.shape=\(4, 1\) and T.shape=\(4,\)"),
    case("T-rows", two_layer.loss_and_gradients, (X, T[:3], TL),
         match=r"Y and T must have the same shape, got Y.shape=\(4, 1\) and T.shape=\(3, 1\)"),
    case("matmul-inner-sizes", lambda a, b: autodiff.Tensor(a) @ autodiff.Tensor(b),
         (np.ones((2, 3)), np.ones((2, 2))),
         match=r"matmul needs 2-D operands whose inner sizes agree.*3 columns against 2 rows"),
    case("dual-tangent-shape", dual.Dual, (np.ones(3), np.ones(2)),
         match=r"tangent of shape \(2,\) does not fit value of shape \(3,\)"),
    case("backward-needs-seed", lambda: (autodiff.Tensor(np.ones(2)) * 2.0).backward(),
         match=r"backward\(\) without a seed gradient needs a scalar.*shape \(2,\)"),
    case("backward-on-a-constant",
         lambda: (autodiff.Tensor(np.ones(2), requires_grad=False) * 2.0).sum().backward(),
         match=r"backward\(\) needs a Tensor that depends on one with requires_grad=True"),
    case("loss-target-needs-gradient",
         lambda: autodiff.squared_error(autodiff.Tensor(np.ones((2, 1))),
                                        autodiff.Tensor(np.zeros((2, 1))) * 1.0),
         match=r"T must be a constant \(the losses do not differentiate their targets\)"),
    # --- wrong dtype ----------------------------------------------------------
    case("strings", activations.sigmoid, (["a", "b"],), error=TypeError,
         match=r"Z must hold real numbers, got an array of dtype <U1"),
    case("object-array", mlp.forward, (np.array([[1, None]], dtype=object), NET,
                                      ["tanh", "sigmoid"]),
         error=TypeError, match=r"X must hold real numbers, got an array of dtype object"),
    case("float32-in-gradcheck", gradcheck.check_gradient,
         (lambda x: float(x.sum()), np.ones(2), np.ones(2, np.float32)), error=TypeError,
         match=r"x must be a float64 NumPy array.*dtype float32"),
    case("activation-name-not-str", activations.get_activation, (3,), error=TypeError,
         match=r"activation name must be a string, got 3"),
    # --- NaN / inf in data or weights ---------------------------------------
    case("nan-in-X", two_layer.forward, (np.array([[np.nan, 0.0]]), TL),
         match=r"X must be finite, got 1 NaN or infinite entry"),
    case("inf-in-T", losses.binary_cross_entropy_with_logits,
         (np.zeros((2, 1)), np.array([[0.0], [np.inf]])),
         match=r"T must be finite, got 1 NaN or infinite entry"),
    case("inf-in-weights", mlp.forward, (X, _with(NET, W1=np.full((2, 3), np.inf)),
                                         ["tanh", "sigmoid"]),
         match=r"W1 must be finite, got 6 NaN or infinite entries"),
    case("nan-learning-rate", linear.gradient_descent, (X, T, W, float("nan"), 5),
         match=r"eta must be a positive number, got nan"),
    # --- empty batches -------------------------------------------------------
    case("empty-batch", linear.gradient, (np.ones((0, 2)), np.ones((0, 1)), W),
         match=r"X must not be empty, got shape \(0, 2\)"),
    case("empty-params", autodiff.value_and_grad, (lambda t: t, {}), error=TypeError,
         match=r"params must be a non-empty dict of arrays"),
    # --- learning rates and sizes <= 0, wrong types -----------------------------
    case("eta-zero", linear.gradient_descent, (X, T, W, 0.0, 5),
         match=r"eta must be a positive number, got 0.0"),
    case("eta-negative", two_layer.train, (X, T, TL, -0.5, 5),
         match=r"eta must be a positive number, got -0.5"),
    case("eta-bool", linear.lms, (X, T, W, True, 1), error=TypeError,
         match=r"eta must be a positive number, got True"),
    case("steps-zero", two_layer.train, (X, T, TL, 0.5, 0),
         match=r"steps must be an integer >= 1, got 0"),
    case("steps-float", linear.gradient_descent, (X, T, W, 0.1, 2.5), error=TypeError,
         match=r"steps must be an integer, got 2.5"),
    case("hidden-units-zero", two_layer.init_params, (2, 0),
         match=r"d_hidden must be an integer >= 1, got 0"),
    case("layer-size-zero", init.init_params, ([2, 0, 1],),
         match=r"sizes must list two or more positive layer sizes, got \[2, 0, 1\]: "
               r"sizes\[1\] is 0"),
    case("h-zero", gradcheck.numerical_gradient, (lambda x: 0.0, np.ones(2)), {"h": 0},
         match=r"h must be a positive number, got 0"),
    case("noise-negative", data.xor, (), {"noise": -1.0},
         match=r"noise must be a positive number, got -1.0"),
    case("noise-string", data.regression, (), {"noise": "a lot"}, error=TypeError,
         match=r"noise must be a real number, got 'a lot'"),
    case("correlation-one", data.regression, (), {"correlation": 1.0},
         match=r"correlation must lie strictly between -1 and 1, got 1.0"),
    # --- unknown names -------------------------------------------------------
    case("unknown-activation", mlp.forward, (X, NET, ["tanh", "sigmiod"]),
         match=r"unknown activation 'sigmiod'; known activations are 'sigmoid', 'tanh'"),
    case("unknown-loss", mlp.loss_and_gradients, (X, T, NET, ["tanh", "sigmoid"], "mse"),
         match=r"unknown loss 'mse'; known losses are 'squared_error'"),
    case("unknown-order", jacobian.input_gradient, (X, T, NET, ["tanh", "sigmoid"]),
         {"order": "middle_out"},
         match=r"order must be one of \('right_to_left', 'left_to_right'\), got 'middle_out'"),
    case("unknown-on-divergence", linear.gradient_descent, (X, T, W, 0.1, 5),
         {"on_divergence": "warn"}, match=r"on_divergence must be 'raise' or 'stop', got 'warn'"),
    case("activations-as-one-string", mlp.forward, (X, NET, "tanh"), error=TypeError,
         match=r"activations must be a list of 2 names.*\['tanh'\] \* 2"),
    case("activations-count", mlp.forward, (X, NET, ["tanh"]),
         match=r"activations must name one activation per layer, 2 for this network, got 1"),
    case("logits-loss-without-sigmoid", mlp.loss_and_gradients,
         (X, T, NET, ["tanh", "identity"], "binary_cross_entropy_with_logits"),
         match=r"loss 'binary_cross_entropy_with_logits' needs a 'sigmoid' output layer"),
    # --- integer-overflow-prone inputs --------------------------------------
    case("int-too-large-for-float-eta", linear.gradient_descent, (X, T, W, 10**400, 5),
         match=r"eta must be a finite positive number, got an integer of 401 digits"),
    case("int-too-large-for-float-data", linear.predict, ([[10**400, 1]], W), error=TypeError,
         match=r"X must hold real numbers, got an array of dtype object"),
    # --- values out of range --------------------------------------------------
    case("targets-outside-0-1", losses.binary_cross_entropy, (np.full((2, 1), 0.5),
                                                              np.array([[0.0], [2.0]])),
         match=r"T must lie in \[0, 1\], got values from 0 to 2"),
    case("rng-string", linear.lms, (X, T, W, 0.1, 1), {"rng": "seed"}, error=TypeError,
         match=r"rng must be an int seed or a numpy.random.Generator, got str"),
    # --- mismatched parameter structures ----------------------------------------
    case("params-missing-key", mlp.forward, (X, {"W1": NET["W1"], "b1": NET["b1"],
                                                 "W2": NET["W2"]}, ["tanh", "sigmoid"]),
         match=r"params must have the keys W1, b1, ..., WL, bL, got \['W1', 'W2', 'b1'\]"),
    case("params-layer-sizes", mlp.forward, (X, _with(NET, W2=np.ones((4, 1))),
                                             ["tanh", "sigmoid"]),
         match=r"layer-size mismatch: W2 has 4 rows but layer 1 has 3 units"),
    case("params-bias-shape", two_layer.forward, (X, TL._replace(b1=np.zeros(2))),
         match=r"b1 must have shape \(3,\) for W1.shape=\(2, 3\).*got b1.shape=\(2,\)"),
    case("params-as-list", two_layer.forward, (X, [TL.W1, TL.b1]), error=TypeError,
         match=r"params must be a Params \(W1, b1, W2, b2\), got list"),
    case("grads-keys", gradcheck.check_gradients, (lambda p: 0.0, {"a": 1.0},
                                                   {"b": np.ones(1)}),
         match=r"grads must be a dict with the keys \['b'\], got \['a'\]"),
    case("tangents-keys", dual.jvp, (lambda d: d["a"], {"a": np.ones(2)}, {"b": 1.0}),
         match=r"tangents has keys \['b'\] that params lacks"),
    # --- chapters 6 and 7 ---------------------------------------------------------
    _needs(optim, "optimiser-eta-zero", lambda: optim.SGD(0.0),
           match=r"eta must be a positive number, got 0.0"),
    _needs(optim, "optimiser-momentum-one", lambda: optim.Momentum(0.1, momentum=1.0),
           match=r"momentum must lie in \[0, 1\), got 1.0"),
    _needs(optim, "optimiser-keys", lambda: optim.SGD(0.1).step(
        {"W1": np.ones(2)}, {"W2": np.ones(2)}),
           match=r"params and grads must have the same keys, got \['W1'\] and \['W2'\]"),
    _needs(optim, "optimiser-int-params", lambda: optim.SGD(0.1).step(
        {"W1": np.ones(2, int)}, {"W1": np.ones(2)}), error=TypeError,
           match=r"params\['W1'\] must be a float ndarray"),
    _needs(softmax, "one-hot-float-labels", lambda: softmax.one_hot([0.0, 1.0]),
           match=r"labels must be a non-empty 1-D array of integers, got 1-D of dtype float64"),
    _needs(softmax, "softmax-targets-not-distributions",
           lambda: softmax.cross_entropy(np.zeros((2, 3)), np.ones((2, 3))),
           match=r"T must hold one probability distribution per row"),
    _needs(train, "train-batch-size-zero", lambda: train.train(
        X, softmax.one_hot([0, 1, 0, 1]), init.init_params([2, 2]), ["identity"],
        optim.SGD(0.1), batch_size=0),
           match=r"batch_size must be an integer >= 1, got 0"),
    _needs(train, "train-labels-not-one-hot", lambda: train.train(
        X, np.array([0, 1, 0, 1]), init.init_params([2, 2]), ["identity"], optim.SGD(0.1)),
           match=r"T must be 2-D, got a 1-D array of shape \(4,\)"),
    _needs(train, "train-optimiser-name", lambda: train.train(
        X, softmax.one_hot([0, 1, 0, 1]), init.init_params([2, 2]), ["identity"], "adam"),
           error=TypeError, match=r"optimiser must be a bplib.optim.Optimiser, got 'adam'"),
    _needs(optimiser_explorer, "unknown-optimiser-name",
           lambda: optimiser_explorer.make_optimiser("rmsprop", 0.1),
           match=r"unknown optimiser 'rmsprop'; known optimisers are \('sgd', 'momentum'"),
    _needs(init, "unknown-init-scheme", lambda: init.init_params([2, 3], "glorot"),
           match=r"unknown initialisation scheme 'glorot'; known schemes are"),
    _needs(diagnostics, "clip-max-norm-zero",
           lambda: diagnostics.clip_by_norm({"W1": np.ones((2, 2))}, 0),
           match=r"max_norm must be a positive number, got 0"),
    _needs(softmax, "one-hot-huge-label", lambda: softmax.one_hot([10**12]),
           match=r"labels must be class indices 0..K-1; their largest value, 1000000000000, "
                 r"makes K = labels.max\(\) \+ 1 = 1000000000001 classes"),
    _needs(softmax, "one-hot-huge-K", lambda: softmax.one_hot([0], 10**12),
           match=r"K=1000000000000 with 1 label makes a one-hot array of shape "
                 r"\(1, 1000000000000\), 1e\+12 entries"),
    _needs(optim, "cosine-eta-min-string", lambda: optim.cosine(0.1, 10, eta_min="a"),
           error=TypeError, match=r"eta_min must be a number >= 0, got 'a'"),
    _needs(optim, "cosine-eta-min-huge-int", lambda: optim.cosine(0.1, 10, eta_min=10**400),
           match=r"eta_min must be a finite number >= 0, got an integer of 401 digits"),
    _needs(optim, "cosine-epoch-negative", lambda: optim.cosine(0.1, 10)(-1),
           match=r"epoch must be an integer >= 0, got -1"),
    _needs(init, "init-fan-in-zero", lambda: init.weight_variance("he_normal", 0, 3),
           match=r"fan_in must be an integer >= 1, got 0"),
    _needs(init, "init-sizes-entry", lambda: init.init_params([2, 0, 1], "he_normal"),
           match=r"sizes must list two or more positive layer sizes, got \[2, 0, 1\]: "
                 r"sizes\[1\] is 0"),
    _needs(optim, "optimiser-grads-key-named", lambda: optim.SGD(0.1).step(
        {"W1": np.ones(2), "b1": np.ones(1)}, {"W1": np.ones(2), "b2": np.ones(1)}),
           match=r"grads lacks 'b1' and has 'b2', which params lacks"),
    _needs(optim, "optimiser-grads-shape", lambda: optim.SGD(0.1).step(
        {"W1": np.ones(2)}, {"W1": np.ones(3)}),
           match=r"grads\['W1'\] must have the shape of params\['W1'\], \(2,\), got \(3,\)"),
]


# --- second round (issue 23): the kinds an independent tester found -----------
layers, residual_net = _optional("layers"), _optional("residual")
_P1 = {"W1": np.ones(2)}
CATALOGUE += [
    # optimiser steps with gradients that are not real arrays, for every optimiser
    _needs(optim, "sgd-grads-list", lambda: optim.SGD(0.1).step(_P1, {"W1": [1.0, 2.0]}),
           error=TypeError,
           match=r"grads\['W1'\] must be an ndarray of real numbers, got list"),
    _needs(optim, "momentum-grads-complex", lambda: optim.Momentum(0.1).step(
        {"W1": np.ones(2)}, {"W1": np.ones(2) * 1j}), error=TypeError,
           match=r"grads\['W1'\] must be an ndarray of real numbers, got an array of "
                 r"dtype complex128"),
    _needs(optim, "adam-grads-strings", lambda: optim.Adam().step(
        {"W1": np.ones(2)}, {"W1": np.array(["a", "b"])}), error=TypeError,
           match=r"grads\['W1'\] must be an ndarray of real numbers, got an array of "
                 r"dtype <U1"),
    _needs(optim, "sgd-grads-scalar", lambda: optim.SGD(0.1).step(
        {"b1": np.ones(())}, {"b1": 1.0}), error=TypeError,
           match=r"grads\['b1'\] must be an ndarray of real numbers, got float"),
    # boolean options given non-booleans, every one in the public API
    case("tensor-requires-grad-string", autodiff.Tensor, (1.0,), {"requires_grad": "no"},
         error=TypeError, match=r"requires_grad must be True or False, got 'no'"),
    case("tensor-requires-grad-int", autodiff.Tensor, (1.0,), {"requires_grad": 0},
         error=TypeError, match=r"requires_grad must be True or False, got 0"),
    case("tensor-sum-keepdims-string", lambda: autodiff.Tensor(np.ones(2)).sum(keepdims="no"),
         error=TypeError, match=r"keepdims must be True or False, got 'no'"),
    case("tensor-mean-keepdims-none", lambda: autodiff.Tensor(np.ones(2)).mean(keepdims=None),
         error=TypeError, match=r"keepdims must be True or False, got None"),
    case("dual-sum-keepdims-string", lambda: dual.Dual(np.ones(2), np.ones(2)).sum(
        keepdims="yes"), error=TypeError, match=r"keepdims must be True or False, got 'yes'"),
    case("dual-mean-keepdims-int", lambda: dual.Dual(np.ones(2), np.ones(2)).mean(
        keepdims=1), error=TypeError, match=r"keepdims must be True or False, got 1"),
    case("hessian-bias-string", linear.hessian, (X,), {"bias": "yes"}, error=TypeError,
         match=r"bias must be True or False, got 'yes'"),
    case("max-stable-eta-bias-int", linear.max_stable_eta, (X,), {"bias": 1},
         error=TypeError, match=r"bias must be True or False, got 1"),
    _needs(layers, "batch-norm-training-string", lambda: layers.batch_norm(
        np.ones((4, 2)), np.ones(2), np.zeros(2), training="False"), error=TypeError,
           match=r"training must be True or False, got 'False'"),
    _needs(layers, "dropout-training-string", lambda: layers.dropout(
        np.ones((4, 2)), 0.5, rng=0, training="no"), error=TypeError,
           match=r"training must be True or False, got 'no'"),
    _needs(residual_net, "residual-flag-string", lambda: residual_net.forward(
        X, residual_net.init_params(2, 2), "tanh", residual="yes"), error=TypeError,
           match=r"residual must be True or False, got 'yes'"),
    _needs(train, "train-progress-string", lambda: train.train(
        X, softmax.one_hot([0, 1, 0, 1]), init.init_params([2, 2]), ["identity"],
        optim.SGD(0.1), progress="no"), error=TypeError,
           match=r"progress must be True or False, got 'no'"),
    # the clipping margin of the probability-space cross-entropy
    case("bce-eps-above-half", losses.binary_cross_entropy, (np.full((2, 1), 0.9),
                                                              np.ones((2, 1))),
         {"eps": 0.6}, match=r"eps must lie in \(0, 0.5\) so that \[eps, 1 - eps\] is a "
                             r"range, got 0.6"),
    case("bce-gradient-eps-half", losses.binary_cross_entropy_gradient,
         (np.full((2, 1), 0.9), np.ones((2, 1))), {"eps": 0.5},
         match=r"eps must lie in \(0, 0.5\).*got 0.5"),
    case("bce-eps-zero", losses.binary_cross_entropy, (np.full((2, 1), 0.9), np.ones((2, 1))),
         {"eps": 0.0}, match=r"eps must be a positive number, got 0.0"),
    # class labels out of range for the logits
    _needs(softmax, "accuracy-label-too-large",
           lambda: softmax.accuracy(np.zeros((2, 2)), np.array([0, 99])),
           match=r"labels must lie in 0..1 for Z with 2 columns, got values from 0 to 99"),
    _needs(softmax, "accuracy-label-negative",
           lambda: softmax.accuracy(np.zeros((2, 3)), np.array([-1, 2])),
           match=r"labels must lie in 0..2 for Z with 3 columns, got values from -1 to 2"),
    # reductions of the engines with an axis the array lacks
    case("tensor-sum-axis-missing", lambda: autodiff.Tensor(np.ones((2, 3))).sum(axis=2),
         match=r"axis 2 is out of range for an array of 2 axes \(valid: -2 to 1\)"),
    case("tensor-mean-axis-missing", lambda: autodiff.Tensor(np.ones(3)).mean(axis=-2),
         match=r"axis -2 is out of range for an array of 1 axis \(valid: -1 to 0\)"),
    case("tensor-sum-axis-repeated", lambda: autodiff.Tensor(np.ones((2, 3))).sum(
        axis=(1, -1)), match=r"axis must not repeat an axis, got \(1, -1\)"),
    case("tensor-mean-axis-float", lambda: autodiff.Tensor(np.ones((2, 3))).mean(axis=1.0),
         error=TypeError, match=r"axis must be None, an int or a tuple of ints, got 1.0"),
    case("dual-sum-axis-missing", lambda: dual.Dual(np.ones((2, 3)), np.ones((2, 3))).sum(
        axis=3), match=r"axis 3 is out of range for an array of 2 axes"),
    case("dual-mean-axis-missing", lambda: dual.Dual(np.ones(2), np.ones(2)).mean(
        axis=(0, 1)), match=r"axis 1 is out of range for an array of 1 axis"),
]

def test_catalogue_is_large_and_ids_unique():
    ids = [p.id for p in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 25


@pytest.mark.parametrize("func, args, kwargs, error, match", CATALOGUE)
def test_bad_input_is_refused_clearly(func, args, kwargs, error, match):
    with pytest.raises(error) as info:
        func(*args, **kwargs)
    assert type(info.value) is error, f"expected exactly {error.__name__}"
    message = str(info.value)
    assert re.search(match, message), (
        f"message {message!r} does not match {match!r}")
