"""Hints on request: ``checks.hint("task", level=1)`` says what to think about,
``level=2`` gives the formula or the code. The exercise stubs carry only the level-1 idea,
so a task's answer is never shown before the student asks for it."""

from __future__ import annotations

#: task name (the function to write) -> (level 1: the idea, level 2: the formula or code)
HINTS: dict[str, tuple[str, str]] = {
    # ---- 7.1 (branch s2-ex12)
    "forward": (
        "Two layers, each an affine map followed by the sigmoid; with one example a row, the whole batch goes "
        "through each layer in one matrix product, and the bias is added to every row.",
        "H = sigmoid(X @ W.T + b); X_hat = sigmoid(H @ W_star.T + c); return H, X_hat.",
    ),
    "squared_error": (
        "Each example's loss is its squared distance to its reconstruction, summed over the features; the "
        "objective is the mean of those losses over the examples.",
        "np.mean(np.sum((X_hat - X) ** 2, axis=1)).",
    ),
    "cross_entropy": (
        "Read each x̂_j as the probability that pixel j is on; the loss adds, over the features, minus the log "
        "of the probability given to what x_j is. Logs of x̂ only, never of x.",
        "np.mean(-np.sum(X * np.log(X_hat) + (1 - X) * np.log(1 - X_hat), axis=1)).",
    ),
    "decoder_gradients": (
        "Start from the gradient with respect to the decoder's pre-activation a2, one row per example: it "
        "differs between the two losses. Everything else follows from a2 = H W*ᵀ + c, and J is a mean.",
        "delta2 = 2 (X̂ − X) ⊙ X̂(1 − X̂)/m (squared error) or (X̂ − X)/m (cross-entropy); "
        "∂J/∂W* = delta2.T @ H, ∂J/∂c = delta2.sum(axis=0).",
    ),
    "encoder_gradients": (
        "One layer further back: a2 depends on H through W*, and H on a1 through the sigmoid, whose derivative "
        "you can write with its output.",
        "delta1 = (delta2 @ W_star) * H * (1 − H); ∂J/∂W = delta1.T @ X, ∂J/∂b = delta1.sum(axis=0).",
    ),
    "tanh_gradients": (
        "Only the encoder's non-linearity changed. Derive tanh'(a) first and write it with the unit's output "
        "h = tanh(a), as the sigmoid's is written with σ(a); then reuse the chain rule of Tasks 4 and 5 with the "
        "new codes.",
        "H = tanh(X Wᵀ + b), X̂ = σ(H W*ᵀ + c), delta2 = (X̂ − X)/m, delta1 = (delta2 @ W_star) * (1 − H**2); "
        "∂J/∂W* = delta2.T @ H, ∂J/∂c = delta2.sum(axis=0), ∂J/∂W = delta1.T @ X, ∂J/∂b = delta1.sum(axis=0).",
    ),
    "train_autoencoder": (
        "Gradient descent: start from R.init_params(n, k, seed=seed); every epoch, the four gradients of the "
        "cross-entropy from your own functions, one step against them for every parameter, and the objective "
        "recorded after the step.",
        "g = {**decoder_gradients(p, X, 'cross_entropy'), **encoder_gradients(p, X, 'cross_entropy')}; "
        "p[key] = p[key] − lr · g[key]; history.append(cross_entropy(forward(p, X)[1], X)).",
    ),
    # ---- 7.2 (branch s2-ex12)
    "normalize": (
        "Centre every feature (column) on its mean over the examples, then scale so that XᵀX becomes the "
        "covariance, a mean over the m examples.",
        "(X − X.mean(axis=0)) / np.sqrt(m) with m = X.shape[0].",
    ),
    "pca": (
        "The SVD of the normalised data gives the eigenvectors of XᵀX as its right singular vectors, and the "
        "eigenvalues as the squared singular values, largest first. Mind which factor NumPy returns transposed.",
        "U, S, Vt = np.linalg.svd(normalize(X), full_matrices=False); return Vt[:k].T, S[:k] ** 2.",
    ),
    "linear_autoencoder": (
        "The encoder projects onto the k leading principal directions and the decoder maps the codes back along "
        "the same directions; in this course the encoder multiplies from the left, h = W x.",
        "V, _ = pca(X, k); W = V.T, W_star = V, H = normalize(X) @ V.",
    ),
    "linear_ae_gradients": (
        "Write J as the squared Frobenius norm of one residual matrix R = X̂ − X; differentiate ‖R‖² with "
        "respect to R, then follow how X̂ depends on W* (through the codes) and on W (through the decoder).",
        "H = X @ W.T, R = H @ W_star.T − X; ∂J/∂W* = 2 R.T @ H, ∂J/∂W = 2 (R @ W_star).T @ X.",
    ),
    "train_linear_ae": (
        "Gradient descent on the normalised data from the weights of R.init_params(n, k, seed=seed): every "
        "epoch, your two gradients, one step against them, and J recorded after the step.",
        "Xn = normalize(X); g = linear_ae_gradients(p, Xn); p[key] = p[key] − lr · g[key]; "
        "history.append(np.sum((Xn @ p['W'].T @ p['W_star'].T − Xn) ** 2)).",
    ),
    # ---- 7.3
    "weight_decay": (
        "Ω is a sum of squares of the weights only; differentiate it entry by entry, and remember what "
        "the ½ is for.",
        "Ω = (λ/2)(np.sum(W**2) + np.sum(W_star**2)); ∂Ω/∂W = λW, ∂Ω/∂W* = λW*, and np.zeros_like for b and c.",
    ),
    "tied_gradient": (
        "With W* = Wᵀ the one matrix W is used twice; the chain rule adds the contribution of each use.",
        "H = σ(X Wᵀ + b), X̂ = σ(H W + c), δ2 = 2(X̂ − X) ⊙ X̂(1 − X̂)/m, δ1 = (δ2 Wᵀ) ⊙ H(1 − H); "
        "∂J/∂W = δ1ᵀ X + (δ2ᵀ H)ᵀ.",
    ),
    "tied_weight_decay": (
        "Before differentiating, write Ω = (λ/2)(‖W‖² + ‖W*‖²) as a function of W alone: what is ‖Wᵀ‖²?",
        "‖Wᵀ‖² = ‖W‖², so Ω = λ‖W‖² and ∂Ω/∂W = 2λW (λW from the encoder's use, (λW*)ᵀ from the decoder's).",
    ),
    "train_tied": (
        "Gradient descent: start from R.init_params(n, k, tied=True, seed=seed); every epoch, compute the "
        "gradient of the objective plus the penalty for W, b and c, step against it, and record the objective.",
        "for each epoch: gW = tied_gradient(p, X) + tied_weight_decay(p['W'], lam)[1]; the biases' gradients "
        "from R.loss_and_gradients(p, X, R.Config(tied=True)); p[key] = p[key] − lr · g[key]; "
        "history.append(R.objective(p, X, R.Config(tied=True, weight_decay=lam))).",
    ),
    "kl_penalty": (
        "Read ρ and ρ̂_l as two coins; the penalty sums, over the hidden units, the divergence of coin ρ̂_l "
        "from the target coin ρ, with ρ (the target) weighting the logs.",
        "np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))).",
    ),
    "kl_gradient": (
        "Each unit's term depends on its own ρ̂_l only, so the gradient is element-wise; write each log of a "
        "ratio as a difference of logs first.",
        "-rho / rho_hat + (1 - rho) / (1 - rho_hat).",
    ),
    "kl_gradient_h": (
        "ρ̂_l is a mean over the m examples: by how much does one h_il move it?",
        "np.tile(kl_gradient(rho, H.mean(axis=0)) / m, (m, 1)): the same row for every example.",
    ),
    "sparse_gradients": (
        "Follow the penalty back one link at a time: Ω depends on ρ̂, ρ̂ on every h_il, h on a = X Wᵀ + b. "
        "How much of ∂Ω/∂ρ̂_l does one example receive?",
        "δ = np.tile(beta * kl_gradient(rho, H.mean(axis=0)) / m, (m, 1)) * H * (1 − H); "
        "∂(βΩ)/∂W = δᵀ X and ∂(βΩ)/∂b = δ.sum(axis=0).",
    ),
    "train_sparse": (
        "Gradient descent from R.init_params(n, k, seed=seed): every epoch, the reconstruction gradient plus "
        "the penalty's for W and b, a step against it for every parameter, and the objective recorded.",
        "_, g = R.loss_and_gradients(p, X, R.Config()); add sparse_gradients(p, X, rho, beta) to g['W'] and "
        "g['b']; p[key] = p[key] − lr · g[key]; history.append(R.objective(p, X, R.Config(sparsity_target=rho, "
        "sparsity_weight=beta))).",
    ),
    # ---- 7.4, 7.6, 7.7 (notebooks 04_denoising, 06_contractive, 07_summary)
    "masking_noise": (
        "Each entry is kept or zeroed on its own coin flip, with probability q of being zeroed; the kept "
        "entries keep their exact values (nothing is rescaled), and the coins come from the rng you are given.",
        "keep = rng.random(X.shape) >= q; return X * keep.",
    ),
    "gaussian_noise": (
        "The noise is added, independently for every entry, with mean 0 and standard deviation σ (not the "
        "variance); the result is not clipped.",
        "return X + sigma * rng.standard_normal(X.shape).",
    ),
    "denoising_objective": (
        "Only the input is damaged: corrupt once, encode and decode the damaged batch, and measure the "
        "reconstruction against the undamaged one.",
        "X_tilde = corrupt(X); return R.objective(params, X_tilde, config, target=X).",
    ),
    "max_activating_input": (
        "Among inputs of norm 1, W_l x is largest when x points along W_l (Cauchy–Schwarz): scale each row "
        "of W to unit length.",
        "return W / np.linalg.norm(W, axis=1, keepdims=True).",
    ),
    "expected_masking_loss": (
        "For a linear model the reconstruction is linear in x̃. Write x̃_j as z_j x_j with independent coins "
        "z_j; the expected square of a vector is the square of its mean plus the sum of its variances.",
        "M = W_star @ W, d = W_star @ b + c; per example ‖(1 − q) M x + d − x‖² + q(1 − q) Σ_j x_j² ‖M[:, j]‖²: "
        "e = (1 - q) * X @ M.T + d - X; np.mean(np.sum(e**2, axis=1) + q * (1 - q) * (X**2) @ np.sum(M**2, axis=0)).",
    ),
    "train_denoising": (
        "Minibatch gradient descent in which every minibatch is damaged afresh by your masking noise before "
        "it is fed in, while the undamaged minibatch stays the target; record the clean objective per epoch.",
        "rng = np.random.default_rng(seed); p = R.init_params(n, k, seed=seed); per epoch: order = "
        "rng.permutation(m); per batch B: _, g = R.loss_and_gradients(p, masking_noise(B, q, rng), R.Config(), "
        "target=B); p[key] -= lr * g[key]; after the epoch history.append(R.objective(p, X, R.Config())).",
    ),
    "contractive_penalty": (
        "For sigmoid units the Jacobian's entries are the unit's slope times a weight; square and add them, "
        "the slopes per example and unit, the weights per row of W, then average over the examples.",
        "H = sigmoid(X @ W.T + b); float(np.mean(((H * (1 - H)) ** 2) @ np.sum(W ** 2, axis=1))).",
    ),
    "numerical_jacobian": (
        "One column per input: nudge that input a little up and a little down, and divide the change of the "
        "code by the total distance moved (central differences).",
        "for j: e = np.zeros(n); e[j] = eps; J[:, j] = (encode(x + e) - encode(x - e)) / (2 * eps).",
    ),
    "tanh_contractive_gradients": (
        "Follow the chapter's sigmoid proof with tanh: the slope is now 1 − h², whose derivative with respect "
        "to the pre-activation you need; W enters twice, through the slopes and through the row norms.",
        "d = 1 - H**2, r = np.sum(W**2, axis=1), A = -(4/m) * d**2 * H * r (∂P/∂a); "
        "∂P/∂W = A.T @ X + (2/m) * np.sum(d**2, axis=0)[:, None] * W; ∂P/∂b = A.sum(axis=0).",
    ),
    "train_contractive": (
        "Full-batch gradient descent: the reconstruction gradient of the tied tanh/linear model plus λ_c "
        "times your penalty gradient for W and b, one step against the sum per epoch, the objective recorded.",
        "_, g = R.loss_and_gradients(p, X, CONTRACTIVE_CONFIG); extra = "
        "tanh_contractive_gradients(p, X); g['W'] += lam_c * extra['W']; g['b'] += lam_c * extra['b']; "
        "p[key] -= lr * g[key]; history.append(R.objective(p, X, config)).",
    ),
    "evaluate_variants": (
        "For every variant: build, train exactly as described, then measure on the clean test set with the "
        "gradient tracking switched off; the penalty is not part of the reconstruction error.",
        "with torch.no_grad(): X = torch.as_tensor(X_test, dtype=model.dtype); X_hat = model(X); "
        "float(((X_hat - X) ** 2).sum(dim=1).mean()), float(model.encode(X).mean()), "
        "float(model.contractive_penalty(X)).",
    ),
    "penalty_gradients": (
        "Gradients of a sum add up. Write the weight decay with tied weights as a function of W alone first; the "
        "sparsity and contractive penalties involve W only as the encoder, so each counts once.",
        "2λW + (β/m) Eᵀ X + (2λ_c/m)(Fᵀ X + diag(q) W) for W, (β/m) Eᵀ1 + (2λ_c/m) Fᵀ1 for b, zeros for c, "
        "with E = s ⊙ d, F = d² ⊙ (1 − 2H) ⊙ r, q = Σ_i d² as in chapter 7.7's table.",
    ),
    "train_variant": (
        "Full-batch gradient descent on the tied model: the reconstruction gradient plus your combined penalty "
        "gradient, one step against the sum per epoch, the objective (penalties included) recorded.",
        "_, g = R.loss_and_gradients(p, X, R.Config(tied=True)); extra = penalty_gradients(p, X, lam=lam, "
        "rho=rho, beta=beta, lam_c=lam_c); p[key] -= lr * (g[key] + extra[key]); history.append(R.objective(p, "
        "X, config)).",
    ),
}


def hint(task: str, level: int = 1) -> str:
    """Print (and return) the hint for ``task`` at ``level`` 1 (the idea) or 2 (the formula)."""
    if task not in HINTS:
        text = f"no hint for {task!r}; hints exist for: {', '.join(sorted(HINTS))}"
    elif level not in (1, 2):
        text = f"level is 1 (the idea) or 2 (the formula or code); got {level!r}"
    else:
        text = f"hint ({'the idea' if level == 1 else 'the formula'}) for {task}: {HINTS[task][level - 1]}"
        if level == 1:
            text += f"\n(checks.hint({task!r}, level=2) gives the formula.)"
    print(text)
    return text
