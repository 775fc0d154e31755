"""``course_ae.nn.train`` without autograd: the same steps, hand-derived gradients, faster.

:func:`train` takes exactly the steps of :func:`course_ae.nn.train` for a one-layer
:class:`course_ae.nn.Autoencoder` — the same shuffled batches, the same corruption drawn
from the same ``torch.Generator``, the same optimizer (Adam's fused kernel, or SGD) — but
computes the gradients with the formulas of chapter 7.1 instead of building an autograd
graph, and updates with the functional form of the same fused Adam kernel. For the
book's small models the bookkeeping of autograd and of the optimizer object costs about
as much as the matrix products: for k = 100 on MNIST, batches of 50, one thread, an epoch
of 2,000 images takes about 0.056 s instead of 0.078 s. Results agree with ``nn.train`` to rounding (the sums are
taken in another order): in float64 to about 1e-12 after a few epochs, which
tests/test_fast_train.py checks for every supported configuration.

Supported: any encoder and decoder, either loss, tied or untied weights, weight decay,
masking or Gaussian noise, Adam or SGD. Not supported (``ValueError``; use
``course_ae.nn.train``): the sparsity and contractive penalties, the deep model, a
validation set.

>>> import torch
>>> from course_ae.nn import Autoencoder
>>> from course_ae.reference import Config
>>> model = Autoencoder(16, 4, Config(loss="cross_entropy", tied=True), device="cpu")
>>> history = train(model, torch.rand(30, 16), epochs=2, batch_size=10, lr=1e-2,
...                 noise="masking", noise_level=0.25)
>>> len(history.train)
2
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.adam import adam as _adam

from .nn import (Autoencoder, History, _activate, _check_values, _derivative, _gaussian_noise,
                 _optimizer, _torch_seed, _training_options)

__all__ = ["train"]


def train(model: Autoencoder, X: Any, *, epochs: int, batch_size: int, lr: float,
          optimizer: str = "adam", noise: str | None = None, noise_level: float = 0.0,
          seed: int | np.random.Generator = 0) -> History:
    """Train ``model`` in place as ``course_ae.nn.train`` does (same arguments, no
    ``X_val``/``progress``); returns the per-epoch :class:`~course_ae.nn.History`.

    A NaN or inf objective or parameter raises ``FloatingPointError`` at the end of the
    epoch, with the parameters put back to their values at its start.
    """
    if not isinstance(model, Autoencoder):
        raise TypeError("model must be a one-layer course_ae.nn.Autoencoder; got "
                        f"{type(model).__name__} (train other models with course_ae.nn.train)")
    cfg = model.config
    if cfg.sparse or cfg.contractive_weight > 0:
        raise ValueError("fast_train.train has no sparsity or contractive penalty; train this "
                         "model with course_ae.nn.train")
    epochs, batch_size, lr, opt_name, level = _training_options(
        model, epochs, batch_size, lr, optimizer, noise, noise_level)
    seed = _torch_seed(seed)
    X = model.as_input(X, "X").detach()
    if cfg.loss == "cross_entropy":
        _check_values(X, "X", unit_interval="for the cross-entropy loss (X is also the target)")

    params = list(model.parameters())            # W, b, (W_star,) c: nn.train's order
    step = _stepper(opt_name, params, lr)
    gen = torch.Generator(device=model.device)
    gen.manual_seed(seed)
    m = X.shape[0]
    W, b, c = model.W, model.b, model.c
    history = History()
    for epoch in range(1, epochs + 1):
        start_state = [p.detach().clone() for p in params]
        order = torch.randperm(m, generator=gen, device=model.device)
        total = torch.zeros((), device=model.device, dtype=model.dtype)
        with torch.no_grad():
            for start in range(0, m, batch_size):
                clean = X.index_select(0, order[start:start + batch_size])
                if noise == "masking":
                    noisy = _masking(clean, level, gen)
                elif noise == "gaussian":
                    noisy = _gaussian_noise(clean, level, gen)
                else:
                    noisy = clean
                loss, grads = _loss_and_gradients(model, noisy, clean)
                step(grads)
                total.add_(loss, alpha=clean.shape[0])
            finite = bool(torch.isfinite(W).all() and torch.isfinite(b).all()
                          and torch.isfinite(c).all()
                          and (cfg.tied or torch.isfinite(model.W_star).all()))
        train_value = float(total) / m
        if not (math.isfinite(train_value) and finite):
            with torch.no_grad():
                for p, saved in zip(params, start_state):
                    p.copy_(saved)
            raise FloatingPointError(
                f"training diverged in epoch {epoch} of {epochs} (optimizer={opt_name!r}, "
                f"lr={lr:g}): try a smaller lr. The parameters were put back to their values "
                f"at the start of epoch {epoch}.")
        history.epochs.append(epoch)
        history.train.append(train_value)
    return history


def _masking(X: torch.Tensor, q: float, generator: torch.Generator) -> torch.Tensor:
    """``nn.train``'s masking noise (the same uniform draws, the same zeros) as a product
    with the keep-mask, which is quicker on the CPU than ``masked_fill``. The values are
    the same (a masked negative entry becomes −0.0 instead of 0.0, which compares equal)."""
    u = torch.rand(X.shape, generator=generator, device=X.device, dtype=X.dtype)
    return X * (u >= q)


def _stepper(name: str, params: list[torch.Tensor], lr: float):
    """One update of ``params`` from their gradients, as ``nn.train``'s optimizer makes it.

    Adam: the functional form of ``torch.optim.Adam(params, lr, fused=True)`` (the same
    fused kernel, the same state), without the optimizer object's per-step bookkeeping;
    where the device has no fused kernel, the optimizer object itself (as ``nn.train``).
    SGD: p ← p − lr·g.
    """
    if name == "sgd":
        def sgd(grads: list[torch.Tensor]) -> None:
            for p, g in zip(params, grads):
                p.add_(g, alpha=-lr)
        return sgd
    opt = _optimizer("adam", params, lr)
    if not opt.defaults.get("fused"):  # pragma: no cover - a device without the fused kernel
        def slow(grads: list[torch.Tensor]) -> None:
            for p, g in zip(params, grads):
                p.grad = g
            opt.step()
            for p in params:
                p.grad = None
        return slow
    g = opt.defaults
    m1 = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
    m2 = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
    steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in params]

    def adam(grads: list[torch.Tensor]) -> None:
        _adam(params, grads, m1, m2, [], steps, fused=True, amsgrad=g["amsgrad"],
              beta1=g["betas"][0], beta2=g["betas"][1], lr=g["lr"],
              weight_decay=g["weight_decay"], eps=g["eps"], maximize=g["maximize"])
    return adam


def _loss_and_gradients(model: Autoencoder, noisy: torch.Tensor,
                        clean: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The objective on one batch and its gradients, in the order of model.parameters().

    The chain rule of chapter 7.1 on a batch (one example a row): δ2 = ∂J/∂a2,
    ∂J/∂W* = δ2ᵀ h1, δ1 = (δ2 W*) ⊙ g'(a1), ∂J/∂W = δ1ᵀ x̃ (plus (∂J/∂W*)ᵀ when tied),
    ∂J/∂b and ∂J/∂c the column sums of δ1 and δ2.
    """
    cfg = model.config
    mb = clean.shape[0]
    W, b, c = model.W, model.b, model.c
    W_star = W.T if cfg.tied else model.W_star                     # (n, k)
    a1 = torch.addmm(b, noisy, W.T)
    h1 = _activate(cfg.encoder, a1)
    a2 = torch.addmm(c, h1, W_star.T)
    if cfg.loss == "cross_entropy":     # sigmoid decoder: ∂L/∂a2 = x̂ − x
        loss = F.binary_cross_entropy_with_logits(a2, clean, reduction="sum") / mb
        d2 = torch.sigmoid(a2).sub_(clean).div_(mb)
    else:                               # squared error: ∂L/∂a2 = 2(x̂ − x) f'(a2)
        x_hat = _activate(cfg.decoder, a2)
        r = x_hat - clean
        loss = (r * r).sum() / mb
        d2 = r.mul_(_derivative(cfg.decoder, a2, x_hat)).mul_(2.0 / mb)
    d1 = (d2 @ W_star).mul_(_derivative(cfg.encoder, a1, h1))     # (mb, k)
    g_W_star = d2.T @ h1                                            # (n, k)
    g_W = d1.T @ noisy                                              # (k, n)
    lam = cfg.weight_decay
    if cfg.tied:
        g_W = g_W.add_(g_W_star.T)
        if lam > 0:                     # λ‖W‖² with W* = Wᵀ: gradient 2λW
            loss = loss + lam * (W * W).sum()
            g_W.add_(W, alpha=2 * lam)
        return loss, [g_W, d1.sum(0), d2.sum(0)]
    if lam > 0:
        loss = loss + 0.5 * lam * ((W * W).sum() + (W_star * W_star).sum())
        g_W.add_(W, alpha=lam)
        g_W_star.add_(W_star, alpha=lam)
    return loss, [g_W, d1.sum(0), g_W_star, d2.sum(0)]

