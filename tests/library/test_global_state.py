"""No global state: no public call of ``bplib`` reads or changes NumPy's
global random state (nor Python's ``random``).

Every random thing in ``bplib`` takes a seed or a ``numpy.random.Generator``.
Drawing from ``np.random.*``, or seeding it, would advance or replace the
global state; each public callable of every module is called here once with
valid arguments, and the state must be exactly what it was before.

``test_every_public_callable_is_called`` keeps the table complete: a new
public function, or a class with behaviour, in any module's ``__all__``
needs an entry in ``CALLS`` (plain records such as ``History`` are listed in
``RECORDS`` instead).
"""

import importlib
import pkgutil
import random

import matplotlib.pyplot as plt
import numpy as np
import pytest

import bplib

# bplib.exercises is left out: its checkers run the reader's code, and
# tests/exercises checks them for global state with bplib's own answers.
MODULES = {m.name.removeprefix("bplib."): importlib.import_module(m.name)
           for m in pkgutil.walk_packages(bplib.__path__, "bplib.")
           if not any(part.startswith("_") for part in m.name.split("."))
           and not m.name.startswith("bplib.exercises")}

# Classes that only hold values (NamedTuple or dataclass, no behaviour).
RECORDS = {
    "activations.Activation", "gradcheck.GradCheckResult", "jacobian.MultiplyAdds",
    "linear.History", "mlp.Cache", "two_layer.Params", "two_layer.Gradients",
    "two_layer.Cache", "two_layer.History", "losses.Loss", "conv.ConvCache", "conv.PoolCache",
    "norm.NormCache", "norm.RunningStats", "residual.Cache", "train.History", "digits.Digits",
    "diagnostics.Diagnostics",
    *(f"explorers.{name}.{record}" for name in ("learning_rate", "xor", "gradient_flow",
                                                 "optimiser", "capacity")
      for record in ("Result", "Artists")),
}


def _m(name):
    return MODULES[name]


def _xt():
    X, T = _m("data").regression(8, rng=1)
    return X, T


def _net():
    return _m("init").init_params([2, 3, 1], rng=1), ["tanh", "sigmoid"]


def _classifier():
    X, _ = _xt()
    T = np.eye(3)[np.arange(8) % 3]
    return X, T, _m("init").init_params([2, 4, 3], rng=1), ["relu", "identity"]


def _figure():
    return plt.figure()


def _tensor_graph():
    ad = _m("autodiff")
    W = ad.Tensor(np.ones((2, 2)))
    out = ((ad.Tensor(np.ones((3, 2))) @ W + 1.0).sigmoid() * 2 - 1).sum()
    out.backward()


def _dual_graph():
    d = _m("dual").Dual(np.ones(3), 1.0)
    return (d * d.exp() / 2.0 - 1.0).tanh().sum()


def _optimiser(name):
    def call():
        params, _ = _net()
        opt = getattr(_m("optim"), name)(0.1)
        grads = {k: np.ones_like(v) for k, v in params.items()}
        opt.step(params, grads)
        opt.step(params, grads)
        opt.reset()
    return call


def _explorer(name, **small):
    def call():
        mod = _m(name)
        result = mod.experiment(**small)
        fig = _figure()
        artists = mod.plot(result, fig)
        mod.update(artists, result)
        plt.close(fig)
    return call


def _widget(name, **small):
    def call():
        pytest.importorskip("ipywidgets")
        box = _m(name).widget(**small)
        if hasattr(box, "refresh"):
            box.refresh()
    return call


def _lr_artists():
    lr = _m("explorers.learning_rate")
    result = lr.experiment(0.1, steps=5)
    fig = _figure()
    lr.update(lr.plot(result, fig), lr.experiment(0.5, steps=5))
    plt.close(fig)


def _static_widget():
    # draws the frames (explorers._static.svg, draw_frames) and renders them
    _m("explorers.learning_rate").static_widget((0.1, 0.5), ((-0.5, 2.5),), 3, eta=0.1)


def _digits_calls():
    dg = _m("digits")
    d = dg.load(rng=3)
    dg.subset(d, 20, rng=3)
    dg.split_indices(np.arange(30) % 3, (0.2, 0.2), rng=3)
    dg.standardise(d.X_train[:10], d.X_val[:5])


def _plots():
    pl = _m("plots")
    X, T = _xt()
    fig = _figure()
    ax = fig.add_subplot(1, 2, 1)
    pl.loss_grid(X, T, resolution=5)
    pl.loss_contours(ax, X, T, resolution=5)
    pl.trajectory(ax, np.ones((3, 2)))
    pl.loss_curve(fig.add_subplot(1, 2, 2), np.array([3.0, 2.0, 1.0]))
    pl.excess(np.array([3.0, 2.0]), 1.0)
    pl.loss_surface_3d(fig.add_subplot(1, 2, 2, projection="3d"), X, T, resolution=5)
    plt.close(fig)


def _cache():
    mlp = _m("mlp")
    params, names = _net()
    X, T = _xt()
    return mlp.forward(X, params, names)[1], params, T


def _image():
    return np.random.default_rng(3).normal(size=(2, 1, 5, 5))


def _conv(name):
    def call():
        conv = _m("conv")
        X, W = _image(), np.ones((2, 1, 3, 3))
        if name in ("conv2d_forward", "conv2d_backward"):
            Z, cache = conv.conv2d_forward(X, W, np.zeros(2), padding=1)
            conv.conv2d_backward(np.ones_like(Z), cache)
        elif name in ("conv1d_forward", "conv1d_backward"):
            Z, cache = conv.conv1d_forward(X[:, :, 0], W[:, :, 0], stride=1)
            conv.conv1d_backward(np.ones_like(Z), cache)
        elif name.startswith(("max_pool", "avg_pool")):
            kind = name.rsplit("_", 1)[0]
            Y, cache = getattr(conv, f"{kind}_forward")(X[:, :, :4, :4])
            getattr(conv, f"{kind}_backward")(np.ones_like(Y), cache)
        elif name in ("im2col", "col2im"):
            cols = conv.im2col(X, 3, 3, padding=1)
            conv.col2im(cols, X.shape, 3, 3, padding=1)
        else:
            conv.output_size(5, 3, stride=2, padding=1)
    return call


def _norm(name):
    def call():
        norm = _m("norm")
        X, g, b = np.random.default_rng(4).normal(size=(6, 3)), np.ones(3), np.zeros(3)
        Y, cache = norm.batch_norm_forward(X, g, b)
        norm.batch_norm_backward(np.ones_like(Y), cache)
        running = norm.update_running(norm.RunningStats(np.zeros(3), np.ones(3)), cache)
        norm.batch_norm_inference(X, g, b, running)
        Y, cache = norm.layer_norm_forward(X, g, b)
        norm.layer_norm_backward(np.ones_like(Y), cache)
    return call


def _layers(name):
    def call():
        layers, ad = _m("layers"), _m("autodiff")
        X = ad.Tensor(_image()[:, :, :4, :4])
        out = layers.conv2d(X, ad.Tensor(np.ones((2, 1, 3, 3))), padding=1)
        out = layers.max_pool(out) + layers.avg_pool(out)
        flat = layers.flatten(out)
        g, b = ad.Tensor(np.ones(flat.shape[1])), ad.Tensor(np.zeros(flat.shape[1]))
        y = layers.batch_norm(flat, g, b)[0] + layers.layer_norm(flat, g, b)
        layers.dropout(y, 0.5, rng=5).sum().backward()
    return call


def _residual(name):
    def call():
        residual = _m("residual")
        params = residual.init_params(3, 4, rng=6)
        X, T = np.ones((5, 4)), np.zeros((5, 4))
        for res in (False, True):
            residual.loss_and_gradients(X, T, params, "tanh", residual=res)
        Y, cache = residual.forward(X, params, "tanh", residual=True)
        residual.backward(np.ones_like(Y), params, cache)
        residual.measure(depth=3, width=4, rng=7)
        residual.gradient_norms(depth=3, width=4, rng=8)
    return call


def _chapter8_calls():
    names = {
        "conv": ("output_size", "im2col", "col2im", "conv2d_forward", "conv2d_backward",
                 "conv1d_forward", "conv1d_backward", "max_pool_forward", "max_pool_backward",
                 "avg_pool_forward", "avg_pool_backward"),
        "norm": ("batch_norm_forward", "batch_norm_backward", "update_running",
                 "batch_norm_inference", "layer_norm_forward", "layer_norm_backward"),
        "layers": ("conv2d", "max_pool", "avg_pool", "batch_norm", "layer_norm", "dropout",
                   "flatten"),
        "residual": ("init_params", "forward", "backward", "loss_and_gradients", "measure",
                     "gradient_norms"),
    }
    makers = {"conv": _conv, "norm": _norm, "layers": _layers, "residual": _residual}
    return {f"{module}.{name}": makers[module](name)
            for module, group in names.items() for name in group}


CALLS = {
    # chapter 1
    "data.regression": lambda: _m("data").regression(5, rng=2),
    "data.two_blobs": lambda: _m("data").two_blobs(6, rng=2),
    "data.xor": lambda: _m("data").xor(3, noise=0.1, rng=2),
    "linear.predict": lambda: _m("linear").predict(*_xt()[:1], np.ones((2, 1)), np.zeros(1)),
    "linear.loss": lambda: _m("linear").loss(np.ones((3, 1)), np.zeros((3, 1))),
    "linear.gradient": lambda: _m("linear").gradient(*_xt(), np.ones((2, 1)), np.zeros(1)),
    "linear.hessian": lambda: _m("linear").hessian(_xt()[0], bias=True),
    "linear.least_squares": lambda: _m("linear").least_squares(*_xt()),
    "linear.max_stable_eta": lambda: _m("linear").max_stable_eta(_xt()[0]),
    "linear.gradient_descent": lambda: _m("linear").gradient_descent(*_xt(), np.zeros((2, 1)),
                                                                     0.1, 5),
    "linear.check_data": lambda: _m("linear").check_data(*_xt(), np.zeros((2, 1)), None),
    "linear.lms": lambda: _m("linear").lms(*_xt(), np.zeros((2, 1)), 0.05, 2, rng=4),
    "linear.DivergenceError": lambda: _m("linear").gradient_descent(
        *_xt(), np.zeros((2, 1)), 100.0, 500, on_divergence="stop"),
    "explorers.learning_rate.experiment": lambda: _m("explorers.learning_rate").experiment(
        0.3, steps=5),
    "explorers.learning_rate.plot": _lr_artists,
    "explorers.learning_rate.update": _lr_artists,
    "explorers.learning_rate.widget": _widget("explorers.learning_rate", steps=5),
    "explorers.learning_rate.grid": lambda: _m("explorers.learning_rate").grid(
        (0.1, 0.5), ((0.0, 0.0),), 3),
    "explorers.learning_rate.static_widget": _static_widget,
    "plots.loss_grid": _plots,
    "plots.loss_contours": _plots,
    "plots.loss_surface_3d": _plots,
    "plots.trajectory": _plots,
    "plots.excess": _plots,
    "plots.loss_curve": _plots,
    # chapter 2
    **{f"activations.{name}": (lambda name: lambda: getattr(_m("activations"), name)(
        np.linspace(-3, 3, 7)))(name)
       for name in ("sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu",
                    "relu_derivative", "identity", "identity_derivative", "softplus",
                    "softplus_derivative")},
    "activations.get_activation": lambda: _m("activations").get_activation("tanh"),
    **{f"losses.{name}": (lambda name: lambda: getattr(_m("losses"), name)(
        np.full((3, 1), 0.3), np.array([[0.0], [1.0], [0.5]])))(name)
       for name in ("squared_error", "squared_error_gradient", "binary_cross_entropy",
                    "binary_cross_entropy_gradient", "binary_cross_entropy_with_logits",
                    "binary_cross_entropy_with_logits_gradient")},
    "losses.get_loss": lambda: _m("losses").get_loss("squared_error"),
    "gradcheck.numerical_gradient": lambda: _m("gradcheck").numerical_gradient(
        lambda x: float(np.sum(x ** 2)), np.ones(3)),
    "gradcheck.relative_error": lambda: _m("gradcheck").relative_error([1.0], [1.1]),
    "gradcheck.check_gradient": lambda: _m("gradcheck").check_gradient(
        lambda x: float(np.sum(x ** 2)), lambda x: 2 * x, np.ones(3)),
    "gradcheck.check_gradients": lambda: _m("gradcheck").check_gradients(
        lambda p: float(np.sum(p["a"] ** 2)), lambda p: {"a": 2 * p["a"]}, {"a": np.ones(2)}),
    # chapter 3
    "two_layer.init_params": lambda: _m("two_layer").init_params(2, 3, rng=5),
    "two_layer.forward": lambda: _m("two_layer").forward(
        _xt()[0], _m("two_layer").init_params(2, 3, rng=5)),
    "two_layer.loss": lambda: _m("two_layer").loss(np.full((2, 1), 0.5), np.ones((2, 1))),
    "two_layer.backward": lambda: _m("two_layer").loss_and_gradients(
        *_m("data").xor(), _m("two_layer").init_params(2, 3, rng=5)),
    "two_layer.loss_and_gradients": lambda: _m("two_layer").loss_and_gradients(
        *_m("data").xor(), _m("two_layer").init_params(2, 3, rng=5)),
    "two_layer.train": lambda: _m("two_layer").train(
        *_m("data").xor(), _m("two_layer").init_params(2, 3, rng=5), 0.5, 5),
    "explorers.xor.experiment": _explorer("explorers.xor", h=3, eta=1.5, seed=13, steps=5),
    "explorers.xor.plot": _explorer("explorers.xor", h=3, eta=1.5, seed=13, steps=5),
    "explorers.xor.update": _explorer("explorers.xor", h=3, eta=1.5, seed=13, steps=5),
    "explorers.xor.widget": _widget("explorers.xor", h=3, eta=1.5, seed=13, steps=5),
    "explorers.xor.grid": lambda: _m("explorers.xor").grid((1, 2), (0.5,), (13, 14), steps=4),
    "explorers.xor.static_widget": lambda: _m("explorers.xor").static_widget(
        (1,), (0.5, 1.5), (13,), steps=4, initial=(1, 0.5, 13)),
    # chapter 4
    "mlp.layer_sizes": lambda: _m("mlp").layer_sizes(_net()[0]),
    "mlp.forward": lambda: _m("mlp").forward(_xt()[0], *_net()),
    "mlp.output_delta": lambda: _m("mlp").output_delta(_cache()[0], _cache()[2]),
    "mlp.backward": lambda: _m("mlp").backward(
        _m("mlp").output_delta(_cache()[0], _cache()[2]), _cache()[1], _cache()[0]),
    "mlp.loss_and_gradients": lambda: _m("mlp").loss_and_gradients(*_xt(), *_net()),
    "mlp.cache_nbytes": lambda: _m("mlp").cache_nbytes(_cache()[0]),
    "mlp.check_params": lambda: _m("mlp").check_params(_net()[0]),
    "mlp.check_activations": lambda: _m("mlp").check_activations(_net()[1], 2),
    "mlp.deltas": lambda: _m("mlp").deltas(np.ones((8, 1)), _cache()[1], _cache()[0]),
    "mlp.gradients": lambda: _m("mlp").gradients(
        _m("mlp").deltas(np.ones((8, 1)), _cache()[1], _cache()[0]), _cache()[0]),
    "mlp.feedforward": lambda: _m("mlp").feedforward(_xt()[0], *_net()),
    "mlp.backpropagate": lambda: _m("mlp").backpropagate(
        np.ones((8, 1)), _cache()[1], _cache()[0]),
    "jacobian.count_multiply_adds": lambda: _m("jacobian").count_multiply_adds([2, 3, 1], 4),
    "jacobian.input_gradient": lambda: _m("jacobian").input_gradient(
        *_xt(), *_net(), order="left_to_right"),
    "jacobian.time_orders": lambda: _m("jacobian").time_orders([2, 3], depth=2, n=2,
                                                               repeats=1, rng=7),
    # chapter 5
    "autodiff.Tensor": _tensor_graph,
    "autodiff.unbroadcast": lambda: _m("autodiff").unbroadcast(np.ones((3, 2)), (2,)),
    "autodiff.squared_error": lambda: _m("autodiff").squared_error(
        _m("autodiff").Tensor(np.ones((2, 1))), np.zeros((2, 1))).backward(),
    "autodiff.binary_cross_entropy_with_logits": lambda: _m(
        "autodiff").binary_cross_entropy_with_logits(
        _m("autodiff").Tensor(np.ones((2, 1))), np.zeros((2, 1))).backward(),
    "autodiff.softmax_cross_entropy": lambda: _m("autodiff").softmax_cross_entropy(
        _m("autodiff").Tensor(np.ones((2, 3))), np.eye(3)[:2]).backward(),
    "autodiff.value_and_grad": lambda: _m("autodiff").value_and_grad(
        lambda t: (t["a"] * t["a"]).sum(), {"a": np.ones(3)}),
    "dual.Dual": _dual_graph,
    "dual.jvp": lambda: _m("dual").jvp(lambda d: (d["a"] * d["a"]).sum(), {"a": np.ones(2)},
                                       {"a": np.ones(2)}),
    "listing.listing": lambda: _m("listing").listing(_m("listing").listing, end_before='"""'),
    "listing.glue": lambda: _m("listing").glue("x", 1.0, display=False),
    "autodiff.operation": lambda: _m("autodiff").operation(
        np.ones(2), [_m("autodiff").Tensor(np.ones(2))], [lambda g: g], "id").sum().backward(),
    "dual.forward_gradient": lambda: _m("dual").forward_gradient(
        lambda d: (d["a"] * d["a"]).sum(), {"a": np.ones(2)}),
    # chapter 6
    "init.weight_variance": lambda: _m("init").weight_variance("he_normal", 3, 2),
    "init.init_params": lambda: _m("init").init_params([2, 3, 1], "he_uniform", rng=8),
    "diagnostics.diagnose": lambda: _m("diagnostics").diagnose(*_xt(), *_net()),
    "diagnostics.assess": lambda: _m("diagnostics").assess(
        _m("diagnostics").diagnose(*_xt(), *_net())),
    "diagnostics.inactive": lambda: _m("diagnostics").inactive([-1.0, 2.0], "relu"),
    "diagnostics.dead_units": lambda: _m("diagnostics").dead_units([[-1.0, 2.0]], "relu"),
    "diagnostics.verdict": lambda: _m("diagnostics").verdict(
        _m("diagnostics").diagnose(*_xt(), *_net())),
    "diagnostics.saturation": lambda: _m("diagnostics").saturation(np.ones((2, 2)), "tanh"),
    "diagnostics.global_norm": lambda: _m("diagnostics").global_norm({"W1": np.ones(2)}),
    "diagnostics.clip_by_norm": lambda: _m("diagnostics").clip_by_norm({"W1": np.ones(2)}, 1.0),
    "explorers.gradient_flow.grid": lambda: _m("explorers.gradient_flow").grid(
        (2, 3), ("tanh",), ("xavier_normal",), (1.0,), 4, n=8, rng=9),
    "explorers.gradient_flow.static_widget": lambda: _m("explorers.gradient_flow").static_widget(
        (2, 3), ("tanh",), ("xavier_normal",), (1.0,), 4,
        initial=(2, "tanh", "xavier_normal", 1.0)),
    "explorers.optimiser.grid": lambda: _m("explorers.optimiser").grid(
        ("sgd",), (0.1,), (8,), steps=5, seed=11),
    "explorers.optimiser.static_widget": lambda: _m("explorers.optimiser").static_widget(
        ("sgd",), (0.1, 0.3), (8,), steps=5, initial=("sgd", 0.1, 8)),
    "explorers.capacity.grid": lambda: _m("explorers.capacity").grid(
        (3,), (0.0,), (20,), steps=4, seed=12),
    "explorers.capacity.static_widget": lambda: _m("explorers.capacity").static_widget(
        (3,), (0.0, 1e-2), (20,), steps=4, initial=(3, 0.0, 20)),
    **{f"explorers.gradient_flow.{name}": _explorer("explorers.gradient_flow", depth=3,
                                                     width=4, n=8, rng=9)
       for name in ("experiment", "plot", "update")},
    "explorers.gradient_flow.widget": _widget("explorers.gradient_flow", depth=3, width=4, n=8,
                                              rng=9),
    # chapter 8 (the modules exist from that chapter on; absent ones are skipped)
    **_chapter8_calls(),
    # chapter 7
    "optim.Optimiser": _optimiser("SGD"),
    "optim.SGD": _optimiser("SGD"),
    "optim.Momentum": _optimiser("Momentum"),
    "optim.Adam": _optimiser("Adam"),
    "optim.cosine": lambda: _m("optim").cosine(0.1, 5)(3),
    "softmax.softmax": lambda: _m("softmax").softmax(np.ones((2, 3))),
    "softmax.log_softmax": lambda: _m("softmax").log_softmax(np.ones((2, 3))),
    "softmax.cross_entropy": lambda: _m("softmax").cross_entropy(np.ones((2, 3)), np.eye(3)[:2]),
    "softmax.cross_entropy_gradient": lambda: _m("softmax").cross_entropy_gradient(
        np.ones((2, 3)), np.eye(3)[:2]),
    "softmax.one_hot": lambda: _m("softmax").one_hot([0, 2, 1]),
    "softmax.cross_entropy_and_delta": lambda: _m("softmax").cross_entropy_and_delta(
        np.ones((2, 3)), np.eye(3)[:2]),
    "softmax.log_probabilities": lambda: _m("softmax").log_probabilities(np.ones((2, 3))),
    "softmax.check_targets": lambda: _m("softmax").check_targets(np.ones((2, 3)), np.eye(3)[:2]),
    "softmax.predict_labels": lambda: _m("softmax").predict_labels(np.eye(3)),
    "softmax.accuracy": lambda: _m("softmax").accuracy(np.eye(3), [0, 1, 1]),
    "train.train": lambda: _m("train").train(
        *_classifier(), _m("optim").Adam(1e-2), epochs=2, batch_size=3,
        X_val=_classifier()[0], T_val=_classifier()[1], patience=1, rng=10),
    "train.evaluate": lambda: _m("train").evaluate(*_classifier()),
    "train.l2_penalty": lambda: _m("train").l2_penalty(_net()[0], 0.1),
    "digits.load": _digits_calls,
    "digits.subset": _digits_calls,
    "digits.split_indices": _digits_calls,
    "digits.standardise": _digits_calls,
    "explorers.optimiser.verdict": lambda: _m("explorers.optimiser").verdict(
        np.array([2.0, 1.0])),
    "explorers.optimiser.make_optimiser": lambda: _m("explorers.optimiser").make_optimiser(
        "momentum", 0.1),
    "explorers.optimiser.experiment": _explorer("explorers.optimiser", steps=5, seed=11),
    "explorers.optimiser.plot": _explorer("explorers.optimiser", steps=5, seed=11),
    "explorers.optimiser.update": _explorer("explorers.optimiser", steps=5, seed=11),
    "explorers.optimiser.widget": _widget("explorers.optimiser", steps=5),
    "explorers.capacity.experiment": _explorer("explorers.capacity", width=3, n_train=20,
                                              steps=4, seed=12),
    "explorers.capacity.plot": _explorer("explorers.capacity", width=3, n_train=20, steps=4,
                                        seed=12),
    "explorers.capacity.update": _explorer("explorers.capacity", width=3, n_train=20, steps=4,
                                          seed=12),
    "explorers.capacity.widget": _widget("explorers.capacity", width=4, n_train=50, steps=4),
}



# -- bplib.exercises: each checker is called with a right answer from bplib itself ----

RECORDS |= {f"exercises.{where}{name}" for where in ("", "core.")
            for name in ("Verdict", "Case", "Mistake", "Exercise")
            if where or name == "Verdict"}


def _exercise_answers():
    """A right answer for each checker of bplib.exercises."""
    def logistic(X, T, W, b):
        delta = (_m("activations").sigmoid(X @ W + b) - T) / len(X)
        return X.T @ delta, delta.sum(axis=0)

    def adam(theta, g, m, v, t, eta, beta1, beta2, eps):
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        step = eta * m / (1 - beta1 ** t) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
        return theta - step, m, v

    return {
        "neuron.check_linear_gradient": _m("linear").gradient,
        "neuron.check_sigmoid_derivative": _m("activations").sigmoid_derivative,
        "neuron.check_logistic_gradient": logistic,
        "neuron.check_numerical_gradient": _m("gradcheck").numerical_gradient,
        "layers.check_two_layer_backward": _m("two_layer").backward,
        "layers.check_delta_backward": _m("mlp").backward,
        "engine.check_matmul": lambda a, b: a @ b,
        "training.check_he_init": lambda sizes, *, rng=0: _m("init").init_params(
            sizes, "he_normal", rng=rng),
        "training.check_adam_step": adam,
    }


def _square_exercise():
    core = _m("exercises.core")
    return core.Exercise(name="square", parameters=("x",), outputs=("y",),
                         cases=(core.Case("x", (np.arange(3.0),)),),
                         reference=lambda x: (x * x,), reference_name="x * x")


for _key, _answer in _exercise_answers().items():
    _name = _key.split(".")[1]
    CALLS[f"exercises.{_key}"] = (lambda k=_key, a=_answer: getattr(
        _m(f"exercises.{k.split('.')[0]}"), k.split(".")[1])(a))
    CALLS[f"exercises.{_name}"] = CALLS[f"exercises.{_key}"]  # re-exported
CALLS.update({
    "exercises.AnswerShapeError": lambda: _m("exercises").AnswerShapeError("x", "transpose"),
    "exercises.core.AnswerShapeError": lambda: _m("exercises.core").AnswerShapeError("x"),
    "exercises.core.run": lambda: _m("exercises.core").run(lambda x: x * x, _square_exercise()),
    "exercises.core.call_answer": lambda: _m("exercises.core").call_answer(np.sum, np.ones(2)),
    "exercises.core.as_outputs": lambda: _m("exercises.core").as_outputs(
        np.ones(3), _square_exercise()),
    "exercises.core.check_signature": lambda: _m("exercises.core").check_signature(
        lambda x: x, _square_exercise()),
    "exercises.core.not_implemented": lambda: _m("exercises.core").not_implemented(
        _square_exercise(), "it raises NotImplementedError"),
    "exercises.core.central_differences": lambda: _m("exercises.core").central_differences(
        lambda v: float(v @ v), np.ones(2)),
    "exercises.core.fmt": lambda: _m("exercises.core").fmt(0.5),
})


# -- chapter 8: bplib.conv, norm, layers, residual ------------------------------

RECORDS |= {"norm.NormCache", "norm.RunningStats", "residual.Cache", "conv.ConvCache",
            "conv.PoolCache"}

def _conv_calls():
    conv = _m("conv")
    X, W = np.ones((2, 1, 4, 4)), np.ones((2, 1, 3, 3))
    Z, cache = conv.conv2d_forward(X, W, stride=1, padding=1)
    conv.conv2d_backward(Z, cache)
    Z1, c1 = conv.conv1d_forward(np.ones((2, 1, 5)), np.ones((1, 1, 2)))
    conv.conv1d_backward(Z1, c1)
    conv.col2im(conv.im2col(X, 3, 3), X.shape, 3, 3)
    conv.output_size(8, 3)
    for f, b in ((conv.max_pool_forward, conv.max_pool_backward),
                 (conv.avg_pool_forward, conv.avg_pool_backward)):
        Y, c = f(X, 2)
        b(Y, c)

def _norm_calls():
    norm = _m("norm")
    X = np.arange(6.0).reshape(3, 2)
    Y, cache = norm.batch_norm_forward(X, np.ones(2), np.zeros(2))
    norm.batch_norm_backward(Y, cache)
    running = norm.update_running(norm.RunningStats.start(2), cache)
    norm.batch_norm_inference(X, np.ones(2), np.zeros(2), running)
    Y, cache = norm.layer_norm_forward(X, np.ones(2), np.zeros(2))
    norm.layer_norm_backward(Y, cache)

def _layers_calls():
    layers, ad = _m("layers"), _m("autodiff")
    X = ad.Tensor(np.ones((2, 1, 4, 4)))
    Z = layers.conv2d(X, np.ones((2, 1, 3, 3)), padding=1)
    Z, _ = layers.batch_norm(Z, np.ones(2), np.zeros(2))
    H = layers.flatten(layers.avg_pool(layers.max_pool(Z, 2), 1))
    H = layers.dropout(layers.layer_norm(H, np.ones(8), np.zeros(8)), 0.5, rng=3)
    H.sum().backward()

def _residual_calls():
    res = _m("residual")
    params = res.init_params(3, 4, "tanh", rng=5)
    X = np.ones((3, 4))
    Y, cache = res.forward(X, params, "tanh", residual=True, norm="batch")
    res.backward(Y, params, cache)
    res.loss_and_gradients(X, X, params, "tanh", residual=True)
    res.gradient_norms(3, 4, activations=("relu",), rng=6)
    res.diagnose(X, X, params, "relu", residual=True, norm="layer")

CALLS.update({
    **{f"conv.{k}": _conv_calls for k in ("output_size", "im2col", "col2im", "conv2d_forward",
       "conv2d_backward", "conv1d_forward", "conv1d_backward", "max_pool_forward",
       "max_pool_backward", "avg_pool_forward", "avg_pool_backward")},
    **{f"norm.{k}": _norm_calls for k in ("batch_norm_forward", "batch_norm_backward",
       "batch_norm_inference", "update_running", "layer_norm_forward", "layer_norm_backward")},
    **{f"layers.{k}": _layers_calls for k in ("conv2d", "max_pool", "avg_pool", "batch_norm",
       "layer_norm", "dropout", "flatten")},
    **{f"residual.{k}": _residual_calls for k in ("init_params", "forward", "backward",
       "loss_and_gradients", "diagnose", "measure", "gradient_norms")},
    "exercises.structure.check_conv_input_gradient": lambda: _m("exercises.structure")
        .check_conv_input_gradient(lambda dZ, W: _m("conv").conv2d_forward(
            dZ, W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3),
            padding=(W.shape[2] - 1, W.shape[3] - 1))[0]),
})


# -- chapter 9: bplib.rnn, bplib.checkpoint, bplib.explorers.time_lag ---------------------

RECORDS |= {"rnn.Cache", "checkpoint.Cost", "explorers.time_lag.Result",
            "explorers.time_lag.Artists"}


def _rnn_calls():
    rnn = _m("rnn")
    X, T = np.ones((3, 2, 1)), np.ones((2, 1))
    for cell in rnn.CELLS:
        p = rnn.init_params(1, 2, cell, d_out=1, rng=4)
        core = {k: p[k] for k in ("W_x", "W_h", "b")}
        H, cache = rnn.forward(X, core, cell)
        rnn.backward(np.ones_like(H), core, cache, truncate=2)
        rnn.state_gradients(np.ones((2, 2)), core, cache)
        rnn.loss_and_gradients(X, T, p, cell)


def _checkpoint_calls():
    ck, rnn = _m("checkpoint"), _m("rnn")
    chain = ck.rnn_chain(np.ones((5, 2, 1)), rnn.init_params(1, 2, rng=4))
    for s in ck.SCHEDULES:
        ck.backprop(chain, chain.state0, lambda h: (0.0, (np.ones_like(h[0]),)), s)
    params, acts = _net()
    ck.backprop(ck.mlp_chain(params, acts), _xt()[0], lambda A: (0.0, np.ones_like(A)))
    ck.revolve_steps(10, 2)


CALLS.update({
    "rnn.init_params": _rnn_calls, "rnn.forward": _rnn_calls, "rnn.backward": _rnn_calls,
    "rnn.state_gradients": _rnn_calls, "rnn.loss_and_gradients": _rnn_calls,
    "checkpoint.rnn_chain": _checkpoint_calls, "checkpoint.mlp_chain": _checkpoint_calls,
    "checkpoint.backprop": _checkpoint_calls, "checkpoint.revolve_steps": _checkpoint_calls,
    "explorers.time_lag.experiment": _explorer("explorers.time_lag", radius=1.2, length=5,
                                               d_hidden=3, n=2, rng=9),
    "explorers.time_lag.plot": _explorer("explorers.time_lag", radius=1.2, length=5,
                                         d_hidden=3, n=2, rng=9),
    "explorers.time_lag.update": _explorer("explorers.time_lag", radius=1.2, length=5,
                                           d_hidden=3, n=2, rng=9),
    "explorers.time_lag.widget": _widget("explorers.time_lag", radius=1.2, length=5,
                                         d_hidden=3, n=2, rng=9),
    "explorers.time_lag.grid": lambda: _m("explorers.time_lag").grid((0.5,), (4,), (1.0,)),
    "explorers.time_lag.static_widget": lambda: _m("explorers.time_lag").static_widget(
        (0.5,), (4,), (1.0,), initial=(0.5, 4, 1.0)),
    "exercises.check_bptt_step": lambda: CALLS["exercises.recurrent.check_bptt_step"](),
    "exercises.check_conv_input_gradient": lambda: CALLS[
        "exercises.structure.check_conv_input_gradient"](),
    "exercises.structure.check_conv_input_gradient": lambda: _m(
        "exercises.structure").check_conv_input_gradient(
        lambda dZ, W: _m("conv").conv2d_forward(
            dZ, W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3),
            padding=(W.shape[2] - 1, W.shape[3] - 1))[0]),
    "exercises.recurrent.check_bptt_step": lambda: _m("exercises.recurrent").check_bptt_step(
        lambda dh, h, h_prev, x, W_h: ((dh * (1 - h * h)) @ W_h.T, x.T @ (dh * (1 - h * h)),
                                       h_prev.T @ (dh * (1 - h * h)),
                                       (dh * (1 - h * h)).sum(axis=0))),
})

def _public_callables():
    for modname, mod in MODULES.items():
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if callable(obj):
                yield f"{modname}.{name}"


def test_every_public_callable_is_called():
    missing = sorted(set(_public_callables()) - set(CALLS) - RECORDS)
    assert not missing, f"add these to CALLS (or RECORDS) in {__file__}: {missing}"


def _states_equal(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


@pytest.mark.parametrize("name", sorted(key for key in CALLS
                                        if key.rpartition(".")[0] in MODULES))
def test_global_random_state_is_untouched(name):
    module, _, attribute = name.rpartition(".")
    if not hasattr(MODULES[module], attribute):
        pytest.skip(f"{name} does not exist in this version of bplib")
    np.random.seed(20260101)
    random.seed(20260101)
    before, before_py = np.random.get_state(), random.getstate()
    try:
        CALLS[name]()
    finally:
        plt.close("all")
    assert _states_equal(np.random.get_state(), before), (
        f"{name} changed NumPy's global random state")
    assert random.getstate() == before_py, f"{name} changed Python's global random state"


def test_the_check_detects_a_global_draw():
    np.random.seed(1)
    before = np.random.get_state()
    np.random.normal()
    assert not _states_equal(np.random.get_state(), before)
