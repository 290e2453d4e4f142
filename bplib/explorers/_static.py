"""Explorers that stay live on the static website, without a kernel.

An ipywidgets explorer needs Python behind the page: on the website its
slider moves, but nothing recomputes. The explorers of chapters 1, 3, 6 and 7
therefore also run their experiment ahead of time over a grid of control
values (each explorer module's ``grid`` function) and draw every result as
an SVG frame. :func:`render` packs the frames into one self-contained HTML
output: a range slider or a drop-down per control, each with a label and an
``<output>``; the frames in a ``<script type="application/json">``; a few
lines of inline script that show the frame the controls select and put its
verdict into an ``aria-live`` paragraph. Without JavaScript (an untrusted
notebook, a reader who turned it off) the initial frame and its verdict
still show, as an ``<img>`` with alt text.

Frames are saved deterministically (fixed ``svg.hashsalt``, no date, text
as text) and rounded to a tenth of a point, so that re-executing a notebook
reproduces its output byte for byte, as nbval checks. The SVG files of a grid
share most of their lines (axes, ticks, contours), so the page stores each
distinct line once and every frame as runs of consecutive lines.
"""

import html
import importlib.resources
import io
import itertools
import json
import re
import warnings
from dataclasses import dataclass, field

import matplotlib

from .. import _figure_style as figure_style

__all__ = ["Control", "Frame", "Explorer", "svg", "draw_frames", "render", "grid_index"]

_RC = {**figure_style.RC,  # the book's figure style, then what makes SVG deterministic
       "svg.hashsalt": "bplib", "svg.fonttype": "none", "path.simplify": True,
       "font.sans-serif": ["DejaVu Sans"]}  # a short font list in every <text>
_SIZE = re.compile(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')
_ATTRIBUTE = re.compile(r'( (?:d|x|y|width|height|transform|points)=")([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")


@dataclass(frozen=True)
class Control:
    """One control of a static explorer.

    Attributes
    ----------
    name : str
        A short key (letters, digits, ``-``), used in the element ids.
    label : str
        What the control sets, shown in its ``<label>``.
    values : tuple
        The grid values, in order.
    labels : tuple of str
        How each value is shown (in the ``<output>`` and ``aria-valuetext``);
        by default ``str(value)``.
    kind : {"range", "select"}, default "range"
        A slider over the values' indices, or a drop-down.
    """

    name: str
    label: str
    values: tuple
    labels: tuple = field(default=None)
    kind: str = "range"

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))
        labels = tuple(str(v) for v in self.values) if self.labels is None else tuple(self.labels)
        if len(labels) != len(self.values) or not self.values:
            raise ValueError(f"control {self.name!r} needs as many labels as values (>= 1), "
                             f"got {len(labels)} labels for {len(self.values)} values")
        if self.kind not in ("range", "select"):
            raise ValueError(f"kind must be 'range' or 'select', got {self.kind!r}")
        if not re.fullmatch(r"[A-Za-z][\w-]*", self.name):
            raise ValueError(f"name must be letters, digits, '_' or '-', got {self.name!r}")
        object.__setattr__(self, "labels", labels)


@dataclass(frozen=True)
class Frame:
    """One precomputed state: the drawing, the verdict line and the alt text."""

    svg: str
    verdict: str
    alt: str


def _round(match):
    """An attribute's numbers rounded to 0.1, on one line."""
    value = " ".join(match.group(2).split())
    return _NUMBER.sub(lambda m: f"{float(m.group()):.1f}".removesuffix(".0"), value)


def svg(fig):
    """``fig`` as a deterministic SVG string, coordinates rounded to 0.1 pt
    and each path's data on one line."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _ATTRIBUTE.sub(lambda m: f'{m.group(1)}{_round(m)}"', buffer.getvalue())


def draw_frames(results, plot, update, *, figsize, verdict, alt, **plot_kwargs):
    """Draw every result with an explorer's ``plot`` and ``update`` functions.

    The first result is drawn with ``plot(result, fig, **plot_kwargs)`` and
    laid out once; every result is then drawn into the same artists with
    ``update``, so that all frames share axes positions (and most SVG lines).

    Parameters
    ----------
    results : dict
        Grid index tuple -> result of the explorer's ``experiment``.
    plot, update : callable
        The explorer's drawing functions.
    figsize : pair of float
    verdict, alt : callable
        Result -> the verdict line, result -> the alt text.

    Returns
    -------
    dict
        Grid index tuple -> :class:`Frame`.

    Warns
    -----
    UserWarning
        For a frame in which two texts are drawn over each other
        (:func:`bplib._figure_style.overlapping_text`), or a text runs past
        the frame's edge (:func:`bplib._figure_style.cut_text`).
    """
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasSVG(fig)
        artists = plot(next(iter(results.values())), fig, **plot_kwargs)
        fig.draw_without_rendering()
        fig.set_layout_engine(None)  # one layout for every frame
        frames = {}
        for key, result in results.items():
            update(artists, result)
            frames[key] = Frame(svg(fig), verdict(result), alt(result))
            _warn_unreadable(fig, key)
    return frames


def _warn_unreadable(fig, key):
    crowded = figure_style.overlapping_text(fig)
    if crowded:
        warnings.warn(f"explorer frame {key}: texts drawn over each other: "
                      + "; ".join(f"{a!r} / {b!r}" for a, b in crowded), stacklevel=3)
    cut = figure_style.cut_text(fig)
    if cut:
        warnings.warn(f"explorer frame {key}: texts cut at the frame's edge: "
                      + "; ".join(map(repr, cut)), stacklevel=3)


@dataclass(frozen=True)
class Explorer:
    """The HTML of a static explorer; notebooks show it through ``_repr_html_``."""

    name: str
    html: str
    n_frames: int

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return f"<static explorer {self.name!r}: {self.n_frames} frames>"


_SCRIPT = "".join(
    line for line in (importlib.resources.files(__package__) / "static_explorer.js")
    .read_text(encoding="utf-8").splitlines(keepends=True)
    if not line.startswith("//"))
"""str: the script :func:`render` inlines (package data, its ``//`` header
dropped); ``__ID__`` stands for the explorer's element id."""

_STYLE = ("border:1px solid #ccc;border-radius:4px;padding:0.5em 0.75em;margin:0.5em 0;"
          "max-width:100%")
# The frame shows at the house scale (figure_style.CSS_DPI), never shrunk: its
# text stays as large as a caption's. Where the box is narrower (a phone) the
# frame scrolls sideways inside it; the book's stylesheet draws the scroll cue.
_FRAME_STYLE = "overflow-x:auto;max-width:100%;margin:0.4em 0"


def _json_for_script(obj):
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def grid_index(axes, initial, names):
    """The index tuple of the setting ``initial`` on a grid, for :func:`render`.

    Parameters
    ----------
    axes : sequence of sequences
        The values of each control, in order.
    initial : sequence
        One value per control, each one of that control's values.
    names : sequence of str
        The controls' names, for the error message.

    Returns
    -------
    tuple of int

    Raises
    ------
    ValueError
        If ``initial`` has the wrong length or a value off the grid; the
        message lists the grid.
    """
    axes, initial = [tuple(values) for values in axes], tuple(initial)
    if len(initial) != len(axes) or any(v not in values for values, v in zip(axes, initial)):
        grid = ", ".join(f"{n} in {values}" for n, values in zip(names, axes))
        raise ValueError(f"initial must give one value per control, each on the grid "
                         f"({grid}), got {initial}")
    return tuple(values.index(v) for values, v in zip(axes, initial))


def render(name, title, controls, frames, *, initial=None):
    """A self-contained HTML explorer over precomputed frames.

    Parameters
    ----------
    name : str
        Prefix of every element id (deterministic, so that nbval can compare
        the output); unique on its page.
    title : str
        A heading for the group of controls.
    controls : sequence of Control
    frames : dict
        Index tuple (one index per control) -> :class:`Frame`; every
        combination of indices must be present.
    initial : tuple of int, optional
        The indices shown first; by default all 0.

    Returns
    -------
    Explorer
    """
    controls = tuple(controls)
    keys = list(itertools.product(*(range(len(c.values)) for c in controls)))
    missing = [k for k in keys if k not in frames]
    if missing:
        raise ValueError(f"frames is missing {len(missing)} grid points, e.g. {missing[0]}")
    initial = tuple(initial) if initial is not None else (0,) * len(controls)
    if initial not in frames:
        raise ValueError(f"initial must be a grid index tuple, got {initial!r}")
    table, lines, numbered = {}, [], []
    for key in keys:
        runs, end = [], 0  # [jump, count, jump, count, ...]: a run starts `jump`
        for line in frames[key].svg.split("\n"):  # lines after the last one ended
            if line not in table:
                table[line] = len(lines)
                lines.append(line)
            n = table[line]
            if runs and n == end:
                runs[-1] += 1
            else:
                runs += [n - end, 1]
            end = n + 1
        numbered.append(runs)
    data = {"controls": [{"name": c.name, "labels": list(c.labels)} for c in controls],
            "lines": lines, "frames": numbered,
            "verdicts": [frames[k].verdict for k in keys], "alts": [frames[k].alt for k in keys]}
    first, esc = frames[initial], html.escape
    parts = [f'<div class="bplib-explorer" id="{name}" role="group" '
             f'aria-labelledby="{name}-title" style="{_STYLE}">',
             f'<p id="{name}-title" style="margin:0 0 0.4em"><strong>{esc(title)}</strong></p>',
             f'<div id="{name}-controls" style="display:none;'  # not `hidden`, which
             f'grid-template-columns:max-content minmax(8em,22em) auto;gap:0.3em 0.6em;'
             f'align-items:center">']
    for c, i in zip(controls, initial):
        cid = f"{name}-{c.name}"
        parts.append(f'<label for="{cid}">{esc(c.label)}</label>')
        if c.kind == "range":
            parts.append(f'<input type="range" id="{cid}" min="0" max="{len(c.values) - 1}" '
                         f'step="1" value="{i}" aria-valuetext="{esc(c.labels[i])}">')
        else:
            options = "".join(f'<option value="{j}"{" selected" if j == i else ""}>'
                              f'{esc(text)}</option>' for j, text in enumerate(c.labels))
            parts.append(f'<select id="{cid}">{options}</select>')
        parts.append(f'<output id="{cid}-out" for="{cid}">{esc(c.labels[i])}</output>'
                     if c.kind == "range" else "<span></span>")  # a select shows its value
    src = "data:image/svg+xml;charset=utf-8," + _percent(first.svg)
    width, height = (round(float(pt) * figure_style.CSS_DPI / 72)
                     for pt in _SIZE.search(first.svg).groups())
    parts += ["</div>",
              f'<div class="bplib-frame" style="{_FRAME_STYLE}">'
              f'<img id="{name}-img" src="{esc(src)}" alt="{esc(first.alt)}" '
              f'width="{width}" height="{height}" '
              f'style="max-width:none;width:{width}px;height:auto;display:block"></div>',
              f'<p id="{name}-verdict" aria-live="polite" style="margin:0">'
              f'{esc(first.verdict)}</p>',
              f'<script type="application/json" id="{name}-data">{_json_for_script(data)}'
              "</script>",
              f"<script>\n{_SCRIPT.replace('__ID__', name)}</script>", "</div>"]
    return Explorer(name, "\n".join(parts), len(keys))


def _percent(text):
    """Percent-encode what a data URL of SVG text must not contain raw."""
    from urllib.parse import quote

    return quote(text, safe=" ,;:/=@!$&'()*+-._~")
