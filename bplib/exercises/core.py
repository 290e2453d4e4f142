"""The machinery of the self-checking exercises: run the reader's function,
compare, recognise the mistake, say so.

An exercise is described once, as an :class:`Exercise`: the cases to run
(shapes, batch sizes including 1, seeds), ``bplib``'s own implementation as
the reference, optionally central differences as a second opinion, and the
known mistakes, each written as the function a reader who makes it would
have written. :func:`run` calls the reader's function on every case and
returns a :class:`Verdict`; a checker such as
:func:`bplib.exercises.check_linear_gradient` prints that verdict's message
and returns it. The rules:

* a wrong answer never raises: the verdict says which output is wrong, at
  which entry, by how much, and the likely cause when one of the known
  mistakes (or a constant factor, a transpose) reproduces the wrong output;
* a function with the wrong signature raises :class:`TypeError`; an output
  of the wrong type or count raises :class:`TypeError`; an output of the
  wrong shape raises :class:`AnswerShapeError` (a :class:`ValueError`), whose
  message names the output, both shapes and, when a known mistake gives that
  shape, the mistake;
* an unfinished stub (it raises :class:`NotImplementedError` or returns
  None) gets the verdict "not implemented yet", the same every time;
* every number in a message is rounded to four significant digits, so the
  printed text of a given answer is the same on every run.

Examples
--------
An exercise asking for the derivative of :math:`x^2`, with one known
mistake:

>>> import numpy as np
>>> square = Exercise(
...     name="square_derivative", parameters=("x",), outputs=("dx",),
...     cases=(Case("x = (1, 2, 3)", (np.array([1.0, 2.0, 3.0]),)),),
...     reference=lambda x: (2 * x,), reference_name="2x",
...     mistakes=(Mistake("no-2", "the factor 2 of the power rule left out",
...                       lambda x: (x,)),))
>>> print(run(lambda x: 2 * x, square).message)
square_derivative: correct on the 1 case (x = (1, 2, 3)); it agrees with 2x.
>>> verdict = run(lambda x: x, square)
>>> verdict.correct, verdict.mistake
(False, 'no-2')
>>> print(verdict.message)
square_derivative: wrong on 1 of 1 cases; the first is x = (1, 2, 3).
  dx: 3 of 3 entries wrong; the worst is dx[2] = 3, expected 6 (off by -3).
  Likely cause: the factor 2 of the power rule left out.
>>> def unfinished(x):
...     raise NotImplementedError
>>> print(run(unfinished, square).message)
square_derivative: not implemented yet (it raises NotImplementedError). Write your code in its body and run the cell again.
"""

import contextlib
import copy
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..gradcheck import numerical_gradient
from ._compare import _best_match, _describe, _generic_cause, _wrong, fmt

__all__ = [
    "Verdict",
    "AnswerShapeError",
    "Case",
    "Mistake",
    "Exercise",
    "run",
    "check_signature",
    "call_answer",
    "as_outputs",
    "not_implemented",
    "central_differences",
    "fmt",
]

NOT_IMPLEMENTED = "not-implemented"
"""str: the ``mistake`` of the verdict for an unfinished stub."""


@dataclass(frozen=True)
class Verdict:
    """What a checker concluded about the reader's function.

    Attributes
    ----------
    correct : bool
        True when every output agreed with the reference on every case.
    mistake : str or None
        The key of the first recognised mistake (e.g. ``"factor-2"``),
        ``"not-implemented"`` for a stub, or None (correct, or a wrong
        answer without a known cause).
    message : str
        The text the checker prints (also ``str(verdict)``). In a notebook
        the verdict object itself displays as nothing, so that a cell ending
        with the checker's call shows the printed message once.
    mistakes : tuple of str
        Every recognised mistake, one per wrong output at most.
    """

    correct: bool
    mistake: str | None
    message: str
    mistakes: tuple = ()

    def __str__(self):
        return self.message

    def _ipython_display_(self):
        """Show nothing: the checker has printed the message already, so a cell
        ending with ``check_x(x)`` shows the verdict once (and nbval compares
        that printed text only). ``print(verdict)`` shows it again."""


class AnswerShapeError(ValueError):
    """The reader's function returned an array of the wrong shape.

    Attributes
    ----------
    mistake : str or None
        The known mistake that gives this shape, if any.
    """

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.mistake = mistake


@dataclass(frozen=True)
class Case:
    """One call of the reader's function: a label for messages and the arguments."""

    label: str
    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A known mistake, written as the answer that makes it.

    Attributes
    ----------
    key : str
        A short name, e.g. ``"factor-2"``; the verdict's ``mistake``.
    cause : str
        What the reader did, for the message ("the bias gradient averaged
        over the batch instead of summed").
    produce : callable
        Called with a case's arguments, returns the outputs this mistake
        gives (a tuple, in the order of the exercise's ``outputs``). An
        output equal to the reference's is simply not affected.
    shape : callable, optional
        Called as ``shape(output_name, got_shape, *args)``; True when this
        mistake explains an output of that (wrong) shape. Mistakes that only
        show as a wrong shape need no ``produce`` (give None).
    """

    key: str
    cause: str
    produce: Callable | None
    shape: Callable | None = None


@dataclass(frozen=True)
class Exercise:
    """Everything a checker needs to know about one exercise.

    Attributes
    ----------
    name : str
        The reader's function's name in the exercise cell, for messages.
    parameters : tuple of str
        Its parameters, in order, for the signature check's message.
    outputs : tuple of str, or callable
        The names of what it returns (``("dW", "db")``); one name for a
        function that returns a single array. A callable gets a case's
        arguments and returns the names (when they depend on the case,
        e.g. on a network's depth).
    cases : tuple of Case
        Run in order; put cases in which shape-preserving mistakes show as
        wrong numbers (square weight matrices) first.
    reference : callable
        ``bplib``'s answer: called with a case's arguments, returns a tuple.
    reference_name : str
        How the message names the reference (``"bplib.linear.gradient"``).
    numerical : callable, optional
        Central differences for the same outputs (a tuple, entries may be
        None); checked against the reference and quoted in messages.
    mistakes : tuple of Mistake
    call : callable, optional
        ``call(answer, *args)`` turns the reader's function into outputs
        when calling it directly is not enough (an engine operation is
        differentiated first); default ``answer(*args)``.
    rtol, atol : float
        An entry is right when ``|got - expected| <= rtol * |expected| +
        atol * max|expected|`` (``atol`` is relative to the output's scale).
    returns : str, optional
        What the function returns, in words, for messages (default: the
        output names).
    summary : str, optional
        The cases in a few words, for the verdict "correct" (default: every
        case's label).
    """

    name: str
    parameters: tuple
    outputs: tuple | Callable
    cases: tuple
    reference: Callable
    reference_name: str
    numerical: Callable | None = None
    mistakes: tuple = ()
    call: Callable | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    returns: str = ""
    summary: str = ""

    def output_names(self, args):
        """The names of the outputs for a case with arguments ``args``."""
        return tuple(self.outputs(*args) if callable(self.outputs) else self.outputs)

    def returns_text(self, args=()):
        """How the message describes what the function should return."""
        if self.returns:
            return self.returns
        names = self.output_names(args)
        return names[0] if len(names) == 1 else f"({', '.join(names)})"


class _NotImplemented(Exception):
    """Internal: the reader's function is still a stub."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


def not_implemented(exercise, how):
    """The verdict for an unfinished stub."""
    message = (f"{exercise.name}: not implemented yet ({how}). Write your code in its "
               f"body and run the cell again.")
    return Verdict(False, NOT_IMPLEMENTED, message, (NOT_IMPLEMENTED,))


def check_signature(answer, exercise):
    """Raise a clear TypeError unless ``answer`` takes the exercise's parameters
    (as many positional arguments, and the keyword arguments named in the
    exercise's ``keywords``, if it has that attribute; defaults beyond them
    are fine)."""
    if not callable(answer):
        raise TypeError(f"the checker needs your function {exercise.name}"
                        f"({', '.join(exercise.parameters)}) itself, got "
                        f"{type(answer).__name__}")
    try:
        signature = inspect.signature(answer)
    except (TypeError, ValueError):  # some builtins have no signature: just try
        return
    try:
        signature.bind(*exercise.parameters,
                       **{key: None for key in getattr(exercise, "keywords", ())})
    except TypeError:
        keywords = "".join(f", *, {key}" for key in getattr(exercise, "keywords", ()))
        raise TypeError(
            f"{exercise.name} must take the arguments ({', '.join(exercise.parameters)}"
            f"{keywords}), "
            f"got a function with the signature {getattr(answer, '__name__', 'f')}"
            f"{signature}") from None


def _copy(value):
    """A deep copy, so that a reader's function that writes into its arguments
    (``cache.Z[l] *= ...``) cannot change the checker's cases."""
    return copy.deepcopy(value)


@contextlib.contextmanager
def _quiet():
    """No NumPy warnings (a wrong answer is judged by its numbers, and the
    test suite turns warnings into errors); NotImplementedError means a stub."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
    except NotImplementedError:
        raise _NotImplemented("it raises NotImplementedError") from None


def _quietly(call, answer, args):
    with _quiet():
        return call(answer, *args)


def call_answer(answer, *args, **kwargs):
    """Call the reader's function on (deep) copies of ``args``, quietly.

    NumPy's overflow and invalid-value warnings are silenced (a wrong answer
    is judged by its numbers, and the test suite turns warnings into
    errors). :class:`NotImplementedError` becomes the stub's verdict;
    every other exception is the reader's own and propagates unchanged.
    """
    with _quiet():
        return answer(*(_copy(a) for a in args), **kwargs)


def as_outputs(got, exercise, args=()):
    """The reader's return value as a tuple of float arrays, or a clear TypeError."""
    names = exercise.output_names(args)
    if got is None:
        raise _NotImplemented(f"it returns None; it should return "
                              f"{exercise.returns_text(args)}")
    if len(names) == 1:
        got = (got,)
    elif not isinstance(got, (tuple, list)) or len(got) != len(names):
        count = f"{len(got)} values" if isinstance(got, (tuple, list)) else type(got).__name__
        raise TypeError(f"{exercise.name} must return {len(names)} arrays, "
                        f"{exercise.returns_text(args)}, got {count}")
    arrays = []
    for name, value in zip(names, got):
        if value is None:
            raise _NotImplemented(f"its {name} is None")
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{exercise.name}'s {name} must be an array of real numbers, "
                            f"got {type(value).__name__} of dtype {array.dtype}")
        arrays.append(array.astype(float))
    return tuple(arrays)


def _check_shapes(got, expected, exercise, case):
    for name, g, e in zip(exercise.output_names(case.args), got, expected):
        if g.shape == e.shape:
            continue
        message = (f"{exercise.name} returned {name} of shape {g.shape}, but {name} must "
                   f"have shape {e.shape} (case {case.label})")
        for mistake in exercise.mistakes:
            if mistake.shape is not None and mistake.shape(name, g.shape, *case.args):
                raise AnswerShapeError(f"{message}. Likely cause: {mistake.cause}.",
                                       mistake.key)
        if g.ndim == e.ndim == 2 and g.shape == e.shape[::-1]:
            raise AnswerShapeError(f"{message}. Likely cause: a missing or extra "
                                   f"transpose (yours has the transposed shape).",
                                   "transpose")
        raise AnswerShapeError(f"{message}. A gradient has the shape of its variable.")


def central_differences(f, x, h=1e-6):
    """Central-difference gradient of a scalar function of one array, on a copy.

    A thin wrapper of :func:`bplib.gradcheck.numerical_gradient` that leaves
    ``x`` untouched; for an exercise's ``numerical``.

    >>> central_differences(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    return numerical_gradient(f, np.array(x, dtype=float), h)


def _produce(mistake, case):
    """The outputs of a known mistake on ``case``, or None where the mistake
    cannot even run there (its shapes do not fit)."""
    try:
        with _quiet():
            return tuple(np.asarray(o, dtype=float) for o in mistake.produce(*case.args))
    except (ValueError, IndexError, KeyError):
        return None


def run(answer, exercise):
    """Run the reader's function on every case of ``exercise``; judge it.

    Parameters
    ----------
    answer : callable
        The reader's function.
    exercise : Exercise

    Returns
    -------
    Verdict

    Raises
    ------
    TypeError
        If ``answer`` is not callable, cannot take the exercise's arguments,
        or returns the wrong number or type of outputs.
    AnswerShapeError
        If an output has the wrong shape (the message says which, and the
        likely cause when a known mistake gives that shape).
    """
    call = exercise.call or call_answer
    failures = []  # (case, got, expected) of every wrong case
    check_signature(answer, exercise)
    try:
        for case in exercise.cases:
            expected = tuple(np.asarray(e, dtype=float) for e in exercise.reference(*case.args))
            try:
                got = as_outputs(_quietly(call, answer, case.args), exercise, case.args)
                _check_shapes(got, expected, exercise, case)
            except (_NotImplemented, TypeError):
                raise
            except Exception:
                # A wrong shape, or the reader's own error (e.g. shapes that do
                # not multiply), on the first case: raise it, it is all there is
                # to say. After a case already failed with wrong numbers, the
                # verdict on that case says more: count this one as wrong too.
                if not failures:
                    raise
                failures.append((case, None, expected))
                continue
            if any(np.any(_wrong(g, e, exercise)) for g, e in zip(got, expected)):
                failures.append((case, got, expected))
    except _NotImplemented as stub:
        return not_implemented(exercise, stub.how)
    n_cases = len(exercise.cases)
    labels = exercise.summary or "; ".join(case.label for case in exercise.cases)
    if not failures:
        extra = " and with central differences" if exercise.numerical else ""
        cases = f"the {n_cases} case" if n_cases == 1 else f"all {n_cases} cases"
        return Verdict(True, None, f"{exercise.name}: correct on {cases} ({labels}); "
                                   f"it agrees with {exercise.reference_name}{extra}.")
    return _diagnose(exercise, failures)


def _diagnose(exercise, failures):
    """The verdict on a wrong answer, from its first wrong case in detail."""
    case, got, expected = failures[0]
    n_cases = len(exercise.cases)
    numerical = (exercise.numerical(*case.args) if exercise.numerical
                 else (None,) * len(got))
    produced = [(m, outputs) for m in exercise.mistakes if m.produce
                for outputs in [_produce(m, case)] if outputs is not None]
    lines, causes = [], {}  # causes: key -> (text, [output names])
    names = exercise.output_names(case.args)
    for k, (name, g, e) in enumerate(zip(names, got, expected)):
        if not np.any(_wrong(g, e, exercise)):
            lines.append(f"  {name}: right.")
            continue
        cause = _best_match(k, produced, got, expected, exercise) or _generic_cause(g, e)
        if cause is not None:
            causes.setdefault(cause[0], (cause[1], []))[1].append(name)
        num = None if numerical[k] is None else np.asarray(numerical[k], dtype=float)
        lines.append(_describe(name, g, e, num, exercise))
    wrong_names = [name for name, g, e in zip(names, got, expected)
                   if np.any(_wrong(g, e, exercise))]
    for text, names in causes.values():
        which = "" if names == wrong_names else f" of {' and '.join(names)}"
        lines.append(f"  Likely cause{which}: {text}.")
    n_right = n_cases - len(failures)
    head = (f"{exercise.name}: wrong on {len(failures)} of {n_cases} cases"
            + (f" (right on the other {'one' if n_right == 1 else n_right})" if n_right else "")
            + f"; the first is {case.label}.")
    keys = tuple(causes)
    return Verdict(False, keys[0] if keys else None, "\n".join([head] + lines), keys)
