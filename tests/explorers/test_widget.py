"""Tests for the explorers' ipywidgets plumbing, bplib.explorers._widget."""

from bplib.explorers import _widget


def test_png_img_embeds_the_figure_with_escaped_alt_text():
    import base64

    from matplotlib.figure import Figure

    tag = _widget.png_img(Figure(figsize=(1, 1), dpi=50), 'Loss "curve" & path.')
    assert 'alt="Loss &quot;curve&quot; &amp; path."' in tag
    data = tag.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(data).startswith(b"\x89PNG")
