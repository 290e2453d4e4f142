"""The book's interactive explorers: one module per explorer, on top of the math.

Each explorer turns a few knobs of an experiment from its chapter and shows
what happens. They are not part of the derivations: they import the math
modules of :mod:`bplib` (never the other way round) and add no formulas of
their own.

============================  =======  ====================================
module                        chapter  knobs
============================  =======  ====================================
:mod:`.learning_rate`         1        learning rate, starting point
:mod:`.xor`                   3        hidden units, learning rate, start
:mod:`.gradient_flow`         6        depth, activation, scheme, scale, architecture
:mod:`.optimiser`             7        optimiser, learning rate, batch size
:mod:`.capacity`              7        width, weight decay, training set
============================  =======  ====================================

Every explorer module has the same three layers, and a fourth for the website:

1. ``experiment(...)`` runs the experiment for one setting of the knobs and
   returns a frozen ``Result`` with the numbers and a one-line ``summary``
   that states a verdict (e.g. "converging", "exploding"). It is pure and
   seeded, never prints, and never raises or warns when training diverges:
   divergence is a verdict, not an error.
2. ``plot(result, fig)`` draws a result into a figure it is given and
   returns its artists; ``update(artists, result)`` redraws another result
   into the same artists, which keeps a control change cheap.
3. ``widget(...)`` wires ipywidgets controls to the two (ipywidgets is
   imported only there, through the private :mod:`._widget` plumbing, which
   shows the figure as a PNG with alt text).
4. ``grid(...)`` runs ``experiment`` over a fixed grid of settings and
   ``static_widget(...)`` draws every result as an SVG frame into one
   self-contained HTML output (:mod:`._static` and its script,
   ``static_explorer.js``), so the explorer stays live on a website that
   has no kernel.

What the static explorers precompute, and leave out: only the grid points
(``GRID_*`` in each module), so a static control moves in the grid's steps
and cannot reach values between them; the ipywidgets version in a notebook
runs ``experiment`` anew for any value of its controls (the capacity
explorer, whose runs take about a second, trains when its Run button is
pressed). Knobs that a grid holds fixed (e.g. the gradient-flow explorer's
width, the optimiser explorer's momentum) are set in the notebook only.
"""

__all__ = []  # the explorers are the submodules, imported one by one
