"""Tests for bplib.train: the training loop's records, L2, early stopping,
divergence detection, progress bar, and the chapter's final accuracy."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from bplib import digits, gradcheck, init, linear, mlp, optim, softmax, train

ACTS = ["relu", "identity"]


@pytest.fixture(scope="module")
def data():
    return digits.load(rng=0)


def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    return X, softmax.one_hot(labels, 3)


def test_gradient_with_l2_matches_finite_differences():
    X, T = _toy(8)
    params = init.init_params([4, 5, 3], rng=1)
    lam = 0.3

    def f(p):
        Z = mlp.forward(X, p, ["tanh", "identity"])[0]
        return softmax.cross_entropy(Z, T) + train.l2_penalty(p, lam)

    loss, grads = train._loss_and_grads(X, T, params, ("tanh", "identity"), lam)
    assert loss == pytest.approx(f(params))
    assert gradcheck.check_gradients(f, grads, params).passed


def test_l2_penalty_counts_weights_not_biases():
    params = {"W1": np.ones((2, 2)), "b1": np.ones(2) * 10}
    assert train.l2_penalty(params, 0.5) == pytest.approx(0.5 * 0.5 * 4)


def test_history_records_and_params_untouched():
    X, T = _toy(60)
    params = init.init_params([4, 6, 3], rng=0)
    before = {k: p.copy() for k, p in params.items()}
    h = train.train(X, T, params, ACTS, optim.SGD(0.1), epochs=3, batch_size=25,
                    X_val=X[:20], T_val=T[:20])
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    # 60 rows in batches of 25: 3 steps per epoch (25, 25, 10), evaluated per epoch.
    np.testing.assert_array_equal(h.step, [0, 3, 6, 9])
    np.testing.assert_allclose(h.epoch, [0, 1, 2, 3])
    assert h.batch_loss.shape == h.time.shape == h.eta.shape == (9,)
    assert np.all(np.diff(h.time) >= 0)
    assert h.train_loss[-1] < h.train_loss[0]
    loss, acc = train.evaluate(X[:20], T[:20], h.params, ACTS)
    assert loss == pytest.approx(h.val_loss[-1]) and acc == pytest.approx(h.val_accuracy[-1])
    assert h.diverged_at is None and not h.stopped_early


def test_same_seed_same_run_and_eval_every():
    X, T = _toy(60)
    params = init.init_params([4, 6, 3], rng=0)
    runs = [train.train(X, T, params, ACTS, optim.Adam(0.01), epochs=2, batch_size=10,
                        eval_every=4, rng=3) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].batch_loss, runs[1].batch_loss)
    np.testing.assert_array_equal(runs[0].step, [0, 4, 8, 12])
    assert runs[0].val_loss is None and runs[0].best == int(np.argmin(runs[0].train_loss))


def test_schedule_and_max_steps():
    X, T = _toy(40)
    params = init.init_params([4, 3], rng=0)
    h = train.train(X, T, params, ["identity"], optim.SGD(1.0), epochs=4, batch_size=20,
                    schedule=optim.cosine(0.2, 4))
    np.testing.assert_allclose(h.eta[::2], [optim.cosine(0.2, 4)(e) for e in range(4)])
    h = train.train(X, T, params, ["identity"], optim.SGD(0.1), epochs=100, batch_size=20,
                    max_steps=5)
    assert len(h.batch_loss) == 5
    np.testing.assert_array_equal(h.step, [0, 2, 4, 5])  # the last steps are evaluated too


def test_early_stopping_stops_after_patience_and_keeps_the_best(data):
    X, _, T = digits.subset(data, 50, rng=0)
    params = init.init_params([64, 128, 10], rng=0)
    h = train.train(X, T, params, ACTS, optim.Adam(0.01), epochs=300, batch_size=50,
                    X_val=data.X_val, T_val=data.T_val, patience=5)
    assert h.stopped_early
    # the last 5 evaluations were all worse than the best one, which is 5 back
    assert len(h.val_loss) == h.best + 6
    assert np.all(h.val_loss[h.best + 1:] >= h.val_loss[h.best])
    assert h.val_loss[h.best] == h.val_loss.min()
    loss, _ = train.evaluate(data.X_val, data.T_val, h.best_params, ACTS)
    assert loss == pytest.approx(h.val_loss[h.best])
    assert len(h.step) < 301


def test_divergence_raises_with_the_step():
    # ReLU units are unbounded: with an absurd rate the weights overflow within
    # a few steps. (No RuntimeWarning either: the test suite makes them errors.)
    X, T = _toy(40)
    params = init.init_params([4, 8, 3], rng=0)
    with pytest.raises(linear.DivergenceError, match="non-finite at step") as info:
        train.train(X, T, params, ACTS, optim.SGD(1e120), epochs=50, batch_size=10)
    err = info.value
    assert err.step >= 1 and err.history.diverged_at == err.step
    assert len(err.history.batch_loss) == err.step
    assert np.all(np.isfinite(err.history.batch_loss))


def test_divergence_can_be_a_flag():
    X, T = _toy(40)
    params = init.init_params([4, 8, 3], rng=0)
    h = train.train(X, T, params, ACTS, optim.SGD(1e120), epochs=50, batch_size=40,
                    on_divergence="stop")
    assert h.diverged_at is not None and len(h.batch_loss) == h.diverged_at


def test_progress_bar_and_callback(monkeypatch, capsys):
    X, T = _toy(40)
    params = init.init_params([4, 3], rng=0)
    calls = []
    monkeypatch.setenv("TQDM_DISABLE", "0")
    train.train(X, T, params, ["identity"], optim.SGD(0.1), epochs=3, batch_size=40,
                progress=True, callback=lambda step, loss: calls.append(step))
    captured = capsys.readouterr()
    assert calls == [0, 1, 2, 3]
    assert captured.out == "" and "training" in captured.err
    monkeypatch.setenv("TQDM_DISABLE", "1")
    train.train(X, T, params, ["identity"], optim.SGD(0.1), epochs=3, progress=True)
    assert capsys.readouterr().err == ""


def test_validation():
    X, T = _toy(20)
    params = init.init_params([4, 3], rng=0)
    sgd = optim.SGD(0.1)
    with pytest.raises(ValueError, match="last activation must be 'identity'"):
        train.train(X, T, params, ["sigmoid"], sgd)
    with pytest.raises(ValueError, match="needs a validation set"):
        train.train(X, T, params, ["identity"], sgd, patience=3)
    with pytest.raises(ValueError, match="pass both X_val and T_val"):
        train.train(X, T, params, ["identity"], sgd, X_val=X)
    with pytest.raises(ValueError, match="one-hot rows"):
        train.train(X, T * 2, params, ["identity"], sgd)
    with pytest.raises(ValueError, match=r"X_val has 2 features but W1 expects 4"):
        train.train(X, T, params, ["identity"], sgd, X_val=X[:, :2], T_val=T)
    with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0"):
        train.train(X, T, params, ["identity"], sgd, weight_decay=-1)
    with pytest.raises(ValueError, match="on_divergence must be"):
        train.train(X, T, params, ["identity"], sgd, on_divergence="ignore")
    with pytest.raises(TypeError, match="optimiser must be"):
        train.train(X, T, params, ["identity"], 0.1)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train.train(X, T, params, ["identity"], sgd, batch_size=0)


# The chapter's final network (chapters/07_training_in_practice.ipynb, section
# "The final network"): its test accuracy, from seed 0, is what the chapter reports.
REPORTED_TEST_ACCURACY = 0.983


def test_final_network_reaches_the_reported_accuracy(data):
    with threadpool_limits(1):
        params = init.init_params([64, 128, 10], rng=0)
        h = train.train(data.X_train, data.T_train, params, ACTS, optim.Adam(3e-3),
                        epochs=40, batch_size=32, X_val=data.X_val, T_val=data.T_val,
                        weight_decay=1e-3, patience=10, schedule=optim.cosine(3e-3, 40),
                        rng=0)
        _, accuracy = train.evaluate(data.X_test, data.T_test, h.best_params, ACTS)
    assert accuracy >= REPORTED_TEST_ACCURACY


def test_scikit_learn_on_the_same_split_is_in_the_same_ballpark(data):
    # The chapter reports 0.986 (355 of 360) for MLPClassifier with the same
    # architecture, optimiser, rate, batch size and L2 strength (alpha = 32 lambda).
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = MLPClassifier(hidden_layer_sizes=(128,), solver="adam",
                                  learning_rate_init=3e-3, batch_size=32, alpha=0.032,
                                  max_iter=200, random_state=0)
        accuracy = reference.fit(data.X_train, data.y_train).score(data.X_test, data.y_test)
    assert accuracy >= 0.97
    assert abs(accuracy - REPORTED_TEST_ACCURACY) <= 0.02


def test_l2_penalty_rejects_a_negative_or_non_numeric_weight_decay():
    params = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
    # lambda/2 * ||W1||^2 = 0.5 * 0.1 * 4 = 0.2; the bias is not penalised.
    assert train.l2_penalty(params, 0.1) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0, got -0.1"):
        train.l2_penalty(params, -0.1)
    with pytest.raises(TypeError, match="weight_decay must be a number >= 0, got 'a'"):
        train.l2_penalty(params, "a")
