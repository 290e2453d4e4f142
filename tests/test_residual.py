"""bplib.residual: the delta recursion with identity paths and normalisation."""

import numpy as np
import pytest

from bplib import diagnostics, gradcheck, mlp, residual

CASES = [(False, None), (True, None), (False, "batch"), (True, "batch"),
         (False, "layer"), (True, "layer")]


def _net(depth=3, width=4, n=5, activation="tanh", seed=0):
    rng = np.random.default_rng(seed)
    params = residual.init_params(depth, width, activation, rng=rng)
    for l in range(1, depth + 1):  # non-zero biases, so that db is tested too
        params[f"b{l}"] = rng.normal(scale=0.3, size=width)
    X, T = rng.normal(size=(n, width)), rng.normal(size=(n, width))
    return X, T, params


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize("res, norm", CASES)
def test_gradients_match_central_differences(res, norm, activation):
    X, T, params = _net(activation=activation)
    _, grads = residual.loss_and_gradients(X, T, params, activation, residual=res, norm=norm)

    def f(p):
        return residual.loss_and_gradients(X, T, p, activation, residual=res, norm=norm)[0]

    report = gradcheck.check_gradients(f, grads, params, tol=1e-6)
    assert report.passed, report


def test_plain_network_is_chapter_4s_mlp():
    X, T, params = _net(depth=4, activation="sigmoid")
    loss, grads = residual.loss_and_gradients(X, T, params, "sigmoid")
    loss4, grads4 = mlp.loss_and_gradients(X, T, params, ["sigmoid"] * 4)
    assert loss == pytest.approx(loss4, rel=1e-14)
    for key in params:
        np.testing.assert_allclose(grads[key], grads4[key], rtol=1e-12, atol=1e-15)


def test_residual_block_by_hand():
    # One block, identity activation, width 1: A1 = x + (x w + b) = x (1 + w) + b.
    # With x = 2, w = 0.5, b = 1, t = 0: A1 = 4, L = A1^2 / 2 = 8,
    # dL/dA1 = 4, delta = 4, dW = x * delta = 8 (U = x without a norm), db = 4.
    params = {"W1": np.array([[0.5]]), "b1": np.array([1.0])}
    loss, grads = residual.loss_and_gradients(np.array([[2.0]]), np.array([[0.0]]), params,
                                              "identity", residual=True)
    assert loss == pytest.approx(8.0)
    assert grads["W1"][0, 0] == pytest.approx(8.0)
    assert grads["b1"][0] == pytest.approx(4.0)


def test_identity_path_carries_the_gradient_when_the_branch_is_dead():
    # ReLU branches with very negative biases are off: every block is the
    # identity, so dL/dA at the input equals dL/dA at the output.
    X, T, params = _net(depth=6, activation="relu")
    for l in range(1, 7):
        params[f"b{l}"] = np.full(4, -100.0)
    Y, cache = residual.forward(X, params, "relu", residual=True)
    np.testing.assert_array_equal(Y, X)
    plain, _ = residual.forward(X, params, "relu")
    assert np.all(plain == 0)  # the plain network passes nothing through


def test_batch_norm_makes_each_block_input_standard():
    X, _, params = _net(depth=3, n=50)
    _, cache = residual.forward(3.0 * X + 7.0, params, "tanh", norm="batch")
    for l in (1, 2, 3):
        np.testing.assert_allclose(cache.U[l].mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(cache.U[l].std(axis=0), 1.0, rtol=1e-3)


def test_measurements_show_the_remedies():
    norms = residual.gradient_norms(depth=30, width=16, activations=("sigmoid",))
    assert set(norms) == {(v, "sigmoid") for v in residual.VARIANTS}
    ratio = {v: norms[v, "sigmoid"][0] / norms[v, "sigmoid"][-1] for v in residual.VARIANTS}
    assert ratio["plain"] < 1e-6  # chapter 6: sigmoid gradients vanish through depth
    assert 1e-2 < ratio["residual"] < 1e2  # the identity path keeps them
    assert 1e-2 < ratio["normalised"] < 1e2  # so does normalising every layer's input
    assert 0.1 < ratio["residual_normalised"] < 10
    assert all(norms[key].shape == (30,) for key in norms)


def test_measure_is_seeded_and_shares_weights_across_variants():
    a = residual.measure(10, 8, "tanh", "residual", rng=3)
    b = residual.measure(10, 8, "tanh", "residual", rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_measure_reports_overflow_without_warnings():
    norms = residual.measure(60, 16, "relu", "residual", scale=30.0)
    assert not np.all(np.isfinite(norms)) or norms.max() > 1e30


@pytest.mark.parametrize("kwargs, match", [
    ({"norm": "group"}, "norm must be one of"),
    ({"residual": 1}, "residual must be True or False"),
])
def test_bad_options(kwargs, match):
    X, T, params = _net()
    with pytest.raises((ValueError, TypeError), match=match):
        residual.forward(X, params, "tanh", **kwargs)


def test_bad_shapes_and_batch_of_one():
    X, T, params = _net()
    with pytest.raises(ValueError, match="X has 3 features but the network's width is 4"):
        residual.forward(X[:, :3], params, "tanh")
    bad = dict(params, W2=params["W2"][:, :3])
    with pytest.raises(ValueError, match="every layer must map the width 4 to itself"):
        residual.forward(X, bad, "tanh")
    with pytest.raises(ValueError, match="two or more examples"):
        residual.forward(X[:1], params, "tanh", norm="batch")
    with pytest.raises(ValueError, match="unknown variant"):
        residual.measure(5, 4, "tanh", "resnet")
    with pytest.raises(ValueError, match="unknown activation"):
        residual.init_params(3, 4, "swish")
    with pytest.raises(TypeError, match="bare string"):
        residual.gradient_norms(5, 4, activations="tanh")
    with pytest.raises(TypeError, match="params must be a dict"):
        residual.forward(X, {"W1": params["W1"]}, "tanh")
    _, cache = residual.forward(X, params, "tanh")
    with pytest.raises(ValueError, match="Y and dY must have the same shape"):
        residual.backward(X[:2], params, cache)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_diagnose_of_a_plain_network_is_chapter_6s(activation):
    X, T, params = _net(depth=5, activation=activation, n=8)
    mine = residual.diagnose(X, T, params, activation)
    theirs = diagnostics.diagnose(X, T, params, [activation] * 5)
    for field in ("grad_norms", "delta_norms", "activation_mean", "activation_std",
                  "preactivation_std", "saturation"):
        np.testing.assert_allclose(getattr(mine, field), getattr(theirs, field), rtol=1e-12,
                                   err_msg=field)
    assert mine.loss == pytest.approx(theirs.loss, rel=1e-14)
    assert diagnostics.verdict(mine) == diagnostics.verdict(theirs)


def test_diagnose_gradients_and_verdicts():
    X, T, params = _net(depth=4, n=6)
    _, grads = residual.loss_and_gradients(X, T, params, "tanh", residual=True, norm="layer")
    diag = residual.diagnose(X, T, params, "tanh", residual=True, norm="layer")
    for key in params:
        np.testing.assert_allclose(diag.gradients[key], grads[key], rtol=1e-14)
    assert diag.finite and len(diag.A) == 4
    rng = np.random.default_rng(0)
    params = residual.init_params(30, 16, "sigmoid", rng=rng)
    X, T = rng.normal(size=(32, 16)), rng.normal(size=(32, 16))
    assert diagnostics.verdict(residual.diagnose(X, T, params, "sigmoid")) == "vanishing"
    assert diagnostics.verdict(residual.diagnose(X, T, params, "sigmoid", residual=True,
                                                 norm="layer")) == "healthy"


def test_diagnose_reports_overflow_without_warnings():
    X, T, params = _net(depth=40, width=8, activation="relu")
    params = {k: v * 1e5 for k, v in params.items()}
    diag = residual.diagnose(X, T, params, "relu", residual=True)
    assert not diag.finite and diagnostics.verdict(diag) == "exploding"
