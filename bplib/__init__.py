"""bplib: the NumPy library that grows with the book.

Each chapter of *Backpropagation, from one neuron to reverse-mode autodiff*
adds one small module, named after the idea it implements, and imports what
earlier chapters built. Import the modules directly::

    from bplib import linear, activations
    from bplib.explorers import learning_rate

Chapters and modules
--------------------

======================================  =========================================
chapter                                 modules
======================================  =========================================
1  the linear neuron                    ``linear``, ``data``, ``plots``;
                                        ``explorers.learning_rate``
2  the sigmoid neuron                   ``activations``, ``losses``, ``gradcheck``
3  two layers                           ``two_layer``; ``explorers.xor``
4  the delta recursion                  ``mlp``, ``jacobian``
5  backpropagation is reverse mode      ``autodiff``, ``dual``
6  vanishing and exploding gradients    ``init``, ``diagnostics``;
                                        ``explorers.gradient_flow``
7  training in practice                 ``softmax``, ``optim``, ``train``,
                                        ``digits``; ``explorers.optimiser``,
                                        ``explorers.capacity``
8  convolutions and normalisation       ``conv``, ``norm``, ``layers``,
                                        ``residual``
9  recurrent networks                   ``rnn``, ``checkpoint``;
                                        ``explorers.time_lag``
exercises                               ``exercises``
all chapters                            ``listing`` (shows a function's source)
======================================  =========================================

The math modules sit at the top of the package; the interactive explorers,
which only call them, live in :mod:`bplib.explorers`. Private helpers made
for sharing start with an underscore (``_validation``).

Conventions, everywhere in the package:

* row convention: a batch ``X`` of shape ``(n, d_in)`` holds one example per
  row; a layer computes ``Z = A_prev @ W + b`` with ``W`` of shape
  ``(d_in, d_out)`` and ``b`` of shape ``(d_out,)``;
* data first: ``f(X, T, params, ...)``; ``eta`` for every learning rate;
  ``rng`` keyword-only, a seed or a :class:`numpy.random.Generator` (no
  global random state); float64 throughout;
* each formula is written once, in a *core* function that does no checks
  and that every other module calls (e.g. :func:`bplib.mlp.backpropagate`);
  the public entry points (e.g. :func:`bplib.mlp.backward`) check their
  input once and delegate. Properties of an activation or a loss live in
  its registry entry (:data:`bplib.activations.ACTIVATIONS`,
  :data:`bplib.losses.LOSSES`);
* bad input raises :class:`ValueError` or :class:`TypeError` naming the
  argument, what was received and what was expected.
"""

__version__ = "0.2.0"

__all__ = ["__version__"]
