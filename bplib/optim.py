"""Optimisers: minibatch SGD, momentum and Adam, as small stateful objects.

Chapter 7 of the book (training in practice). Backpropagation delivers the
gradient; an optimiser decides what to do with it. Each optimiser here keeps
whatever it remembers between steps (a velocity, running moments, a step
count) and updates a parameter dict such as :func:`bplib.init.init_params`
returns **in place**::

    opt = Adam(eta=1e-3)
    for X_batch, T_batch in batches:
        loss, grads = loss_and_gradients(X_batch, T_batch, params, activations)
        opt.step(params, grads)          # changes the arrays in params

The learning rate ``eta`` (:math:`\\eta`) may be changed between steps,
which is how a schedule such as :func:`cosine` acts.
"""

import math
import numbers

import numpy as np

from ._validation import check_non_negative, check_positive, check_positive_int

__all__ = ["Optimiser", "SGD", "Momentum", "Adam", "cosine"]


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


class Optimiser:
    """What every optimiser shares: a checked learning rate, a step count and
    the check that ``params`` and ``grads`` match.

    Subclasses implement ``_update(params, grads)``, called by :meth:`step`
    after the checks.

    Parameters
    ----------
    eta : float
        The learning rate :math:`\\eta`, > 0.
    """

    def __init__(self, eta):
        self.eta = eta
        self.t = 0  # steps taken
        self._shapes = None  # the parameter structure seen at the first step

    @property
    def eta(self):
        """float: the learning rate :math:`\\eta` (> 0), settable between steps."""
        return self._eta

    @eta.setter
    def eta(self, value):
        self._eta = check_positive(value, "eta")

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
            :func:`bplib.init.init_params`).
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
        ``grads`` is not scanned for NaN or infinite entries, which would
        cost about as much as the update itself on every minibatch. A
        non-finite gradient is caught one step later instead:
        :func:`bplib.train.train` stops at the first non-finite loss, and
        :func:`bplib.mlp.forward` refuses the non-finite parameters it leaves.
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
            g = grads[key]
            if not isinstance(g, np.ndarray) or g.dtype.kind not in "biuf":
                raise TypeError(
                    f"grads[{key!r}] must be an ndarray of real numbers, got "
                    + (f"an array of dtype {g.dtype}" if isinstance(g, np.ndarray)
                       else type(g).__name__)
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
        return f"{type(self).__name__}(eta={self.eta:g})"


class SGD(Optimiser):
    """Plain (minibatch) stochastic gradient descent, :eq:`eq-sgd`.

    Each step moves every parameter by :math:`-\\eta` times its gradient.

    Parameters
    ----------
    eta : float
        The learning rate :math:`\\eta`, > 0.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W": np.array([1.0, 2.0])}
    >>> SGD(eta=0.5).step(params, {"W": np.array([2.0, -2.0])})
    >>> params["W"]
    array([0., 3.])
    """

    def _update(self, params, grads):
        for key, theta in params.items():
            theta -= self.eta * grads[key]  # eq-sgd


class Momentum(Optimiser):
    """SGD with (heavy-ball) momentum, :eq:`eq-momentum`.

    A velocity :math:`v` accumulates the gradients, each older one
    discounted by :math:`\\mu` per step: :math:`v \\leftarrow \\mu v + g`,
    :math:`\\theta \\leftarrow \\theta - \\eta v`. With ``momentum=0`` this
    is :class:`SGD`; in a steady slope the step grows to :math:`\\eta/(1-\\mu)`
    times the gradient.

    Parameters
    ----------
    eta : float
        The learning rate :math:`\\eta`, > 0.
    momentum : float, default 0.9
        :math:`\\mu`, in [0, 1).
    """

    def __init__(self, eta, momentum=0.9):
        super().__init__(eta)
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
            theta -= self.eta * v  # eq-momentum

    def __repr__(self):
        return f"Momentum(eta={self.eta:g}, momentum={self.momentum:g})"


class Adam(Optimiser):
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
    eta : float, default 1e-3
        The learning rate :math:`\\eta`, > 0: about the largest change of
        any parameter in one step.
    beta1 : float, default 0.9
        Decay rate of the first moment, in [0, 1).
    beta2 : float, default 0.999
        Decay rate of the second moment, in [0, 1).
    eps : float, default 1e-8
        Added to :math:`\\sqrt{\\hat v}`, > 0, against division by zero.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"w": np.array([0.0])}
    >>> Adam(eta=0.1).step(params, {"w": np.array([5.0])})  # first step: -eta sign(g)
    >>> np.round(params["w"], 6)
    array([-0.1])
    """

    def __init__(self, eta=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(eta)
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
            theta -= self.eta * m_hat / rms  # eq-adam-update

    def __repr__(self):
        return (f"Adam(eta={self.eta:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
                f"eps={self.eps:g})")


def cosine(eta_max, epochs, eta_min=0.0):
    """A cosine learning-rate schedule, for ``train(..., schedule=...)``.

    The rate falls from ``eta_max`` at epoch 0 to ``eta_min`` at epoch
    ``epochs`` along half a cosine:
    :math:`\\eta_e = \\eta_{\\min} + \\tfrac12(\\eta_{\\max} - \\eta_{\\min})
    (1 + \\cos(\\pi e / E))`; it stays at ``eta_min`` after that.

    Parameters
    ----------
    eta_max : float
        The starting rate, > 0.
    epochs : int
        :math:`E`, the epoch at which the rate reaches ``eta_min``.
    eta_min : float, default 0.0
        The final rate, 0 <= eta_min < eta_max. A rate of exactly 0 is
        replaced by ``1e-3 * eta_max`` at the last epochs, since optimisers
        require ``eta > 0``.

    Returns
    -------
    callable
        ``schedule(epoch) -> eta``, for an integer ``epoch >= 0``.

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``eta_max``, ``epochs``, ``eta_min``, or the
        schedule's ``epoch``) that is not a number in its range.

    Examples
    --------
    >>> schedule = cosine(0.1, 10)
    >>> schedule(0), round(schedule(5), 6)
    (0.1, 0.05)
    """
    eta_max = check_positive(eta_max, "eta_max")
    epochs = check_positive_int(epochs, "epochs")
    eta_min = check_non_negative(eta_min, "eta_min")
    if not eta_min < eta_max:
        raise ValueError(f"eta_min must lie in [0, eta_max={eta_max:g}), got {eta_min:g}")
    floor = max(eta_min, 1e-3 * eta_max)

    def schedule(epoch):
        e = min(check_positive_int(epoch, "epoch", minimum=0), epochs)
        return max(eta_min + 0.5 * (eta_max - eta_min) * (1 + math.cos(math.pi * e / epochs)),
                   floor)

    return schedule
