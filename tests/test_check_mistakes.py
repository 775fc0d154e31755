"""The wrong-answer table: every check, fed typical wrong answers and odd returns, says FAIL
with a hint that names the mistake, and never points at another one.

Each row is (check, label, student function, keywords, forbidden). The row passes when the
check returns False, prints ``FAIL`` and no traceback, nothing escapes it (not even
``sys.exit()``), its hint line contains one of ``keywords`` (case-insensitive), and none of
``forbidden`` (a claim that would send the student after the wrong mistake). Every check
gets its own typical mistakes and the same odd returns: a ragged list, a string, an object
whose ``__array__`` raises, a complex array, ``sys.exit()``, ``SystemExit`` and a
``KeyboardInterrupt`` raised by the student's own code.

``python tests/test_check_mistakes.py`` prints the counts (caught / specific hint /
misleading) that the issue asks for.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from typing import Any, Callable

import numpy as np
import pytest

from course_ae import checks
from course_ae import reference as R
from course_ae.reference import penalties as P

# Claims that are wrong unless the row says otherwise: a factor where no factor is wrong,
# the check blaming itself, a hint written for another task.
FORBIDDEN = ("constant factor is wrong", "problem with the check", "could not run")


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def forward(p, X):
    H = sig(X @ p["W"].T + p["b"])
    return H, sig(H @ p["W_star"].T + p["c"])


def sq(Xh, X):
    return float(np.mean(np.sum((Xh - X) ** 2, axis=1)))


def ce(Xh, X):
    return float(np.mean(-np.sum(X * np.log(Xh) + (1 - X) * np.log(1 - Xh), axis=1)))


def grads(which, *, factor2=True, mean=True, fprime="out", gprime="out", through="W_star", transpose=False,
          bias_axis=0, use_loss=True):
    """Decoder or encoder gradients with one typical mistake switched on.

    fprime/gprime: "out" the right h(1 − h) from the unit's output, "sig" σ applied again
    (σ(h)(1 − σ(h))), None: the derivative left out.
    """
    def d(Y, how):
        if how == "out":
            return Y * (1 - Y)
        if how == "sig":
            return sig(Y) * (1 - sig(Y))
        return 1.0

    def fn(params, X, loss):
        H, Xh = forward(params, X)
        m = X.shape[0] if mean else 1
        if loss == "squared_error" or not use_loss:
            delta2 = (2.0 if factor2 else 1.0) * (Xh - X) * d(Xh, fprime)
        else:
            delta2 = Xh - X
        delta2 = delta2 / m
        if which == "decoder":
            g = {"W_star": delta2.T @ H, "c": delta2.sum(axis=bias_axis)}
            if transpose:
                g["W_star"] = g["W_star"].T
            return g
        back = delta2 @ (params["W"].T if through == "W" else params["W_star"])
        delta1 = back * d(H, gprime)
        g = {"W": delta1.T @ X, "b": delta1.sum(axis=bias_axis)}
        if transpose:
            g["W"] = g["W"].T
        return g
    return fn


def normalize(X):
    return (X - X.mean(axis=0)) / np.sqrt(X.shape[0])


def pca(X, k):
    U, S, Vt = np.linalg.svd(normalize(X), full_matrices=False)
    return Vt[:k].T, S[:k] ** 2


def lin_ae(X, k):
    V, _ = pca(X, k)
    return {"W": V.T, "W_star": V, "H": normalize(X) @ V}


def weight_decay(p, lam, *, half=True, decay_biases=False, grad_factor=1.0):
    omega = (0.5 if half else 1.0) * lam * (np.sum(p["W"] ** 2) + np.sum(p["W_star"] ** 2))
    g = {"W": grad_factor * lam * p["W"], "W_star": grad_factor * lam * p["W_star"],
         "b": lam * p["b"] if decay_biases else np.zeros_like(p["b"]),
         "c": lam * p["c"] if decay_biases else np.zeros_like(p["c"])}
    return omega, g


def tied_parts(p, X, *, gprime="out"):
    """(encoder's part (k, n), decoder's part ∂J/∂W* (n, k)) of the tied gradient."""
    W, b, c = p["W"], p["b"], p["c"]
    H = sig(X @ W.T + b)
    Xh = sig(H @ W + c)
    delta2 = 2 * (Xh - X) * Xh * (1 - Xh) / X.shape[0]
    dH = sig(H) * (1 - sig(H)) if gprime == "sig" else H * (1 - H)
    delta1 = (delta2 @ W.T) * dH
    return delta1.T @ X, delta2.T @ H


def masking(X, q, rng):
    return X * (rng.random(X.shape) >= q)


def gauss(X, s, rng):
    return X + s * rng.standard_normal(X.shape)


def denoising(p, X, corrupt, *, input_noisy=True, target_noisy=False, calls=1):
    Xt = corrupt(X)
    for _ in range(calls - 1):
        Xt = corrupt(X)
    inp = Xt if input_noisy else X
    target = Xt if target_noisy else X
    _, Xh = forward(p, inp)
    return sq(Xh, target)  # the notebook's R.Config(): squared error


def kl(rho, r):
    return float(np.sum(rho * np.log(rho / r) + (1 - rho) * np.log((1 - rho) / (1 - r))))


def kl_grad(rho, r):
    return -rho / r + (1 - rho) / (1 - r)


def contractive(p, X, *, d="out", square_d=True, w="sq", mean=True, w_axis=1):
    H = sig(X @ p["W"].T + p["b"])
    D = {"out": H * (1 - H), "sig": sig(H) * (1 - sig(H)), "h": H}[d]
    if square_d:
        D = D * D
    Wsq = p["W"] ** 2 if w == "sq" else np.abs(p["W"])
    per = D @ np.sum(Wsq, axis=w_axis)
    return float(np.mean(per) if mean else np.sum(per))


def jacobian(encode, x, eps=1e-5, *, kind="central", divide=2.0):
    h = encode(x)
    J = np.zeros((h.size, x.size))
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = eps
        if kind == "central":
            J[:, j] = (encode(x + e) - encode(x - e)) / (divide * eps)
        elif kind == "forward":
            J[:, j] = (encode(x + e) - h) / eps
        else:
            J[:, j] = (h - encode(x - e)) / eps
    return J


def jacobian_in_place(encode, x, eps=1e-5):
    J = jacobian(encode, x.copy(), eps)
    x += eps
    return J


# --------------------------------------------------------------------------- the table

M, N, K = 5, 7, 3
CAPSTONE_KEYS = ("reconstruction_error", "mean_activation", "contraction")
ROWS: list[tuple[str, str, Callable[..., Any], tuple[str, ...], tuple[str, ...]]] = []


def row(check, label, fn, *keywords, forbidden=()):
    ROWS.append((check, label, fn, tuple(keywords), tuple(forbidden)))


def _plus_b_col(p, X):
    H = sig(X @ p["W"].T + p["b"][:, None])
    return H, forward(p, X)[1]


c = "check_forward"
row(c, "pre-activation as H", lambda p, X: (X @ p["W"].T + p["b"], forward(p, X)[1]), "pre-activation")
row(c, "X @ W (missing transpose)", lambda p, X: (sig(X @ p["W"] + p["b"]), None), "X @ W.T")
row(c, "b[:, None] broadcast", _plus_b_col, "every row", forbidden=("norms[:, None]",))
row(c, "tanh encoder", lambda p, X: (np.tanh(X @ p["W"].T + p["b"]), forward(p, X)[1]), "tanh")
row(c, "H and X_hat swapped", lambda p, X: forward(p, X)[::-1], "swapped")
row(c, "decoder through W", lambda p, X: (forward(p, X)[0], sig(forward(p, X)[0] @ p["W"] + p["c"])),
    "W_star")

c = "check_squared_error"
row(c, "square root", lambda Xh, X: np.mean(np.linalg.norm(Xh - X, axis=1)), "square root")
row(c, "sum over the batch", lambda Xh, X: np.sum((Xh - X) ** 2), "sum over the batch")
row(c, "mean over all entries", lambda Xh, X: np.mean((Xh - X) ** 2), "features")
row(c, "sum over the wrong axis", lambda Xh, X: np.mean(np.sum((Xh - X) ** 2, axis=0)), "axis")
row(c, "factor 1/2", lambda Xh, X: 0.5 * sq(Xh, X), "½")
row(c, "an unrecognised offset", lambda Xh, X: sq(Xh, X) + 0.1, "average over the examples")
row(c, "all zeros", lambda Xh, X: 0.0, "zero")

c = "check_cross_entropy"
row(c, "second term missing", lambda Xh, X: np.mean(-np.sum(X * np.log(Xh), axis=1)), "second term")
row(c, "log10", lambda Xh, X: ce(Xh, X) / np.log(10), "log10")
row(c, "minus sign missing", lambda Xh, X: -ce(Xh, X), "minus sign")
row(c, "sum over the batch", lambda Xh, X: ce(Xh, X) * X.shape[0], "sum over the batch")
row(c, "X_hat and X swapped", lambda Xh, X: ce(X, Xh), "swap")
row(c, "sum over the wrong axis", lambda Xh, X: ce(Xh, X) * X.shape[0] / X.shape[1], "axis")
row(c, "an unrecognised scale", lambda Xh, X: ce(Xh, X) * 1.37, "−Σ_j")

c = "check_decoder_gradients"
row(c, "f' missing", grads("decoder", fprime=None), "derivative is missing")
row(c, "factor 2 missing", grads("decoder", factor2=False), "factor 2")
row(c, "W_star transposed", grads("decoder", transpose=True), "transposed")
row(c, "c summed over the wrong axis", grads("decoder", bias_axis=1), "axis=0")
row(c, "f' of the wrong variable", grads("decoder", fprime="sig"), "second time")
row(c, "sum over the batch", grads("decoder", mean=False), "sum over the batch")
row(c, "loss ignored", grads("decoder", use_loss=False), "`loss` argument")

c = "check_encoder_gradients"
row(c, "g' missing", grads("encoder", gprime=None), "encoder's derivative is missing")
row(c, "through W", grads("encoder", through="W"), "decoder weights")
row(c, "g' of the wrong variable", grads("encoder", gprime="sig"), "second time")
row(c, "W transposed", grads("encoder", transpose=True), "transposed")
row(c, "b summed over the wrong axis", grads("encoder", bias_axis=1), "axis=0")
row(c, "factor 2 missing", grads("encoder", factor2=False), "factor 2")

c = "check_normalize"
row(c, "not centred", lambda X: X / np.sqrt(X.shape[0]), "mean of each feature")
row(c, "mean over axis=1", lambda X: (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.shape[0]), "axis=0")
row(c, "divided by the std", lambda X: (X - X.mean(axis=0)) / X.std(axis=0), "standard deviation")
row(c, "divided by m", lambda X: (X - X.mean(axis=0)) / X.shape[0], "not by m")
row(c, "divided by sqrt(m - 1)", lambda X: (X - X.mean(axis=0)) / np.sqrt(X.shape[0] - 1), "m − 1")
row(c, "not divided", lambda X: X - X.mean(axis=0), "√m")
row(c, "mean without keepdims, axis=1", lambda X: (X - X.mean(axis=1)) / np.sqrt(X.shape[0]), "axis=0",
    forbidden=("norms[:, None]",))

c = "check_pca"
row(c, "columns of Vt", lambda X, k: (np.linalg.svd(normalize(X), full_matrices=False)[2][:, :k],
                                      pca(X, k)[1]), "ROWS")
row(c, "increasing order", lambda X, k: (pca(X, k)[0][:, ::-1], pca(X, k)[1]), "increasing")
row(c, "singular values", lambda X, k: (pca(X, k)[0], np.sqrt(pca(X, k)[1])), "singular values")
row(c, "U instead of V", lambda X, k: (np.linalg.svd(normalize(X), full_matrices=False)[0][:, :k],
                                       pca(X, k)[1]), "U's columns")
row(c, "SVD of the raw X", lambda X, k: (np.linalg.svd(X, full_matrices=False)[2][:k].T, pca(X, k)[1]),
    "normalize(X)")
row(c, "eigenvalues not normalised", lambda X, k: (pca(X, k)[0], pca(X, k)[1] * X.shape[0]), "normalize(X)")

c = "check_linear_autoencoder"
row(c, "lecture orientation", lambda X, k: dict(lin_ae(X, k), W=lin_ae(X, k)["W_star"]), "H = X Wᵀ")
row(c, "codes from the raw X", lambda X, k: dict(lin_ae(X, k), H=X @ pca(X, k)[0]), "normalize(X)")
row(c, "H = U without Σ", lambda X, k: dict(lin_ae(X, k), H=np.linalg.svd(normalize(X),
                                                                            full_matrices=False)[0][:, :k]),
    "singular values")
row(c, "decoder scaled", lambda X, k: dict(lin_ae(X, k), W_star=2 * lin_ae(X, k)["W_star"]), "W* = V≤k")
row(c, "key missing", lambda X, k: {"W": lin_ae(X, k)["W"]}, "key 'W_star'")


# ----------------------------------------------- 7.1 and 7.2, ★★ and ★★★ (branch s2-ex12)

def tanh_grads(p, X, *, enc="tanh", d="right", fprime=False, mean=True, bias_axis=0, transpose=False):
    """The four gradients of the cross-entropy with a tanh encoder, one typical mistake switched on."""
    a1 = X @ p["W"].T + p["b"]
    H = np.tanh(a1) if enc == "tanh" else sig(a1)
    Xh = sig(H @ p["W_star"].T + p["c"])
    delta2 = (Xh - X) * (Xh * (1 - Xh) if fprime else 1.0) / (X.shape[0] if mean else 1)
    D = {"right": 1 - H ** 2, "sigmoid": H * (1 - H), "again": 1 - np.tanh(H) ** 2, None: 1.0,
         "1-h": 1 - H, "(1-h)^2": (1 - H) ** 2}[d]
    delta1 = (delta2 @ p["W_star"]) * D
    g = {"W_star": delta2.T @ H, "c": delta2.sum(axis=0), "W": delta1.T @ X, "b": delta1.sum(axis=bias_axis)}
    if transpose:
        g["W"] = g["W"].T
    return g


c = "check_tanh_gradients"
row(c, "sigmoid's derivative h(1 − h)", lambda p, X: tanh_grads(p, X, d="sigmoid"), "SIGMOID's derivative")
row(c, "1 − tanh(h)²", lambda p, X: tanh_grads(p, X, d="again"), "second time")
row(c, "derivative missing", lambda p, X: tanh_grads(p, X, d=None), "derivative is missing")
row(c, "1 − h", lambda p, X: tanh_grads(p, X, d="1-h"), "square h")
row(c, "(1 − h)²", lambda p, X: tanh_grads(p, X, d="(1-h)^2"), "not (1 − h)²")
row(c, "sigmoid codes", lambda p, X: tanh_grads(p, X, enc="sigmoid", d="sigmoid"), "SIGMOID encoder")
row(c, "x̂(1 − x̂) kept", lambda p, X: tanh_grads(p, X, fprime=True), "cancels")
row(c, "sum over the batch", lambda p, X: tanh_grads(p, X, mean=False), "sum over the batch")
row(c, "b summed over the wrong axis", lambda p, X: tanh_grads(p, X, bias_axis=1), "axis=0")
row(c, "W transposed", lambda p, X: tanh_grads(p, X, transpose=True), "transposed")


def train_ae(X, k, *, epochs, lr, seed, sign=1.0, loss="cross_entropy", hist="after", record=None,
             frozen=(), lr_factor=1.0):
    """Full-batch gradient descent with the reference's gradients, one typical mistake switched on."""
    config = R.Config(loss=loss)
    p = R.init_params(X.shape[1], k, seed=seed)
    history = []
    for _ in range(epochs):
        _, g = R.loss_and_gradients(p, X, config)
        p = {key: p[key] if key in frozen else p[key] - sign * lr_factor * lr * g[key] for key in p}
        history.append(R.objective(p, X, R.Config(loss=record or "cross_entropy")))
    if hist == "before":
        history = [R.objective(R.init_params(X.shape[1], k, seed=seed), X, R.Config(loss="cross_entropy"))] \
            + history[:-1]
    return p, np.array(history)


c = "check_autoencoder_training"
row(c, "steps along the gradient", lambda *a, **k: train_ae(*a, **k, sign=-1e-3), "barely moved")
row(c, "squared-error gradients", lambda *a, **k: train_ae(*a, **k, loss="squared_error"), "squared error's")
row(c, "history records the squared error", lambda *a, **k: train_ae(*a, **k, record="squared_error"),
    "records the squared error")
row(c, "history off by one epoch", lambda *a, **k: train_ae(*a, **k, hist="before"), "last entry of history")
row(c, "encoder never updated", lambda *a, **k: train_ae(*a, **k, frozen=("W", "b")), "never changed")
row(c, "learning rate a tenth", lambda *a, **k: train_ae(*a, **k, lr_factor=0.1), "less than plain gradient")
row(c, "history is a number", lambda *a, **k: (train_ae(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing a key", lambda *a, **k: ({"W": train_ae(*a, **k)[0]["W"]}, train_ae(*a, **k)[1]),
    "key 'b'")


def lin_grads(p, X, *, factor=2.0, sign=1.0, through="W_star", with_x=False, transpose=False, mean=False,
              tied=False):
    """∂J/∂W, ∂J/∂W* of J = ‖X − X Wᵀ W*ᵀ‖²_F with one typical mistake switched on."""
    W, Ws = p["W"], p["W_star"]
    H = X @ W.T
    Res = sign * (H @ Ws.T - X) / (X.shape[0] if mean else 1)
    gW = factor * (Res @ (Ws if through == "W_star" else W.T)).T @ X
    gWs = factor * Res.T @ (X if with_x else H)
    if tied:
        gW, gWs = gW + gWs.T, gWs + gW.T
    return {"W": gW, "W_star": gWs.T if transpose else gWs}


c = "check_linear_ae_gradients"
row(c, "factor 2 missing", lambda p, X: lin_grads(p, X, factor=1.0), "factor 2 is missing")
row(c, "residual X − X̂", lambda p, X: lin_grads(p, X, sign=-1.0), "sign is flipped")
row(c, "back through Wᵀ", lambda p, X: lin_grads(p, X, through="W"), "not Wᵀ")
row(c, "decoder paired with X", lambda p, X: lin_grads(p, X, with_x=True), "CODES")
row(c, "W_star transposed", lambda p, X: lin_grads(p, X, transpose=True), "transposed")
row(c, "divided by m", lambda p, X: lin_grads(p, X, mean=True), "no 1/m")
row(c, "tied gradient", lambda p, X: lin_grads(p, X, tied=True), "two separate parameters")


def lin_train(X, k, *, epochs, lr, seed, sign=1.0, steps=None, hist="after", center=True, lr_factor=1.0,
              frozen=()):
    Xn = normalize(X) if center else X / np.sqrt(X.shape[0])
    p0 = R.init_params(X.shape[1], k, seed=seed)
    p = {"W": p0["W"], "W_star": p0["W_star"]}
    history = []
    for _ in range(epochs if steps is None else steps):
        g = lin_grads(p, Xn)
        p = {key: p[key] if key in frozen else p[key] - sign * lr_factor * lr * g[key] for key in p}
        history.append(float(np.sum((Xn @ p["W"].T @ p["W_star"].T - Xn) ** 2)))
    if hist == "before":
        history = [float(np.sum((Xn @ p0["W"].T @ p0["W_star"].T - Xn) ** 2))] + history[:-1]
    return p, np.array(history)


c = "check_linear_ae_training"
row(c, "steps along the gradient", lambda *a, **k: lin_train(*a, **k, sign=-1e-3), "barely moved")
row(c, "not centred", lambda *a, **k: lin_train(*a, **k, center=False), "centred")
row(c, "history off by one epoch", lambda *a, **k: lin_train(*a, **k, hist="before"), "last entry of history")
row(c, "too few epochs", lambda *a, **k: lin_train(*a, **k, steps=10)[0:1] + (np.ones(100),), "history")
row(c, "learning rate a tenth", lambda *a, **k: lin_train(*a, **k, lr_factor=0.1), "stays above the optimum")
row(c, "diverges (lr × 20)", lambda *a, **k: lin_train(*a, **k, lr_factor=20.0), "diverged")
row(c, "history is a number", lambda *a, **k: (lin_train(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing W_star", lambda *a, **k: ({"W": lin_train(*a, **k)[0]["W"]}, lin_train(*a, **k)[1]),
    "key 'W_star'")

c = "check_weight_decay"
row(c, "no factor 1/2", lambda p, lam: weight_decay(p, lam, half=False), "½")
row(c, "biases decayed", lambda p, lam: weight_decay(p, lam, decay_biases=True), "biases are not decayed")
row(c, "gradient 2λW", lambda p, lam: weight_decay(p, lam, grad_factor=2.0), "cancels")
row(c, "gradient λW/2", lambda p, lam: weight_decay(p, lam, grad_factor=0.5), "2W")
row(c, "Ω summed over one axis", lambda p, lam: (0.5 * lam * np.sum(p["W"] ** 2, axis=0),
                                                 weight_decay(p, lam)[1]), "one number")

c = "check_tied_gradient"
row(c, "encoder's use only", lambda p, X: tied_parts(p, X)[0], "only the encoder")
row(c, "decoder's use only", lambda p, X: tied_parts(p, X)[1].T, "only the decoder")
row(c, "encoder's use counted twice", lambda p, X: 2 * tied_parts(p, X)[0] + tied_parts(p, X)[1].T, "twice")
row(c, "decoder's use counted twice", lambda p, X: tied_parts(p, X)[0] + 2 * tied_parts(p, X)[1].T, "twice")
row(c, "decoder's part not transposed", lambda p, X: tied_parts(p, X)[0] + tied_parts(p, X)[1], "transpose",
    forbidden=("norms[:, None]",))
row(c, "g' of the wrong variable", lambda p, X: (lambda e, d: e + d.T)(*tied_parts(p, X, gprime="sig")),
    "second time")
row(c, "factor 2 missing", lambda p, X: 0.5 * (tied_parts(p, X)[0] + tied_parts(p, X)[1].T), "factor 2")

c = "check_tied_weight_decay"
row(c, "(λ/2)‖W‖²: one term only", lambda W, lam: (0.5 * lam * np.sum(W ** 2), 2 * lam * W), "both terms")
row(c, "gradient λW: one use only", lambda W, lam: (lam * np.sum(W ** 2), lam * W), "decayed twice")
row(c, "gradient 4λW", lambda W, lam: (lam * np.sum(W ** 2), 4 * lam * W), "factor 2 too many")
row(c, "gradient transposed", lambda W, lam: (lam * np.sum(W ** 2), 2 * lam * W.T), "transposed")
row(c, "one value only", lambda W, lam: lam * np.sum(W ** 2), "tuple")


def _in_place_decay(W, lam):
    W *= 1.0 - lam
    return lam * np.sum(W ** 2), 2 * lam * W


row(c, "W changed in place", _in_place_decay, "in place")


def train_tied(X, k, lam, *, epochs, lr, seed, sign=1.0, steps=None, hist="after", decay=True):
    config = R.Config(tied=True, weight_decay=lam)
    p = R.init_params(X.shape[1], k, tied=True, seed=seed)
    history = []
    for _ in range(epochs if steps is None else steps):
        _, g = R.loss_and_gradients(p, X, config if decay else R.Config(tied=True))
        p = {key: p[key] - sign * lr * g[key] for key in p}
        history.append(R.objective(p, X, config))
    if hist == "before":
        history = [R.objective(R.init_params(X.shape[1], k, tied=True, seed=seed), X, config)] + history[:-1]
    return p, np.array(history)


c = "check_tied_training"
row(c, "steps along the gradient", lambda *a, **k: train_tied(*a, **k, sign=-1e-3), "barely moved")
row(c, "too few epochs", lambda *a, **k: train_tied(*a, **k, steps=3)[0:1] + (np.ones(30),), "history")
row(c, "history off by one epoch", lambda *a, **k: train_tied(*a, **k, hist="before"), "last entry of history")
row(c, "history is a number", lambda *a, **k: (train_tied(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing a key", lambda *a, **k: ({"W": train_tied(*a, **k)[0]["W"]}, train_tied(*a, **k)[1]),
    "key 'b'")
row(c, "learning rate a tenth", lambda X, k, lam, *, epochs, lr, seed: train_tied(X, k, lam, epochs=epochs,
                                                                                lr=lr / 10, seed=seed),
    "less than plain gradient descent")

c = "check_masking_noise"
row(c, "rescaled", lambda X, q, rng: masking(X, q, rng) / (1 - q), "1/(1 − q)")
row(c, "probability 1 - q", lambda X, q, rng: X * (rng.random(X.shape) < q), "1 − q")
row(c, "whole rows", lambda X, q, rng: X * (rng.random((X.shape[0], 1)) >= q), "independently")
row(c, "np.random", lambda X, q, rng: X * (np.random.random(X.shape) >= q), "`rng`")
row(c, "noise added", lambda X, q, rng: masking(X, q, rng) + 0.01, "either 0")


def _in_place_mask(X, q, rng):
    X[rng.random(X.shape) < q] = 0
    return X


row(c, "in place", _in_place_mask, "in place")

c = "check_gaussian_noise"
row(c, "uniform, right sd", lambda X, s, rng: X + rng.uniform(-s * 3 ** 0.5, s * 3 ** 0.5, X.shape), "uniform")
row(c, "uniform in [0, σ)", lambda X, s, rng: X + s * rng.random(X.shape), "uniform")
row(c, "σ² as sd", lambda X, s, rng: X + s ** 2 * rng.standard_normal(X.shape), "variance")
row(c, "√σ as sd", lambda X, s, rng: X + np.sqrt(s) * rng.standard_normal(X.shape), "√σ")
row(c, "multiplicative", lambda X, s, rng: X * (1 + s * rng.standard_normal(X.shape)), "ADDED")
row(c, "clipped", lambda X, s, rng: np.clip(gauss(X, s, rng), 0, 1), "clip")
row(c, "mean σ", lambda X, s, rng: X + rng.normal(s, s, X.shape), "mean 0")
row(c, "np.random", lambda X, s, rng: X + s * np.random.standard_normal(X.shape), "`rng`")

c = "check_denoising_objective"
row(c, "target corrupted", lambda p, X, cor: denoising(p, X, cor, target_noisy=True), "target is corrupted")
row(c, "input not corrupted", lambda p, X, cor: denoising(p, X, cor, input_noisy=False), "not corrupted")
row(c, "swapped", lambda p, X, cor: denoising(p, X, cor, input_noisy=False, target_noisy=True), "swapped")
row(c, "corrupt called twice", lambda p, X, cor: denoising(p, X, cor, calls=2), "once")
row(c, "sum over the batch", lambda p, X, cor: denoising(p, X, cor) * X.shape[0], "sum over the batch")

c = "check_max_activating_input"
row(c, "columns normalised", lambda W: W / np.linalg.norm(W, axis=0, keepdims=True), "columns")
row(c, "not normalised", lambda W: W, "divide each row")
row(c, "whole-matrix norm", lambda W: W / np.linalg.norm(W), "whole matrix")
row(c, "squared norm", lambda W: W / np.linalg.norm(W, axis=1, keepdims=True) ** 2, "‖W_l‖²")
row(c, "minus", lambda W: -W / np.linalg.norm(W, axis=1, keepdims=True), "MINIMISES")
row(c, "norms without keepdims", lambda W: W / np.linalg.norm(W, axis=1), "norms[:, None]")

c = "check_kl_penalty"
row(c, "swapped", lambda rho, r: float(np.sum(r * np.log(r / rho) + (1 - r) * np.log((1 - r) / (1 - rho)))),
    "swapped")
row(c, "second term missing", lambda rho, r: float(np.sum(rho * np.log(rho / r))), "second term")
row(c, "averaged over the units", lambda rho, r: kl(rho, r) / r.size, "don't average")
row(c, "log2", lambda rho, r: kl(rho, r) / np.log(2), "log2")
row(c, "logs upside down", lambda rho, r: -kl(rho, r), "upside down")
row(c, "per unit", lambda rho, r: rho * np.log(rho / r) + (1 - rho) * np.log((1 - rho) / (1 - r)), "per hidden unit")

c = "check_kl_gradient"
row(c, "swapped KL", lambda rho, r: np.log(r / rho) - np.log((1 - r) / (1 - rho)), "swapped")
row(c, "second term missing", lambda rho, r: -rho / r, "second term")
row(c, "sign of the second term", lambda rho, r: -rho / r - (1 - rho) / (1 - r), "sign")
row(c, "averaged", lambda rho, r: kl_grad(rho, r) / r.size, "no averaging")
row(c, "sum returned", lambda rho, r: float(np.sum(kl_grad(rho, r))), "one value per hidden unit")

c = "check_kl_gradient_h"
row(c, "per-example rho_hat", lambda rho, H: kl_grad(rho, H) / H.shape[0], "H.mean(axis=0)")
row(c, "1/m missing", lambda rho, H: np.tile(kl_grad(rho, H.mean(axis=0)), (H.shape[0], 1)), "1/m")
row(c, "one row", lambda rho, H: kl_grad(rho, H.mean(axis=0)) / H.shape[0], "every example")
row(c, "rho_hat over the wrong axis", lambda rho, H: np.tile(kl_grad(rho, H.mean(axis=1)) / H.shape[0],
                                                             (H.shape[0], 1)), "axis=0")
row(c, "transposed", lambda rho, H: np.tile(kl_grad(rho, H.mean(axis=0)) / H.shape[0], (H.shape[0], 1)).T,
    "transposed")

def sparse_grads(p, X, rho, beta, *, scale=None, d="out", bias_axis=0, transpose=False):
    H = sig(X @ p["W"].T + p["b"])
    m = X.shape[0]
    D = {"out": H * (1 - H), "sig": sig(H) * (1 - sig(H)), None: 1.0}[d]
    delta = np.tile((beta / m if scale is None else scale) * kl_grad(rho, H.mean(axis=0)), (m, 1)) * D
    gW = delta.T @ X
    return {"W": gW.T if transpose else gW, "b": delta.sum(axis=bias_axis)}


c = "check_sparse_gradients"
row(c, "σ(h)(1 − σ(h))", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, d="sig"), "second time")
row(c, "h(1 − h) missing", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, d=None), "derivative is missing")
row(c, "1/m missing", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, scale=beta), "1/m is missing")
row(c, "β missing", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, scale=1 / X.shape[0]), "β")
row(c, "divided by m twice", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, scale=beta / X.shape[0] ** 2),
    "twice")
row(c, "b summed over the wrong axis", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, bias_axis=1),
    "axis=0")
row(c, "W transposed", lambda p, X, rho, beta: sparse_grads(p, X, rho, beta, transpose=True), "transposed")


def train_sparse(X, k, rho, beta, *, epochs, lr, seed, use_beta=True, sign=1.0, hist_beta=None):
    config = R.Config(sparsity_target=rho, sparsity_weight=beta)
    train_config = config if use_beta else R.Config()
    record = config if hist_beta is None else R.Config(sparsity_target=rho, sparsity_weight=hist_beta)
    p = R.init_params(X.shape[1], k, seed=seed)
    history = []
    for _ in range(epochs):
        _, g = R.loss_and_gradients(p, X, train_config)
        p = {key: p[key] - sign * lr * g[key] for key in p}
        history.append(R.objective(p, X, record))
    return p, history


c = "check_sparse_training"
row(c, "penalty's gradient left out", lambda *a, **k: train_sparse(*a, **k, use_beta=False), "not as sparse")
row(c, "history without the penalty", lambda *a, **k: train_sparse(*a, **k, hist_beta=0.0), "last entry")
row(c, "too small steps", lambda X, k, rho, beta, *, epochs, lr, seed: train_sparse(
    X, k, rho, beta, epochs=epochs, lr=lr / 20, seed=seed), "sparse")
row(c, "history is one number", lambda *a, **k: (train_sparse(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing W_star", lambda *a, **k: ({key: v for key, v in train_sparse(*a, **k)[0].items()
                                                  if key != "W_star"}, train_sparse(*a, **k)[1]), "key 'W_star'")

c = "check_contractive_penalty"
row(c, "derivative not squared", lambda p, X: contractive(p, X, square_d=False), "square the sigmoid's")
row(c, "|W| instead of W²", lambda p, X: contractive(p, X, w="abs"), "square the weights")
row(c, "h instead of h(1 - h)", lambda p, X: contractive(p, X, d="h"), "not h")
row(c, "σ(h)(1 - σ(h))", lambda p, X: contractive(p, X, d="sig"), "second time")
row(c, "sum over the batch", lambda p, X: contractive(p, X, mean=False), "mean over")
row(c, "‖W‖² over the wrong axis", lambda p, X: contractive(p, X, w_axis=0), "axis=1",
    forbidden=("decoder", "W_star"))
row(c, "mean over the units", lambda p, X: contractive(p, X) / K, "don't average")

c = "check_numerical_jacobian"
row(c, "forward differences", lambda e, x, eps=1e-5: jacobian(e, x, eps, kind="forward"), "forward differences")
row(c, "forward differences, eps=1e-4", lambda e, x, eps=1e-5: jacobian(e, x, 1e-4, kind="forward"),
    "forward differences")
row(c, "backward differences", lambda e, x, eps=1e-5: jacobian(e, x, eps, kind="backward"), "backward")
row(c, "divided by eps", lambda e, x, eps=1e-5: jacobian(e, x, eps, divide=1.0), "2ε")
row(c, "transposed", lambda e, x, eps=1e-5: jacobian(e, x, eps).T, "transpose")
row(c, "x modified", jacobian_in_place, "restore")

c = "check_capstone"
VARIANTS = list(checks.CAPSTONE_VARIANTS)
row(c, "a list", lambda *a, **k: VARIANTS, "return a dict")
row(c, "a variant missing", lambda *a, **k: {n: {key: 1.0 for key in CAPSTONE_KEYS} for n in VARIANTS[1:]},
    "every variant")
row(c, "rows are numbers", lambda *a, **k: {n: 1.0 for n in VARIANTS}, "each value of the table is a dict")
row(c, "a key missing", lambda *a, **k: {n: {"error": 1.0} for n in VARIANTS}, "needs the key")
row(c, "a value is an array", lambda *a, **k: {n: {key: np.ones(3) for key in CAPSTONE_KEYS} for n in VARIANTS},
    "one number")


# ------------------------------------------- graded tasks (★★, ★★★) of 7.4, 7.6, 7.7 (branch s2-ex467)

def masking_expectation(p, X, q, *, keep=None, var=None, rows=False, with_x=True, mean=True):
    """The linear AE's E‖x̂(x̃) − x‖² under masking, with one mistake switchable."""
    M = p["W_star"] @ p["W"]
    d = p["W_star"] @ p["b"] + p["c"]
    keep = 1 - q if keep is None else keep
    var = q * (1 - q) if var is None else var
    e = keep * X @ M.T + d - X
    w = np.sum(M ** 2, axis=1 if rows else 0)
    noise = var * ((X ** 2) @ w if with_x else np.full(X.shape[0], np.sum(M ** 2)))
    per = np.sum(e ** 2, axis=1) + noise
    return float(np.mean(per) if mean else np.sum(per))


def masking_monte_carlo(p, X, q, draws=200):
    rng = np.random.default_rng(0)
    cfg = R.Config(encoder="linear", decoder="linear")
    return float(np.mean([R.objective(p, masking(X, q, rng), cfg, target=X) for _ in range(draws)]))


c = "check_expected_masking_loss"
row(c, "noise term missing", lambda p, X, q: masking_expectation(p, X, q, var=0.0), "noise term is missing")
row(c, "mean not shrunk", lambda p, X, q: masking_expectation(p, X, q, keep=1.0), "not x_j")
row(c, "q and 1 - q swapped", lambda p, X, q: masking_expectation(p, X, q, keep=q), "KEPT")
row(c, "variance q", lambda p, X, q: masking_expectation(p, X, q, var=q), "Bernoulli")
row(c, "row norms of M", lambda p, X, q: masking_expectation(p, X, q, rows=True), "COLUMN")
row(c, "x_j² left out (Gaussian form)", lambda p, X, q: masking_expectation(p, X, q, with_x=False),
    "multiplicative")
row(c, "inverted dropout", lambda p, X, q: masking_expectation(p, X, q, keep=1.0, var=q / (1 - q)),
    "inverted dropout")
row(c, "sum over the batch", lambda p, X, q: masking_expectation(p, X, q, mean=False), "sum over the batch")
row(c, "Monte Carlo instead of the closed form", masking_monte_carlo, "zero-mean part")
row(c, "per-example values", lambda p, X, q: np.full(X.shape[0], masking_expectation(p, X, q)),
    "one value per example")


def train_dae(X, q, *, k, epochs, lr, batch_size, seed, corrupt_input=True, corrupt_target=False,
              use_q=True, sign=1.0, lr_factor=1.0, history="clean"):
    rng = np.random.default_rng(seed)
    cfg = R.Config()
    p = R.init_params(X.shape[1], k, seed=seed)
    hist = []
    m = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(m)
        for s in range(0, m, batch_size):
            batch = X[order[s:s + batch_size]]
            Xt = masking(batch, q if use_q else 0.0, rng)
            inp = Xt if corrupt_input else batch
            _, g = R.loss_and_gradients(p, inp, cfg, target=Xt if corrupt_target else batch)
            p = {key: p[key] - sign * lr * lr_factor * g[key] for key in p}
        hist.append(R.objective(p, X, cfg) if history == "clean" else R.objective(p, inp, cfg, target=batch))
    return p, hist


c = "check_denoising_training"
row(c, "input not corrupted", lambda *a, **k: train_dae(*a, **k, corrupt_input=False), "identical")
row(c, "target corrupted", lambda *a, **k: train_dae(*a, **k, corrupt_target=True), "target is corrupted")
row(c, "q ignored", lambda *a, **k: train_dae(*a, **k, use_q=False), "identical")
row(c, "steps along the gradient", lambda *a, **k: train_dae(*a, **k, sign=-0.01), "barely fell")
row(c, "learning rate a tenth", lambda *a, **k: train_dae(*a, **k, lr_factor=0.1), "learning rate")
row(c, "history on the last noisy batch", lambda *a, **k: train_dae(*a, **k, history="batch"),
    "last entry of history")
row(c, "history is a number", lambda *a, **k: (train_dae(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing W_star", lambda *a, **k: ({key: v for key, v in train_dae(*a, **k)[0].items()
                                                  if key != "W_star"}, np.ones(100)), "key 'W_star'")


def tanh_cgrads(p, X, *, d_kind="right", factor=2.0, mean=True, through_a=True, direct=True, deriv="tanh",
                transpose=False, bias_axis=0):
    W, b = p["W"], p["b"]
    m = X.shape[0] if mean else 1
    if deriv == "sigmoid":
        H = sig(X @ W.T + b)
        d = H * (1 - H)
        dd = d * (1 - 2 * H)
    else:
        H = np.tanh(X @ W.T + b)
        d = 1 - (np.tanh(H) if deriv == "again" else H) ** 2
        dd = {"right": -2 * H * d, "plus": 2 * H * d, "noinner": -2 * H}[d_kind]
    r = np.sum(W ** 2, axis=1)
    A = factor / m * d * dd * r
    gW = (A.T @ X if through_a else 0.0) + (2 / m * np.sum(d ** 2, axis=0)[:, None] * W if direct else 0.0)
    gb = A.sum(axis=bias_axis) if through_a else np.zeros_like(b)
    return {"W": gW.T if transpose else gW, "b": gb}


c = "check_tanh_contractive_gradients"
row(c, "the sigmoid's formulas", lambda p, X: tanh_cgrads(p, X, deriv="sigmoid"), "sigmoid's formulas")
row(c, "tanh applied again", lambda p, X: tanh_cgrads(p, X, deriv="again"), "second time")
row(c, "sign of ∂d/∂a", lambda p, X: tanh_cgrads(p, X, d_kind="plus"), "sign")
row(c, "inner factor of ∂d/∂a missing", lambda p, X: tanh_cgrads(p, X, d_kind="noinner"), "chain rule inside")
row(c, "factor 2 of d² missing", lambda p, X: tanh_cgrads(p, X, factor=1.0), "factor 2")
row(c, "sum over the batch", lambda p, X: tanh_cgrads(p, X, mean=False), "MEAN")
row(c, "direct path missing", lambda p, X: tanh_cgrads(p, X, direct=False), "directly too")
row(c, "path through a missing", lambda p, X: tanh_cgrads(p, X, through_a=False), "through a = X")
row(c, "W transposed", lambda p, X: tanh_cgrads(p, X, transpose=True), "W's shape")
row(c, "b summed over the wrong axis", lambda p, X: tanh_cgrads(p, X, bias_axis=1), "axis=0")


def train_cae(X, lam_c, *, k, epochs, lr, seed, use_penalty=True, weight=None, hist_penalty=True, lr_factor=1.0):
    base = R.Config(encoder="tanh", decoder="linear", tied=True)
    full = R.Config(encoder="tanh", decoder="linear", tied=True, contractive_weight=lam_c)
    p = R.init_params(X.shape[1], k, tied=True, seed=seed)
    hist = []
    w = lam_c if weight is None else weight
    for _ in range(epochs):
        _, g = R.loss_and_gradients(p, X, base)
        if use_penalty:
            extra = tanh_cgrads(p, X)
            g["W"], g["b"] = g["W"] + w * extra["W"], g["b"] + w * extra["b"]
        p = {key: p[key] - lr * lr_factor * g[key] for key in p}
        hist.append(R.objective(p, X, full if hist_penalty else base))
    return p, hist


c = "check_contractive_training"
row(c, "penalty's gradient left out", lambda *a, **k: train_cae(*a, **k, use_penalty=False), "as sensitive across")
row(c, "λ_c left out of the gradient", lambda *a, **k: train_cae(*a, **k, weight=1.0), "λ_c times")
row(c, "history without the penalty", lambda *a, **k: train_cae(*a, **k, hist_penalty=False), "last entry")
row(c, "learning rate a tenth", lambda *a, **k: train_cae(*a, **k, lr_factor=0.1), "learning rate")
row(c, "history is a number", lambda *a, **k: (train_cae(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing c", lambda *a, **k: ({key: v for key, v in train_cae(*a, **k)[0].items() if key != "c"},
                                            train_cae(*a, **k)[1]), "key 'c'")


def combined_grads(p, X, *, lam, rho, beta, lam_c, decay=2.0, sparse=1.0, contractive=1.0, direct=True,
                   sparse_m=True, per_example=False, decay_bias=False):
    W, b = p["W"], p["b"]
    m = X.shape[0]
    H = sig(X @ W.T + b)
    D = H * (1 - H)
    s = kl_grad(rho, H) if per_example else kl_grad(rho, H.mean(axis=0))
    E, r = s * D, np.sum(W ** 2, axis=1)
    F, q = D ** 2 * (1 - 2 * H) * r, np.sum(D ** 2, axis=0)
    sm = beta / m if sparse_m else beta
    gW = decay * lam * W + sparse * sm * E.T @ X + contractive * 2 * lam_c / m * (
        F.T @ X + (q[:, None] * W if direct else 0.0))
    gb = sparse * sm * E.sum(axis=0) + contractive * 2 * lam_c / m * F.sum(axis=0)
    gc = np.zeros_like(p["c"])
    if decay_bias:
        gb, gc = gb + decay * lam * b, gc + decay * lam * p["c"]
    return {"W": gW, "b": gb, "c": gc}


c = "check_penalty_gradients"
row(c, "untied decay λW", lambda p, X, **w: combined_grads(p, X, **w, decay=1.0), "encoder AND")
row(c, "weight decay missing", lambda p, X, **w: combined_grads(p, X, **w, decay=0.0), "weight decay's part")
row(c, "sparsity missing", lambda p, X, **w: combined_grads(p, X, **w, sparse=0.0), "sparsity penalty's part")
row(c, "contractive missing", lambda p, X, **w: combined_grads(p, X, **w, contractive=0.0),
    "contractive penalty's part")
row(c, "contractive direct path missing", lambda p, X, **w: combined_grads(p, X, **w, direct=False), "direct path")
row(c, "sparsity's 1/m missing", lambda p, X, **w: combined_grads(p, X, **w, sparse_m=False), "1/m")
row(c, "per-example ρ̂", lambda p, X, **w: combined_grads(p, X, **w, per_example=True), "H.mean(axis=0)")
row(c, "encoder penalties counted per use", lambda p, X, **w: combined_grads(p, X, **w, sparse=2.0,
                                                                               contractive=2.0), "added once")
row(c, "biases decayed", lambda p, X, **w: combined_grads(p, X, **w, decay_bias=True), "biases are not decayed")


def train_var(X, *, lam, rho, beta, lam_c, k, epochs, lr, seed, penalties=True, hist_penalties=True,
              lr_factor=1.0):
    cfg = R.Config(tied=True, weight_decay=lam, sparsity_target=rho, sparsity_weight=beta, contractive_weight=lam_c)
    p = R.init_params(X.shape[1], k, tied=True, seed=seed)
    hist = []
    for _ in range(epochs):
        _, g = R.loss_and_gradients(p, X, R.Config(tied=True))
        e = combined_grads(p, X, lam=lam, rho=rho, beta=beta, lam_c=lam_c) if penalties else None
        p = {key: p[key] - lr * lr_factor * (g[key] + (e[key] if penalties else 0.0)) for key in p}
        hist.append(R.objective(p, X, cfg if hist_penalties else R.Config(tied=True)))
    return p, hist


c = "check_variant_training"
row(c, "penalties never applied", lambda *a, **k: train_var(*a, **k, penalties=False), "exactly like the plain")
row(c, "history without the penalties", lambda *a, **k: train_var(*a, **k, hist_penalties=False), "last entry")
row(c, "learning rate a tenth", lambda *a, **k: train_var(*a, **k, lr_factor=0.1), "learning rate")
row(c, "history is a number", lambda *a, **k: (train_var(*a, **k)[0], 1.0), "one number per epoch")
row(c, "params missing b", lambda *a, **k: ({key: v for key, v in train_var(*a, **k)[0].items() if key != "b"},
                                            train_var(*a, **k)[1]), "key 'b'")

_SCALAR_467 = {"check_expected_masking_loss"}


def _place_467(name: str, value: Any) -> Callable[..., Any] | None:
    """Where an odd return goes in the tasks of this block (None: the whole return)."""
    if name == "check_tanh_contractive_gradients":
        return lambda p, X: {"W": value, "b": np.zeros(K)}
    if name == "check_penalty_gradients":
        return lambda p, X, **w: {"W": value, "b": np.zeros(K), "c": np.zeros(N)}
    if name == "check_denoising_training":
        return lambda X, q, **kw: ({"W": value, "b": np.zeros(kw["k"]), "W_star": np.zeros((X.shape[1], kw["k"])),
                                    "c": np.zeros(X.shape[1])}, np.ones(kw["epochs"]))
    if name in ("check_contractive_training", "check_variant_training"):
        return lambda X, *a, **kw: ({"W": value, "b": np.zeros(kw["k"]), "c": np.zeros(X.shape[1])},
                                    np.ones(kw["epochs"]))
    return None


# ----------------------------------------------------------------- odd returns, for every check

class ArrayRaises:
    """An object whose conversion to an array fails (a broken custom class, say)."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __len__(self):
        raise RuntimeError("no length either")


def _place(name: str, value: Any) -> Callable[..., Any]:
    """A student function returning ``value`` where the task expects its (first) array or number."""
    if _place_467(name, value) is not None:
        return _place_467(name, value)
    if name == "check_forward":
        return lambda p, X: (value, forward(p, X)[1])
    if name == "check_pca":
        return lambda X, k: (value, pca(X, k)[1])
    if name == "check_weight_decay":
        return lambda p, lam: (value, weight_decay(p, lam)[1])
    if name == "check_decoder_gradients":
        return lambda p, X, loss: {"W_star": value, "c": np.zeros(N)}
    if name == "check_encoder_gradients":
        return lambda p, X, loss: {"W": value, "b": np.zeros(K)}
    if name == "check_linear_autoencoder":
        return lambda X, k: dict(lin_ae(X, k), W=value)
    # 7.1 and 7.2, ★★ and ★★★ (branch s2-ex12)
    if name == "check_tanh_gradients":
        return lambda p, X: dict(tanh_grads(p, X), W_star=value)
    if name == "check_autoencoder_training":
        return lambda X, k, **kw: ({"W": value, "b": np.zeros(k), "W_star": np.zeros((X.shape[1], k)),
                                    "c": np.zeros(X.shape[1])}, np.ones(kw["epochs"]))
    if name == "check_linear_ae_gradients":
        return lambda p, X: {"W": value, "W_star": p["W_star"]}
    if name == "check_linear_ae_training":
        return lambda X, k, **kw: ({"W": value, "W_star": np.zeros((X.shape[1], k))}, np.ones(kw["epochs"]))
    if name == "check_tied_weight_decay":
        return lambda W, lam: (value, 2 * lam * W)
    if name == "check_tied_training":
        return lambda X, k, lam, **kw: ({"W": value, "b": np.zeros(k), "c": np.zeros(X.shape[1])}, np.ones(30))
    if name == "check_sparse_gradients":
        return lambda p, X, rho, beta: {"W": value, "b": np.zeros(K)}
    if name == "check_sparse_training":
        return lambda X, k, rho, beta, **kw: ({"W": value, "b": np.zeros(k), "W_star": np.zeros((X.shape[1], k)),
                                               "c": np.zeros(X.shape[1])}, np.ones(30))
    if name == "check_capstone":
        return lambda *a, **k: {n: {key: value for key in CAPSTONE_KEYS} for n in VARIANTS}
    return lambda *a, **k: value


def _complex(name: str) -> Any:
    if name in _SCALAR_467:
        return 1.0 + 0.5j
    scalar = {"check_tied_weight_decay", "check_squared_error", "check_cross_entropy", "check_weight_decay", "check_denoising_objective",
              "check_kl_penalty", "check_contractive_penalty", "check_capstone"}
    if name in scalar:
        return 1.0 + 0.5j
    return np.ones((1,)) * (1 + 0.5j)  # the shape check comes after: complex is named first


def _exit(*a, **k):
    sys.exit()


def _exit_code(*a, **k):
    raise SystemExit(3)


def _interrupt(*a, **k):
    raise KeyboardInterrupt


ALL = [n for n in checks.__all__ if n.startswith("check_")]
for _name in ALL:
    row(_name, "ragged list", _place(_name, [[1.0, 2.0], [3.0]]), "different lengths")
    row(_name, "a string", _place(_name, "0.5"), "a str")
    row(_name, "__array__ raises", _place(_name, ArrayRaises()), "could not be read as numbers")
    row(_name, "complex numbers", _place(_name, _complex(_name)), "complex")
    row(_name, "sys.exit()", _exit, "sys.exit")
    row(_name, "raise SystemExit(3)", _exit_code, "sys.exit")
    row(_name, "raise KeyboardInterrupt", _interrupt, "KeyboardInterrupt")


# ----------------------------------------------------------------------------- running a row

def run_row(check_name: str, fn: Callable[..., Any]) -> tuple[Any, str, str | None]:
    """(result, printed text, what escaped the check or None)."""
    buf = io.StringIO()
    escaped = None
    result = None
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            result = getattr(checks, check_name)(fn)
        except BaseException as exc:  # noqa: BLE001 - a check must not let anything out
            escaped = f"{type(exc).__name__}: {exc}"
    return result, buf.getvalue(), escaped


def hint_of(out: str) -> str:
    return " ".join(line for line in out.splitlines() if line.startswith("  hint:"))


def classify(rows=ROWS):
    """Per row: caught (FAIL, no traceback, nothing escaped), specific, misleading."""
    all_keywords = {}
    for check_name, _, _, kws, _ in rows:
        all_keywords.setdefault(check_name, set()).update(kws)
    out = []
    for check_name, label, fn, kws, forbidden in rows:
        result, text, escaped = run_row(check_name, fn)
        hint = hint_of(text).lower()
        caught = (result is False and escaped is None and text.startswith("FAIL: ")
                  and "Traceback" not in text and bool(hint))
        specific = caught and any(k.lower() in hint for k in kws)
        claims = [f for f in FORBIDDEN + forbidden if f.lower() in hint]
        others = [k for k in all_keywords[check_name] - set(kws) if len(k) > 4 and k.lower() in hint]
        misleading = caught and (bool(claims) or (not specific and bool(others)))
        out.append((check_name, label, caught, specific, misleading, text, escaped))
    return out


_IDS = [f"{r[0][6:]}: {r[1]}" for r in ROWS]


@pytest.mark.parametrize("check_name, label, fn, keywords, forbidden", ROWS, ids=_IDS)
def test_wrong_answer_is_named(check_name, label, fn, keywords, forbidden):
    result, text, escaped = run_row(check_name, fn)
    assert escaped is None, f"escaped the check: {escaped}\n{text}"
    assert result is False, text
    assert text.startswith("FAIL: "), text
    assert "Traceback" not in text
    lines = text.splitlines()
    assert any(line.startswith("  expected: ") for line in lines), text
    assert any(line.startswith("  got: ") for line in lines), text
    hint = hint_of(text)
    assert hint, text
    assert any(k.lower() in hint.lower() for k in keywords), f"none of {keywords} in:\n{text}"
    for claim in FORBIDDEN + forbidden:
        assert claim.lower() not in hint.lower(), f"misleading {claim!r} in:\n{text}"


def test_every_check_has_five_wrong_answers_besides_odd_returns():
    counts = {name: 0 for name in ALL}
    for check_name, label, *_ in ROWS:
        counts[check_name] += 1
    assert all(n >= 5 + 7 for n in counts.values()), counts


def test_real_interrupt_prints_fail_then_propagates(capsys):
    """A Ctrl-C (SIGINT) during the student's code: FAIL is printed, and the interrupt goes on."""
    if sys.platform == "win32":
        pytest.skip("os.kill with SIGINT needs POSIX")

    def slow(Xh, X):
        os.kill(os.getpid(), signal.SIGINT)
        return 0.0

    with pytest.raises(KeyboardInterrupt):
        checks.check_squared_error(slow)
    out = capsys.readouterr().out
    assert out.startswith("FAIL: squared-error loss"), out
    assert "interrupted" in out


def test_student_keyboard_interrupt_does_not_propagate(capsys):
    assert checks.check_squared_error(_interrupt) is False
    assert "KeyboardInterrupt" in capsys.readouterr().out


def test_the_sigint_handler_is_restored():
    before = signal.getsignal(signal.SIGINT)
    checks.check_squared_error(lambda Xh, X: 0.0)
    assert signal.getsignal(signal.SIGINT) is before


def _summary() -> None:
    rows = classify()
    odd = {label for _, label, *_ in ROWS[-7:]}
    for title, part in (("all", rows), ("typical mistakes", [r for r in rows if r[1] not in odd]),
                        ("odd returns and exits", [r for r in rows if r[1] in odd])):
        print(f"{title}: {len(part)} wrong answers: caught {sum(r[2] for r in part)}, specific hint "
              f"{sum(r[3] for r in part)}, misleading {sum(r[4] for r in part)}")
    for check_name, label, ok, spec, mis, text, escaped in rows:
        if not ok or not spec or mis:
            tag = "ESCAPED" if escaped else ("NOT CAUGHT" if not ok else ("MISLEADING" if mis else "vague"))
            detail = escaped or hint_of(text) or text.strip().replace("\n", " | ")
            print(f"  [{tag}] {check_name}: {label}: {detail[:160]}")


if __name__ == "__main__":
    _summary()
