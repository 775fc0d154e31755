"""Hints on request: ``checks.hint("task", level=1)`` says what to think about,
``level=2`` gives the formula or the code. The exercise stubs carry only the level-1 idea,
so a task's answer is never shown before the student asks for it."""

from __future__ import annotations

#: task name (the function to write) -> (level 1: the idea, level 2: the formula or code)
HINTS: dict[str, tuple[str, str]] = {
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
