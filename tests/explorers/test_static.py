"""Tests for bplib.explorers._static and the explorers' grids: the website's
kernel-free explorers show what the experiment functions compute."""

import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bplib.explorers import _static as se
from bplib.explorers import learning_rate


def _data(html, name):
    text = re.search(rf'<script type="application/json" id="{name}-data">(.*?)</script>',
                     html, re.S).group(1)
    return json.loads(text)


def _frame(data, k):
    """Rebuild frame k as the page's script does."""
    runs = data["frames"][k]
    lines, end = [], 0
    for jump, count in zip(runs[::2], runs[1::2]):
        lines += data["lines"][end + jump:end + jump + count]
        end += jump + count
    return "\n".join(lines)


def _toy(verdict_extra=""):
    frames = {}
    for i in range(3):
        for j in range(2):
            fig = plt.figure(figsize=(2, 1.5))
            ax = fig.subplots()
            ax.plot([0, 1], [i, j])
            frames[(i, j)] = se.Frame(se.svg(fig), f"v{i}{j}{verdict_extra}", f"alt {i} {j}")
            plt.close(fig)
    controls = [se.Control("a", "first", (0.1, 0.2, 0.3), ("0.1", "0.2", "0.3")),
                se.Control("b", "second", ("x", "y"), kind="select")]
    return controls, frames


# The grids are the experiment functions evaluated at the grid values.

def test_learning_rate_grid_point_is_a_direct_experiment_call():
    etas, starts = learning_rate.GRID_ETAS[::12], learning_rate.GRID_STARTS
    results = learning_rate.grid(etas, starts, steps=30)
    assert set(results) == {(i, j) for i in range(len(etas)) for j in range(len(starts))}
    direct = learning_rate.experiment(etas[1], 30, starts[2])
    got = results[(1, 2)]
    np.testing.assert_array_equal(got.W, direct.W)
    np.testing.assert_array_equal(got.loss, direct.loss)
    assert (got.eta, got.verdict, got.summary) == (direct.eta, direct.verdict, direct.summary)


def test_learning_rate_grid_spans_the_three_regimes():
    results = learning_rate.grid(learning_rate.GRID_ETAS, learning_rate.GRID_STARTS[:1])
    assert {r.verdict for r in results.values()} == set(learning_rate.VERDICTS)
    assert len(learning_rate.GRID_ETAS) == len(set(learning_rate.GRID_ETAS)) == 25


def test_learning_rate_static_widget_shows_the_experiment():
    etas = (0.1, 0.69, 1.3)
    page = learning_rate.static_widget(etas, learning_rate.GRID_STARTS[:2], name="lr")
    data = _data(page.html, "lr")
    assert page.n_frames == 6 and len(data["frames"]) == 6
    for (i, j), k in (((0, 0), 0), ((1, 1), 3), ((2, 1), 5)):
        r = learning_rate.experiment(etas[i], 30, learning_rate.GRID_STARTS[j])
        assert data["verdicts"][k] == r.summary
        assert r.verdict in data["alts"][k]
        assert _frame(data, k).startswith("<?xml")
    # the first frame shown is the grid point nearest eta=0.1, with its verdict
    assert re.search(r'<p id="lr-verdict" aria-live="polite"[^>]*>converging: η = 0.1,',
                     page.html)


# The HTML the page gets.

def test_render_is_deterministic_and_self_contained():
    controls, frames = _toy()
    a = se.render("toy", "Toy", controls, frames)
    controls, frames = _toy()
    b = se.render("toy", "Toy", controls, frames)
    assert a.html == b.html
    assert a._repr_html_() == a.html and "6 frames" in repr(a)
    frame = _frame(_data(a.html, "toy"), 0)
    assert not re.search(r'(href|src)="(?!#)|url\((?!#)', frame)  # nothing to fetch
    assert not re.search(r'(href|src)="(?!data:|#)', a.html)


def test_frames_decode_to_the_svgs_in_grid_order():
    controls, frames = _toy()
    data = _data(se.render("toy", "Toy", controls, frames).html, "toy")
    keys = [(i, j) for i in range(3) for j in range(2)]  # row-major, like the script
    for k, key in enumerate(keys):
        assert _frame(data, k) == frames[key].svg
        assert data["verdicts"][k] == frames[key].verdict
        assert data["alts"][k] == frames[key].alt
    assert len(data["lines"]) < sum(len(f.svg.split("\n")) for f in frames.values()) / 2


def test_controls_are_labelled_and_the_verdict_is_live():
    controls, frames = _toy()
    html = se.render("toy", "Toy", controls, frames, initial=(2, 1)).html
    assert '<label for="toy-a">first</label>' in html
    assert '<label for="toy-b">second</label>' in html
    assert re.search(r'<input type="range" id="toy-a" min="0" max="2" step="1" value="2" '
                     r'aria-valuetext="0.3">', html)
    assert '<option value="1" selected>y</option>' in html
    assert '<output id="toy-a-out" for="toy-a">0.3</output>' in html
    assert '<p id="toy-verdict" aria-live="polite" style="margin:0">v21</p>' in html
    assert re.search(r'<img id="toy-img" src="data:image/svg\+xml;charset=utf-8,[^"]+" '
                     r'alt="alt 2 1"', html)
    assert 'id="toy-controls" style="display:none;' in html  # until the script shows them


def test_script_text_cannot_end_the_data_block():
    controls, frames = _toy(verdict_extra="</script><script>alert(1)")
    html = se.render("toy", "Toy", controls, frames).html
    data_block = re.search(r'id="toy-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data_block)["verdicts"][0] == "v00</script><script>alert(1)"


def test_svg_is_deterministic_and_rounded():
    fig = plt.figure(figsize=(2, 1.5))
    fig.subplots().plot([0, 1 / 3], [0, 2 / 3])
    a, b = se.svg(fig), se.svg(fig)
    plt.close(fig)
    assert a == b
    assert "<dc:date>" not in a
    assert not re.search(r' (d|x|y)="[^"]*\d\.\d\d', a)


def test_render_checks_its_input():
    controls, frames = _toy()
    del frames[(1, 1)]
    with pytest.raises(ValueError, match="missing 1 grid points"):
        se.render("toy", "Toy", controls, frames)
    controls, frames = _toy()
    with pytest.raises(ValueError, match="initial"):
        se.render("toy", "Toy", controls, frames, initial=(3, 0))
    with pytest.raises(ValueError, match="as many labels"):
        se.Control("a", "A", (1, 2), ("one",))
    with pytest.raises(ValueError, match="kind"):
        se.Control("a", "A", (1, 2), kind="slider")
    with pytest.raises(ValueError, match="name"):
        se.Control("a b", "A", (1, 2))


def test_gradient_flow_grid_point_is_a_direct_experiment_call():
    from bplib.explorers import gradient_flow

    results = gradient_flow.grid((5, 10), ("tanh", "relu"), ("xavier_normal",), (0.5, 2.0),
                                 architectures=("plain",))
    assert len(results) == 8
    direct = gradient_flow.experiment(10, 32, "relu", "xavier_normal", 2.0)
    got = results[(1, 1, 0, 1, 0)]
    np.testing.assert_array_equal(got.diagnostics.grad_norms, direct.diagnostics.grad_norms)
    np.testing.assert_array_equal(got.hist, direct.hist)
    assert (got.depth, got.activation, got.scale, got.summary) == (
        direct.depth, direct.activation, direct.scale, direct.summary)


def test_gradient_flow_static_widget_shows_the_experiment():
    from bplib.explorers import gradient_flow

    page = gradient_flow.static_widget((5, 10), ("sigmoid", "tanh"), ("xavier_normal",),
                                       (1.0, 4.0), initial=(10, "tanh", "xavier_normal", 4.0),
                                       architectures=("plain",), name="gf")
    data = _data(page.html, "gf")
    assert page.n_frames == 8 and [c["name"] for c in data["controls"]] == [
        "depth", "activation", "scheme", "scale"]
    r = gradient_flow.experiment(10, 32, "tanh", "xavier_normal", 4.0)
    assert data["verdicts"][7] == r.summary  # row-major: the last grid point
    assert f'aria-live="polite" style="margin:0">{r.summary}</p>' in page.html
    assert '<option value="1" selected>tanh</option>' in page.html


def test_optimiser_grid_point_is_a_direct_experiment_call():
    from bplib.explorers import optimiser as optimiser_explorer

    results = optimiser_explorer.grid(("sgd", "adam"), (0.01, 0.1), (32,), steps=40)
    assert set(results) == {(i, j, 0) for i in range(2) for j in range(2)}
    optimiser_explorer._experiment.cache_clear()  # a fresh run, not the cached object
    direct = optimiser_explorer.experiment("adam", 0.01, 0.9, 32, 40)
    got = results[(1, 0, 0)]
    assert got is not direct
    np.testing.assert_array_equal(got.train_loss, direct.train_loss)
    np.testing.assert_array_equal(got.val_loss, direct.val_loss)
    assert got.summary == direct.summary


def test_capacity_grid_point_is_a_direct_experiment_call():
    from bplib.explorers import capacity as capacity_explorer

    results = capacity_explorer.grid((4, 8), (0.0, 1e-2), (50,), steps=40)
    assert len(results) == 4
    capacity_explorer._cache.clear()  # a fresh run, not the cached object
    direct = capacity_explorer.experiment(8, 1e-2, 50, 40)
    got = results[(1, 1, 0)]
    assert got is not direct
    np.testing.assert_array_equal(got.train_loss, direct.train_loss)
    np.testing.assert_array_equal(got.val_accuracy, direct.val_accuracy)
    assert got.summary == direct.summary


def test_chapter7_static_widgets_show_the_experiments():
    from bplib.explorers import capacity as capacity_explorer
    from bplib.explorers import optimiser as optimiser_explorer

    page = optimiser_explorer.static_widget(("sgd", "momentum"), (0.01, 0.1), (32,), steps=40,
                                            initial=("momentum", 0.1, 32), name="opt")
    data = _data(page.html, "opt")
    r = optimiser_explorer.experiment("momentum", 0.1, 0.9, 32, 40)
    assert data["verdicts"][3] == r.summary and page.n_frames == 4
    page = capacity_explorer.static_widget((4,), (0.0, 1e-2), (50,), steps=40,
                                           initial=(4, 1e-2, 50), name="cap")
    data = _data(page.html, "cap")
    assert data["verdicts"][1] == capacity_explorer.experiment(4, 1e-2, 50, 40).summary
    assert '<output id="cap-decay-out" for="cap-decay">0.01</output>' in page.html


def test_grid_index_finds_the_setting_or_names_the_grid():
    axes = [(1, 2, 4), ("tanh", "relu")]
    assert se.grid_index(axes, (4, "relu"), ("depth", "activation")) == (2, 1)
    with pytest.raises(ValueError, match=re.escape(
            "initial must give one value per control, each on the grid "
            "(depth in (1, 2, 4), activation in ('tanh', 'relu')), got (3, 'relu')")):
        se.grid_index(axes, (3, "relu"), ("depth", "activation"))
    with pytest.raises(ValueError, match="one value per control"):
        se.grid_index(axes, (1,), ("depth", "activation"))


def test_a_frame_with_texts_drawn_over_each_other_is_reported():
    def plot(result, fig):
        ax = fig.subplots()
        return [ax.text(0.5, 0.5, "fixed"), ax.text(0.9, 0.1, "moving")]

    def update(texts, result):
        texts[1].set_position(result)

    frames = {(0,): (0.9, 0.1), (1,): (0.51, 0.5)}  # the second puts "moving" on "fixed"
    with pytest.warns(UserWarning, match=r"explorer frame \(1,\): .*'fixed' / 'moving'"):
        se.draw_frames(frames, plot, update, figsize=(4, 3), verdict=str, alt=str)


def test_a_frame_with_text_past_its_edge_is_reported():
    def plot(result, fig):
        return fig.subplots().set_title("short", loc="left")  # a longer one runs right

    def update(title, result):
        title.set_text(result)

    frames = {(0,): "short", (1,): "a title far longer than the frame is wide " * 3}
    with pytest.warns(UserWarning, match=r"explorer frame \(1,\): texts cut at the frame's edge"):
        se.draw_frames(frames, plot, update, figsize=(4, 3), verdict=str, alt=str)
