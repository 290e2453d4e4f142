"""The ipywidgets wiring that every explorer's ``widget()`` shares.

An explorer's widget draws into one Agg figure, made once: :func:`plot`
lays it out on the first draw, and each control change reruns the
experiment and calls :func:`update` on the same artists, then renders the
figure as a PNG ``<img>`` with alt text (:func:`png_img`) above
the result's one-line summary. :class:`Panel` holds that figure and those
two outputs; :func:`explorer` draws the first state, freezes the layout,
attaches the callback to every control and returns the box.

Each explorer keeps only what is its own: the controls, how their values
become an experiment, and extras such as a Run button.
"""

import base64
import html
import io

__all__ = ["Panel", "explorer", "png_img"]


class Panel:
    """One figure redrawn in place, shown as an image and a summary line.

    Parameters
    ----------
    plot, update : callable
        The explorer's ``plot(result, fig, **plot_kwargs) -> artists`` and
        ``update(artists, result)``.
    alt : callable
        ``result -> str``, the image's alt text.
    result
        What the first draw shows (it also sets the axes' layout).
    figsize : pair of float
    **plot_kwargs
        Passed on to ``plot``.

    Attributes
    ----------
    figure, artists
        The figure (dpi 90, constrained layout until :func:`explorer`
        freezes it) and what ``plot`` returned.
    image, summary : ipywidgets.HTML
        The PNG with alt text, and the result's ``summary``.
    """

    def __init__(self, plot, update, alt, result, *, figsize, **plot_kwargs):
        import ipywidgets as w
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=90, layout="constrained")
        FigureCanvasAgg(self.figure)  # one canvas for all redraws: its renderer caches text
        self.artists = plot(result, self.figure, **plot_kwargs)
        self.image, self.summary = w.HTML(), w.HTML()
        self._update, self._alt = update, alt

    def show(self, result):
        """Redraw ``result`` into the artists and refresh the image and summary."""
        self._update(self.artists, result)
        self.image.value = png_img(self.figure, self._alt(result))
        self.summary.value = result.summary


def explorer(panel, controls, rows, result_for, **extras):
    """Wire ``controls`` to ``panel`` and lay them out above it.

    Parameters
    ----------
    panel : Panel
    controls : dict of str to ipywidgets.ValueWidget
    rows : sequence
        One entry per row above the image: a control's key, any widget, or a
        tuple of those (placed side by side).
    result_for : callable
        ``values -> result or None``, given ``{key: control.value}``. Called
        once now and on every change; a result is shown with
        :meth:`Panel.show`, None leaves the figure as it is.
    **extras
        Set as attributes of the returned box (e.g. ``button``).

    Returns
    -------
    ipywidgets.VBox
        The rows, the image and the summary, with attributes ``controls``,
        ``figure``, ``artists``, ``refresh`` (the callback a change runs)
        and the ``extras``.
    """
    import ipywidgets as w

    def refresh(change=None):
        result = result_for({key: control.value for key, control in controls.items()})
        if result is not None:
            panel.show(result)

    def widget(item):
        return controls[item] if isinstance(item, str) else item

    refresh()
    panel.figure.set_layout_engine(None)  # keep the first layout: redraws skip it
    for control in controls.values():
        control.observe(refresh, names="value")
    box = w.VBox([w.HBox([widget(i) for i in row]) if isinstance(row, tuple) else widget(row)
                  for row in rows] + [panel.image, panel.summary])
    box.controls, box.figure, box.artists, box.refresh = (controls, panel.figure,
                                                          panel.artists, refresh)
    for name, value in extras.items():
        setattr(box, name, value)
    return box


def png_img(fig, alt):
    """A figure as a self-contained ``<img>`` tag with alt text.

    The explorers' ipywidgets versions show their figure this way (an
    ``ipywidgets.Image`` cannot carry alt text).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        A sentence saying what the figure shows.

    Returns
    -------
    str
        ``<img src="data:image/png;base64,..." alt="...">``.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
            'style="max-width:100%">')
