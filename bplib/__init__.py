"""bplib: the NumPy library that grows with the book.

Each chapter of *Backpropagation, from one neuron to reverse-mode autodiff*
adds one small module, named after the idea it implements, and imports what
earlier chapters built. Import the modules directly::

    from bplib import linear, activations

Conventions, everywhere in the package (see the book's notation page):

* row convention: a batch ``X`` of shape ``(n, d_in)`` holds one example per
  row; a layer computes ``Z = A_prev @ W + b`` with ``W`` of shape
  ``(d_in, d_out)`` and ``b`` of shape ``(d_out,)``;
* float64 throughout; no global state; every random choice takes a seed or a
  :class:`numpy.random.Generator`;
* bad input raises :class:`ValueError` or :class:`TypeError` naming the
  argument, what was received and what was expected.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
