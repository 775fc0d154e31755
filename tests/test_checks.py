"""The exercise checks: PASS for a right answer, a FAIL naming each typical mistake, never a traceback.

Every check gets a correct implementation (PASS, returns True) and one wrong
implementation per typical mistake (FAIL with that mistake's hint, returns False). Every
check also gets the generic failures: not implemented yet, an exception, None, a wrong
type, a wrong shape, NaN. Nothing a check prints may contain a traceback.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_ae import checks, nn
from course_ae import reference as R

ALL_CHECKS = [name for name in checks.__all__ if name.startswith("check_")]


@pytest.fixture(autouse=True)
def _one_thread():
    """The capstone trains tiny models: one thread is fastest, and immune to a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def run(check, fn, capsys):
    result = check(fn)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    assert captured.err == ""
    return result, captured.out


def assert_pass(check, fn, capsys):
    result, out = run(check, fn, capsys)
    assert result is True, out
    assert out.startswith("PASS: ") and out.count("\n") == 1, out
    assert "FAIL" not in out


def assert_fail(check, fn, capsys, *fragments):
    result, out = run(check, fn, capsys)
    assert result is False, out
    assert out.startswith("FAIL: "), out
    assert "  hint: " in out, out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    return out


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


# ============================================================================== 7.1


def forward(params, X):
    H = sig(X @ params["W"].T + params["b"])
    return H, sig(H @ params["W_star"].T + params["c"])


def squared_error(X_hat, X):
    return float(np.mean(np.sum((X_hat - X) ** 2, axis=1)))


def cross_entropy(X_hat, X):
    return float(np.mean(-np.sum(X * np.log(X_hat) + (1 - X) * np.log(1 - X_hat), axis=1)))


def make_gradients(which, *, factor2=True, mean=True, fprime_se=True, fprime_ce=False, use_loss=True,
                   gprime=True, through_W=False, transpose=False):
    """decoder (which="decoder") or encoder gradients, with optional typical mistakes."""
    def grads(params, X, loss):
        H, X_hat = forward(params, X)
        m = X.shape[0] if mean else 1
        if loss == "squared_error" or not use_loss:
            delta2 = (2.0 if factor2 else 1.0) * (X_hat - X)
            if fprime_se:
                delta2 = delta2 * X_hat * (1 - X_hat)
        else:
            delta2 = X_hat - X
            if fprime_ce:
                delta2 = delta2 * X_hat * (1 - X_hat)
        delta2 = delta2 / m
        if which == "decoder":
            g = {"W_star": delta2.T @ H, "c": delta2.sum(axis=0)}
            if transpose:
                g["W_star"] = g["W_star"].T
            return g
        back = delta2 @ (params["W"].T if through_W else params["W_star"])
        delta1 = back * H * (1 - H) if gprime else back
        g = {"W": delta1.T @ X, "b": delta1.sum(axis=0)}
        if transpose:
            g["W"] = g["W"].T
        return g
    return grads


def test_forward(capsys):
    c = checks.check_forward
    assert_pass(c, forward, capsys)
    assert_fail(c, lambda p, X: (forward(p, X)[0], forward(p, X)[0] @ p["W_star"].T + p["c"]), capsys,
                "apply the decoder's sigmoid")
    assert_fail(c, lambda p, X: (sig(X @ p["W"].T), forward(p, X)[1]), capsys, "the bias b is missing")
    assert_fail(c, lambda p, X: (X @ p["W"].T + p["b"], forward(p, X)[1]), capsys, "apply the encoder's sigmoid")
    assert_fail(c, lambda p, X: (forward(p, X)[0], sig(forward(p, X)[0] @ p["W_star"].T)), capsys,
                "the decoder bias c is missing")
    assert_fail(c, lambda p, X: forward(p, X)[::-1], capsys, "H and X_hat are swapped")
    out = assert_fail(c, lambda p, X: (sig(X @ p["W"] + p["b"]), None), capsys, "mismatched shapes",
                      "X @ W.T", "ValueError", "in `<lambda>`")
    assert "\n  got: " in out and "\n  expected: " in out
    assert_fail(c, lambda p, X: forward(p, X)[1], capsys, "return the two values as a tuple")
    assert_fail(c, lambda p, X: (forward(p, X)[0].T, forward(p, X)[1]), capsys, "transposed")


def test_squared_error(capsys):
    c = checks.check_squared_error
    assert_pass(c, squared_error, capsys)
    assert_fail(c, lambda Xh, X: np.sum((Xh - X) ** 2), capsys, "a sum over the batch where the course takes the mean")
    assert_fail(c, lambda Xh, X: np.mean((Xh - X) ** 2), capsys, "averaged over the n = 7 features")
    assert_fail(c, lambda Xh, X: 0.5 * squared_error(Xh, X), capsys, "factor ½")
    assert_fail(c, lambda Xh, X: np.mean(np.linalg.norm(Xh - X, axis=1)), capsys, "SQUARED norm")
    assert_fail(c, lambda Xh, X: np.sum((Xh - X) ** 2, axis=1), capsys, "one value per example")
    assert_fail(c, lambda Xh, X: None, capsys, "did you forget the `return` statement?")


def test_cross_entropy(capsys):
    c = checks.check_cross_entropy
    assert_pass(c, cross_entropy, capsys)
    assert_fail(c, lambda Xh, X: np.mean(-np.sum(X * np.log(Xh), axis=1)), capsys, "the second term is missing")
    assert_fail(c, lambda Xh, X: -cross_entropy(Xh, X), capsys, "the minus sign is missing")
    assert_fail(c, lambda Xh, X: cross_entropy(X, Xh), capsys, "did you swap X_hat and X?", "NaN or inf")
    assert_fail(c, lambda Xh, X: cross_entropy(Xh, X) / np.log(10), capsys, "natural log")
    assert_fail(c, lambda Xh, X: cross_entropy(Xh, X) * X.shape[0], capsys, "a sum over the batch")


def test_decoder_gradients(capsys):
    c = checks.check_decoder_gradients
    assert_pass(c, make_gradients("decoder"), capsys)
    assert_fail(c, make_gradients("decoder", factor2=False), capsys, "a factor 2 is missing")
    assert_fail(c, make_gradients("decoder", mean=False), capsys, "a sum over the batch")
    assert_fail(c, make_gradients("decoder", fprime_se=False), capsys, "the sigmoid's derivative is missing")
    assert_fail(c, make_gradients("decoder", fprime_ce=True), capsys, "cancels")
    assert_fail(c, make_gradients("decoder", use_loss=False), capsys, "must use the `loss` argument")
    assert_fail(c, make_gradients("decoder", transpose=True), capsys, "transposed")
    good = make_gradients("decoder")
    assert_fail(c, lambda p, X, loss: tuple(good(p, X, loss).values()), capsys, "return a dict")
    assert_fail(c, lambda p, X, loss: {"W_star": good(p, X, loss)["W_star"]}, capsys, "needs the key 'c'")


def test_encoder_gradients(capsys):
    c = checks.check_encoder_gradients
    assert_pass(c, make_gradients("encoder"), capsys)
    assert_fail(c, make_gradients("encoder", gprime=False), capsys, "the encoder's derivative is missing")
    assert_fail(c, make_gradients("encoder", through_W=True), capsys, "back-propagate through the decoder weights")
    assert_fail(c, make_gradients("encoder", factor2=False), capsys, "a factor 2 is missing")
    assert_fail(c, make_gradients("encoder", mean=False), capsys, "a sum over the batch")
    assert_fail(c, make_gradients("encoder", transpose=True), capsys, "transposed")


# ============================================================================== 7.2


def normalize(X):
    return (X - X.mean(axis=0)) / np.sqrt(X.shape[0])


def pca(X, k):
    _, S, Vt = np.linalg.svd(normalize(X), full_matrices=False)
    return Vt[:k].T, S[:k] ** 2


def linear_autoencoder(X, k):
    V, _ = pca(X, k)
    return {"W": V.T, "W_star": V, "H": normalize(X) @ V}


def test_normalize(capsys):
    c = checks.check_normalize
    assert_pass(c, normalize, capsys)
    assert_fail(c, lambda X: X / np.sqrt(X.shape[0]), capsys, "subtract the mean of each feature")
    assert_fail(c, lambda X: X - X.mean(axis=0), capsys, "divide by √m")
    assert_fail(c, lambda X: (X - X.mean(axis=0)) / np.sqrt(X.shape[0] - 1), capsys, "not √(m − 1)")
    assert_fail(c, lambda X: (X - X.mean(axis=0)) / X.std(axis=0), capsys, "standard deviation")
    assert_fail(c, lambda X: (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.shape[0]), capsys, "axis=0")

    def in_place(X):
        X -= X.mean(axis=0)
        X /= np.sqrt(X.shape[0])
        return X
    assert_fail(c, in_place, capsys, "changed its input `X` in place")


def test_pca(capsys):
    c = checks.check_pca
    assert_pass(c, pca, capsys)
    assert_pass(c, lambda X, k: (-pca(X, k)[0], pca(X, k)[1]), capsys)  # the sign of a direction is free

    def with_U(X, k):
        U, S, _ = np.linalg.svd(normalize(X), full_matrices=False)
        return U[:, :k], S[:k] ** 2

    def columns_of_Vt(X, k):
        _, S, Vt = np.linalg.svd(normalize(X), full_matrices=False)
        return Vt[:, :k], S[:k] ** 2

    def eigh_ascending(X, k):
        Xn = normalize(X)
        lam, V = np.linalg.eigh(Xn.T @ Xn)
        return V[:, -k:], lam[-k:]

    def raw_svd(X, k):
        _, S, Vt = np.linalg.svd(X, full_matrices=False)
        return Vt[:k].T, S[:k] ** 2

    assert_fail(c, with_U, capsys, "U's columns")
    assert_fail(c, columns_of_Vt, capsys, "first k ROWS")
    assert_fail(c, eigh_ascending, capsys, "increasing order")
    assert_fail(c, raw_svd, capsys, "SVD of normalize(X)")
    assert_fail(c, lambda X, k: (pca(X, k)[0], np.sqrt(pca(X, k)[1])), capsys, "those are the singular values")
    assert_fail(c, lambda X, k: (pca(X, k)[0], pca(X, k)[1][::-1]), capsys, "decreasing order")
    assert_fail(c, lambda X, k: (pca(X, k)[0].T, pca(X, k)[1]), capsys, "transposed")


def test_linear_autoencoder(capsys):
    c = checks.check_linear_autoencoder
    assert_pass(c, linear_autoencoder, capsys)

    def lecture_orientation(X, k):
        V, _ = pca(X, k)
        return {"W": V, "W_star": V, "H": normalize(X) @ V}

    def raw_codes(X, k):
        V, _ = pca(X, k)
        return {"W": V.T, "W_star": V, "H": X @ V}

    def decoder_scaled(X, k):
        V, _ = pca(X, k)
        return {"W": V.T, "W_star": 2 * V, "H": normalize(X) @ V}

    assert_fail(c, lecture_orientation, capsys, "the lecture writes the encoder as V≤k")
    assert_fail(c, raw_codes, capsys, "compute H from normalize(X)")
    assert_fail(c, decoder_scaled, capsys, "W* = V≤k = Wᵀ")
    assert_fail(c, lambda X, k: {"W": linear_autoencoder(X, k)["W"]}, capsys, "needs the key 'W_star'")


# ============================================================================== 7.3


def weight_decay(params, lam, *, half=True, decay_biases=False, grad_factor=1.0):
    W, Ws, b, c = params["W"], params["W_star"], params["b"], params["c"]
    omega = (0.5 if half else 1.0) * lam * (np.sum(W ** 2) + np.sum(Ws ** 2))
    grads = {"W": grad_factor * lam * W, "W_star": grad_factor * lam * Ws,
             "b": lam * b if decay_biases else np.zeros_like(b), "c": lam * c if decay_biases else np.zeros_like(c)}
    return omega, grads


def tied_parts(params, X):
    W, b, c = params["W"], params["b"], params["c"]
    m = X.shape[0]
    H = sig(X @ W.T + b)
    X_hat = sig(H @ W + c)
    delta2 = 2 * (X_hat - X) * X_hat * (1 - X_hat) / m
    delta1 = (delta2 @ W.T) * H * (1 - H)
    return delta1.T @ X, delta2.T @ H


def test_weight_decay(capsys):
    c = checks.check_weight_decay
    assert_pass(c, weight_decay, capsys)
    assert_fail(c, lambda p, lam: weight_decay(p, lam, decay_biases=True), capsys, "the biases are not decayed")

    def omega_with_biases(p, lam):
        omega, grads = weight_decay(p, lam)
        return omega + 0.5 * lam * (np.sum(p["b"] ** 2) + np.sum(p["c"] ** 2)), grads
    assert_fail(c, omega_with_biases, capsys, "the biases are not decayed")
    assert_fail(c, lambda p, lam: weight_decay(p, lam, half=False), capsys, "Ω has a factor ½")
    assert_fail(c, lambda p, lam: weight_decay(p, lam, grad_factor=2.0), capsys, "the ½ in Ω cancels the 2")
    assert_fail(c, lambda p, lam: (weight_decay(p, lam)[0], {"W": lam * p["W"], "W_star": lam * p["W_star"]}),
                capsys, "needs the key 'b'")


def test_tied_gradient(capsys):
    c = checks.check_tied_gradient
    assert_pass(c, lambda p, X: tied_parts(p, X)[0] + tied_parts(p, X)[1].T, capsys)
    assert_fail(c, lambda p, X: tied_parts(p, X)[0], capsys, "only the encoder's use of W is counted")
    assert_fail(c, lambda p, X: tied_parts(p, X)[1].T, capsys, "only the decoder's use of W is counted")
    assert_fail(c, lambda p, X: tied_parts(p, X)[1], capsys, "transpose the decoder's part")
    assert_fail(c, lambda p, X: 0.5 * (tied_parts(p, X)[0] + tied_parts(p, X)[1].T), capsys,
                "a factor 2 is missing")


# ============================================================================== 7.4


def masking_noise(X, q, rng):
    return X * (rng.random(X.shape) >= q)


def gaussian_noise(X, sigma, rng):
    return X + sigma * rng.standard_normal(X.shape)


def test_masking_noise(capsys):
    c = checks.check_masking_noise
    assert_pass(c, masking_noise, capsys)
    assert_fail(c, lambda X, q, rng: masking_noise(X, q, rng) / (1 - q), capsys, "rescaled by 1/(1 − q)")
    assert_fail(c, lambda X, q, rng: X * (rng.random(X.shape) < q), capsys, "probability 1 − q")
    assert_fail(c, lambda X, q, rng: X * (np.random.random(X.shape) >= q), capsys,
                "draw the random numbers from the `rng` argument")
    assert_fail(c, lambda X, q, rng: masking_noise(X, q, np.random.default_rng(0)), capsys,
                "a different rng must give a different mask")
    assert_fail(c, lambda X, q, rng: X * (rng.random((X.shape[0], 1)) >= q), capsys, "independently")
    assert_fail(c, lambda X, q, rng: masking_noise(X, q, rng) + 0.01, capsys, "either 0 (masked) or exactly")

    def in_place(X, q, rng):
        X[rng.random(X.shape) < q] = 0.0
        return X
    assert_fail(c, in_place, capsys, "changed its input `X` in place")


def test_gaussian_noise(capsys):
    c = checks.check_gaussian_noise
    assert_pass(c, gaussian_noise, capsys)
    assert_fail(c, lambda X, s, rng: X + s ** 2 * rng.standard_normal(X.shape), capsys,
                "σ is the standard deviation")
    assert_fail(c, lambda X, s, rng: X * (1 + s * rng.standard_normal(X.shape)), capsys, "the noise is ADDED")
    assert_fail(c, lambda X, s, rng: np.clip(gaussian_noise(X, s, rng), 0, 1), capsys, "don't clip")
    assert_fail(c, lambda X, s, rng: X + s * rng.standard_normal(X.shape[1]), capsys, "independent noise")
    assert_fail(c, lambda X, s, rng: X + s * np.random.standard_normal(X.shape), capsys, "`rng` argument")
    assert_fail(c, lambda X, s, rng: X + 0.1 + s * rng.standard_normal(X.shape), capsys, "mean 0")


def test_denoising_objective(capsys):
    c = checks.check_denoising_objective
    cfg = R.Config()
    assert_pass(c, lambda p, X, corrupt: R.objective(p, corrupt(X), cfg, target=X), capsys)

    def both_corrupted(p, X, corrupt):
        Xt = corrupt(X)
        return R.objective(p, Xt, cfg, target=Xt)
    assert_fail(c, both_corrupted, capsys, "the target is corrupted too")
    assert_fail(c, lambda p, X, corrupt: R.objective(p, X, cfg), capsys, "the input is not corrupted")
    assert_fail(c, lambda p, X, corrupt: R.objective(p, X, cfg, target=corrupt(X)), capsys,
                "input and target are swapped")
    assert_fail(c, lambda p, X, corrupt: R.objective(p, corrupt(X), cfg, target=X) + 0 * corrupt(X).sum(),
                capsys, "call corrupt(X) once")


def test_max_activating_input(capsys):
    c = checks.check_max_activating_input
    assert_pass(c, lambda W: W / np.linalg.norm(W, axis=1, keepdims=True), capsys)
    assert_fail(c, lambda W: W / np.linalg.norm(W, axis=0, keepdims=True), capsys, "normalised the columns")
    assert_fail(c, lambda W: W / np.linalg.norm(W), capsys, "its own norm")
    assert_fail(c, lambda W: W / np.linalg.norm(W, axis=1), capsys, "could not be broadcast", "keepdims=True")
    assert_fail(c, lambda W: W / np.linalg.norm(W, axis=1, keepdims=True) ** 2, capsys, "not by ‖W_l‖²")
    assert_fail(c, lambda W: -W / np.linalg.norm(W, axis=1, keepdims=True), capsys, "MINIMISES")
    assert_fail(c, lambda W: (W / np.linalg.norm(W, axis=1, keepdims=True)).T, capsys, "transposed")


# ============================================================================== 7.5


def kl_penalty(rho, rho_hat):
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def kl_gradient(rho, rho_hat):
    return -rho / rho_hat + (1 - rho) / (1 - rho_hat)


def test_kl_penalty(capsys):
    c = checks.check_kl_penalty
    assert_pass(c, kl_penalty, capsys)
    assert_fail(c, lambda rho, r: kl_penalty(r, np.full_like(r, rho)) if False else float(np.sum(
        r * np.log(r / rho) + (1 - r) * np.log((1 - r) / (1 - rho)))), capsys, "the arguments are swapped")
    assert_fail(c, lambda rho, r: kl_penalty(rho, r) / r.size, capsys, "sum over the k = 5 hidden units")
    assert_fail(c, lambda rho, r: float(np.sum(rho * np.log(rho / r))), capsys, "the second term is missing")
    assert_fail(c, lambda rho, r: rho * np.log(rho / r) + (1 - rho) * np.log((1 - rho) / (1 - r)), capsys,
                "one value per hidden unit")
    assert_fail(c, lambda rho, r: -kl_penalty(rho, r), capsys, "upside down")
    assert_fail(c, lambda rho, r: kl_penalty(rho, r) / np.log(2), capsys, "natural log")


def test_kl_gradient(capsys):
    c = checks.check_kl_gradient
    assert_pass(c, kl_gradient, capsys)
    assert_fail(c, lambda rho, r: np.log(r / rho) - np.log((1 - r) / (1 - rho)), capsys, "swapped KL(ρ̂ ‖ ρ)")
    assert_fail(c, lambda rho, r: -rho / r, capsys, "add (1 − ρ)/(1 − ρ̂_l)")
    assert_fail(c, lambda rho, r: -rho / r - (1 - rho) / (1 - r), capsys, "sign of the second term")
    assert_fail(c, lambda rho, r: -kl_gradient(rho, r), capsys, "the sign is flipped")
    assert_fail(c, lambda rho, r: kl_gradient(rho, r)[:, None], capsys, "shape (5,)")


def test_kl_gradient_h(capsys):
    c = checks.check_kl_gradient_h
    good = lambda rho, H: np.tile(kl_gradient(rho, H.mean(axis=0)) / H.shape[0], (H.shape[0], 1))  # noqa: E731
    assert_pass(c, good, capsys)
    assert_pass(c, lambda rho, H: np.zeros_like(H) + kl_gradient(rho, H.mean(axis=0)) / H.shape[0], capsys)
    assert_fail(c, lambda rho, H: good(rho, H) * H.shape[0], capsys, "the factor 1/m is missing")
    assert_fail(c, lambda rho, H: kl_gradient(rho, H.mean(axis=0)) / H.shape[0], capsys,
                "every example gets a gradient")
    assert_fail(c, lambda rho, H: kl_gradient(rho, H) / H.shape[0], capsys, "H.mean(axis=0)")


# ============================================================================== 7.6


def contractive_penalty(params, X, *, reduce=np.mean, square_d=True):
    W, b = params["W"], params["b"]
    H = sig(X @ W.T + b)
    d = H * (1 - H)
    return reduce((d ** 2 if square_d else d) @ np.sum(W ** 2, axis=1))


def numerical_jacobian(encode, x, eps=1e-5, *, denominator=2.0, forward_only=False):
    n = x.shape[0]
    J = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = eps
        if forward_only:
            J.append((encode(x + e) - encode(x)) / eps)
        else:
            J.append((encode(x + e) - encode(x - e)) / (denominator * eps))
    return np.stack(J, axis=1)


def test_contractive_penalty(capsys):
    c = checks.check_contractive_penalty
    assert_pass(c, contractive_penalty, capsys)
    assert_fail(c, lambda p, X: contractive_penalty(p, X, reduce=np.sum), capsys, "summed over the batch")
    assert_fail(c, lambda p, X: contractive_penalty(p, X, square_d=False), capsys, "square the sigmoid's derivative")
    assert_fail(c, lambda p, X: contractive_penalty(p, X, reduce=lambda v: v), capsys, "one value per example")
    assert_fail(c, lambda p, X: contractive_penalty(p, X) / p["W"].shape[0], capsys, "sum over the k = 3 hidden units")


def test_numerical_jacobian(capsys):
    c = checks.check_numerical_jacobian
    assert_pass(c, numerical_jacobian, capsys)
    # forward differences are off by O(ε) ≈ 1e-6: the check (tolerance 1e-8) fails them, by name
    assert_fail(c, lambda f, x, eps=1e-5: numerical_jacobian(f, x, eps, forward_only=True), capsys,
                "forward differences")
    assert_fail(c, lambda f, x, eps=1e-5: numerical_jacobian(f, x, eps).T, capsys, "you built its transpose")
    assert_fail(c, lambda f, x, eps=1e-5: numerical_jacobian(f, x, eps, denominator=1.0), capsys,
                "divide by 2ε, not by ε")

    def no_restore(f, x, eps=1e-5):
        J = np.empty((f(x).size, x.size))
        for j in range(x.size):
            x[j] += eps
            up = f(x)
            x[j] -= 2 * eps
            J[:, j] = (up - f(x)) / (2 * eps)
        return J
    assert_fail(c, no_restore, capsys, "restore x[j]")
    assert_fail(c, lambda f, x, eps=1e-5: f(x[None, :]), capsys, "ValueError", "encode takes one example")


# ============================================================================== 7.7


def evaluate_variants(variants, X_train, X_test, *, n_hidden, epochs, seed):
    table = {}
    for name, spec in variants.items():
        model = nn.Autoencoder(X_train.shape[1], n_hidden, spec["config"], device="cpu", seed=seed)
        nn.train(model, X_train, epochs=epochs, seed=seed, noise=spec["noise"], noise_level=spec["noise_level"],
                 progress=False, **checks.CAPSTONE_SETTINGS)
        with torch.no_grad():
            X = torch.as_tensor(X_test, dtype=model.dtype)
            table[name] = {"reconstruction_error": float(((model(X) - X) ** 2).sum(dim=1).mean()),
                           "mean_activation": float(model.encode(X).mean()),
                           "contraction": float(model.contractive_penalty(X))}
            table[name]["_models"] = model
    return table


@pytest.fixture(scope="module")
def capstone_tables():
    """The right table, and the tables of each typical mistake, from ONE training of the variants
    with the check's settings (the check only sees the returned table)."""
    from course_ae.data import load_digits

    X, _ = load_digits()
    X_train, X_test = X[:500], X[500:600]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module-scoped: set up before the autouse fixture runs
    try:
        right = evaluate_variants(checks.CAPSTONE_VARIANTS, X_train, X_test, n_hidden=16, epochs=10, seed=0)
    finally:
        torch.set_num_threads(threads)
    models = {name: row.pop("_models") for name, row in right.items()}
    X = torch.as_tensor(X_test, dtype=torch.float32)
    with torch.no_grad():
        penalty = {name: dict(row, reconstruction_error=float(models[name].objective(X)))
                   for name, row in right.items()}
        noisy = dict(right)
        X_tilde = nn.masking_noise(X, 0.3, torch.Generator().manual_seed(1))
        noisy["denoising"] = dict(right["denoising"], reconstruction_error=float(
            ((models["denoising"](X_tilde) - X) ** 2).sum(dim=1).mean()))
    # The denoising variant has the plain variant's Config: trained without noise it IS the plain model.
    no_noise = dict(right, denoising=dict(right["plain"]))
    return {"right": right, "penalty": penalty, "noisy": noisy, "no_noise": no_noise}


def test_capstone_runs_the_student_function(capsys):
    assert_pass(checks.check_capstone, evaluate_variants, capsys)


def test_capstone_mistakes(capstone_tables, capsys):
    c = checks.check_capstone
    t = capstone_tables
    assert_pass(c, lambda *a, **k: t["right"], capsys)
    assert_fail(c, lambda *a, **k: t["penalty"], capsys, "report the reconstruction error alone")
    assert_fail(c, lambda *a, **k: t["no_noise"], capsys, "the denoising variant was trained without noise")
    assert_fail(c, lambda *a, **k: t["noisy"], capsys, "evaluate the denoising variant on CLEAN test inputs")
    assert_fail(c, lambda *a, **k: {n: r for n, r in t["right"].items() if n != "sparse"}, capsys,
                "evaluate every variant", "missing ['sparse']")
    assert_fail(c, lambda *a, **k: list(t["right"]), capsys, "return a dict")
    assert_fail(c, lambda *a, **k: {name: 1.0 for name in t["right"]}, capsys, "each value of the table is a dict")
    assert_fail(c, lambda *a, **k: {n: {"error": 1.0} for n in t["right"]}, capsys,
                "needs the key 'reconstruction_error'")


# ====================================================================== every check, generic failures


def _raise(exc):
    def my_function(*args, **kwargs):
        raise exc
    return my_function


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_not_implemented(name, capsys):
    out = assert_fail(getattr(checks, name), _raise(NotImplementedError("a hint")), capsys,
                      "not implemented yet", "`my_function`", "raise NotImplementedError")
    assert "a hint" not in out


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_exception_in_student_code_is_one_line(name, capsys):
    out = assert_fail(getattr(checks, name), _raise(ZeroDivisionError("division by zero")), capsys,
                      "ZeroDivisionError: division by zero", "in `my_function`")
    assert len(out.splitlines()) == 4


@pytest.mark.parametrize("name", ALL_CHECKS)
@pytest.mark.parametrize("value, fragment", [
    (None, "did you forget the `return` statement?"),
    ("abc", "FAIL"),
    (object(), "FAIL"),
    (float("nan"), "FAIL"),
    ((1, 2, 3), "FAIL"),
])
def test_wrong_type(name, value, fragment, capsys):
    assert_fail(getattr(checks, name), lambda *a, **k: value, capsys, fragment)


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_not_a_function(name, capsys):
    assert_fail(getattr(checks, name), 42, capsys, "pass the function itself")


@pytest.mark.parametrize("check, fn, what", [
    (checks.check_squared_error, lambda Xh, X: float("nan"), "NaN"),
    (checks.check_cross_entropy, lambda Xh, X: float("inf"), "NaN or inf"),
    (checks.check_forward, lambda p, X: (np.full((5, 3), np.nan), np.zeros((5, 7))), "NaN or inf"),
    (checks.check_masking_noise, lambda X, q, rng: X * np.nan, "NaN or inf"),
    (checks.check_kl_gradient, lambda rho, r: r / 0.0 * 0.0, "NaN or inf"),
    (checks.check_contractive_penalty, lambda p, X: np.nan, "NaN"),
    (checks.check_pca, lambda X, k: (np.full((6, 3), np.nan), np.ones(3)), "NaN or inf"),
])
def test_nan(check, fn, what, capsys):
    assert_fail(check, fn, capsys, what)


@pytest.mark.parametrize("check, fn, fragment", [
    (checks.check_squared_error, lambda Xh, X: [1.0, 2.0], "one number"),
    (checks.check_masking_noise, lambda X, q, rng: X[:10], "shape (400, 50)"),
    (checks.check_gaussian_noise, lambda X, s, rng: X.ravel(), "shape (400, 50)"),
    (checks.check_max_activating_input, lambda W: W[:, :2], "shape (3, 7)"),
    (checks.check_kl_gradient_h, lambda rho, H: H.T, "transposed"),
    (checks.check_normalize, lambda X: X.tolist(), "return a NumPy array"),
    (checks.check_weight_decay, lambda p, lam: 0.0, "return the two values as a tuple"),
    (checks.check_linear_autoencoder, lambda X, k: [1.0, 2.0], "return a dict"),
])
def test_wrong_shape_or_container(check, fn, fragment, capsys):
    assert_fail(check, fn, capsys, fragment)


def test_torch_tensors_are_accepted(capsys):
    assert_pass(checks.check_squared_error,
                lambda Xh, X: ((torch.as_tensor(Xh) - torch.as_tensor(X)) ** 2).sum(dim=1).mean(), capsys)


def test_failure_layout(capsys):
    out = assert_fail(checks.check_squared_error, lambda Xh, X: np.sum((Xh - X) ** 2), capsys)
    lines = out.splitlines()
    assert lines[0] == "FAIL: squared-error loss"
    assert lines[1].startswith("  expected: the squared error: ")
    assert lines[2].startswith("  got: ") and "5 times the expected value" in lines[2]
    assert lines[3].startswith("  hint: ")


# ====================================================================== hints on request


def test_hint_levels(capsys):
    idea = checks.hint("tied_weight_decay")
    formula = checks.hint("tied_weight_decay", level=2)
    assert "2λW" not in idea and "2λW" in formula
    assert "level=2" in idea
    assert "no hint for 'nope'" in checks.hint("nope") and "tied_gradient" in checks.hint("nope")
    assert "level is 1" in checks.hint("tied_gradient", level=3)
    assert capsys.readouterr().out.count("\n") >= 5


def test_tied_tasks_pass(capsys):
    assert_pass(checks.check_tied_weight_decay, lambda W, lam: (lam * np.sum(W ** 2), 2 * lam * W), capsys)

    def train(X, k, lam, *, epochs, lr, seed):
        config = R.Config(tied=True, weight_decay=lam)
        p = R.init_params(X.shape[1], k, tied=True, seed=seed)
        history = []
        for _ in range(epochs):
            _, g = R.loss_and_gradients(p, X, config)
            p = {key: p[key] - lr * g[key] for key in p}
            history.append(R.objective(p, X, config))
        return p, history  # a list is fine
    assert_pass(checks.check_tied_training, train, capsys)


def test_sparse_tasks_pass(capsys):
    from course_ae.reference import penalties as P

    def sparse_gradients(params, X, rho, beta):
        H = sig(X @ params["W"].T + params["b"])
        m = X.shape[0]
        delta = np.tile(beta * P.sparsity_grad(rho, H.mean(axis=0)) / m, (m, 1)) * H * (1 - H)
        return {"W": delta.T @ X, "b": delta.sum(axis=0)}
    assert_pass(checks.check_sparse_gradients, sparse_gradients, capsys)

    def train_sparse(X, k, rho, beta, *, epochs, lr, seed):
        config = R.Config(sparsity_target=rho, sparsity_weight=beta)
        p = R.init_params(X.shape[1], k, seed=seed)
        history = []
        for _ in range(epochs):
            _, g = R.loss_and_gradients(p, X, config)
            p = {key: p[key] - lr * g[key] for key in p}
            history.append(R.objective(p, X, config))
        return p, np.array(history)
    assert_pass(checks.check_sparse_training, train_sparse, capsys)


# ======================================= graded tasks (★★, ★★★) of 7.4, 7.6, 7.7 (branch s2-ex467)
# A correct answer written differently from the solution notebooks' passes each new check.

def test_denoising_graded_tasks_pass(capsys):
    def expected_masking_loss(params, X, q):         # one example at a time, E of a sum of squares
        M = params["W_star"] @ params["W"]
        d = params["W_star"] @ params["b"] + params["c"]
        total = 0.0
        for x in X:
            mean = (1 - q) * M @ x + d - x
            total += mean @ mean + q * (1 - q) * sum(x[j] ** 2 * M[:, j] @ M[:, j] for j in range(x.size))
        return total / X.shape[0]
    assert_pass(checks.check_expected_masking_loss, expected_masking_loss, capsys)

    def train_denoising(X, q, *, k, epochs, lr, batch_size, seed):  # the reference's own loop
        params = R.init_params(X.shape[1], k, seed=seed)
        return R.gradient_descent(params, X, R.Config(), epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                                  noise="masking" if q else None, noise_level=q)
    assert_pass(checks.check_denoising_training, train_denoising, capsys)


def test_expected_masking_reference_is_the_average_over_masks():
    """The check's exact answer (all 2ⁿ masks) agrees with sampling masks, and with the closed form."""
    from course_ae.checks import denoising as D

    params = R.init_params(5, 3, seed=4)
    params["b"] = np.random.default_rng(1).normal(size=3)
    X = np.random.default_rng(2).random((4, 5))
    exact = D._masking_expectation_exact(params, X, 0.3)
    rng = np.random.default_rng(3)
    cfg = R.Config(encoder="linear", decoder="linear")
    samples = [R.objective(params, R.masking_noise(X, 0.3, rng), cfg, target=X) for _ in range(4000)]
    assert abs(np.mean(samples) - exact) < 4 * np.std(samples) / np.sqrt(len(samples))
    assert D._masking_expectation(params, X, 0.3) == pytest.approx(exact, rel=1e-12)
    assert D._masking_expectation(params, X, 0.3, var=0.0) < exact  # the noise term is positive


def test_contractive_graded_tasks_pass(capsys):
    def tanh_contractive_gradients(params, X):       # the reference's own pieces
        cfg = R.Config(encoder="tanh", decoder="linear")
        fw = R.forward(params, X, cfg)
        d_a1, d_W = R.penalties.contractive_grads(params["W"], fw.a1, fw.h1, "tanh")
        return {"W": d_a1.T @ X + d_W, "b": d_a1.sum(axis=0)}
    assert_pass(checks.check_tanh_contractive_gradients, tanh_contractive_gradients, capsys)

    def train_contractive(X, lam_c, *, k, epochs, lr, seed):
        config = R.Config(encoder="tanh", decoder="linear", tied=True, contractive_weight=lam_c)
        return R.gradient_descent(R.init_params(X.shape[1], k, tied=True, seed=seed), X, config, epochs=epochs,
                                  lr=lr, seed=seed)
    assert_pass(checks.check_contractive_training, train_contractive, capsys)


def test_line_data_and_sensitivity_ratio():
    from course_ae.checks.contractive import line_data, sensitivity_ratio

    X, u1, u2 = line_data()
    assert X.shape == (300, 2) and abs(u1 @ u2) < 1e-15
    assert 0.8 < np.std(X @ u1) < 0.95 and 0.08 < np.std(X @ u2) < 0.12   # 3/√12 and 0.1
    along = {"W": np.outer(np.ones(4), u1) + 1e-6 * np.outer(np.ones(4), u2), "b": np.zeros(4)}
    assert sensitivity_ratio(along, X, u1, u2) == pytest.approx(1e6, rel=1e-6)
    alike = {"W": np.eye(2), "b": np.zeros(2)}                            # every direction alike
    assert sensitivity_ratio(alike, X, u1, u2) == pytest.approx(1.0, abs=0.2)


def test_capstone_graded_tasks_pass(capsys):
    def penalty_gradients(params, X, *, lam, rho, beta, lam_c):   # the reference's difference
        cfg = R.Config(tied=True, weight_decay=lam, sparsity_target=rho, sparsity_weight=beta,
                       contractive_weight=lam_c)
        _, with_all = R.loss_and_gradients(params, X, cfg)
        _, plain = R.loss_and_gradients(params, X, R.Config(tied=True))
        return {key: with_all[key] - plain[key] for key in ("W", "b", "c")}
    assert_pass(checks.check_penalty_gradients, penalty_gradients, capsys)

    def train_variant(X, *, lam, rho, beta, lam_c, k, epochs, lr, seed):
        cfg = R.Config(tied=True, weight_decay=lam, sparsity_target=rho, sparsity_weight=beta,
                       contractive_weight=lam_c)
        return R.gradient_descent(R.init_params(X.shape[1], k, tied=True, seed=seed), X, cfg, epochs=epochs,
                                  lr=lr, seed=seed)
    assert_pass(checks.check_variant_training, train_variant, capsys)


@pytest.mark.parametrize("task", ["masking_noise", "gaussian_noise", "denoising_objective", "max_activating_input",
                                  "expected_masking_loss", "train_denoising", "contractive_penalty",
                                  "numerical_jacobian", "tanh_contractive_gradients", "train_contractive",
                                  "evaluate_variants", "penalty_gradients", "train_variant"])
def test_hints_467_give_the_idea_first_and_the_code_on_request(task, capsys):
    idea = checks.hint(task)
    formula = checks.hint(task, level=2)
    assert "level=2" in idea and idea.split(": ", 1)[1] != formula.split(": ", 1)[1]
    body = idea.split(": ", 1)[1].split("\n")[0]
    for code in ("np.", "@", " = ", ".sum(", ".mean(", "R.", "**", "torch."):
        assert code not in body, (task, code, body)
    assert any(code in formula for code in ("np.", "@", " = ", "R.", "rng.", "torch.", "²", "/")), formula


# ====================================================== 7.1 and 7.2: ★★ and ★★★ (branch s2-ex12)


def intro_tanh_gradients(params, X):
    H = np.tanh(X @ params["W"].T + params["b"])
    X_hat = sig(H @ params["W_star"].T + params["c"])
    delta2 = (X_hat - X) / X.shape[0]
    delta1 = (delta2 @ params["W_star"]) * (1 - H ** 2)
    return {"W_star": delta2.T @ H, "c": delta2.sum(axis=0), "W": delta1.T @ X, "b": delta1.sum(axis=0)}


def intro_train(X, k, *, epochs, lr, seed, grads=None):
    """Gradient descent with the hand-written gradients of this file (make_gradients)."""
    p = R.init_params(X.shape[1], k, seed=seed)
    history = []
    for _ in range(epochs):
        g = {**make_gradients("decoder")(p, X, "cross_entropy"), **make_gradients("encoder")(p, X, "cross_entropy")}
        p = {key: p[key] - lr * g[key] for key in p}
        history.append(cross_entropy(forward(p, X)[1], X))
    return p, history


def test_intro_tanh_gradients(capsys):
    c = checks.check_tanh_gradients
    assert_pass(c, intro_tanh_gradients, capsys)

    def sigmoid_derivative(params, X):
        g = intro_tanh_gradients(params, X)
        H = np.tanh(X @ params["W"].T + params["b"])
        X_hat = sig(H @ params["W_star"].T + params["c"])
        delta1 = ((X_hat - X) / X.shape[0] @ params["W_star"]) * H * (1 - H)
        return dict(g, W=delta1.T @ X, b=delta1.sum(axis=0))

    assert_fail(c, sigmoid_derivative, capsys, "h(1 − h) is the SIGMOID's derivative")
    assert_fail(c, lambda p, X: {**make_gradients("decoder")(p, X, "cross_entropy"),
                                 **make_gradients("encoder")(p, X, "cross_entropy")}, capsys, "SIGMOID encoder")
    assert_fail(c, lambda p, X: {k: v for k, v in intro_tanh_gradients(p, X).items() if k != "b"}, capsys,
                "needs the key 'b'")


def test_intro_autoencoder_training(capsys):
    c = checks.check_autoencoder_training
    assert_pass(c, intro_train, capsys)
    assert_pass(c, lambda *a, **k: tuple(np.asarray(v) if isinstance(v, list) else v
                                          for v in intro_train(*a, **k)), capsys)  # an array history is fine
    assert checks.AUTOENCODER_TRAINING_SETTINGS["epochs"] <= 100, "the project must stay cheap"

    def one_step_short(X, k, *, epochs, lr, seed):
        p, h = intro_train(X, k, epochs=epochs - 1, lr=lr, seed=seed)
        return p, h + [h[-1]]

    # one epoch fewer still reaches gradient descent's objective within 5 %: checked by measures, not values
    assert_pass(c, one_step_short, capsys)


def pca_linear_ae_gradients(params, X):
    H = X @ params["W"].T
    residual = H @ params["W_star"].T - X
    return {"W": 2 * (residual @ params["W_star"]).T @ X, "W_star": 2 * residual.T @ H}


def pca_train_linear_ae(X, k, *, epochs, lr, seed):
    Xn = normalize(X)
    p0 = R.init_params(X.shape[1], k, seed=seed)
    p = {"W": p0["W"], "W_star": p0["W_star"]}
    history = []
    for _ in range(epochs):
        g = pca_linear_ae_gradients(p, Xn)
        p = {key: p[key] - lr * g[key] for key in p}
        history.append(np.sum((Xn @ p["W"].T @ p["W_star"].T - Xn) ** 2))
    return p, history


def test_pca_linear_ae_gradients(capsys):
    c = checks.check_linear_ae_gradients
    assert_pass(c, pca_linear_ae_gradients, capsys)

    def covariance_form(params, X):  # the chapter's form of ∂J/∂W is as right as the residual form
        W, Ws = params["W"], params["W_star"]
        return {"W": -2 * Ws.T @ (np.eye(X.shape[1]) - Ws @ W) @ X.T @ X,
                "W_star": pca_linear_ae_gradients(params, X)["W_star"]}

    assert_pass(c, covariance_form, capsys)
    assert_fail(c, lambda p, X: {k: v / 2 for k, v in pca_linear_ae_gradients(p, X).items()}, capsys,
                "a factor 2 is missing")

    def in_place(params, X):
        g = pca_linear_ae_gradients(params, X)
        params["W"] -= 0.1 * g["W"]
        return g

    assert_fail(c, in_place, capsys, "changed its input `W` in place")


def test_pca_linear_ae_training(capsys):
    from course_ae.checks.pca import subspace_distance

    c = checks.check_linear_ae_training
    assert_pass(c, pca_train_linear_ae, capsys)

    def pca_itself(X, k, *, epochs, lr, seed):  # not trained, and history is not J: caught
        V, _ = pca(X, k)
        return {"W": V.T, "W_star": V}, np.zeros(epochs)

    assert_fail(c, pca_itself, capsys, "last entry of history")
    V = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 2)))[0]
    assert subspace_distance(V @ np.array([[2.0, 1.0], [0.5, 3.0]]), V) < 1e-12  # any basis of the subspace
    assert abs(subspace_distance(np.c_[V[:, 0], np.linalg.qr(np.c_[V, np.eye(6)[:, :1]])[0][:, 2]], V) - 1) < 1e-12
    assert subspace_distance(np.zeros((6, 2)), V) == 1.0


def test_intro_and_pca_hints_give_the_idea_first(capsys):
    from course_ae.checks.hints import HINTS

    tasks = ("forward", "squared_error", "cross_entropy", "decoder_gradients", "encoder_gradients",
             "tanh_gradients", "train_autoencoder", "normalize", "pca", "linear_autoencoder",
             "linear_ae_gradients", "train_linear_ae")
    for task in tasks:
        idea, formula = HINTS[task]
        for code in ("np.", "@", ".T", "axis="):
            assert code not in idea, (task, code)
        assert any(code in formula for code in ("np.", "@", ".T", "axis=", "=")), task
    assert "1 − H**2" in checks.hint("tanh_gradients", level=2)
    assert "1 − H**2" not in checks.hint("tanh_gradients")
    capsys.readouterr()
