"""Tests for the explorers' ipywidgets plumbing, bplib.explorers._widget."""

from bplib.explorers import _widget


def test_png_img_embeds_the_figure_with_escaped_alt_text():
    import base64

    from matplotlib.figure import Figure

    tag = _widget.png_img(Figure(figsize=(1, 1), dpi=50), 'Loss "curve" & path.')
    assert 'alt="Loss &quot;curve&quot; &amp; path."' in tag
    data = tag.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(data).startswith(b"\x89PNG")


def _presses(control):
    """Arrow-key presses that take a slider from one end to the other."""
    if hasattr(control, "options"):  # SelectionSlider: one press per option
        return len(control.options) - 1
    return round((control.max - control.min) / control.step)


def test_every_slider_crosses_its_range_in_a_few_dozen_key_presses():
    import pytest

    pytest.importorskip("ipywidgets")
    from bplib.explorers import capacity, gradient_flow, learning_rate, optimiser, xor

    boxes = [learning_rate.widget(steps=5), xor.widget(steps=250),
             gradient_flow.widget(depth=3, width=4, n=8), optimiser.widget(steps=5),
             capacity.widget(width=4, n_train=50, steps=4)]
    for box in boxes:
        for name, control in box.controls.items():
            if "Slider" not in type(control).__name__:
                continue
            presses = _presses(control)
            # a handful of discrete choices may take fewer; nothing takes over 50
            assert presses <= 50, (name, presses)
            if not hasattr(control, "options") and name not in ("h", "depth"):
                assert presses >= 15, (name, presses)
