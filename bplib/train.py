"""A training loop for softmax classifiers: minibatches, validation, early
stopping, L2 weight decay and divergence detection.

Chapter 7 of the book (training in practice). :func:`train` fits a network
from :mod:`bplib.mlp` whose last layer is ``"identity"`` (its outputs are
the logits) to one-hot targets with the softmax cross-entropy
(:mod:`bplib.softmax`), using any optimiser of :mod:`bplib.optim`::

    params = init.init_params([64, 64, 10], rng=0)
    history = train(X, T, params, ["relu", "identity"], optim.Adam(1e-3),
                    epochs=20, X_val=X_val, T_val=T_val, patience=5)
    history.val_accuracy[-1], history.best_epoch

It never prints and never changes ``params``: it trains a copy and returns
it in a :class:`History` with everything it recorded. A loss that becomes
NaN or infinite stops training at that step, and says so.
"""

import os
import time
from dataclasses import dataclass

import numpy as np

from . import mlp, softmax
from ._validation import (
    as_float_array,
    check_bool,
    check_non_negative,
    check_on_divergence,
    check_positive_int,
    check_rng,
    check_same_shape,
)
from .linear import DivergenceError

__all__ = ["History", "train", "evaluate", "l2_penalty"]


@dataclass(frozen=True)
class History:
    """Everything :func:`train` recorded.

    The network is evaluated on the whole training set (and the validation
    set, if given) before the first step and then after every epoch (or every
    ``eval_every`` steps); those arrays have one entry per evaluation.

    Attributes
    ----------
    step : ndarray of int, shape (e,)
        Steps taken at each evaluation (0 first).
    epoch : ndarray of float, shape (e,)
        The same in epochs (passes through the training set).
    train_loss, train_accuracy : ndarray of shape (e,)
        Cross-entropy :eq:`eq-softmax-ce` (without the L2 term) and accuracy
        on the training set.
    val_loss, val_accuracy : ndarray of shape (e,) or None
        The same on the validation set, or None without one.
    batch_loss : ndarray of shape (s,)
        The minibatch loss (L2 term included) at each of the ``s`` steps,
        before that step's update.
    time : ndarray of shape (s,)
        Seconds since the start after each step, evaluations excluded.
    eta : ndarray of shape (s,)
        The learning rate :math:`\\eta` used at each step.
    best : int
        Index of the evaluation with the lowest validation loss (of the
        training loss without a validation set).
    stopped_early : bool
        Whether early stopping ended training.
    diverged_at : int or None
        None, or the step ``k`` at which the loss became NaN or infinite:
        the loss after ``k`` updates, on the next minibatch or at an
        evaluation. Only with ``on_divergence="stop"``; ``batch_loss``,
        ``time`` and ``eta`` then hold the ``k`` steps taken, the
        evaluations those before step ``k``.
    params : dict of str to ndarray
        The parameters at the end of training.
    best_params : dict of str to ndarray
        The parameters at evaluation ``best`` (what early stopping keeps).
    """

    step: np.ndarray
    epoch: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None
    batch_loss: np.ndarray
    time: np.ndarray
    eta: np.ndarray
    best: int
    stopped_early: bool
    diverged_at: int | None
    params: dict
    best_params: dict

    @property
    def best_epoch(self):
        """float: the epoch of the best evaluation."""
        return float(self.epoch[self.best])


def l2_penalty(params, weight_decay):
    """The L2 term :math:`\\frac{\\lambda}{2}\\sum_l \\lVert W^{(l)}\\rVert^2`
    of :eq:`eq-l2-posterior`, weights only (biases are not penalised).

    Parameters
    ----------
    params : dict of str to ndarray
    weight_decay : float
        :math:`\\lambda \\ge 0`.

    Returns
    -------
    float
    """
    weight_decay = check_non_negative(weight_decay, "weight_decay")
    return 0.5 * weight_decay * sum(float(np.sum(p * p)) for k, p in params.items()
                                    if k.startswith("W"))


def _loss_and_grads(X, T, params, activations, weight_decay):
    """One forward and backward pass for softmax cross-entropy plus L2."""
    Z, cache = mlp.feedforward(X, params, activations)
    # the loss, eq-softmax-ce, and the output delta, eq-softmax-grad
    loss, delta = softmax.cross_entropy_and_delta(Z, T)
    grads = mlp.backpropagate(delta, params, cache)
    if weight_decay:
        loss += l2_penalty(params, weight_decay)
        for key in grads:
            if key.startswith("W"):
                grads[key] += weight_decay * params[key]  # eq-l2-gradient
    return float(loss), grads


def _evaluate(X, T, params, activations):
    Z = mlp.feedforward(X, params, activations)[0]
    loss = softmax.cross_entropy_and_delta(Z, T)[0]
    return loss, float(np.mean(Z.argmax(axis=1) == T.argmax(axis=1)))


def evaluate(X, T, params, activations):
    """Cross-entropy and accuracy of a classifier on a data set.

    Parameters
    ----------
    X : array_like of shape (n, d_0)
    T : array_like of shape (n, K)
        One-hot targets.
    params : dict of str to ndarray
    activations : list of str
        The last one ``"identity"`` (the outputs are logits).

    Returns
    -------
    loss, accuracy : float
    """
    X, T, params, activations = _check(X, T, params, activations)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _evaluate(X, T, params, activations)


def _check(X, T, params, activations, name=""):
    params, sizes = mlp.check_params(params)
    activations = mlp.check_activations(activations, len(sizes) - 1)
    if activations[-1] != "identity":
        raise ValueError(
            "the last activation must be 'identity' (the outputs are the logits the "
            f"softmax turns into probabilities), got {activations[-1]!r}"
        )
    X = as_float_array(X, f"X{name}", ndim=2)
    if X.shape[1] != sizes[0]:
        raise ValueError(f"X{name} has {X.shape[1]} features but W1 expects {sizes[0]} "
                         f"(X{name}.shape={X.shape})")
    T = as_float_array(T, f"T{name}", ndim=2)
    check_same_shape(np.empty((len(X), sizes[-1])), T, (f"outputs for X{name}", f"T{name}"))
    if T.min() < 0 or not np.allclose(T.sum(axis=1), 1.0):
        raise ValueError(f"T{name} must have one-hot rows (see bplib.softmax.one_hot)")
    return X, T, params, activations


def train(X, T, params, activations, optimiser, *, epochs=10, batch_size=32,
          X_val=None, T_val=None, weight_decay=0.0, patience=None, schedule=None,
          eval_every=None, max_steps=None, rng=0, on_divergence="raise", progress=False,
          callback=None):
    """Train a softmax classifier with minibatches; return what happened.

    Each epoch shuffles the training set (with ``rng``) and visits it in
    minibatches of ``batch_size`` rows (the last one may be smaller). Each
    step computes the loss :eq:`eq-softmax-ce`, plus the L2 term of
    :eq:`eq-l2-posterior` if ``weight_decay > 0``, and its gradient by
    backpropagation (:eq:`eq-softmax-grad`, :eq:`eq-l2-gradient`), and hands
    the gradient to ``optimiser.step``.

    Parameters
    ----------
    X : array_like of shape (n, d_0)
    T : array_like of shape (n, K)
        One-hot targets (:func:`bplib.softmax.one_hot`).
    params : dict of str to ndarray
        The starting parameters (:func:`bplib.init.init_params`); not changed.
    activations : list of str
        One per layer, the last ``"identity"``.
    optimiser : bplib.optim.Optimiser
        Carries its state from step to step (and from call to call).
    epochs : int, default 10
    batch_size : int, default 32
        Rows per step; ``batch_size >= n`` gives full-batch gradient descent.
    X_val, T_val : array_like, optional
        A validation set, evaluated alongside the training set.
    weight_decay : float, default 0.0
        :math:`\\lambda \\ge 0`, the L2 coefficient.
    patience : int, optional
        Early stopping: stop when the validation loss has not improved for
        this many evaluations in a row. Needs a validation set.
    schedule : callable, optional
        ``schedule(epoch) -> eta``, applied at the start of each epoch
        (epochs count from 0), e.g. :func:`bplib.optim.cosine`.
    eval_every : int, optional
        Evaluate every this many steps instead of after every epoch.
    max_steps : int, optional
        Stop after this many steps at the latest.
    rng : int or numpy.random.Generator, default 0
        For the shuffles.
    on_divergence : {"raise", "stop"}, default "raise"
        When a minibatch or evaluation loss is NaN or infinite: raise
        :class:`bplib.linear.DivergenceError` (its ``step`` and ``history``
        say where and what came before), or return the :class:`History` so
        far with ``diverged_at`` set. No overflow warning is emitted.
    progress : bool, default False
        Show a progress bar (tqdm) over the epochs; it stays hidden when the
        environment variable ``TQDM_DISABLE`` is ``"1"``.
    callback : callable, optional
        Called as ``callback(steps, val_or_train_loss)`` after every
        evaluation, e.g. to drive a progress bar of one's own.

    Returns
    -------
    History
    """
    X, T, params, activations = _check(X, T, params, activations)
    has_val = (X_val is not None, T_val is not None)
    if has_val[0] != has_val[1]:
        raise ValueError("pass both X_val and T_val, or neither")
    if has_val[0]:
        X_val, T_val, _, _ = _check(X_val, T_val, params, activations, "_val")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    weight_decay = check_non_negative(weight_decay, "weight_decay")
    if patience is not None:
        patience = check_positive_int(patience, "patience")
        if not has_val[0]:
            raise ValueError("early stopping (patience) needs a validation set: pass X_val, T_val")
    eval_every = None if eval_every is None else check_positive_int(eval_every, "eval_every")
    max_steps = None if max_steps is None else check_positive_int(max_steps, "max_steps")
    check_on_divergence(on_divergence)
    if not hasattr(optimiser, "step"):
        raise TypeError(f"optimiser must be a bplib.optim.Optimiser, got {optimiser!r}")
    rng = check_rng(rng)

    progress = check_bool(progress, "progress")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")

    params = {key: p.copy() for key, p in params.items()}  # never the caller's arrays
    run = _Run(params, activations, X, T, X_val, T_val, -(-len(X) // batch_size), callback)
    epoch_bar = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epoch_bar = tqdm(epoch_bar, desc="training", unit="epoch",
                         disable=os.environ.get("TQDM_DISABLE") == "1")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        diverged = run.evaluate(0)
        start = time.perf_counter()
        for epoch in epoch_bar:
            if diverged is not None or run.stopped_early or (max_steps and run.steps >= max_steps):
                break
            if schedule is not None:
                optimiser.eta = schedule(epoch)
            order = rng.permutation(len(X))
            for first in range(0, len(X), batch_size):
                rows = order[first:first + batch_size]
                loss, grads = _loss_and_grads(X[rows], T[rows], params, activations,
                                              weight_decay)
                if not np.isfinite(loss):  # the loss after run.steps updates
                    diverged = run.steps
                    break
                optimiser.step(params, grads)
                run.record_step(loss, time.perf_counter() - start, optimiser.eta)
                if eval_every and run.steps % eval_every == 0:
                    pause = time.perf_counter()
                    diverged = run.evaluate(run.steps, patience)
                    start += time.perf_counter() - pause
                if (diverged is not None or run.stopped_early
                        or (max_steps and run.steps >= max_steps)):
                    break
            if diverged is None and not eval_every and not run.stopped_early:
                pause = time.perf_counter()
                diverged = run.evaluate(run.steps, patience)
                start += time.perf_counter() - pause
            if progress and diverged is None:
                epoch_bar.set_postfix(run.postfix())
        if diverged is None and not run.stopped_early and run.evals["step"][-1] != run.steps:
            diverged = run.evaluate(run.steps)  # the last steps were not evaluated yet
    if progress:
        epoch_bar.close()
    history = run.history(diverged)
    if diverged is not None and on_divergence == "raise":
        raise DivergenceError(diverged, optimiser.eta, history)
    return history


class _Run:
    """The bookkeeping of one call of :func:`train`."""

    def __init__(self, params, activations, X, T, X_val, T_val, steps_per_epoch, callback):
        self.params, self.activations = params, activations
        self.steps_per_epoch, self.callback = steps_per_epoch, callback
        self.data = (X, T, X_val, T_val)
        self.evals = {k: [] for k in ("step", "train_loss", "train_accuracy",
                                      "val_loss", "val_accuracy")}
        self.batch_loss, self.time, self.eta = [], [], []
        self.best, self.best_score, self.best_params = 0, np.inf, params
        self.steps, self.stopped_early = 0, False

    def record_step(self, loss, elapsed, eta):
        self.steps += 1
        self.batch_loss.append(loss)
        self.time.append(elapsed)
        self.eta.append(eta)

    def evaluate(self, step, patience=None):
        """Evaluate; return the step number if a loss is not finite, else None."""
        X, T, X_val, T_val = self.data
        scores = _evaluate(X, T, self.params, self.activations)
        val = _evaluate(X_val, T_val, self.params, self.activations) if X_val is not None \
            else (np.nan, np.nan)
        if not np.isfinite(scores[0]) or (X_val is not None and not np.isfinite(val[0])):
            return step
        for key, value in zip(self.evals, (step, *scores, *val)):
            self.evals[key].append(value)
        score = val[0] if X_val is not None else scores[0]
        index = len(self.evals["step"]) - 1
        if self.callback is not None:
            self.callback(step, float(score))
        if score < self.best_score:
            self.best, self.best_score = index, score
            self.best_params = {key: p.copy() for key, p in self.params.items()}
        elif patience is not None and index - self.best >= patience:
            self.stopped_early = True
        return None

    def postfix(self):
        e = self.evals
        shown = {"train loss": f"{e['train_loss'][-1]:.3f}"}
        if not np.isnan(e["val_loss"][-1]):
            shown["val acc"] = f"{e['val_accuracy'][-1]:.3f}"
        return shown

    def history(self, diverged_at):
        e = {key: np.array(value) for key, value in self.evals.items()}
        has_val = bool(len(e["val_loss"])) and not np.isnan(e["val_loss"][0])
        return History(
            step=e["step"].astype(int),
            epoch=e["step"] / self.steps_per_epoch,
            train_loss=e["train_loss"], train_accuracy=e["train_accuracy"],
            val_loss=e["val_loss"] if has_val else None,
            val_accuracy=e["val_accuracy"] if has_val else None,
            batch_loss=np.array(self.batch_loss), time=np.array(self.time),
            eta=np.array(self.eta), best=self.best, stopped_early=self.stopped_early,
            diverged_at=diverged_at, params=self.params, best_params=self.best_params,
        )
