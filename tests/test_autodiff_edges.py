"""Tests that kill mutants of bplib.autodiff that the main tests let survive:
the derived operations (``-a``, ``c - a``, ``c / a``, ``a / b``) and their
gradients, adjoints that accumulate when a node feeds two consumers, the
name each node records for its operation, and errors naming what they got."""

import numpy as np
import pytest

from bplib import autodiff
from bplib.autodiff import Tensor

A = np.array([[0.5, -2.0, 3.0]])


def grad_of(f, value=A):
    """The value of ``f(x).sum()`` and its gradient at ``value``."""
    x = Tensor(value)
    out = f(x).sum()
    out.backward()
    return out.value, x.grad


@pytest.mark.parametrize("f, value, derivative", [
    (lambda x: -x, lambda a: -a, lambda a: -np.ones_like(a)),
    (lambda x: 3.0 - x, lambda a: 3.0 - a, lambda a: -np.ones_like(a)),
    (lambda x: 3.0 / x, lambda a: 3.0 / a, lambda a: -3.0 / a**2),
    (lambda x: x / 4.0, lambda a: a / 4.0, lambda a: np.full_like(a, 0.25)),
    (lambda x: x / x.exp(), lambda a: a / np.exp(a), lambda a: (1 - a) / np.exp(a)),
], ids=["neg", "rsub", "rtruediv", "truediv", "truediv-tensor"])
def test_derived_operations_give_the_right_value_and_gradient(f, value, derivative):
    total, grad = grad_of(f)
    np.testing.assert_allclose(total, value(A).sum(), rtol=1e-12)
    np.testing.assert_allclose(grad, derivative(A), rtol=1e-12)


def test_a_loss_node_adds_to_an_adjoint_that_another_consumer_feeds():
    T = np.array([[0.0, 1.0, 0.0]])
    for loss in (autodiff.squared_error, autodiff.softmax_cross_entropy):
        Z = Tensor(A)
        loss(Z, T).backward()
        once = Z.grad.copy()
        Z = Tensor(A)
        (loss(Z, T) + loss(Z, T)).backward()  # two consumers of Z
        np.testing.assert_allclose(Z.grad, 2 * once, rtol=1e-12)


def test_operation_adds_each_parent_contribution():
    x = Tensor(np.array([0.0, 1.0]))
    y = autodiff.operation([1, 2], [x, x, 5.0],
                           [lambda g: g * np.cos(x.value), lambda g: 2 * g,
                            lambda g: g], "two")
    assert y.value.dtype == np.float64
    np.testing.assert_array_equal(y.value, [1.0, 2.0])
    assert y.op == "two" and y.parents[0] is x
    (y.sum() + x.sum()).backward()
    np.testing.assert_allclose(x.grad, np.cos(x.value) + 2 + 1, rtol=1e-12)


@pytest.mark.parametrize("make, op", [
    (lambda a, b: a @ b, "@"),
    (lambda a, b: a.exp(), "exp"),
    (lambda a, b: a.log(), "log"),
    (lambda a, b: a ** 2, "**2"),
    (lambda a, b: a ** 0.5, "**0.5"),
    (lambda a, b: a.tanh(), "tanh"),
    (lambda a, b: a.relu(), "relu"),
    (lambda a, b: a.activation("softplus"), "softplus"),
    (lambda a, b: autodiff.squared_error(a, np.zeros((2, 2))), "squared_error"),
    (lambda a, b: autodiff.softmax_cross_entropy(a, np.eye(2)), "softmax_cross_entropy"),
])
def test_each_node_records_its_operation_as_shown_in_its_repr(make, op):
    a, b = Tensor(np.eye(2) + 1), Tensor(np.ones((2, 2)))
    out = make(a, b)
    assert out.op == op
    assert repr(out).endswith(f"op={op!r})")


def test_repr_shows_up_to_six_values_to_four_digits_then_the_shape():
    assert repr(Tensor(np.arange(6) / 3)) == (
        "Tensor([0.    , 0.3333, 0.6667, 1.    , 1.3333, 1.6667])")
    assert repr(Tensor(np.arange(7) / 3)) == "Tensor(<array of shape (7,)>)"
    assert repr(Tensor([1.0], name="w")) == "Tensor([1.], name='w')"
    assert repr(Tensor([2.0]).exp()) == "Tensor([7.3891], op='exp')"


@pytest.mark.parametrize("p, kind", [(np.array([1.0, 2.0]), "ndarray"),
                                     (Tensor(2.0), "Tensor")])
def test_exponent_must_be_a_plain_number_and_the_error_names_what_came(p, kind):
    with pytest.raises(TypeError, match=rf"^the exponent must be a plain number, got {kind}$"):
        Tensor(A) ** p


def test_matmul_of_a_vector_says_the_shapes_without_an_inner_size_detail():
    with pytest.raises(ValueError, match=r"got shapes \(3,\) @ \(3, 2\)$"):
        Tensor(np.ones(3)) @ Tensor(np.ones((3, 2)))


def test_loss_errors_name_what_they_got_and_how_to_make_a_constant():
    with pytest.raises(TypeError, match=r"must be a Tensor \(the node to differentiate\), "
                                        r"got ndarray$"):
        autodiff.squared_error(A, A)
    with pytest.raises(ValueError, match=r"pass an array or Tensor\(T, requires_grad=False\)$"):
        autodiff.squared_error(Tensor(A), Tensor(A))


def test_sum_and_add_record_their_operation():
    a = Tensor(A)
    assert (a + 1.0).op == "+"
    assert a.sum().op == "sum"


def test_unbroadcast_sums_an_axis_of_length_one_that_was_stretched_to_two():
    np.testing.assert_array_equal(autodiff.unbroadcast(np.ones((2, 3)), (1, 3)),
                                  [[2.0, 2.0, 2.0]])
    a, b = Tensor(np.ones((1, 3))), Tensor(np.ones((2, 3)))
    (a + b).sum().backward()
    np.testing.assert_array_equal(a.grad, [[2.0, 2.0, 2.0]])


def test_a_sum_adds_to_an_adjoint_that_another_consumer_feeds():
    total, grad = grad_of(lambda x: x.sum() + (x * x).sum())
    np.testing.assert_allclose(grad, 1 + 2 * A, rtol=1e-12)


def test_mean_returns_a_scalar_by_default():
    assert Tensor(A).mean().shape == ()
    assert Tensor(A).mean(keepdims=True).shape == (1, 1)


def test_the_adjoint_does_not_alias_the_seed_the_caller_passed():
    x = Tensor(A)
    y = x * 2.0
    seed = np.ones(A.shape)
    y.backward(seed)
    seed[:] = 7.0
    np.testing.assert_array_equal(y.grad, np.ones(A.shape))
    np.testing.assert_array_equal(x.grad, np.full(A.shape, 2.0))


def test_tensors_may_hold_infinities_and_be_empty_and_so_may_the_seed():
    assert Tensor([np.inf, -np.inf]).value.tolist() == [np.inf, -np.inf]
    x = Tensor(np.zeros((0, 3)))
    y = x * 2.0
    y.backward(np.zeros((0, 3)))
    assert x.grad.shape == (0, 3)


def test_the_seed_is_named_in_its_errors():
    y = Tensor(A) * 2.0
    with pytest.raises(ValueError, match=r"^grad must be finite"):
        y.backward(np.full(A.shape, np.nan))
    with pytest.raises(TypeError, match=r"^grad must hold real numbers"):
        y.backward(np.full(A.shape, "a"))


def test_value_and_grad_names_each_input_node_by_its_key_and_zeros_unused_ones():
    seen = {}

    def f(p):
        seen.update({key: node.name for key, node in p.items()})
        return (p["w"] * p["w"]).sum()

    value, grads = autodiff.value_and_grad(f, {"w": np.ones(2), "unused": np.ones((2, 3))})
    assert seen == {"w": "w", "unused": "unused"}
    assert grads["unused"].shape == (2, 3) and not grads["unused"].any()


def test_value_and_grad_names_what_it_got_instead_of_a_dict_or_a_tensor():
    with pytest.raises(TypeError, match=r"^params must be a non-empty dict of arrays, "
                                        r"got list$"):
        autodiff.value_and_grad(lambda p: p, [np.ones(2)])
    with pytest.raises(TypeError, match=r"^f must return a Tensor, got float$"):
        autodiff.value_and_grad(lambda p: 1.0, {"w": np.ones(2)})
