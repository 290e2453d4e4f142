"""One network, many implementations: the contenders of the training-step benchmarks.

The net is chapter 7's classifier on the digits: 64 inputs, 64 tanh hidden
units, 10 logits, softmax + mean cross-entropy, float64. Every function here
computes the gradient of that loss (or one SGD step with it) for a batch
``X`` of shape (n, 64) and one-hot targets ``T`` of shape (n, 10), each in
its own way:

* :func:`bplib_grads` -- ``bplib.mlp``'s forward pass and delta recursion,
  exactly as ``bplib.train`` runs them inside its loop (inputs validated
  once by ``train``, not per step);
* :func:`bplib_public_grads` -- the public, validated calls a reader would
  type: ``mlp.forward``, ``softmax.cross_entropy_gradient``, ``mlp.backward``;
* :func:`per_example_grads` -- the same equations one example at a time in a
  Python loop (Nielsen's ``network.py`` style);
* :func:`autodiff_loss` -- the same net written with ``bplib.autodiff``, and
  :func:`autodiff_graph_loss` with its log-softmax built from the engine's
  elementwise operations;
* :class:`Scalar` -- a micrograd-style engine over Python floats;
* :func:`torch_net` and :func:`sklearn_net` -- the peers, set to the same
  weights.
"""

import math

import numpy as np

from bplib import autodiff, mlp, softmax
from bplib.init import init_params

SIZES = (64, 64, 10)
ACTIVATIONS = ["tanh", "identity"]
LR = 0.01


def load(n=None):
    """Digits training split (1078 rows) as ``X``, one-hot ``T`` and labels ``y``."""
    from bplib import digits

    d = digits.load(rng=0)
    X, T, y = d.X_train, d.T_train, d.y_train
    if n is not None:
        X, T, y = X[:n], T[:n], y[:n]
    return np.ascontiguousarray(X), np.ascontiguousarray(T), np.ascontiguousarray(y)


def init(sizes=SIZES, rng=0):
    return init_params(list(sizes), rng=rng)


def copy(params):
    return {k: v.copy() for k, v in params.items()}


def _log_softmax(Z):
    S = Z - Z.max(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


def bplib_grads(X, T, params, activations=ACTIVATIONS):
    """Loss and gradients as ``bplib.train``'s inner loop computes them."""
    try:  # the library's own step, when this version of bplib.train has it
        from bplib.train import _loss_and_grads
    except ImportError:  # pragma: no cover - the same lines, spelled out
        Z, cache = mlp.feedforward(X, params, activations)
        log_p = _log_softmax(Z)
        delta = (np.exp(log_p) - T) / len(X)
        return float(-np.sum(T * log_p) / len(X)), mlp.backpropagate(delta, params, cache)
    return _loss_and_grads(X, T, params, activations, 0.0)


def bplib_public_grads(X, T, params, activations=ACTIVATIONS):
    """Logits and gradients through the public, validated functions (a
    reader's loop computes the loss, when it wants it, from the logits)."""
    Z, cache = mlp.forward(X, params, activations)
    delta = softmax.cross_entropy_gradient(Z, T)
    return Z, mlp.backward(delta, params, cache)


def sgd_update(params, grads, lr=LR):
    for key, theta in params.items():
        theta -= lr * grads[key]


def per_example_grads(X, T, params):
    """The same gradient, one example (a 1-D row) at a time."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    n, loss = len(X), 0.0
    for x, t in zip(X, T):
        a1 = np.tanh(x @ W1 + b1)
        z2 = a1 @ W2 + b2
        s = z2 - z2.max()
        log_p = s - np.log(np.exp(s).sum())
        loss -= t @ log_p / n
        d2 = (np.exp(log_p) - t) / n
        g["W2"] += np.outer(a1, d2)
        g["b2"] += d2
        d1 = (W2 @ d2) * (1.0 - a1 * a1)
        g["W1"] += np.outer(x, d1)
        g["b1"] += d1
    return loss, g


def autodiff_loss(X, T):
    """``f(tensors)`` for ``bplib.autodiff.value_and_grad``: the same net, as a graph
    whose loss is the engine's softmax cross-entropy node (as PyTorch's
    ``cross_entropy`` is one operation). ``X`` is a constant: no VJP for it.
    """
    Xc = autodiff.Tensor(X, requires_grad=False)

    def f(p):
        Z = (Xc @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]
        return autodiff.softmax_cross_entropy(Z, T)

    return f


def autodiff_graph_loss(X, T):
    """The same loss with the log-softmax spelled out in the engine's
    elementwise operations (nine more nodes): a test of the engine's
    per-node cost. The row maximum is subtracted as a constant (the loss does
    not depend on that shift, so neither does its gradient).
    """
    Xc, n = autodiff.Tensor(X, requires_grad=False), len(X)

    def f(p):
        Z = (Xc @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]
        S = Z - Z.value.max(axis=1, keepdims=True)  # a constant shift
        log_p = S - S.exp().sum(axis=1, keepdims=True).log()
        return (log_p * T).sum() * (-1.0 / n)

    return f


class Scalar:
    """A micrograd-style scalar: one Python float per node, one closure per operation."""

    __slots__ = ("data", "grad", "_prev", "_backward")

    def __init__(self, data, prev=()):
        self.data, self.grad, self._prev, self._backward = data, 0.0, prev, None

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other if isinstance(other, Scalar) else Scalar(-other))

    def _unary(self, value, derivative):
        out = Scalar(value, (self,))

        def _backward():
            self.grad += derivative * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t)

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e)

    def log(self):
        return self._unary(math.log(self.data), 1.0 / self.data)

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._prev if id(p) not in seen)
        self.grad = 1.0
        for node in reversed(order):
            if node._backward is not None:
                node._backward()


def scalar_grads(X, y, params):
    """Loss and gradients with :class:`Scalar`: one node per multiply and add."""
    W1 = [[Scalar(v) for v in row] for row in params["W1"].tolist()]
    b1 = [Scalar(v) for v in params["b1"].tolist()]
    W2 = [[Scalar(v) for v in row] for row in params["W2"].tolist()]
    b2 = [Scalar(v) for v in params["b2"].tolist()]
    n, total = len(X), Scalar(0.0)
    for x, label in zip(X.tolist(), y.tolist()):
        h = []
        for j in range(len(b1)):
            z = b1[j]
            for i, xi in enumerate(x):
                z = z + W1[i][j] * xi
            h.append(z.tanh())
        z2 = []
        for k in range(len(b2)):
            z = b2[k]
            for j, hj in enumerate(h):
                z = z + W2[j][k] * hj
            z2.append(z)
        m = max(z.data for z in z2)  # a constant shift, as in autodiff_loss
        lse = sum((z - m).exp() for z in z2).log()
        total = total + (lse - (z2[label] - m))
    loss = total * (1.0 / n)
    loss.backward()
    grads = {
        "W1": np.array([[w.grad for w in row] for row in W1]),
        "b1": np.array([b.grad for b in b1]),
        "W2": np.array([[w.grad for w in row] for row in W2]),
        "b2": np.array([b.grad for b in b2]),
    }
    return loss.data, grads


def torch_net(params):
    """A float64 ``torch.nn.Sequential`` with the same weights (transposed: torch is (out, in))."""
    import torch

    net = torch.nn.Sequential(torch.nn.Linear(*params["W1"].shape), torch.nn.Tanh(),
                              torch.nn.Linear(*params["W2"].shape)).double()
    with torch.no_grad():
        for layer, l in ((net[0], 1), (net[2], 2)):
            layer.weight.copy_(torch.from_numpy(params[f"W{l}"].T.copy()))
            layer.bias.copy_(torch.from_numpy(params[f"b{l}"]))
    return net


def torch_grads(net, Xt, yt):
    import torch

    net.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(net(Xt), yt)
    loss.backward()
    return loss.item(), {
        "W1": net[0].weight.grad.numpy().T, "b1": net[0].bias.grad.numpy(),
        "W2": net[2].weight.grad.numpy().T, "b2": net[2].bias.grad.numpy(),
    }


def sklearn_net(params, X, y, lr=LR):
    """An ``MLPClassifier`` doing plain SGD on the whole batch it is given, with our weights."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier(hidden_layer_sizes=(params["W1"].shape[1],), activation="tanh",
                        solver="sgd", alpha=0.0, batch_size=len(X), learning_rate="constant",
                        learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                        shuffle=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.partial_fit(X, y, classes=np.arange(params["W2"].shape[1]))
    net.coefs_ = [params["W1"].copy(), params["W2"].copy()]
    net.intercepts_ = [params["b1"].copy(), params["b2"].copy()]
    return net


def sklearn_params(net):
    return {"W1": net.coefs_[0], "b1": net.intercepts_[0],
            "W2": net.coefs_[1], "b2": net.intercepts_[1]}


def matmul_flops(n, sizes=SIZES):
    """Floating-point operations of the matrix products of one training step.

    Per layer ``l`` (d_in x d_out weights): the forward product
    ``A_prev @ W`` and the backward products ``A_prev.T @ delta`` (dW) and
    ``delta @ W.T`` (the delta of the layer below), ``2 n d_in d_out`` each;
    ``bplib.mlp`` skips the last of these for the first layer (no delta is
    needed for the input). Returns ``(executed, three_per_layer)``.
    """
    per = [2 * n * a * b for a, b in zip(sizes[:-1], sizes[1:])]
    three = 3 * sum(per)
    return three - per[0], three


def assert_close(name, grads, reference, rtol=1e-9, atol=1e-12):
    """Raise unless every gradient agrees with the reference (before any timing)."""
    for key, ref in reference.items():
        got = np.asarray(grads[key])
        if got.shape != ref.shape or not np.allclose(got, ref, rtol=rtol, atol=atol):
            err = np.max(np.abs(got - ref)) if got.shape == ref.shape else "shape"
            raise AssertionError(f"{name}: gradient {key} disagrees with bplib.mlp "
                                 f"(max abs difference {err})")
