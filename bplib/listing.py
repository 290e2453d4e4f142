"""Show the source of a bplib function or class in a notebook.

Used by every chapter. The book discusses the library's own code, and a
code listing on the page must be that code, not a copy of it. A cell that
calls :func:`listing` reads the source at run time, so the listing is the
same wherever the chapter is opened: on the website (where the cell's input
is hidden and only the listing shows), in JupyterLab, in Colab and on
Binder. ``listing(obj, start_at=..., end_before=...)`` selects lines as
Sphinx's ``literalinclude`` does with ``:pyobject:``, ``:start-at:`` and
``:end-before:``.

Chapters also quote numbers from their own runs with :func:`glue`: myst-nb's
``glue`` where myst-nb is installed (the website's build, ``make lab``), so
the prose on the website shows the computed value; where it is not (a
fresh Colab kernel) the same call still runs, and shows the value only when
asked to.

The result of :func:`listing` is an :class:`IPython.display.Code` that also carries a Markdown
code block, so that the book's website renders it with its own syntax
colours (in light and dark mode) and Jupyter renders it as highlighted code.
"""

import inspect
import textwrap

__all__ = ["listing", "glue"]


def listing(obj, start_at=None, end_before=None):
    """The source code of a function, class or method, ready to display.

    Parameters
    ----------
    obj : function, class, method or module
        What to show; its source is read with :func:`inspect.getsource` and
        dedented, so a method reads as if it stood at the left margin.
    start_at : str, optional
        Start at the first line that contains this text (kept), like
        ``literalinclude``'s ``:start-at:``.
    end_before : str, optional
        Stop before the first line, after the start, that contains this text
        (dropped), like ``literalinclude``'s ``:end-before:``.

    Returns
    -------
    IPython.display.Code
        The selected lines as Python code: its HTML, Markdown and plain-text
        representations show the same text.

    Raises
    ------
    TypeError
        If ``obj`` has no Python source (a built-in, an instance), or
        ``start_at``/``end_before`` is not a string.
    ValueError
        If ``start_at`` or ``end_before`` is empty or occurs in no line of
        the selection.

    Examples
    --------
    >>> from bplib import listing as module
    >>> code = listing(module.listing)
    >>> print(code.data.splitlines()[0])
    def listing(obj, start_at=None, end_before=None):
    >>> print(listing(module._first_line_with, start_at="for i", end_before="raise").data,
    ...       end="")
        for i, line in enumerate(lines):
            if text in line:
                return i
    """
    for name, value in (("start_at", start_at), ("end_before", end_before)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string (text of a line), "
                            f"got {type(value).__name__}")
        if value == "":
            raise ValueError(f"{name} must be non-empty text that a line contains, got ''")
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(
            f"obj must be a Python function, class, method or module whose "
            f"source file is available, got {obj!r} ({error})") from None
    lines = textwrap.dedent(source).splitlines()
    if start_at is not None:
        lines = lines[_first_line_with(lines, start_at, "start_at", obj):]
    if end_before is not None:
        lines = lines[:_first_line_with(lines, end_before, "end_before", obj)]
    return _code_class()("\n".join(lines).rstrip() + "\n", language="python")


def _first_line_with(lines, text, name, obj):
    for i, line in enumerate(lines):
        if text in line:
            return i
    raise ValueError(f"{name}={text!r} occurs in no line of the source of "
                     f"{getattr(obj, '__qualname__', obj)!r}")


_CODE_CLASS = None


def _code_class():
    """``Listing``, a subclass of IPython's ``Code``, built on first use.

    IPython is there wherever a notebook runs; importing it lazily keeps
    ``import bplib.listing`` light where it is not.
    """
    global _CODE_CLASS
    if _CODE_CLASS is None:
        from IPython.display import Code

        class Listing(Code):
            """Python source shown as a fenced Markdown code block.

            Jupyter front ends and the book's website prefer ``text/html``
            to ``text/markdown``; the HTML of ``Code`` carries a fixed light
            colour scheme, so it is left out and the Markdown (highlighted
            by each front end in its own colours) is what shows. Its LaTeX
            needs Pygments' macros, which the book's PDF does not define, so
            the PDF too typesets the Markdown's code block.
            """

            def _repr_html_(self):
                return None

            def _repr_latex_(self):
                return None

            def _repr_markdown_(self):
                longest = max((len(run) for run in _backtick_runs(self.data)), default=0)
                fence = "`" * max(3, longest + 1)
                return f"{fence}python\n{self.data}{fence}\n"

            def __repr__(self):
                return self.data

        _CODE_CLASS = Listing
    return _CODE_CLASS


def _backtick_runs(text):
    run = ""
    for char in text + "\n":
        if char == "`":
            run += char
        elif run:
            yield run
            run = ""


def glue(name, variable, display=True):
    """Record ``variable`` under ``name`` for the chapter's prose.

    myst-nb's ``glue`` when myst-nb is installed; otherwise a stand-in with
    the same signature that displays ``variable`` when ``display`` is true
    and records nothing (only the website's build reads the records).
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(variable)
        return None
    return myst_glue(name, variable, display=display)

