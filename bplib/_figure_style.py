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
(:data:`TEXT_KEY`, and the ``pHYs`` chunk), which the book's tests read.
"""

import base64
import io
import re
import struct
import zlib

__all__ = ["FONT_SIZE", "CSS_DPI", "PRINT_DPI", "FIGURE_WIDTH", "RC", "TEXT_KEY",
           "smallest_text", "png", "css_px", "png_chunks", "png_text_px", "svg_text_px"]

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
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and _shown(t)]
    return min(sizes) if sizes else None


def _shown(text):
    """False for a tick label whose tick lies outside its axis's view."""
    parent = getattr(text, "axes", None)
    if parent is None or not hasattr(text, "get_position"):
        return True
    for axis in (parent.xaxis, parent.yaxis):
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if text in (tick.label1, tick.label2):
                low, high = sorted(axis.get_view_interval())
                location = tick.get_loc()
                return location is None or low - 1e-9 * abs(high - low) <= location <= high
    return True


def css_px(png_bytes):
    """The CSS size ``(width, height)`` of a PNG rendered at :data:`PRINT_DPI`."""
    width = int.from_bytes(png_bytes[16:20], "big")
    height = int.from_bytes(png_bytes[20:24], "big")
    return round(width * CSS_DPI / PRINT_DPI), round(height * CSS_DPI / PRINT_DPI)


def png(fig):
    """``fig`` as IPython's formatter returns a PNG: ``(base64 text, metadata)``.

    The PNG has :data:`PRINT_DPI` pixels per inch (tight bounding box) and
    the smallest text size under :data:`TEXT_KEY`; the metadata's
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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PRINT_DPI, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                metadata={TEXT_KEY: "none" if smallest is None else f"{smallest:g}"})
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
