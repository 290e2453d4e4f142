"""Weight initialisation: standard normal, LeCun, Xavier/Glorot and He, all seeded.

Chapter 6 of the book (vanishing and exploding gradients); chapters 4, 5 and 7
use its default, LeCun normal. Every scheme
returns parameters in the structure of :mod:`bplib.mlp` (``{"W1": W1,
"b1": b1, ..., "WL": WL, "bL": bL}``, ``W<l>`` of shape ``(d_{l-1}, d_l)``,
biases zero), so a network made here goes straight into
:func:`bplib.mlp.forward` and :func:`bplib.mlp.loss_and_gradients`::

    params = init_params([2, 64, 64, 1], "he_normal", rng=0)
    params = init_params([2, 64, 64, 1], "xavier_uniform", scale=4.0, rng=0)

The schemes differ only in the variance of the weights of layer ``l``, a
function of its fan-in ``d_{l-1}`` and fan-out ``d_l``
(:func:`weight_variance`):

* ``"standard_normal"``: 1, whatever the layer's size;
* ``"lecun_normal"``: :math:`1/d_{l-1}`, which keeps the weighted inputs of
  order one, :eq:`eq-init-forward-variance`;
* ``"xavier_normal"``, ``"xavier_uniform"``: :math:`2/(d_{l-1} + d_l)`,
  :eq:`eq-init-xavier`, the compromise between keeping the forward variance
  :eq:`eq-init-forward-variance` and the backward variance
  :eq:`eq-init-backward-variance` for an activation with :math:`f'(0) = 1`;
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
]

SCHEMES = ("standard_normal", "lecun_normal", "xavier_normal", "xavier_uniform",
           "he_normal", "he_uniform")
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
    if scheme == "lecun_normal":
        return 1.0 / fan_in  # eq-init-forward-variance with Var f(z) = Var z
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
        ``scale**2`` times 1 (standard normal), :math:`1/d_{l-1}` (LeCun),
        :math:`2/(d_{l-1} + d_l)`
        (Xavier, :eq:`eq-init-xavier`) or :math:`2/d_{l-1}` (He,
        :eq:`eq-init-he`). The uniform variants have the same variance.
    """
    scheme = _check_scheme(scheme)
    fan_in = check_positive_int(fan_in, "fan_in")
    fan_out = check_positive_int(fan_out, "fan_out")
    return check_positive(scale, "scale") ** 2 * _variance(scheme, fan_in, fan_out)


def init_params(sizes, scheme="lecun_normal", *, scale=1.0, rng=0):
    """Weights drawn by a named scheme, zero biases, in :mod:`bplib.mlp`'s
    layout.

    Parameters
    ----------
    sizes : sequence of int
        ``(d_0, d_1, ..., d_L)``: the number of inputs, then the units of
        each layer; at least two entries, all >= 1.
    scheme : str, default "lecun_normal"
        One of :data:`SCHEMES`: ``"standard_normal"`` with ``scale=c``
        draws every weight from :math:`N(0, c^2)`.
    scale : float, default 1.0
        Multiplier of every weight's standard deviation, > 0.
    rng : int or numpy.random.Generator, default 0
        Seed or generator; the same seed gives the same weights.

    Returns
    -------
    dict of str to ndarray
        ``W<l>`` of shape ``(d_{l-1}, d_l)`` with mean 0 and variance
        :func:`weight_variance`, ``b<l>`` of shape ``(d_l,)``, zero.

    Examples
    --------
    >>> params = init_params([3, 4, 2], "he_normal", rng=0)
    >>> {key: value.shape for key, value in params.items()}
    {'W1': (3, 4), 'b1': (4,), 'W2': (4, 2), 'b2': (2,)}
    >>> weight_variance("he_normal", 3, 4)  # 2 / fan_in
    0.6666666666666666
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
