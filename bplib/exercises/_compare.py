"""Comparing the reader's outputs with the right ones, and naming the difference.

Private helpers of :mod:`bplib.exercises.core`: which entries are wrong, how
to describe the worst one in a line of rounded numbers, and which known
mistake (or constant factor, sign, transpose, overflow) reproduces a wrong
output.
"""

import numpy as np

__all__ = ["fmt"]


def fmt(x):
    """A number rounded to four significant digits, the same on every run.

    >>> fmt(0.123456789), fmt(-2.0), fmt(1e-12), fmt(float("nan"))
    ('0.1235', '-2', '1e-12', 'nan')
    """
    x = float(x)
    return "0" if x == 0 else f"{x:.4g}"


def _wrong(got, expected, tol):
    """Boolean array: the entries of ``got`` that disagree with ``expected``
    within ``tol``, an object with ``rtol`` and ``atol`` (an Exercise)."""
    scale = np.max(np.abs(expected), initial=0.0)
    with np.errstate(invalid="ignore"):
        right = np.abs(got - expected) <= tol.rtol * np.abs(expected) + tol.atol * scale
    return ~right


def _same(a, b, rtol=1e-5):
    """Whether ``a`` equals ``b`` up to rounding (NaN and infinities must
    sit in the same places)."""
    if a.shape != b.shape:
        return False
    finite = np.isfinite(b)
    if not np.array_equal(a[~finite], b[~finite], equal_nan=True):
        return False
    a, b = a[finite], b[finite]
    scale = max(np.max(np.abs(b), initial=0.0), 1e-300)
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + 1e-8 * scale))


def _generic_cause(got, expected):
    """A constant factor, a sign or a transpose that explains ``got``, or None."""
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return "not-finite", ("an overflow: yours has NaN or infinite entries where the "
                              "right answer is finite")
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and _same(got, expected.T):
        return "transpose", ("a missing or extra transpose (yours is the transpose of the "
                             "right array)")
    big = np.abs(expected) > 1e-3 * np.max(np.abs(expected), initial=0.0)
    if not np.any(big) or not np.all(np.isfinite(got)):
        return None
    ratio = got[big] / expected[big]
    c = float(np.median(ratio))
    if c != 0 and _same(got, c * expected, rtol=1e-4):
        if abs(c + 1) < 1e-4:
            return "sign", "the sign flipped (Y - T and T - Y swapped, or a + where a - belongs)"
        return "factor", f"a constant factor: yours is {fmt(c)} times the right array"
    return None


def _index(flat, shape):
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"


def _describe(name, got, expected, numerical, tol):
    wrong = _wrong(got, expected, tol)
    with np.errstate(invalid="ignore"):
        diff = np.where(np.isnan(got), np.inf, np.abs(got - expected))
    worst = int(np.argmax(diff))
    where = _index(worst, got.shape)
    entry = f"({name})" if where and not (name.isidentifier() or name.endswith('"]')) else name
    line = (f"  {name}: {int(wrong.sum())} of {wrong.size} entr"
            f"{'y' if wrong.size == 1 else 'ies'} wrong; the worst is {entry}{where} = "
            f"{fmt(got.flat[worst])}, expected {fmt(expected.flat[worst])}")
    if np.isfinite(got.flat[worst]):
        line += f" (off by {fmt(got.flat[worst] - expected.flat[worst])})"
    if numerical is not None:
        line += f"; central difference {fmt(numerical.flat[worst])}"
    return line + "."


def _agrees(got, outputs):
    """For each output: whether the reader's equals the mistake's."""
    return [o.shape == g.shape and _same(g, o) for g, o in zip(got, outputs)]


def _best_match(k, produced, got, expected, exercise):
    """The known mistake behind the wrong output ``k``: among the mistakes
    that give exactly that output, the one that reproduces the most of the
    other outputs too (a mistake that explains the whole answer wins)."""
    best, best_count = None, -1
    for mistake, outputs in produced:
        o = outputs[k]
        if o.shape != expected[k].shape or not np.any(_wrong(o, expected[k], exercise)):
            continue  # this mistake does not change output k
        agrees = _agrees(got, outputs)
        if agrees[k] and sum(agrees) > best_count:
            best, best_count = (mistake.key, mistake.cause), sum(agrees)
    return best
