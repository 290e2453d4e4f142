"""Checkers for the exercises of chapters 6 and 7: initialisation and Adam.

* :func:`check_he_init`: He initialisation, :eq:`eq-init-he`, checked
  statistically: the sample variance of every weight matrix against
  :math:`2/d_{l-1}`, on layers of thousands of weights and several seeds
  (chapter 6);
* :func:`check_adam_step`: one Adam step with bias correction,
  :eq:`eq-adam-moments`, :eq:`eq-adam-bias-correction` and
  :eq:`eq-adam-update`, against :class:`bplib.optim.Adam` (chapter 7).
"""

import numpy as np

from .. import optim
from .core import (
    AnswerShapeError,
    Case,
    Exercise,
    Mistake,
    Verdict,
    _NotImplemented,
    call_answer,
    check_signature,
    fmt,
    not_implemented,
    run,
)

__all__ = ["check_he_init", "check_adam_step"]

# -- chapter 6: He initialisation ---------------------------------------------------

_HE_NETWORKS = ([400, 100, 900], [300, 300, 50, 1], [1, 200])
_HE_SEEDS = (0, 1, 2)
_Z_LIMIT = 5.0  # a right answer fails a 5-sigma test with probability below 1e-6

_VARIANCES = (  # key, cause, variance as a function of (fan_in, fan_out)
    ("fan-out", "the fan-out d_l where the fan-in d_(l-1) belongs: Var = 2 / d_(l-1)",
     lambda i, o: 2.0 / o),
    ("xavier", "Xavier's variance 2 / (d_(l-1) + d_l); He's is 2 / d_(l-1), for ReLU",
     lambda i, o: 2.0 / (i + o)),
    ("missing-2", "the factor 2 left out: Var = 2 / d_(l-1) (a ReLU halves the second "
     "moment, and the 2 makes up for it)", lambda i, o: 1.0 / i),
    ("std-for-variance", "the variance 2 / d_(l-1) used as the standard deviation; the "
     "standard deviation is its square root, sqrt(2 / d_(l-1))", lambda i, o: (2.0 / i) ** 2),
    ("uniform-limit", "U(-a, a) with a = sqrt(2 / d_(l-1)); its variance is a^2 / 3, so "
     "a = sqrt(6 / d_(l-1))", lambda i, o: 2.0 / (3 * i)),
    ("standard-normal", "weights of variance 1, whatever the layer's size",
     lambda i, o: 1.0),
)


class _HeExercise:
    name = "he_init"
    parameters = ("sizes",)
    keywords = ("rng",)
    returns = 'a dict {"W1": W1, "b1": b1, ...}'


def _call_he(answer, sizes, rng):
    params = call_answer(answer, list(sizes), rng=rng)
    if params is None:
        raise _NotImplemented(f"it returns None; it should return {_HeExercise.returns}")
    if not isinstance(params, dict):
        raise TypeError(f"he_init must return a dict {{'W1': W1, 'b1': b1, ...}}, got "
                        f"{type(params).__name__}")
    keys = [f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"]
    if sorted(params) != sorted(keys):
        raise TypeError(f"he_init({sizes}) must return the keys {', '.join(keys)}, got "
                        f"{', '.join(map(str, params))}")
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        for key, shape in ((f"W{l}", (fan_in, fan_out)), (f"b{l}", (fan_out,))):
            value = np.asarray(params[key])
            if value.dtype.kind not in "biuf":
                raise TypeError(f"he_init's {key} must be an array of real numbers, got "
                                f"dtype {value.dtype}")
            if value.shape != shape:
                hint = (" Likely cause: a transpose (W_l has shape (d_(l-1), d_l))."
                        if value.shape == shape[::-1] else "")
                raise AnswerShapeError(f"he_init({sizes}) returned {key} of shape "
                                       f"{value.shape}, but {key} must have shape {shape}."
                                       + hint, "transpose" if hint else None)
    return {k: np.asarray(v, dtype=float) for k, v in params.items()}


def _z(sample, variance):
    """z-score of the mean square of ``sample`` against ``variance``."""
    W2 = sample.ravel() ** 2
    spread = max(np.std(W2), 1e-300) / np.sqrt(W2.size)
    return (W2.mean() - variance) / spread


def _he_verdict(answer):
    runs = {}
    for sizes in _HE_NETWORKS:
        for seed in _HE_SEEDS:
            runs[(tuple(sizes), seed)] = _call_he(answer, sizes, seed)
    # reproducible from rng alone: the same seed, the same weights; a Generator works too
    sizes = _HE_NETWORKS[0]
    again = _call_he(answer, sizes, 0)
    first = runs[(tuple(sizes), 0)]
    if any(not np.array_equal(first[k], again[k]) for k in first):
        return Verdict(False, "ignores-rng", (
            "he_init: wrong: two calls with rng=0 gave different weights. Likely cause: "
            "NumPy's global random state (np.random.normal); draw from "
            "np.random.default_rng(rng) instead."), ("ignores-rng",))
    if all(np.array_equal(first[k], runs[(tuple(sizes), 1)][k]) for k in first):
        return Verdict(False, "ignores-rng", (
            "he_init: wrong: rng=0 and rng=1 gave the same weights. Likely cause: the "
            "seed is fixed inside the function; draw from np.random.default_rng(rng)."),
            ("ignores-rng",))
    _call_he(answer, sizes, np.random.default_rng(0))  # a Generator must be accepted
    for (sizes, seed), params in runs.items():
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W, b = params[f"W{l}"], params[f"b{l}"]
            where = f"sizes {list(sizes)}, rng={seed}, layer {l} (fan-in {fan_in})"
            if np.any(b != 0):
                return Verdict(False, "bias-not-zero", (
                    f"he_init: wrong for {where}: b{l} is not zero. He initialisation "
                    f"draws only the weights; the biases start at 0."), ("bias-not-zero",))
            if W.size < 50:
                continue  # too few weights for a statistical verdict
            target = 2.0 / fan_in  # eq-init-he
            observed = float(np.mean(W ** 2))
            mean_z = W.mean() / np.sqrt(max(observed, 1e-300) / W.size)
            var_z = _z(W, target)
            if abs(mean_z) < _Z_LIMIT and abs(var_z) < _Z_LIMIT:
                continue
            message = (f"he_init: wrong for {where}: the weights' variance is "
                       f"{fmt(observed)}, He's is 2 / {fan_in} = {fmt(target)} "
                       f"({fmt(observed / target)} times too "
                       f"{'large' if observed > target else 'small'}).")
            if abs(mean_z) >= _Z_LIMIT:
                message = (f"he_init: wrong for {where}: the weights' mean is "
                           f"{fmt(W.mean())}, not 0.")
                return Verdict(False, "nonzero-mean", message + " Likely cause: a "
                               "distribution that is not centred (e.g. rng.uniform(0, a) "
                               "or rng.random).", ("nonzero-mean",))
            for key, cause, variance in _VARIANCES:
                if abs(_z(W, variance(fan_in, fan_out))) < _Z_LIMIT:
                    return Verdict(False, key, f"{message}\n  Likely cause: {cause}.", (key,))
            return Verdict(False, None, message, ())
    return Verdict(True, None, (
        "he_init: correct: on 3 networks and 3 seeds each, every weight matrix has mean 0 "
        "and variance 2 / fan-in (within 5 standard errors), every bias is 0, and the same "
        "rng gives the same weights."))


def check_he_init(he_init):
    """Check the reader's He initialisation, :eq:`eq-init-he`, statistically.

    Parameters
    ----------
    he_init : callable
        ``he_init(sizes, *, rng) -> params``: for layer sizes
        ``(d_0, ..., d_L)`` and a seed or :class:`numpy.random.Generator`
        ``rng``, the dict ``{"W1": W1, "b1": b1, ...}`` of
        :func:`bplib.init.init_params`, ``W<l>`` of shape
        ``(d_{l-1}, d_l)`` with mean 0 and variance :math:`2/d_{l-1}`
        (normal or uniform), ``b<l>`` zero.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"fan-out"``, ``"xavier"``,
        ``"missing-2"``, ``"std-for-variance"``, ``"uniform-limit"``,
        ``"standard-normal"``, ``"nonzero-mean"``, ``"bias-not-zero"``,
        ``"ignores-rng"``; a transposed shape raises ``AnswerShapeError``.
    """
    check_signature(he_init, _HeExercise)
    try:
        verdict = _he_verdict(he_init)
    except _NotImplemented as stub:
        verdict = not_implemented(_HeExercise, stub.how)
    print(verdict.message)
    return verdict


# -- chapter 7: one Adam step -----------------------------------------------------------


def _adam(theta, g, m, v, t, eta, beta1, beta2, eps):
    """bplib's Adam, put in the state of step t - 1 and stepped once."""
    opt = optim.Adam(eta, beta1, beta2, eps)
    opt.t, opt.m, opt.v = t - 1, {"theta": m.copy()}, {"theta": v.copy()}
    params = {"theta": theta.copy()}
    opt.step(params, {"theta": g.copy()})
    return params["theta"], opt.m["theta"], opt.v["theta"]


def _as_change(step):
    """Outputs (theta_new - theta, m, v): the change shows differences that
    would drown in theta's own size."""
    def changed(theta, *rest):
        new_theta, m, v = step(theta, *rest)
        return np.asarray(new_theta, dtype=float) - theta, m, v
    return changed


def _adam_call(answer, *args):
    got = call_answer(answer, *args)
    if got is None or not isinstance(got, (tuple, list)) or len(got) != 3:
        return got  # as_outputs says what is wrong with it
    if got[0] is None or np.shape(got[0]) != np.shape(args[0]):
        return got
    return _as_change(lambda *a: got)(*args)


def _adam_cases():
    cases = []
    specs = [(1, (3, 2), 1e-3, 1.0), (2, (4,), 1e-2, 1.0), (10, (2, 3), 1e-3, 1.0),
             (1, (1,), 1e-3, 1e-9), (500, (5,), 1e-3, 1.0)]
    for seed, (t, shape, eta, size) in enumerate(specs):
        rng = np.random.default_rng(seed)
        theta, m, v = rng.normal(size=shape), np.zeros(shape), np.zeros(shape)
        opt = optim.Adam(eta)
        params = {"theta": theta}
        for _ in range(t - 1):  # a realistic state after t - 1 steps
            opt.step(params, {"theta": size * rng.normal(size=shape)})
        if t > 1:
            m, v = opt.m["theta"].copy(), opt.v["theta"].copy()
        g = size * rng.normal(size=shape)
        label = f"step t={t}, shape {shape}, eta={eta:g}" + (", gradients of size 1e-9"
                                                              if size < 1 else "")
        cases.append(Case(label, (params["theta"].copy(), g, m, v, t, eta, 0.9, 0.999, 1e-8)))
    return tuple(cases)


def _adam_variant(*, correct_m=True, correct_v=True, shift=0, eps_inside=False, sqrt=True,
                  square=True, swap=False, sign=1.0, new_state=True):
    def produce(theta, g, m, v, t, eta, beta1, beta2, eps):
        b1, b2 = (1 - beta1, 1 - beta2) if swap else (beta1, beta2)
        m1 = b1 * m + (1 - b1) * g
        v1 = b2 * v + (1 - b2) * (g * g if square else g)
        tc = t + shift
        m_hat = m1 / (1 - beta1 ** tc) if correct_m else m1
        v_hat = v1 / (1 - beta2 ** tc) if correct_v else v1
        if eps_inside:
            rms = np.sqrt(v_hat + eps)
        else:
            rms = (np.sqrt(v_hat) if sqrt else v_hat) + eps
        theta1 = theta - sign * eta * m_hat / rms
        return (theta1, m1, v1) if new_state else (theta1, m, v)
    return _as_change(produce)


ADAM_STEP = Exercise(
    name="adam_step",
    parameters=("theta", "g", "m", "v", "t", "eta", "beta1", "beta2", "eps"),
    outputs=("theta_new - theta", "m", "v"),
    cases=_adam_cases(),
    reference=_as_change(_adam),
    call=_adam_call,
    reference_name="bplib.optim.Adam",
    summary="steps t = 1, 2, 10 and 500, gradients of size 1 and 1e-9",
    returns="(theta, m, v), the new parameters and moments",
    mistakes=(
        Mistake("no-bias-correction", "the bias correction left out: divide m by "
                "1 - beta1^t and v by 1 - beta2^t", _adam_variant(correct_m=False,
                                                                   correct_v=False)),
        Mistake("bias-correction-m-only", "the bias correction of v left out: "
                "v_hat = v / (1 - beta2^t)", _adam_variant(correct_v=False)),
        Mistake("bias-correction-v-only", "the bias correction of m left out: "
                "m_hat = m / (1 - beta1^t)", _adam_variant(correct_m=False)),
        Mistake("step-count-off-by-one", "the step count off by one in the bias "
                "correction: the first step has t = 1", _adam_variant(shift=1)),
        Mistake("eps-inside-sqrt", "epsilon inside the square root: the update divides "
                "by sqrt(v_hat) + eps", _adam_variant(eps_inside=True)),
        Mistake("no-sqrt", "the square root left out: the update divides by "
                "sqrt(v_hat) + eps, the root mean square", _adam_variant(sqrt=False)),
        Mistake("g-not-squared", "v averages g where it averages g^2, the squared "
                "gradient", _adam_variant(square=False)),
        Mistake("betas-swapped", "beta and 1 - beta swapped: m = beta1 m + (1 - beta1) g",
                _adam_variant(swap=True)),
        Mistake("sign", "a step uphill: theta - eta m_hat / (sqrt(v_hat) + eps)",
                _adam_variant(sign=-1.0)),
        Mistake("state-not-returned", "the old m and v returned; return the updated "
                "moments, the next step needs them", _adam_variant(new_state=False)),
    ),
)


def check_adam_step(adam_step):
    """Check the reader's Adam step, :eq:`eq-adam-update`, against :class:`bplib.optim.Adam`.

    Parameters
    ----------
    adam_step : callable
        ``adam_step(theta, g, m, v, t, eta, beta1, beta2, eps) -> (theta, m,
        v)``: one step at step number ``t`` (1 for the first) from the
        moments ``m, v`` of the previous step (zeros before the first),
        :eq:`eq-adam-moments`, :eq:`eq-adam-bias-correction` and
        :eq:`eq-adam-update`; returns new arrays.

    Returns
    -------
    Verdict
        Also printed. Recognised mistakes: ``"no-bias-correction"``,
        ``"bias-correction-m-only"``, ``"bias-correction-v-only"``,
        ``"step-count-off-by-one"``, ``"eps-inside-sqrt"``, ``"no-sqrt"``,
        ``"g-not-squared"``, ``"betas-swapped"``, ``"sign"``,
        ``"state-not-returned"``.
    """
    verdict = run(adam_step, ADAM_STEP)
    print(verdict.message)
    return verdict
