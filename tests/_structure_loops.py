"""Plain-loop reference implementations of chapter 8's layers.

One Python loop iteration per output position (and per kernel entry),
written straight from the definitions, sharing no code with
:mod:`bplib.conv`: the independent implementation the vectorised one is
checked against.
"""

import numpy as np


def conv2d(X, W, b, stride=1, padding=0):
    """Z[n, o, i, j] = sum_{c,u,v} Xp[n, c, s i + u, s j + v] W[o, c, u, v] + b[o]."""
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, C, H, Wd = Xp.shape
    O, _, kh, kw = W.shape
    Ho, Wo = (H - kh) // stride + 1, (Wd - kw) // stride + 1
    Z = np.zeros((n, O, Ho, Wo))
    for m in range(n):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    window = Xp[m, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    Z[m, o, i, j] = np.sum(window * W[o]) + b[o]
    return Z


def conv2d_backward(dZ, X, W, stride=1, padding=0):
    """Each output's adjoint added to the inputs and weights it multiplied."""
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    _, _, kh, kw = W.shape
    n, O, Ho, Wo = dZ.shape
    for m in range(n):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * stride, i * stride + kh)
                    cols = slice(j * stride, j * stride + kw)
                    dXp[m, :, rows, cols] += dZ[m, o, i, j] * W[o]
                    dW[o] += dZ[m, o, i, j] * Xp[m, :, rows, cols]
    H, Wd = X.shape[2:]
    return dXp[:, :, padding:padding + H, padding:padding + Wd], dW, dZ.sum(axis=(0, 2, 3))


def pool(X, size, stride, kind):
    """Max or average of each window; for max, also the routed gradient of ones."""
    n, C, H, W = X.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    Y = np.zeros((n, C, Ho, Wo))
    for m in range(n):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = X[m, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    Y[m, c, i, j] = window.max() if kind == "max" else window.mean()
    return Y


def pool_backward(dY, X, size, stride, kind):
    """Max: each window's adjoint to its first largest entry; average: spread evenly."""
    dX = np.zeros_like(X)
    n, C, Ho, Wo = dY.shape
    for m in range(n):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * stride, j * stride
                    if kind == "max":
                        window = X[m, c, r:r + size, s:s + size]
                        u, v = divmod(int(np.argmax(window)), size)
                        dX[m, c, r + u, s + v] += dY[m, c, i, j]
                    else:
                        dX[m, c, r:r + size, s:s + size] += dY[m, c, i, j] / size**2
    return dX
