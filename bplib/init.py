"""Weight initialisation: standard normal, Xavier/Glorot and He, all seeded.

Chapter 6 of the book (vanishing and exploding gradients). Every scheme
returns parameters in the structure of :mod:`bplib.mlp` (``{"W1": W1,
"b1": b1, ..., "WL": WL, "bL": bL}``, ``W<l>`` of shape ``(d_{l-1}, d_l)``,
biases zero), so a network made here goes straight into
:func:`bplib.mlp.forward` and :func:`bplib.mlp.loss_and_gradients`::

    params = init.he_normal([2, 64, 64, 1], rng=0)
    params = init.init_params([2, 64, 64, 1], "xavier_uniform", scale=4.0, rng=0)

The schemes differ only in the variance of the weights of layer ``l``, a
function of its fan-in ``d_{l-1}`` and fan-out ``d_l``
(:func:`weight_variance`):

* ``"standard_normal"``: 1, whatever the layer's size;
* ``"xavier_normal"``, ``"xavier_uniform"``: :math:`2/(d_{l-1} + d_l)`,
  :eq:`eq-init-xavier`;
* ``"he_normal"``, ``"he_uniform"``: :math:`2/d_{l-1}`, :eq:`eq-init-he`.

Each also takes ``scale``, a multiplier of the weights' standard deviation
(so the variance is multiplied by ``scale**2``): the knob the chapter turns to
push a network into vanishing or exploding gradients.
"""

import numbers

import numpy as np

from ._validation import check_positive, check_positive_int, check_rng

__all__ = [
    "SCHEMES",
    "weight_variance",
    "init_params",
    "standard_normal",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
]

SCHEMES = ("standard_normal", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform")
"""tuple of str: the names :func:`init_params` accepts."""


def _check_sizes(sizes):
    message = f"sizes must list two or more positive layer sizes, got {sizes!r}"
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(message)
    for l, d in enumerate(sizes):
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral) or d < 1:
            raise ValueError(f"{message}: sizes[{l}] is {d!r}")
    return [int(d) for d in sizes]


def _check_scheme(scheme):
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string, got {scheme!r}")
    if scheme not in SCHEMES:
        known = ", ".join(repr(s) for s in SCHEMES)
        raise ValueError(f"unknown initialisation scheme {scheme!r}; known schemes are {known}")
    return scheme


def _variance(scheme, fan_in, fan_out):
    if scheme == "standard_normal":
        return 1.0
    if scheme.startswith("xavier"):
        return 2.0 / (fan_in + fan_out)  # eq-init-xavier
    return 2.0 / fan_in  # eq-init-he


def weight_variance(scheme, fan_in, fan_out, scale=1.0):
    """The variance a scheme gives each weight of a layer.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    fan_in, fan_out : int
        The layer's number of inputs :math:`d_{l-1}` and units :math:`d_l`,
        each >= 1.
    scale : float, default 1.0
        Multiplier of the standard deviation, > 0.

    Returns
    -------
    float
        ``scale**2`` times 1 (standard normal), :math:`2/(d_{l-1} + d_l)`
        (Xavier, :eq:`eq-init-xavier`) or :math:`2/d_{l-1}` (He,
        :eq:`eq-init-he`). The uniform variants have the same variance.
    """
    scheme = _check_scheme(scheme)
    fan_in = check_positive_int(fan_in, "fan_in")
    fan_out = check_positive_int(fan_out, "fan_out")
    return check_positive(scale, "scale") ** 2 * _variance(scheme, fan_in, fan_out)


def init_params(sizes, scheme="xavier_normal", *, scale=1.0, rng=0):
    """Weights drawn by a named scheme, zero biases, in :mod:`bplib.mlp`'s layout.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, d_1, ..., d_L)``: the number of inputs, then the units of
        each layer; at least two entries, all >= 1.
    scheme : str, default "xavier_normal"
        One of :data:`SCHEMES`.
    scale : float, default 1.0
        Multiplier of every weight's standard deviation, > 0.
    rng : int or numpy.random.Generator, default 0
        Seed or generator; the same seed gives the same weights.

    Returns
    -------
    dict of str to ndarray
        ``W<l>`` of shape ``(d_{l-1}, d_l)`` with mean 0 and variance
        :func:`weight_variance`, ``b<l>`` of shape ``(d_l,)``, zero.
    """
    sizes, scheme = _check_sizes(sizes), _check_scheme(scheme)
    scale, rng = check_positive(scale, "scale"), check_rng(rng)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = scale * np.sqrt(_variance(scheme, fan_in, fan_out))
        if scheme.endswith("uniform"):
            limit = np.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
            W = rng.uniform(-limit, limit, size=(fan_in, fan_out))
        else:
            W = rng.normal(0.0, std, size=(fan_in, fan_out))
        params[f"W{l}"], params[f"b{l}"] = W, np.zeros(fan_out)
    return params


def standard_normal(sizes, *, scale=1.0, rng=0):
    """Weights drawn from :math:`N(0, \\text{scale}^2)`, whatever the layer's size.

    With ``scale=1`` this is the naive initialisation whose deep networks
    saturate (sigmoid) or explode (tanh): the variance of a weighted input
    grows with the fan-in, :eq:`eq-init-forward-variance`.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    scale : float, default 1.0
        Standard deviation of every weight.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        As :func:`init_params`.
    """
    return init_params(sizes, "standard_normal", scale=scale, rng=rng)


def xavier_normal(sizes, *, scale=1.0, rng=0):
    """Xavier/Glorot normal: :math:`W \\sim N(0, 2/(d_{l-1} + d_l))`, :eq:`eq-init-xavier`.

    The compromise between keeping the forward variance
    (:eq:`eq-init-forward-variance`) and the backward variance
    (:eq:`eq-init-backward-variance`) for an activation with
    :math:`f'(0) = 1`, such as tanh.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    scale : float, default 1.0
        Multiplier of the standard deviation (the "gain").
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        As :func:`init_params`.
    """
    return init_params(sizes, "xavier_normal", scale=scale, rng=rng)


def xavier_uniform(sizes, *, scale=1.0, rng=0):
    """Xavier/Glorot uniform: :math:`W \\sim U(-a, a)`, :math:`a = \\sqrt{6/(d_{l-1} + d_l)}`.

    The same variance as :func:`xavier_normal`, :eq:`eq-init-xavier`,
    since :math:`U(-a, a)` has variance :math:`a^2/3`; this is the form
    Glorot and Bengio proposed.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    scale : float, default 1.0
        Multiplier of the standard deviation (and of ``a``).
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        As :func:`init_params`.
    """
    return init_params(sizes, "xavier_uniform", scale=scale, rng=rng)


def he_normal(sizes, *, scale=1.0, rng=0):
    """He (Kaiming) normal: :math:`W \\sim N(0, 2/d_{l-1})`, :eq:`eq-init-he`.

    Keeps the forward variance of a ReLU network constant: a ReLU passes
    half of its input's second moment, and the factor 2 makes up for it.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    scale : float, default 1.0
        Multiplier of the standard deviation.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        As :func:`init_params`.
    """
    return init_params(sizes, "he_normal", scale=scale, rng=rng)


def he_uniform(sizes, *, scale=1.0, rng=0):
    """He uniform: :math:`W \\sim U(-a, a)`, :math:`a = \\sqrt{6/d_{l-1}}`, :eq:`eq-init-he`.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, ..., d_L)``.
    scale : float, default 1.0
        Multiplier of the standard deviation.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    dict of str to ndarray
        As :func:`init_params`.
    """
    return init_params(sizes, "he_uniform", scale=scale, rng=rng)
