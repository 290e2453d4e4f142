"""The house style of the book's figures, defined once.

A figure's text is readable where the website shows it when, after the page
scales the image to its displayed width, the smallest text is at least as
large as the caption's (16 CSS px in the book's theme). The numbers here make
that hold by construction:

* the column of a chapter at desktop widths holds 672 CSS px of figure;
  figures are drawn :data:`FIGURE_WIDTH` inches wide and shown at
  :data:`CSS_DPI` CSS px per inch (7.5 in -> 645 px; with the tight bounding
  box's margins a figure stays under 672 px), so they fit it;
* text is at least :data:`FONT_SIZE` points, i.e. ``FONT_SIZE * CSS_DPI /
  72`` = 16.1 CSS px at that scale;
* the PNG is rendered at :data:`PRINT_DPI` (the resolution the book's PDF
  prints at), and the notebook output's ``width``/``height`` metadata give
  its CSS size, so the page shows it at :data:`CSS_DPI` whatever its pixels.

Nothing here changes matplotlib's global settings: the notebooks' hidden
first cell applies :data:`RC` (``matplotlib.pyplot.rcParams.update``) and
registers :func:`png` as IPython's PNG formatter for figures; the static
explorers draw inside ``matplotlib.rc_context(RC)``. :func:`png` writes the
smallest text size it drew and the resolution into the PNG itself
(:data:`TEXT_KEY`, and the ``pHYs`` chunk), and every pair of texts that
overlap (:data:`OVERLAP_KEY`, see :func:`overlapping_text`), which the
book's tests read.
"""

import base64
import io
import re
import struct
import zlib

__all__ = ["FONT_SIZE", "CSS_DPI", "PRINT_DPI", "FIGURE_WIDTH", "RC", "TEXT_KEY",
           "OVERLAP_KEY", "smallest_text", "overlapping_text", "cut_text", "hide_overlapping",
           "png", "css_px", "png_chunks", "png_text_px", "svg_text_px"]

FONT_SIZE = 13.5
"""float: the smallest text in a figure, in points."""

CSS_DPI = 86
"""int: CSS pixels per inch of a figure shown at its natural size."""

PRINT_DPI = 200
"""int: pixels per inch of the stored PNG (print resolution)."""

FIGURE_WIDTH = 7.5
"""float: a full-width figure, in inches (645 CSS px)."""

TEXT_KEY = "bplib-smallest-text-pt"
"""str: the PNG text chunk that records the smallest font size drawn."""

OVERLAP_KEY = "bplib-overlapping-text"
"""str: the PNG text chunk that lists the texts drawn over each other
(``'a' / 'b'`` pairs, one per line; ``none`` when there are none)."""

OVERLAP_PX = 2.0
"""float: texts whose boxes share more than this many pixels (at
:data:`CSS_DPI`) both across and down overlap; a text's box includes its
descent, so stacked lines touch without overlapping."""

RC = {
    "figure.figsize": (FIGURE_WIDTH, 3.4),
    "figure.dpi": CSS_DPI,
    "savefig.dpi": PRINT_DPI,
    "font.size": FONT_SIZE,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "legend.fontsize": "medium",
    "legend.title_fontsize": "medium",
    "figure.titlesize": "large",
    "figure.labelsize": "medium",
    "lines.linewidth": 1.6,
    "lines.markersize": 5.0,
}
"""dict: the rcParams of every figure (font sizes relative to
:data:`FONT_SIZE` are never smaller than it)."""


def smallest_text(fig):
    """The smallest font size (points) of the visible, non-empty text in ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    float or None
        None when the figure has no text.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.text(0.5, 0.5, "a", fontsize=9)
    >>> smallest_text(fig)
    9.0
    """
    sizes = [t.get_fontsize() for t in _drawn_texts(fig)]
    return min(sizes) if sizes else None


def overlapping_text(fig):
    """Pairs of visible texts in ``fig`` drawn over each other.

    Tick labels that run into each other, a title on a tick label, a legend
    on an axis label: each is a pair of texts whose boxes overlap by more
    than :data:`OVERLAP_PX` in both directions. Call after
    ``fig.canvas.draw()``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.text(0.5, 0.5, "one"), fig.text(0.51, 0.5, "two"), fig.text(0.1, 0.1, "far")
    >>> fig.canvas.draw()
    >>> overlapping_text(fig)
    [('one', 'two')]
    """
    boxes = [(t.get_text(), _box(t)) for t in _drawn_texts(fig)]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if _overlap(box_a, box_b, fig.dpi)]


def cut_text(fig):
    """The visible texts of ``fig`` that reach more than :data:`OVERLAP_PX`
    past its edge, so that a fixed-size frame would cut them.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of str

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.text(0.1, 0.5, "fits"), fig.text(0.6, 0.5, "runs past the edge")
    >>> cut_text(fig)
    ['runs past the edge']
    """
    edge = fig.bbox

    def past_edge(box):  # display px, at the figure's dpi
        return max(edge.x0 - box.x0, box.x1 - edge.x1, edge.y0 - box.y0, box.y1 - edge.y1)

    return [t.get_text() for t in _drawn_texts(fig)
            if past_edge(_box(t)) * CSS_DPI / fig.dpi > OVERLAP_PX]


def hide_overlapping(texts):
    """Show ``texts`` in order of priority, hiding each one that would overlap
    a text shown before it (plateau labels crowded on a log axis).

    Parameters
    ----------
    texts : sequence of matplotlib.text.Text
        In one figure, most important first.
    """
    shown = []
    for text in texts:
        text.set_visible(True)
        box, dpi = _box(text), text.get_figure(root=True).dpi
        if any(_overlap(box, other, dpi) for other in shown):
            text.set_visible(False)
        else:
            shown.append(box)


def _box(text):
    from matplotlib.text import Annotation, Text

    if isinstance(text, Annotation):
        text.get_window_extent()  # places the text at its offset from the point
    return Text.get_window_extent(text)  # the text's own: an annotation's includes its arrow


def _overlap(box_a, box_b, dpi):
    """Whether two boxes (display px at ``dpi``) share more than
    :data:`OVERLAP_PX` CSS px both across and down."""
    across = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
    down = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
    return min(across, down) * CSS_DPI / dpi > OVERLAP_PX


def _drawn_texts(fig):
    """The visible, non-empty texts of ``fig``, less the tick labels of ticks
    outside their axis's view (matplotlib keeps, but does not draw, them)."""
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            scale = axis.get_transform().transform  # compare as drawn: log axes in decades
            low, high = sorted(scale(axis.get_view_interval()))
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                location = tick.get_loc()
                if location is not None and not (
                        low - slack <= scale([location])[0] <= high + slack):
                    hidden.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def css_px(png_bytes):
    """The CSS size ``(width, height)`` of a PNG rendered at :data:`PRINT_DPI`."""
    width = int.from_bytes(png_bytes[16:20], "big")
    height = int.from_bytes(png_bytes[20:24], "big")
    return round(width * CSS_DPI / PRINT_DPI), round(height * CSS_DPI / PRINT_DPI)


def png(fig):
    """``fig`` as IPython's formatter returns a PNG: ``(base64 text, metadata)``.

    The PNG has :data:`PRINT_DPI` pixels per inch (tight bounding box), the
    smallest text size under :data:`TEXT_KEY` and the overlapping texts
    under :data:`OVERLAP_KEY`; the metadata's
    ``width``/``height`` are its CSS size at :data:`CSS_DPI`.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    (str, dict) or None
        None for an empty figure (IPython then shows nothing).
    """
    if not fig.axes and not fig.lines and not fig.texts:
        return None
    fig.canvas.draw()  # lays out the figure, so tick labels exist
    smallest = smallest_text(fig)
    overlaps = "\n".join(f"{a!r} / {b!r}" for a, b in overlapping_text(fig)) or "none"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PRINT_DPI, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                metadata={TEXT_KEY: "none" if smallest is None else f"{smallest:g}",
                          OVERLAP_KEY: overlaps})
    data = buffer.getvalue()
    width, height = css_px(data)
    return base64.b64encode(data).decode("ascii"), {"width": width, "height": height}


# ---------------------------------------------------------------------------
# reading a figure back (the book's tests): how large its text shows

_FONT = re.compile(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*?([\d.]+)px")
_TEXT = re.compile(r"<text\b.*?</text>", re.S)
_VIEWBOX = re.compile(r'<svg[^>]*\bviewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"')


def png_chunks(data):
    """The PNG's text chunks and its resolution: ({key: text}, dpi or None)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    texts, dpi, i = {}, None, 8
    while i < len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            texts[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":  # UTF-8 text (matplotlib writes it for non-Latin-1 text)
            key, _, rest = body.partition(b"\0")
            compressed, text = rest[0], rest[2:].split(b"\0", 2)[2]
            texts[key.decode("latin-1")] = (zlib.decompress(text) if compressed
                                            else text).decode("utf-8")
        elif kind == b"pHYs":
            x, _, unit = struct.unpack(">IIB", body)
            dpi = x * 0.0254 if unit == 1 else None
        i += 12 + length
    return texts, dpi


def png_text_px(data, displayed_width):
    """The smallest text of a house-style PNG in CSS px at ``displayed_width``."""
    texts, dpi = png_chunks(data)
    smallest = texts.get(TEXT_KEY)
    if smallest is None or dpi is None:
        return None
    if smallest == "none":
        return float("inf")
    width = struct.unpack(">I", data[16:20])[0]
    return float(smallest) / 72 * dpi * displayed_width / width


def svg_text_px(svg, displayed_width):
    """The smallest text of an SVG frame in CSS px at ``displayed_width``.

    Each ``<text>`` element is one piece of text; its size is its largest
    glyph's (math sub- and superscripts are drawn smaller, as in
    :func:`smallest_text`, which counts the size the text was set in)."""
    sizes = [max(float(s) for s in _FONT.findall(block))
             for block in _TEXT.findall(svg) if _FONT.search(block)]
    view = _VIEWBOX.search(svg)
    if not sizes or not view:
        return float("inf")
    return min(sizes) * displayed_width / float(view.group(1))
