"""Divergence: every training loop (chapters 1, 3 and 7) stops at the
*first* step whose loss is not finite, reports that step, and emits no
warning on the way.

For each loop and a range of learning rates beyond the stable limit:

* ``on_divergence="raise"`` raises :class:`bplib.linear.DivergenceError`
  whose message says "non-finite at step k" and whose ``step`` is ``k``;
* ``on_divergence="stop"`` returns a history flagged ``diverged_at == k``,
  identical to the one the error carries;
* the history holds exactly the ``k`` finite losses before step ``k``, and
  one more update from its last parameters, recomputed here with plain
  NumPy, does give a non-finite loss: ``k`` is the first such step;
* no warning escapes (warnings are errors here, and NumPy raises on
  overflow, division by zero and invalid operations outside the loops).
"""

import contextlib
import warnings

import numpy as np
import pytest

from bplib import data, linear, two_layer
from bplib.linear import DivergenceError


@contextlib.contextmanager
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield


def _both_modes(run):
    """Run with "raise" and with "stop"; return (step, history) after
    checking that the two agree."""
    with strict():
        with pytest.raises(DivergenceError, match=r"non-finite at step (\d+)") as info:
            run("raise")
        flagged = run("stop")
    k = info.value.step
    assert f"at step {k} " in str(info.value)
    assert flagged.diverged_at == k and info.value.history.diverged_at in (None, k)
    return k, flagged, info.value.history


def _quiet(f, *args):
    with np.errstate(all="ignore"):
        return f(*args)


# --- chapter 1 ------------------------------------------------------------------


def _linear_loss(X, T, W, b):
    E = X @ W + (0 if b is None else b) - T
    return np.sum(E * E) / (2 * len(X))


@pytest.mark.parametrize("factor", [1.05, 1.5, 3.0, 1e3, 1e150])
@pytest.mark.parametrize("bias", [False, True])
def test_gradient_descent_stops_at_the_first_non_finite_loss(factor, bias):
    X, T = data.regression(30, rng=1)
    eta = factor * linear.max_stable_eta(X, bias=bias)
    W0, b0 = np.array([[0.5], [-0.5]]), (np.array([0.2]) if bias else None)
    k, h, h_err = _both_modes(lambda mode: linear.gradient_descent(
        X, T, W0, eta, 200_000, b0, on_divergence=mode))
    assert k >= 1 and len(h.loss) == len(h.W) == k and np.all(np.isfinite(h.loss))
    np.testing.assert_array_equal(h.loss, h_err.loss)
    W, b = h.W[-1], (None if h.b is None else h.b[-1])
    E = X @ W + (0 if b is None else b) - T
    W_next = _quiet(lambda: W - eta * X.T @ E / len(X))
    b_next = None if b is None else _quiet(lambda: b - eta * E.sum(axis=0) / len(X))
    assert not np.isfinite(_quiet(_linear_loss, X, T, W_next, b_next))


@pytest.mark.parametrize("eta", [3.0, 30.0, 1e100])
def test_lms_stops_at_the_first_non_finite_loss(eta):
    X, T = data.regression(20, rng=2)
    W0 = np.zeros((2, 1))
    k, h, _ = _both_modes(lambda mode: linear.lms(X, T, W0, eta, 10_000, rng=3,
                                                  on_divergence=mode))
    assert len(h.loss) == k and np.all(np.isfinite(h.loss))
    rng = np.random.default_rng(3)  # the order lms visits the examples in
    order = np.concatenate([rng.permutation(len(X)) for _ in range(k // len(X) + 1)])
    i = order[k - 1]  # update k uses this one example
    W = h.W[-1]
    W_next = _quiet(lambda: W - eta * X[i:i + 1].T @ (X[i:i + 1] @ W - T[i:i + 1]))
    assert not np.isfinite(_quiet(_linear_loss, X, T, W_next, None))


def test_learning_rate_explorer_reports_the_step():
    from bplib.explorers import learning_rate

    with strict():
        result = learning_rate.experiment(50.0, steps=10_000)
    assert result.verdict == "diverging"
    k = len(result.loss)
    assert f"non-finite at step {k}" in result.summary


def test_below_the_limit_nothing_is_flagged():
    X, T = data.regression(30, rng=1)
    with strict():
        h = linear.gradient_descent(X, T, np.zeros((2, 1)), 0.9 * linear.max_stable_eta(X), 500)
    assert h.diverged_at is None and np.all(np.isfinite(h.loss))


# --- chapter 3 ------------------------------------------------------------------


@pytest.mark.parametrize("scale, eta", [(1e10, 1e300), (1e100, 1e250), (1e100, 1e300),
                                        (1e150, 1e200), (1e150, 1e300)])
def test_two_layer_train_stops_at_the_first_non_finite_step(scale, eta):
    X, T = data.xor()
    T = T * scale  # a finite start, and an enormous gradient
    params = two_layer.init_params(2, 3, rng=4)
    seen = []
    k, h, h_err = _both_modes(lambda mode: two_layer.train(
        X, T, params, eta, 50, on_divergence=mode,
        callback=lambda step, p, loss: seen.append(step)))
    assert len(h.loss) == k and np.all(np.isfinite(h.loss))
    np.testing.assert_array_equal(h.loss, h_err.loss)
    assert seen[-k:] == list(range(k))  # the callback saw exactly the finite steps
    _, grads = two_layer.loss_and_gradients(X, T, h.params)
    candidate = [_quiet(lambda: P - eta * dP) for P, dP in zip(h.params, grads)]
    if all(np.isfinite(P).all() for P in candidate):
        Y, _ = _quiet(two_layer.forward, X, two_layer.Params(*candidate))
        assert not np.isfinite(_quiet(lambda: np.sum((Y - T) ** 2)))


# --- a start that is already non-finite: step 0 --------------------------------


@pytest.mark.parametrize("loop", ["gradient_descent", "lms", "two_layer"])
def test_a_non_finite_start_is_step_0_without_warnings(loop):
    X, T = data.xor()
    T = T * 1e200  # finite data whose squared error overflows before any update
    if loop == "two_layer":
        params = two_layer.init_params(2, 3, rng=4)
        run = lambda mode: two_layer.train(X, T, params, 0.1, 5, on_divergence=mode)  # noqa: E731
    else:
        run = lambda mode: getattr(linear, loop)(  # noqa: E731
            X, T, np.zeros((2, 1)), 0.1, 5, np.zeros(1), on_divergence=mode)
    k, h, h_err = _both_modes(run)
    assert k == 0 and len(h.loss) == 0 and len(h_err.loss) == 0
    with pytest.raises(DivergenceError, match="too large for float64"):
        run("raise")


# --- chapter 7 ------------------------------------------------------------------


@pytest.mark.parametrize("lr", [1e100, 1e150, 1e250])
@pytest.mark.parametrize("batch_size", [5, 40])
def test_minibatch_train_stops_at_the_first_non_finite_step(lr, batch_size):
    train = pytest.importorskip("bplib.train")
    optim = pytest.importorskip("bplib.optim")
    softmax = pytest.importorskip("bplib.softmax")
    from bplib import init

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 4))
    T = softmax.one_hot(rng.integers(0, 3, size=40), 3)
    params = init.init_params([4, 8, 3], rng=0)
    names = ["relu", "identity"]

    def run(mode, max_steps=None):
        return train.train(X, T, params, names, optim.SGD(lr), epochs=100,
                           batch_size=batch_size, rng=6, on_divergence=mode,
                           max_steps=max_steps)

    k, h, _ = _both_modes(run)
    assert k >= 1 and len(h.batch_loss) <= k and np.all(np.isfinite(h.batch_loss))
    assert np.all(np.isfinite(h.train_loss))
    if k > 1:  # the same run stopped one step earlier has not diverged yet
        with strict():
            earlier = run("raise", max_steps=k - 1)
        assert earlier.diverged_at is None and np.isfinite(earlier.train_loss[-1])


def test_minibatch_train_reports_a_non_finite_start_as_step_0():
    from bplib import init, optim, softmax, train

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 4))
    T = softmax.one_hot(rng.integers(0, 3, size=40), 3)
    params = init.init_params([4, 8, 3], rng=0)
    params["W2"] = params["W2"] * 1e308  # finite weights whose logits overflow at once
    with strict():
        history = train.train(X, T, params, ["relu", "identity"], optim.SGD(0.1),
                              epochs=3, batch_size=8, rng=6, on_divergence="stop")
    assert history.diverged_at == 0 and len(history.batch_loss) == 0
    with pytest.raises(DivergenceError, match="at step 0"):
        train.train(X, T, params, ["relu", "identity"], optim.SGD(0.1),
                    epochs=3, batch_size=8, rng=6)
