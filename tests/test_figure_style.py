"""The book's figure style (bplib/_figure_style.py) and its PNG formatter."""

import base64

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bplib import _figure_style as figure_style

png_chunks, png_text_px, svg_text_px = (figure_style.png_chunks, figure_style.png_text_px,
                                        figure_style.svg_text_px)


def _figure(fontsize=None):
    with matplotlib.rc_context(figure_style.RC):
        fig = Figure(figsize=(figure_style.FIGURE_WIDTH, 3), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], label="line")
        ax.set(xlabel="x", ylabel="y", title="title")
        ax.legend()
        if fontsize is not None:
            ax.text(0.5, 0.5, "small", fontsize=fontsize)
        data, metadata = figure_style.png(fig)
    return base64.b64decode(data), metadata


def test_the_style_makes_text_as_large_as_a_caption_at_the_column_width():
    px = figure_style.FONT_SIZE * figure_style.CSS_DPI / 72
    assert px >= 16  # the theme's caption text
    assert figure_style.FIGURE_WIDTH * figure_style.CSS_DPI <= 672 - 20  # the column, 1280 px
    assert figure_style.PRINT_DPI >= 2 * figure_style.CSS_DPI


def test_png_records_resolution_css_size_and_smallest_text():
    data, metadata = _figure()
    texts, dpi = png_chunks(data)
    assert dpi == pytest.approx(figure_style.PRINT_DPI, abs=0.5)
    assert float(texts[figure_style.TEXT_KEY]) == figure_style.FONT_SIZE
    assert (metadata["width"], metadata["height"]) == figure_style.css_px(data)
    assert abs(metadata["width"] - figure_style.FIGURE_WIDTH * figure_style.CSS_DPI) < 40
    # at its CSS size, the figure's smallest text is FONT_SIZE * CSS_DPI / 72 px
    assert png_text_px(data, metadata["width"]) == pytest.approx(
        figure_style.FONT_SIZE * figure_style.CSS_DPI / 72, rel=0.01)


def test_smaller_text_is_recorded_and_measured_smaller():
    data, metadata = _figure(fontsize=9)
    assert float(png_chunks(data)[0][figure_style.TEXT_KEY]) == 9
    assert png_text_px(data, metadata["width"]) == pytest.approx(9 * figure_style.CSS_DPI / 72,
                                                                 rel=0.01)
    assert png_text_px(data, metadata["width"] / 2) < 8  # shrunk to half: 5.4 px


def test_hidden_and_empty_text_and_tick_labels_off_the_axis_do_not_count():
    fig = Figure()
    ax = fig.subplots()
    ax.text(0, 0, "hidden", fontsize=5).set_visible(False)
    ax.text(0, 0, "  ", fontsize=4)
    ax.set_xlim(0, 1)
    fig.draw_without_rendering()
    assert figure_style.smallest_text(fig) == matplotlib.rcParams["xtick.labelsize"] or \
        figure_style.smallest_text(fig) == matplotlib.rcParams["font.size"]


def test_texts_drawn_over_each_other_are_recorded():
    data, _ = _figure()
    assert png_chunks(data)[0][figure_style.OVERLAP_KEY] == "none"
    with matplotlib.rc_context(figure_style.RC):
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.set_xticks([0, 0.01], ["first", "second"])  # two tick labels run into each other
        data = base64.b64decode(figure_style.png(fig)[0])
    assert png_chunks(data)[0][figure_style.OVERLAP_KEY] == "'first' / 'second'"
    with matplotlib.rc_context(figure_style.RC):  # outside Latin-1: stored as UTF-8
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, "w̄ = ū·x"), fig.text(0.52, 0.5, "∂L/∂v")
        data = base64.b64decode(figure_style.png(fig)[0])
    assert png_chunks(data)[0][figure_style.OVERLAP_KEY] == "'w̄ = ū·x' / '∂L/∂v'"


def test_tick_labels_of_ticks_outside_the_view_are_not_drawn_texts():
    # a log axis keeps labelled ticks beyond its limits (10^1 and 10^-4 here,
    # in the corner outside the axes): they are never drawn, so never overlap
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.loglog([19, 2600], [2e-4, 1])
    fig.canvas.draw()
    kept = [tick.label1.get_text() for tick in ax.xaxis.get_major_ticks()]
    assert "$\\mathdefault{10^{1}}$" in kept
    assert figure_style.overlapping_text(fig) == []
    ax.set_xlim(5, 3000)  # now 10^1 is in view, and drawn
    fig.canvas.draw()
    assert figure_style.overlapping_text(fig) == []
    ax.set(xlim=(2e-16, 0.5), ylim=(1e-13, 0.1))  # tiny values: compared in decades
    fig.canvas.draw()
    assert figure_style.overlapping_text(fig) == []


def test_png_changes_no_global_setting_and_skips_empty_figures():
    before = dict(matplotlib.rcParams)
    _figure()
    assert dict(matplotlib.rcParams) == before
    assert figure_style.png(Figure()) is None


def test_svg_text_is_scaled_by_the_displayed_width():
    svg = ('<svg width="360pt" height="100pt" viewBox="0 0 360 100">'
           '<text style="font: 13.5px \'DejaVu Sans\'">a</text>'
           '<text style="font-size: 9px">b</text></svg>')
    assert svg_text_px(svg, 480) == pytest.approx(12)  # 9 user units * 480 / 360
    script = ('<svg width="360pt" height="100pt" viewBox="0 0 360 100"><text>'
              '<tspan style="font-size: 13.5px">A</tspan><tspan style="font-size: 9.45px">l'
              '</tspan></text></svg>')
    assert svg_text_px(script, 360) == pytest.approx(13.5)  # a superscript counts as its text


def test_hide_overlapping_keeps_the_first_of_two_crowded_texts():
    fig = Figure()
    FigureCanvasAgg(fig)
    first, second, far = (fig.text(0.5, 0.5, "first"), fig.text(0.51, 0.5, "second"),
                          fig.text(0.1, 0.1, "far"))
    figure_style.hide_overlapping([first, second, far])
    assert [t.get_visible() for t in (first, second, far)] == [True, False, True]
    second.set_position((0.5, 0.9))  # room again: shown
    figure_style.hide_overlapping([first, second, far])
    assert second.get_visible() and figure_style.overlapping_text(fig) == []
