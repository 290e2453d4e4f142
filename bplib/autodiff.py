"""A small reverse-mode automatic differentiation engine over NumPy arrays.

Chapter 5 of the book (backpropagation is reverse-mode autodiff). A
:class:`Tensor` holds an array ``value``, its adjoint ``grad`` (the gradient
of the final scalar with respect to this node, filled in by
:meth:`Tensor.backward`) and the ``parents`` it was computed from. Every
operation has the same three beats: compute the output node; define a
closure ``_backward(g)`` that adds the output's adjoint ``g``, pushed through
the operation's vector-Jacobian product (VJP), into each non-constant
parent's ``grad``; attach the closure to the output and return it::

    W = Tensor(rng.normal(size=(3, 2)), name="W")
    b = Tensor(np.zeros(2), name="b")
    loss = squared_error((X @ W + b).sigmoid(), T)
    loss.backward()          # W.grad is now dL/dW, of W's shape

:meth:`Tensor.backward` visits the graph in reverse topological order, found
without recursion, so graphs of any depth work. Operations broadcast as
NumPy does; :func:`unbroadcast` sums an adjoint back to its operand's shape.
Plain arrays and numbers (here ``X``) enter as constants, and the losses
treat their targets ``T`` as constants; the sweep computes no adjoint for
them. A closure receives ``g`` rather than reading it
from its output node, so no node refers to itself through its closure: a
graph holds no reference cycles and is freed as soon as its loss is.
"""

import numpy as np

from . import activations, losses, softmax
from ._validation import as_float_array, check_axis, check_bool

__all__ = [
    "Tensor",
    "unbroadcast",
    "squared_error",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
    "value_and_grad",
    "operation",
]


def unbroadcast(g, shape):
    """Sum an adjoint ``g`` over the axes along which an operand of shape
    ``shape`` was broadcast, :eq:`eq-ad-vjp-add`: the leading axes it lacked
    and the axes where it had length 1. E.g. ``g`` of shape (n, k) and a
    bias of shape (k,) give the column sums, of shape (k,).

    Examples
    --------
    >>> import numpy as np
    >>> unbroadcast(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    """
    if g.shape == shape:  # the common case: nothing was broadcast
        return g
    while g.ndim > len(shape):  # leading axes NumPy prepended
        g = g.sum(axis=0)  # eq-ad-vjp-add
    stretched = tuple(
        i for i, size in enumerate(shape) if size == 1 and g.shape[i] != 1)
    if stretched:  # axes of length 1 that NumPy stretched
        g = g.sum(axis=stretched, keepdims=True)  # eq-ad-vjp-add
    return g


class Tensor:
    """A node of a computation graph: an array value and, after
    :meth:`backward`, its adjoint :eq:`eq-ad-adjoint`.

    Parameters
    ----------
    value : array_like of real numbers, any shape
        Stored as a float64 array.
    name : str, optional
        A label shown by ``repr``.
    requires_grad : bool, default True
        Whether :meth:`backward` computes this node's adjoint. False makes a
        constant, such as the data ``X``: the sweep computes no adjoint for
        it. A plain array or number in an operation becomes a constant by
        itself. Fixed when the node is made (same name and meaning as in
        PyTorch).

    Attributes
    ----------
    value : ndarray of float64
    grad : ndarray of the shape of ``value``, or None
        The adjoint :math:`\\bar v = \\partial\\mathcal{L}/\\partial v`, set
        by the last :meth:`backward` through this node; None before, and
        always None for a constant.
    requires_grad : bool
        Read-only. For an operation's output: whether any parent requires
        a gradient.
    parents : tuple of Tensor
        The nodes this one was computed from (empty for an input).
    op : str
        The operation that made the node (empty for an input).

    Notes
    -----
    Operations and their vector-Jacobian products: ``+`` and ``-`` with
    broadcasting, :eq:`eq-ad-vjp-add`; ``*``, ``/``, ``**`` and the
    elementwise functions, :eq:`eq-ad-vjp-elementwise`; ``@``,
    :eq:`eq-ad-vjp-matmul`; :meth:`sum` and :meth:`mean`,
    :eq:`eq-ad-vjp-sum`.
    """

    __array_ufunc__ = None  # ndarray + Tensor calls Tensor.__radd__, etc.

    def __init__(self, value, name=None, requires_grad=True):
        self.value = as_float_array(value, "value", allow_empty=True,
                                    finite=False)
        self.grad, self.parents, self.op, self.name = None, (), "", name
        self._requires_grad = check_bool(requires_grad, "requires_grad")
        self._backward = lambda g: None  # an input has no parents to update

    @classmethod
    def _node(cls, value, parents, op):
        """An operation's output node (no checks: NumPy made the value).
        It needs an adjoint if any parent does."""
        out = cls.__new__(cls)
        out.value, out.grad, out.parents = value, None, parents
        out.op, out.name, out._backward = op, None, lambda g: None
        out._requires_grad = any(p._requires_grad for p in parents)
        return out

    @property
    def requires_grad(self):
        """Whether the sweep computes this node's adjoint (False: a constant)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        raise AttributeError(
            "requires_grad is fixed when a Tensor is made (the graph built on "
            "it depends on it); make a new one, e.g. "
            "Tensor(t.value, requires_grad=False)")

    shape = property(lambda self: self.value.shape, doc="Shape of value.")
    ndim = property(lambda self: self.value.ndim, doc="Axes of value.")

    def __repr__(self):
        if self.value.size <= 6:
            shown = np.array2string(self.value, precision=4, separator=", ")
        else:
            shown = f"<array of shape {self.shape}>"
        extras = "".join(f", {key}={val!r}" for key, val in
                         (("name", self.name), ("op", self.op)) if val)
        return f"Tensor({shown}{extras})"

    # -- the reverse sweep --------------------------------------------------

    def _topological_order(self):
        """Every node this one depends on, each after all of its parents
        (constants left out: they need no adjoint).

        Depth-first search with an explicit stack: recursion would overflow
        Python's stack on graphs a few thousand nodes deep. A node is pushed
        twice; on its second pop all its non-constant parents are in
        ``order``.
        """
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents
                             if p.requires_grad and id(p) not in seen)
        return order

    def _check_seed(self, grad):
        """``grad`` as a float array of this node's shape (1 for a loss)."""
        if not self.requires_grad:
            raise ValueError("backward() needs a Tensor that depends on one "
                             "with requires_grad=True; this one is a "
                             "constant")
        if grad is None:
            if self.value.size != 1:
                raise ValueError(
                    f"backward() without a seed gradient needs a scalar (a "
                    f"loss), got a Tensor of shape {self.shape}; reduce it "
                    f"(e.g. .sum()) or pass grad of shape {self.shape}")
            return np.ones(self.shape)
        grad = as_float_array(grad, "grad", allow_empty=True)
        if grad.shape != self.shape:
            raise ValueError(f"grad must have the shape of this Tensor, "
                             f"{self.shape}, got {grad.shape}")
        return grad

    def backward(self, grad=None):
        """Compute the adjoint ``.grad`` of every node this one depends on,
        constants left out (their ``grad`` stays None).

        Zeroes those adjoints, seeds this node's with ``grad``, then runs each
        node's VJP in reverse topological order, :eq:`eq-ad-adjoint`. The
        VJPs add into their parents' adjoints, so a value used several times
        receives the sum :eq:`eq-ad-fanout`. Calling it again recomputes the
        adjoints (it does not add to the previous ones).

        Parameters
        ----------
        grad : array_like of this node's shape, optional
            The seed. Needed unless the node holds one number (a loss),
            whose seed is 1.
        """
        seed = self._check_seed(grad)
        order = self._topological_order()
        for node in order:
            node.grad = np.zeros(node.shape)
        self.grad += seed  # dL/dL = 1 for a loss
        for node in reversed(order):  # every child before its parents
            node._backward(node.grad)  # eq-ad-adjoint

    # -- operations: output node, VJP closure, attach -----------------------

    def __add__(self, other):
        other = _lift(other)
        out = Tensor._node(self.value + other.value, (self, other), "+")

        def _backward(g):  # g: the output's adjoint
            if self.requires_grad:
                self.grad += unbroadcast(g, self.shape)  # eq-ad-vjp-add
            if other.requires_grad:
                other.grad += unbroadcast(g, other.shape)  # eq-ad-vjp-add
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _lift(other)
        out = Tensor._node(self.value * other.value, (self, other), "*")

        def _backward(g):  # eq-ad-vjp-elementwise, then eq-ad-vjp-add
            if self.requires_grad:
                self.grad += unbroadcast(g * other.value, self.shape)
            if other.requires_grad:
                other.grad += unbroadcast(g * self.value, other.shape)
        out._backward = _backward
        return out

    def __matmul__(self, other):
        other = _lift(other)
        _check_matmul(self.shape, other.shape)
        out = Tensor._node(self.value @ other.value, (self, other), "@")

        def _backward(g):
            if self.requires_grad:
                self.grad += g @ other.value.T  # eq-ad-vjp-matmul
            if other.requires_grad:
                other.grad += self.value.T @ g  # eq-ad-vjp-matmul
        out._backward = _backward
        return out

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (default: all), as ``np.sum``;
        VJP :eq:`eq-ad-vjp-sum`."""
        axis = check_axis(axis, self.ndim)
        keepdims = check_bool(keepdims, "keepdims")
        value = self.value.sum(axis=axis, keepdims=keepdims)
        out = Tensor._node(value, (self,), "sum")

        def _backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)  # put the summed axes back
            self.grad += np.broadcast_to(g, self.shape)  # eq-ad-vjp-sum
        out._backward = _backward
        return out

    def _unary(self, f, df, op):
        """Elementwise ``f`` with derivative ``df``,
        :eq:`eq-ad-vjp-elementwise`. ``df(x, y)`` gets the input and the
        output ``y = f(x)``: exp and tanh take their derivatives from ``y``,
        the others from ``x`` (the sigmoid for accuracy)."""
        value = f(self.value)
        out = Tensor._node(value, (self,), op)

        def _backward(g):  # eq-ad-vjp-elementwise
            self.grad += g * df(self.value, value)
        out._backward = _backward
        return out

    def __pow__(self, p):
        if isinstance(p, Tensor) or np.ndim(p) != 0:
            raise TypeError(f"the exponent must be a plain number, got "
                            f"{type(p).__name__}")
        p = float(p)
        return self._unary(lambda x: x**p, lambda x, y: p * x ** (p - 1),
                           f"**{p:g}")

    def exp(self):
        """Elementwise :math:`e^x`; VJP :eq:`eq-ad-vjp-elementwise`."""
        return self._unary(np.exp, lambda x, y: y, "exp")  # (e^x)' = e^x

    def log(self):
        """Elementwise natural logarithm (of positive values); VJP
        :eq:`eq-ad-vjp-elementwise` with derivative :math:`1/x`."""
        return self._unary(np.log, lambda x, y: 1.0 / x, "log")

    def activation(self, name):
        """An activation of :mod:`bplib.activations`, by name; VJP
        :eq:`eq-ad-vjp-elementwise` with the activation's derivative."""
        f = activations.get_activation(name)
        from_output = f.derivative_from_output
        if from_output:  # e.g. 1 - tanh^2 from the output: no second tanh
            return self._unary(f.function, lambda x, y: from_output(y), name)
        return self._unary(f.function, lambda x, y: f.derivative(x), name)

    def sigmoid(self):
        """Elementwise logistic sigmoid."""
        return self.activation("sigmoid")

    def tanh(self):
        """Elementwise hyperbolic tangent."""
        return self.activation("tanh")

    def relu(self):
        """Elementwise :math:`\\max(0, x)`."""
        return self.activation("relu")

    # -- derived operations, written with the ones above --------------------

    def __neg__(self):
        return self * -1.0  # -a = a * (-1)

    def __sub__(self, other):
        return self + (-_lift(other))  # a - b = a + (-b)

    def __truediv__(self, other):
        return self * _lift(other) ** -1.0  # a / b = a * b^-1

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (default: all), as ``np.mean``."""
        axis = check_axis(axis, self.ndim)
        axes = range(self.ndim) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axis, keepdims) * (1.0 / count)  # sum / count

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return _lift(other) - self

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __rmatmul__(self, other):
        return _lift(other) @ self


def _lift(x):
    """A Tensor as it is; anything else becomes a constant input node."""
    return x if isinstance(x, Tensor) else Tensor(x, requires_grad=False)


def _check_matmul(a, b):
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        detail = (f": {a[1]} columns against {b[0]} rows"
                  if len(a) == len(b) == 2 else "")
        raise ValueError(f"matmul needs 2-D operands whose inner sizes "
                         f"agree, got shapes {a} @ {b}{detail}")


def _check_loss_input(Y, T):
    if not isinstance(Y, Tensor):
        raise TypeError(f"the loss's first argument must be a Tensor (the "
                        f"node to differentiate), got {type(Y).__name__}")
    if isinstance(T, Tensor) and T.requires_grad:
        raise ValueError("T must be a constant (the losses do not "
                         "differentiate their targets); pass an array or "
                         "Tensor(T, requires_grad=False)")
    return T.value if isinstance(T, Tensor) else T  # targets are constants


def _loss(name, Y, T):
    """A loss of :mod:`bplib.losses` as one node, value and VJP as there."""
    T = _check_loss_input(Y, T)
    loss, gradient = losses.get_loss(name)
    out = Tensor._node(np.array(loss(Y.value, T)), (Y,), name)

    def _backward(g):
        Y.grad += g * gradient(Y.value, T)  # chain rule, scalar out
    out._backward = _backward
    return out


def squared_error(Y, T):
    """Half the mean squared error of a Tensor ``Y`` of shape (n, k) against
    constant targets ``T`` of the same shape, as a Tensor of shape ():
    exactly :func:`bplib.losses.squared_error`, with VJP factor
    :math:`(Y - T)/n`."""
    return _loss("squared_error", Y, T)


def binary_cross_entropy_with_logits(Z, T):
    """Binary cross-entropy of ``sigmoid(Z)`` for a Tensor of logits ``Z``
    of shape (n, k) against constant targets ``T`` in [0, 1], as a Tensor of
    shape (): exactly :func:`bplib.losses.binary_cross_entropy_with_logits`,
    with VJP factor :math:`(\\sigma(Z) - T)/n`."""
    return _loss("binary_cross_entropy_with_logits", Z, T)


def softmax_cross_entropy(Z, T):
    """Mean cross-entropy of ``softmax(Z)`` for a Tensor of logits ``Z`` of
    shape (n, K) against constant targets ``T`` (one distribution per row),
    as a Tensor of shape (): exactly :func:`bplib.softmax.cross_entropy`,
    :eq:`eq-softmax-ce`, with VJP factor
    :math:`(\\operatorname{softmax}(Z) - T)/n`, :eq:`eq-softmax-grad`.

    The inputs are checked once, and one log-softmax serves both the value
    and the VJP (:func:`bplib.softmax.cross_entropy_and_delta`)."""
    T = _check_loss_input(Z, T)
    value, delta = softmax.cross_entropy_and_delta(*softmax.check_targets(Z.value, T))
    out = Tensor._node(np.array(value), (Z,), "softmax_cross_entropy")

    def _backward(g):
        Z.grad += g * delta  # eq-softmax-grad
    out._backward = _backward
    return out


def value_and_grad(f, params):
    """Evaluate a scalar function and its gradient with one reverse sweep,
    :eq:`eq-ad-adjoint`, at a cost of a small constant times one evaluation
    of ``f`` however many parameters there are, :eq:`eq-ad-cheap`.

    Parameters
    ----------
    f : callable
        Called as ``f(tensors)`` with a dict of :class:`Tensor` keyed like
        ``params``; returns a Tensor holding one number.
    params : dict of str to array_like
        The point, e.g. ``{"W1": W1, "b1": b1}``.

    Returns
    -------
    value : float
    grads : dict of str to ndarray
        Keyed and shaped like ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> value, grads = value_and_grad(lambda p: (p["w"] * p["w"]).sum(),
    ...                               {"w": np.array([1.0, -3.0])})
    >>> value, grads["w"]
    (10.0, array([ 2., -6.]))
    """
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays, got "
                        f"{type(params).__name__}")
    nodes = {key: Tensor(as_float_array(val, f"params[{key!r}]"), name=key)
             for key, val in params.items()}
    out = f(nodes)
    if not isinstance(out, Tensor):
        raise TypeError(f"f must return a Tensor, got {type(out).__name__}")
    if out.requires_grad:
        out.backward()
    elif out.value.size != 1:  # f used no parameter: every gradient is 0
        raise ValueError(f"f must return a Tensor holding one number, got "
                         f"shape {out.shape}")
    # a parameter that f does not use is not in the graph: its gradient is 0
    return float(out.value), {key: np.zeros_like(node.value) if node.grad is None
                              else node.grad for key, node in nodes.items()}


def operation(value, parents, vjps, op):
    """Output node of an operation defined outside this module: ``vjps[i](g)``
    returns the contribution of the output's adjoint ``g`` to ``parents[i]``'s
    adjoint (that parent's shape); only parents that require a gradient are
    visited.

    Examples
    --------
    >>> import numpy as np
    >>> x = Tensor(np.array([0.0, 1.0]))
    >>> y = operation(np.sin(x.value), [x], [lambda g: g * np.cos(x.value)], "sin")
    >>> y.sum().backward()
    >>> x.grad
    array([1.        , 0.54030231])
    """
    parents = tuple(_lift(p) for p in parents)
    out = Tensor._node(np.asarray(value, dtype=float), parents, op)

    def _backward(g):
        for p, vjp in zip(parents, vjps):
            if p.requires_grad:
                p.grad += vjp(g)
    out._backward = _backward
    return out
