"""Optimisers: minibatch SGD, momentum and Adam, as small stateful objects.

Chapter 7 of the book (training in practice). Backpropagation delivers the
gradient; an optimiser decides what to do with it. Each optimiser here keeps
whatever it remembers between steps (a velocity, running moments, a step
count) and updates a parameter dict such as :func:`bplib.mlp.init_params`
returns **in place**::

    opt = Adam(lr=1e-3)
    for X_batch, T_batch in batches:
        loss, grads = loss_and_gradients(X_batch, T_batch, params, activations)
        opt.step(params, grads)          # changes the arrays in params

The learning rate ``lr`` (the book's :math:`\\eta`) may be changed between
steps, which is how a schedule such as :func:`cosine` acts.
"""

import math
import numbers

import numpy as np

from ._validation import check_non_negative, check_positive, check_positive_int

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "cosine"]


def _check_fraction(value, name):
    """A number in [0, 1), such as a momentum or a decay rate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return float(value)


def _key_difference(params, grads):
    """Which keys ``grads`` lacks or has beyond ``params``: "grads lacks 'b1'"."""
    lacks = sorted(params.keys() - grads.keys())
    extra = sorted(grads.keys() - params.keys())
    said = ([f"lacks {', '.join(map(repr, lacks))}"] if lacks else []) + (
        [f"has {', '.join(map(repr, extra))}, which params lacks"] if extra else [])
    return "grads " + " and ".join(said)


class Optimizer:
    """What every optimiser shares: a checked learning rate, a step count and
    the check that ``params`` and ``grads`` match.

    Subclasses implement ``_update(params, grads)``, called by :meth:`step`
    after the checks.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\\eta`, > 0.
    """

    def __init__(self, lr):
        self.lr = lr
        self.t = 0  # steps taken
        self._shapes = None  # the parameter structure seen at the first step

    @property
    def lr(self):
        """float: the learning rate :math:`\\eta` (> 0), settable between steps."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_positive(value, "lr")

    def reset(self):
        """Forget the step count and all state, as if freshly made."""
        self.t, self._shapes = 0, None
        self._reset_state()

    def _reset_state(self):
        pass

    def step(self, params, grads):
        """Update ``params`` **in place** with one step along ``grads``.

        Parameters
        ----------
        params : dict of str to ndarray
            Float arrays, changed in place (e.g. from
            :func:`bplib.mlp.init_params`).
        grads : dict of str to ndarray
            The same keys and shapes, e.g. from
            :func:`bplib.mlp.loss_and_gradients`.

        Raises
        ------
        ValueError
            If the keys or shapes of ``params`` and ``grads`` differ (the
            message names the key, and both shapes), or differ from those of
            the first step (make a new optimiser, or call :meth:`reset`, for
            another network).

        Notes
        -----
        ``grads`` is not scanned for NaN or infinite entries: one
        ``np.isfinite(g).all()`` per array costs about as much as the update
        itself (0.8 times an SGD step on the 64-64-10 digits network), and
        this runs once per minibatch. A non-finite gradient is caught one
        step later instead: :func:`bplib.train.train` stops at the first
        non-finite loss (:class:`bplib.linear.DivergenceError`), and
        :func:`bplib.mlp.forward` and :func:`bplib.mlp.loss_and_gradients`
        refuse the non-finite parameters it leaves ("W1 must be finite, got
        1 NaN or infinite entry").
        """
        self._check(params, grads)
        self.t += 1
        self._update(params, grads)

    def _check(self, params, grads):
        if not isinstance(params, dict) or not isinstance(grads, dict):
            raise TypeError(
                "params and grads must be dicts of arrays, got "
                f"{type(params).__name__} and {type(grads).__name__}"
            )
        if params.keys() != grads.keys():
            raise ValueError(
                f"params and grads must have the same keys, got {sorted(params)} "
                f"and {sorted(grads)}: {_key_difference(params, grads)}"
            )
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(
                    f"params[{key!r}] must be a float ndarray (it is updated in place), "
                    f"got {type(p).__name__}"
                )
            if np.shape(grads[key]) != p.shape:
                raise ValueError(
                    f"grads[{key!r}] must have the shape of params[{key!r}], {p.shape}, "
                    f"got {np.shape(grads[key])}"
                )
        shapes = {key: p.shape for key, p in params.items()}
        if self._shapes is None:
            self._shapes = shapes
        elif shapes != self._shapes:
            raise ValueError(
                f"params changed since the first step (was {self._shapes}, now {shapes}); "
                "use a new optimiser or call reset() for another network"
            )

    def _update(self, params, grads):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Plain (minibatch) stochastic gradient descent, :eq:`eq-sgd`.

    Each step moves every parameter by :math:`-\\eta` times its gradient.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\\eta`, > 0.
    """

    def _update(self, params, grads):
        for key, theta in params.items():
            theta -= self.lr * grads[key]  # eq-sgd


class Momentum(Optimizer):
    """SGD with (heavy-ball) momentum, :eq:`eq-momentum`.

    A velocity :math:`v` accumulates the gradients, each older one
    discounted by :math:`\\mu` per step: :math:`v \\leftarrow \\mu v + g`,
    :math:`\\theta \\leftarrow \\theta - \\eta v`. With ``momentum=0`` this
    is :class:`SGD`; in a steady slope the step grows to :math:`\\eta/(1-\\mu)`
    times the gradient.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\\eta`, > 0.
    momentum : float, default 0.9
        :math:`\\mu`, in [0, 1).
    """

    def __init__(self, lr, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_fraction(momentum, "momentum")
        self.velocity = {}

    def _reset_state(self):
        self.velocity = {}

    def _update(self, params, grads):
        mu = self.momentum
        for key, theta in params.items():
            if key not in self.velocity:
                self.velocity[key] = np.zeros_like(theta)
            v = self.velocity[key]
            v *= mu
            v += grads[key]  # eq-momentum
            theta -= self.lr * v  # eq-momentum

    def __repr__(self):
        return f"Momentum(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): steps scaled by running estimates of the
    gradient's first two moments, with bias correction.

    Running averages :eq:`eq-adam-moments`,
    :math:`m \\leftarrow \\beta_1 m + (1-\\beta_1) g` and
    :math:`v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2`, both started at 0
    and therefore corrected at step :math:`t` by
    :math:`\\hat m = m/(1-\\beta_1^t)`, :math:`\\hat v = v/(1-\\beta_2^t)`,
    :eq:`eq-adam-bias-correction`; then
    :math:`\\theta \\leftarrow \\theta - \\eta\\,\\hat m/(\\sqrt{\\hat v} + \\epsilon)`,
    :eq:`eq-adam-update`, elementwise.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate :math:`\\eta`, > 0: about the largest change of
        any parameter in one step.
    beta1 : float, default 0.9
        Decay rate of the first moment, in [0, 1).
    beta2 : float, default 0.999
        Decay rate of the second moment, in [0, 1).
    eps : float, default 1e-8
        Added to :math:`\\sqrt{\\hat v}`, > 0, against division by zero.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = _check_fraction(beta1, "beta1")
        self.beta2 = _check_fraction(beta2, "beta2")
        self.eps = check_positive(eps, "eps")
        self.m, self.v = {}, {}

    def _reset_state(self):
        self.m, self.v = {}, {}

    def _update(self, params, grads):
        b1, b2, t = self.beta1, self.beta2, self.t
        for key, theta in params.items():
            g = grads[key]
            if key not in self.m:
                self.m[key] = np.zeros_like(theta)
                self.v[key] = np.zeros_like(theta)
            m, v = self.m[key], self.v[key]
            m *= b1
            m += (1 - b1) * g  # eq-adam-moments
            v *= b2
            v += (1 - b2) * (g * g)  # eq-adam-moments
            m_hat = m / (1 - b1**t)  # eq-adam-bias-correction
            v_hat = v / (1 - b2**t)  # eq-adam-bias-correction
            rms = np.sqrt(v_hat) + self.eps
            theta -= self.lr * m_hat / rms  # eq-adam-update

    def __repr__(self):
        return (f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
                f"eps={self.eps:g})")


def cosine(lr_max, epochs, lr_min=0.0):
    """A cosine learning-rate schedule, for ``train(..., schedule=...)``.

    The rate falls from ``lr_max`` at epoch 0 to ``lr_min`` at epoch
    ``epochs`` along half a cosine:
    :math:`\\eta_e = \\eta_{\\min} + \\tfrac12(\\eta_{\\max} - \\eta_{\\min})
    (1 + \\cos(\\pi e / E))`; it stays at ``lr_min`` after that.

    Parameters
    ----------
    lr_max : float
        The starting rate, > 0.
    epochs : int
        :math:`E`, the epoch at which the rate reaches ``lr_min``.
    lr_min : float, default 0.0
        The final rate, 0 <= lr_min < lr_max. A rate of exactly 0 is
        replaced by ``1e-3 * lr_max`` at the last epochs, since optimisers
        require ``lr > 0``.

    Returns
    -------
    callable
        ``schedule(epoch) -> lr``, for an integer ``epoch >= 0``.

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``lr_max``, ``epochs``, ``lr_min``, or the
        schedule's ``epoch``) that is not a number in its range.
    """
    lr_max = check_positive(lr_max, "lr_max")
    epochs = check_positive_int(epochs, "epochs")
    lr_min = check_non_negative(lr_min, "lr_min")
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must lie in [0, lr_max={lr_max:g}), got {lr_min:g}")
    floor = max(lr_min, 1e-3 * lr_max)

    def schedule(epoch):
        e = min(check_positive_int(epoch, "epoch", minimum=0), epochs)
        return max(lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * e / epochs)),
                   floor)

    return schedule
