"""Self-checking exercises: the reader writes a piece of a chapter, a checker
says whether it is right and, if not, where and probably why.

Each ``check_<name>(function)`` runs the reader's function on several cases
(shapes including a batch of one, several seeds), compares every output with
``bplib``'s own implementation (and central differences where there is a
gradient), prints a short verdict and returns it as a :class:`Verdict`. A
wrong answer never raises; a function with the wrong signature, or outputs
of the wrong type or shape, raise a clear :class:`TypeError` or
:class:`AnswerShapeError`. An unfinished stub gets the verdict "not
implemented yet". The machinery is in :mod:`bplib.exercises.core`; a new
checker describes its exercise there and calls :func:`~bplib.exercises.core.run`.

==========================  =======  =============================================
checker                     chapter  the reader writes
==========================  =======  =============================================
check_linear_gradient       1        the linear neuron's ``(dW, db)``
check_sigmoid_derivative    2        :math:`\\sigma'(z)`
check_logistic_gradient     2        the sigmoid neuron's cross-entropy gradient
check_numerical_gradient    2        central differences
check_two_layer_backward    3        the two-layer backward pass
check_delta_backward        4        the delta recursion for any depth
check_matmul                5        the matrix product as an engine operation
check_he_init               6        He initialisation
check_adam_step             7        one Adam step with bias correction
check_conv_input_gradient   8        a convolution's input gradient
check_bptt_step             9        one step of backpropagation through time
==========================  =======  =============================================
"""

from .core import AnswerShapeError, Verdict
from .engine import check_matmul
from .layers import check_delta_backward, check_two_layer_backward
from .neuron import (
    check_linear_gradient,
    check_logistic_gradient,
    check_numerical_gradient,
    check_sigmoid_derivative,
)
from .recurrent import check_bptt_step
from .structure import check_conv_input_gradient
from .training import check_adam_step, check_he_init

__all__ = [
    "Verdict",
    "AnswerShapeError",
    "check_linear_gradient",
    "check_sigmoid_derivative",
    "check_logistic_gradient",
    "check_numerical_gradient",
    "check_two_layer_backward",
    "check_delta_backward",
    "check_matmul",
    "check_he_init",
    "check_adam_step",
    "check_conv_input_gradient",
    "check_bptt_step",
]
