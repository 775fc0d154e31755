"""The PyTorch implementation: the reference's models on any device, trained with autograd.

The model computes exactly what :mod:`course_ae.reference` computes, with the same
parameter names and shapes (the book's notation, one example a row of ``X``)::

    a1 = X Wᵀ + b      (m, k)      h1 = g(a1)          W       (k, n)   b  (k,)
    a2 = h1 W*ᵀ + c    (m, n)      x̂ = h2 = f(a2)      W_star  (n, k)   c  (n,)

    objective = (1/m) Σ_i L(x̂_i, x_i)                         reconstruction
              + (λ/2)(‖W‖²_F + ‖W*‖²_F)                      weight decay
              + β Σ_l KL(ρ ‖ ρ̂_l),  ρ̂ = (1/m) Σ_i h1_i       sparsity
              + λ_c (1/m) Σ_i ‖∂h/∂x (x_i)‖²_F               contractive

With tied weights ``W_star`` is not a parameter: the decoder uses ``W.T``, and the
gradient of ``W`` is the sum of both uses. Gradients come from autograd; the tests
compare them with the reference's hand-derived ones.

Public functions validate their inputs (``ValueError`` naming the problem and what is
expected); the training loop validates the data once and then works on the device
without further checks or host synchronisation inside an epoch.

>>> import torch
>>> from course_ae.reference import Config
>>> model = Autoencoder(64, 16, Config(weight_decay=1e-4), device="cpu")
>>> X = torch.rand(10, 64)
>>> model.encode(X).shape, model(X).shape
(torch.Size([10, 16]), torch.Size([10, 64]))
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ._validation import (InputTypeError, as_batch, as_real_number, check_nonnegative,
                          check_positive_int, check_probability)
from .reference import Config, init_params
from .reference.params import check_config, check_params

__all__ = [
    "Autoencoder",
    "DeepAutoencoder",
    "History",
    "train",
    "save",
    "load",
    "masking_noise",
    "gaussian_noise",
    "default_device",
    "OPTIMIZERS",
    "NOISES",
    "FORMAT",
    "FORMAT_VERSION",
]

OPTIMIZERS = ("adam", "sgd")
NOISES = (None, "masking", "gaussian")
FORMAT = "course_ae.nn.Autoencoder"  # the tag that marks a file written by save()
FORMAT_VERSION = 1


# ----------------------------------------------------------------------------- helpers


def default_device() -> torch.device:
    """CUDA when a CUDA device is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _resolve_device(device: Any) -> torch.device:
    if device is None:
        return default_device()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be None, 'cpu', 'cuda', 'cuda:0', ... or a torch.device; got {device!r} ({exc})"
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch.cuda.is_available() is False on this "
            "machine; pass device='cpu' or device=None (CUDA when available, else CPU)"
        )
    return dev


def _check_dtype(dtype: Any) -> torch.dtype:
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point or dtype.is_complex:
        raise ValueError(
            f"dtype must be a real floating-point torch dtype such as torch.float32 or "
            f"torch.float64; got {dtype!r}"
        )
    return dtype


def _under_functorch(t: torch.Tensor) -> bool:
    """True inside a torch.func transform (vmap, grad, jacrev), where values cannot be read."""
    is_wrapped = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor", None)
    try:
        return bool(is_wrapped is not None and is_wrapped(t))
    except Exception:  # pragma: no cover - depends on torch internals
        return False


def _check_values(t: torch.Tensor, name: str, *, unit_interval: str | None = None) -> None:
    """Refuse NaN/inf (and, with ``unit_interval``, values outside [0, 1]); one host sync."""
    if _under_functorch(t):
        return
    t = t.detach()
    # One reduction settles the usual case cheaply: any NaN or inf makes the sum non-finite,
    # and a finite sum means every entry is finite. Only a non-finite sum (bad values, or
    # an overflow of the sum itself) pays for the element-wise test and its temporaries.
    if not bool(torch.isfinite(t.sum())):
        finite = torch.isfinite(t)
        if not bool(finite.all()):
            bad = int(finite.numel() - finite.sum())
            raise ValueError(f"{name} must be finite; it holds {bad} NaN or inf value(s)")
    if unit_interval is not None:
        lo, hi = (float(v) for v in torch.aminmax(t))
        if lo < 0.0 or hi > 1.0:
            raise ValueError(f"{name} must lie in [0, 1] {unit_interval}; got values in [{lo:g}, {hi:g}]")


def _range_message(name: str, largest: float, dtype: torch.dtype) -> str:
    return (f"{name} holds values up to {largest:.3g} in absolute value, beyond the range of "
            f"{dtype} (largest finite value {torch.finfo(dtype).max:.3g}): they would become inf. "
            "Use dtype=torch.float64, or rescale the values")


def _to_dtype(t: torch.Tensor, name: str, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """``t`` converted to ``device`` and ``dtype``, refusing values the conversion turns into inf.

    Also refuses NaN/inf (one host sync); only when something is not finite after the
    conversion is the original looked at again, to say whether the range was the cause.
    """
    out = t.to(device=device, dtype=dtype)
    try:
        _check_values(out, name)
    except ValueError:
        if (t.is_floating_point() and bool(torch.isfinite(t).all())
                and torch.finfo(t.dtype).max > torch.finfo(dtype).max):
            raise ValueError(_range_message(name, float(t.abs().max()), dtype)) from None
        raise
    return out


# ----------------------------------------------------------------------------- the model


class Autoencoder(nn.Module):
    """One-hidden-layer autoencoder ``x̂ = f(W* g(W x + b) + c)``, as in the reference.

    Parameters
    ----------
    n_inputs, n_hidden : int
        n (features of an example) and k (hidden units).
    config : Config
        Activations, loss and penalties (:class:`course_ae.reference.Config`).
    device : None, str or torch.device
        Where the parameters live; ``None`` means CUDA when available, else the CPU.
    dtype : torch.dtype
        ``torch.float32`` (default) or ``torch.float64``.
    seed : int ≥ 0 or numpy.random.Generator
        The parameters are the reference's ``init_params(n, k, tied=config.tied, seed=seed)``
        (Glorot-uniform weights, zero biases), copied, so both implementations start
        from the same numbers. ``None`` is refused (every run is reproducible).

    Attributes: parameters ``W`` (k, n), ``b`` (k,), ``W_star`` (n, k; absent when
    ``config.tied``), ``c`` (n,); ``decoder_weight`` is W* in both cases.
    """

    def __init__(self, n_inputs: int, n_hidden: int, config: Config = Config(), *,
                 device: Any = None, dtype: torch.dtype = torch.float32,
                 seed: int | np.random.Generator = 0) -> None:
        super().__init__()
        check_config(config)
        dtype = _check_dtype(dtype)
        dev = _resolve_device(device)
        params = init_params(n_inputs, n_hidden, tied=config.tied, seed=seed)  # validates n, k
        self.n_inputs = int(n_inputs)
        self.n_hidden = int(n_hidden)
        self.config = config
        self.W = nn.Parameter(torch.as_tensor(params["W"], dtype=dtype, device=dev).clone())
        self.b = nn.Parameter(torch.as_tensor(params["b"], dtype=dtype, device=dev).clone())
        if not config.tied:
            self.W_star = nn.Parameter(torch.as_tensor(params["W_star"], dtype=dtype, device=dev).clone())
        self.c = nn.Parameter(torch.as_tensor(params["c"], dtype=dtype, device=dev).clone())

    # -- construction from / conversion to the reference's dict of arrays

    @classmethod
    def from_reference(cls, params: Mapping[str, Any], config: Config, *, device: Any = None,
                       dtype: torch.dtype = torch.float64) -> "Autoencoder":
        """A model holding exact copies of the reference's ``params`` (cast to ``dtype``).

        ``params`` has keys "W" (k, n), "b" (k,), "c" (n,), and "W_star" (n, k) unless
        ``config.tied``. The default dtype is float64, so nothing is rounded.
        """
        check_config(config)
        arrays = _check_params(params, config)
        dtype = _check_dtype(dtype)
        limit = torch.finfo(dtype).max
        for key, arr in arrays.items():
            largest = float(np.max(np.abs(arr)))
            if largest > limit:
                raise ValueError(_range_message(f"params[{key!r}]", largest, dtype))
        k, n = arrays["W"].shape
        model = cls(n, k, config, device=device, dtype=dtype)
        model._copy_in(arrays)
        return model

    def to_reference(self) -> dict[str, np.ndarray]:
        """The parameters as a dict of float64 NumPy arrays (exact copies, on the host)."""
        return {name: p.detach().to(device="cpu", dtype=torch.float64).numpy().copy()
                for name, p in self.named_parameters()}

    def _copy_in(self, arrays: Mapping[str, Any]) -> None:
        with torch.no_grad():
            for name, p in self.named_parameters():
                value = arrays[name]
                if isinstance(value, np.ndarray):  # torch refuses negative strides (reversed views)
                    value = np.ascontiguousarray(value)
                p.copy_(torch.as_tensor(value).to(device=p.device, dtype=p.dtype))

    # -- properties

    @property
    def device(self) -> torch.device:
        return self.W.device

    @property
    def dtype(self) -> torch.dtype:
        return self.W.dtype

    @property
    def decoder_weight(self) -> torch.Tensor:
        """W* of shape (n, k): the parameter ``W_star``, or ``W.T`` with tied weights."""
        return self.W.T if self.config.tied else self.W_star

    def extra_repr(self) -> str:
        return (f"n_inputs={self.n_inputs}, n_hidden={self.n_hidden}, config={self.config!r}, "
                f"dtype={self.dtype}, device={self.device}")

    # -- input checks (the public methods' boundary)

    def as_input(self, X: Any, name: str = "X", n_features: int | None = None) -> torch.Tensor:
        """``X`` (array or tensor) as a 2-D tensor on the model's device and dtype, checked.

        Refuses a wrong rank or width, no rows, NaN/inf values, complex values, and values
        beyond the range of the model's dtype (float64 data above 3.4e38 for a float32
        model). Accepts whatever the reference accepts (lists, integer arrays, reversed or
        other non-contiguous NumPy views). Tensors keep their autograd history (so
        ``torch.func`` transforms of ``encode`` work; inside such a transform the value
        checks are skipped, since values cannot be read there).
        """
        n = self.n_inputs if n_features is None else n_features
        if not isinstance(X, torch.Tensor):
            # as_batch refuses complex, non-finite and mis-shaped input; the copy makes any
            # view (a reversed X[::-1] has negative strides, which torch refuses) contiguous.
            arr = np.ascontiguousarray(as_batch(X, name, n))
            return _to_dtype(torch.from_numpy(arr), name, self.device, self.dtype)
        if X.is_complex() or X.dtype == torch.bool:
            raise InputTypeError(f"{name} must hold real numbers; got a tensor of dtype {X.dtype}")
        if X.dim() != 2:
            raise ValueError(
                f"{name} must be 2-D with shape (m, n), one example a row; got a tensor with "
                f"{X.dim()} dimension(s) and shape {tuple(X.shape)}"
                + (" (use X.reshape(1, -1) for a single example)" if X.dim() == 1 else "")
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one example (row); got shape {tuple(X.shape)}")
        if X.shape[1] != n:
            raise ValueError(
                f"{name} must have {n} columns (features) to match the parameters; got shape "
                f"{tuple(X.shape)}"
            )
        if _under_functorch(X):
            return X.to(device=self.device, dtype=self.dtype)
        return _to_dtype(X, name, self.device, self.dtype)

    def _inputs(self, X: Any, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
        X = self.as_input(X, "X")
        if target is None:
            T, tname = X, "X"
        else:
            T = self.as_input(target, "target")
            if T.shape != X.shape:
                raise ValueError(f"target must have the shape of X, {tuple(X.shape)}; got {tuple(T.shape)}")
            tname = "the target"
        if self.config.loss == "cross_entropy":
            _check_values(T, tname, unit_interval="for the cross-entropy loss (it treats entries as probabilities)")
        return X, T

    # -- the computation (unchecked; callers have validated)

    def _encode(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a1 = torch.addmm(self.b, X, self.W.T)  # X Wᵀ + b in one kernel (as nn.Linear does)
        return a1, _activate(self.config.encoder, a1)

    def _decode(self, h1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a2 = torch.addmm(self.c, h1, self.decoder_weight.T)  # h1 W*ᵀ + c
        return a2, _activate(self.config.decoder, a2)

    def _objective(self, X: torch.Tensor, T: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        m = X.shape[0]
        a1, h1 = self._encode(X)
        W_star = self.decoder_weight
        a2, x_hat = self._decode(h1)
        if cfg.loss == "squared_error":  # Σ (x̂ − x)², one fused kernel forward and backward
            J = F.mse_loss(x_hat, T, reduction="sum") / m
        else:  # softplus(a2) − x·a2, summed: stable however saturated the sigmoid is
            J = F.binary_cross_entropy_with_logits(a2, T, reduction="sum") / m
        if cfg.weight_decay > 0:
            if cfg.tied:  # W* = Wᵀ: (λ/2)(‖W‖² + ‖Wᵀ‖²) = λ‖W‖²
                J = J + cfg.weight_decay * (self.W * self.W).sum()
            else:
                J = J + 0.5 * cfg.weight_decay * ((self.W * self.W).sum() + (W_star * W_star).sum())
        if cfg.sparse:
            rho = cfg.sparsity_target
            log_rho_hat, log_one_minus_rho_hat = _log_mean_activations(a1)
            kl = (rho * (math.log(rho) - log_rho_hat)
                  + (1 - rho) * (math.log(1 - rho) - log_one_minus_rho_hat))
            J = J + cfg.sparsity_weight * kl.sum()
        if cfg.contractive_weight > 0:
            J = J + cfg.contractive_weight * self._jacobian_norms(a1, h1).mean()
        return J

    def _jacobian_norms(self, a1: torch.Tensor, h1: torch.Tensor) -> torch.Tensor:
        """‖J_x(h)(x_i)‖²_F = Σ_l g'(a1_il)² Σ_j W_lj² for each row, shape (m,): O(m·k + k·n)."""
        d = _derivative(self.config.encoder, a1, h1)
        return (d * d) @ (self.W * self.W).sum(dim=1)

    # -- public methods

    def encode(self, X: Any) -> torch.Tensor:
        """H = g(X Wᵀ + b), shape (m, k), for a batch ``X`` of shape (m, n)."""
        return self._encode(self.as_input(X, "X"))[1]

    def decode(self, H: Any) -> torch.Tensor:
        """X̂ = f(H W*ᵀ + c), shape (m, n), for hidden codes ``H`` of shape (m, k)."""
        H = self.as_input(H, "H", self.n_hidden)
        return self._decode(H)[1]

    def forward(self, X: Any) -> torch.Tensor:
        """The reconstruction x̂ = f(W* g(W x + b) + c) of each row; shape (m, n)."""
        X = self.as_input(X, "X")
        return self._decode(self._encode(X)[1])[1]

    def objective(self, X: Any, target: Any = None) -> torch.Tensor:
        """Mean loss over the rows of ``X`` plus the configured penalties (a scalar tensor).

        Same definition as ``course_ae.reference.objective``. ``target`` (same shape as
        ``X``) defaults to ``X``; a denoising autoencoder passes the corrupted batch as
        ``X`` and the clean batch as ``target``. Call ``.backward()`` on the result for
        the gradients.
        """
        X, T = self._inputs(X, target)
        return self._objective(X, T)

    def contractive_penalty(self, X: Any) -> torch.Tensor:
        """Mean over the rows of ``X`` of ‖∂h/∂x‖²_F, without the weight λ_c (closed form)."""
        X = self.as_input(X, "X")
        return self._jacobian_norms(*self._encode(X)).mean()


def _log_mean_activations(a1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log ρ̂ and log(1 − ρ̂) per hidden unit, shape (k,) each, from the pre-activations a1.

    ρ̂_l = (1/m) Σ_i σ(a1_il), so log ρ̂_l = logsumexp_i(log σ(a1_il)) − log m, and
    1 − ρ̂_l = (1/m) Σ_i σ(−a1_il) likewise. Written this way neither log ever sees a 0
    and autograd never divides by ρ̂: with ``torch.log(h1.mean(0))`` a unit that is off
    for every example (ρ̂ ≈ 2e-22 at a1 = −50 in float32) gives a finite objective but
    NaN gradients (ρ/ρ̂² overflows), and ρ̂ = 0 or 1 (a1 < −104, or > 17, in float32)
    an infinite one. Mathematically this is the same KL penalty as the reference's.
    """
    log_m = math.log(a1.shape[0])
    log_rho_hat = torch.logsumexp(F.logsigmoid(a1), dim=0) - log_m
    log_one_minus = torch.logsumexp(F.logsigmoid(-a1), dim=0) - log_m
    return log_rho_hat, log_one_minus


def _activate(name: str, a: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return torch.sigmoid(a)
    if name == "tanh":
        return torch.tanh(a)
    if name == "relu":
        return torch.relu(a)
    if name == "linear":
        return a
    raise ValueError(f"unknown activation {name!r}")  # pragma: no cover - Config validates


def _derivative(name: str, a: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """g'(a) through the output h where that is simplest, as in the reference."""
    if name == "sigmoid":
        return h * torch.sigmoid(-a)  # h(1 − h), with 1 − h = σ(−a): 1 − h rounds to 0 for large a
    if name == "tanh":  # 1 − h² = sech²(a) = 4e/(1 + e)², e = e^(−2|a|): 1 − h² rounds to 0
        e = torch.exp(-2 * a.abs())
        return 4 * e / (1 + e) ** 2
    if name == "relu":
        return (a > 0).to(a.dtype)
    if name == "linear":
        return torch.ones_like(a)
    raise ValueError(f"unknown activation {name!r}")  # pragma: no cover - Config validates


def _check_params(params: Mapping[str, Any], config: Config) -> dict[str, np.ndarray]:
    """The reference's parameter dict (arrays or tensors) checked against ``config``, as float64."""
    if isinstance(params, Mapping):
        for key, value in params.items():
            if isinstance(value, torch.Tensor) and value.is_complex():
                raise InputTypeError(
                    f"params[{key!r}] must hold real numbers; got a tensor of dtype {value.dtype}")
        params = {key: value.detach().to("cpu", torch.float64).numpy() if isinstance(value, torch.Tensor)
                  else value for key, value in params.items()}
    return check_params(params, config)


# ----------------------------------------------------------------------------- noise


def _check_noise_args(X: Any, generator: Any) -> None:
    if not isinstance(X, torch.Tensor):
        raise InputTypeError(
            f"X must be a torch.Tensor; got {type(X).__name__} (for NumPy arrays use "
            "course_ae.reference.masking_noise / gaussian_noise)")
    if not X.is_floating_point():
        raise InputTypeError(f"X must be a real floating-point tensor; got dtype {X.dtype}")
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise InputTypeError(
                "generator must be None (torch's global generator) or a torch.Generator "
                f"(torch.Generator(device=X.device).manual_seed(seed)); got {type(generator).__name__}")
        if generator.device.type != X.device.type:
            raise ValueError(
                f"generator lives on {generator.device} but X on {X.device}; create it with "
                "torch.Generator(device=X.device)")


def masking_noise(X: torch.Tensor, q: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each entry set to 0 with probability ``q`` in [0, 1], independently; the rest NOT rescaled.

    ``X`` is a floating-point tensor; ``generator`` None (torch's global generator) or a
    ``torch.Generator`` on X's device.
    """
    _check_noise_args(X, generator)
    return _masking_noise(X, check_probability(q, "q (the masking probability)"), generator)


def _masking_noise(X: torch.Tensor, q: float, generator: torch.Generator | None) -> torch.Tensor:
    u = torch.rand(X.shape, generator=generator, device=X.device, dtype=X.dtype)
    return X.masked_fill(u < q, 0.0)


def gaussian_noise(X: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``X`` plus independent N(0, σ²) noise in every entry; σ = ``sigma`` ≥ 0, finite.

    Arguments as for :func:`masking_noise`.
    """
    _check_noise_args(X, generator)
    sigma = check_nonnegative(sigma, "sigma (the noise standard deviation)")
    if sigma > torch.finfo(X.dtype).max:
        raise ValueError(_range_message("sigma (the noise standard deviation)", sigma, X.dtype))
    return _gaussian_noise(X, sigma, generator)


def _gaussian_noise(X: torch.Tensor, sigma: float, generator: torch.Generator | None) -> torch.Tensor:
    return X + sigma * torch.randn(X.shape, generator=generator, device=X.device, dtype=X.dtype)


# ----------------------------------------------------------------------------- training


@dataclass
class History:
    """Per-epoch objectives of a training run.

    train   mean objective over the epoch's batches, weighted by batch size (computed on
            the corrupted batches when training a denoising autoencoder)
    val     objective on the clean validation set after each epoch (empty without X_val)
    epochs  the epoch numbers 1, 2, ..., for plotting: ``plt.plot(h.epochs, h.train)``
    """

    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, list]:
        """A plain, JSON-serialisable dict with the three lists."""
        return {"train": list(self.train), "val": list(self.val), "epochs": list(self.epochs)}


def _training_options(model: Any, epochs: Any, batch_size: Any, lr: Any, optimizer: Any,
                      noise: Any, noise_level: Any) -> tuple[int, int, float, str, float]:
    """``train``'s options checked (shared with ``course_ae.fast_train``): epochs,
    batch_size, lr, the optimizer's name and the noise level, or a ValueError saying
    which one is wrong and what is expected."""
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = as_real_number(lr, "lr", "a finite number > 0")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0; got {lr!r}")
    opt_name = optimizer.lower() if isinstance(optimizer, str) else optimizer
    if opt_name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {OPTIMIZERS}")
    if noise not in NOISES:
        raise ValueError(f"unknown noise {noise!r}; expected one of {NOISES}")
    if noise == "masking":
        level = check_probability(noise_level, "noise_level (the masking probability q)")
    elif noise == "gaussian":
        level = check_nonnegative(noise_level, "noise_level (the Gaussian standard deviation σ)")
    else:
        level = check_nonnegative(noise_level, "noise_level")
        if level != 0:
            raise ValueError(
                f"noise_level={noise_level!r} has no effect with noise=None; pass noise='masking' "
                "or noise='gaussian' for a denoising autoencoder, or leave noise_level at 0"
            )
    limit = torch.finfo(model.dtype).max
    if lr > limit:
        raise ValueError(_range_message("lr", lr, model.dtype))
    if level > limit:
        raise ValueError(_range_message("noise_level", level, model.dtype))
    return epochs, batch_size, lr, opt_name, level


def train(model: Autoencoder, X: Any, *, epochs: int, batch_size: int, lr: float,
          optimizer: str = "adam", noise: str | None = None, noise_level: float = 0.0,
          seed: int | np.random.Generator = 0, X_val: Any = None, progress: bool = True) -> History:
    """Minibatch training of ``model`` on the rows of ``X``, in place; returns the history.

    Each epoch shuffles the rows (a ``torch.Generator`` seeded with ``seed``, on the
    model's device), cuts them into consecutive batches of ``batch_size`` (the last one
    may be smaller), and takes one ``optimizer`` step ("adam" or "sgd", learning rate
    ``lr``) per batch. With ``noise="masking"`` each input entry is zeroed with
    probability q = ``noise_level`` (no rescaling); with ``noise="gaussian"`` N(0, σ²),
    σ = ``noise_level``, is added. The corruption is drawn per batch on the device, and
    the objective compares the reconstruction of the corrupted batch with the clean one.

    The data stay on the device as one tensor; the host reads the results once per
    epoch, which is also when a NaN or inf objective is detected (``FloatingPointError``;
    the parameters are then put back to their values at the start of that epoch; for a
    sparse model the message also names hidden units whose mean activation ρ̂ sits at 0
    or 1, where the sparsity penalty is most extreme).

    ``seed`` is an int with 0 ≤ seed < 2**64 (what ``torch.Generator.manual_seed`` takes),
    or a ``numpy.random.Generator``, from which one such int is drawn; ``None`` is refused.

    Reproducibility: on the CPU, the same model, data, arguments and seed give a
    bit-identical history and bit-identical parameters **for a fixed number of torch
    threads** (``torch.set_num_threads``). With another thread count the matrix products
    split their sums differently, and the last bits of the results, then of the whole
    run, may differ. Fix the thread count (``torch.set_num_threads(1)``, as the chapters
    do) when a run must be repeated exactly. On CUDA, results are repeatable on the same
    device and software versions, up to the nondeterminism of some CUDA kernels.
    """
    from .nn_deep import DeepAutoencoder  # the deep model has the same training interface

    if not isinstance(model, (Autoencoder, DeepAutoencoder)):
        raise TypeError(f"model must be a course_ae.nn.Autoencoder or DeepAutoencoder; got {type(model).__name__}")
    epochs, batch_size, lr, opt_name, level = _training_options(
        model, epochs, batch_size, lr, optimizer, noise, noise_level)
    seed = _torch_seed(seed)
    if not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(f"progress must be True or False; got {progress!r}")

    X = model.as_input(X, "X").detach()
    if model.config.loss == "cross_entropy":
        _check_values(X, "X", unit_interval="for the cross-entropy loss (X is also the target)")
    if X_val is not None:
        X_val = model.as_input(X_val, "X_val").detach()
        if model.config.loss == "cross_entropy":
            _check_values(X_val, "X_val", unit_interval="for the cross-entropy loss")

    params = list(model.parameters())
    opt = _optimizer(opt_name, params, lr)
    dev = model.device
    gen = torch.Generator(device=dev)
    gen.manual_seed(seed)
    m = X.shape[0]
    history = History()

    bar = tqdm(range(1, epochs + 1), desc="training", unit="epoch", disable=not progress)
    for epoch in bar:
        start_state = [p.detach().clone() for p in params]
        order = torch.randperm(m, generator=gen, device=dev)
        total = torch.zeros((), device=dev, dtype=model.dtype)
        for start in range(0, m, batch_size):
            # Gather one batch at a time (not a shuffled copy of all of X): small, reused memory.
            clean = X.index_select(0, order[start:start + batch_size])
            if noise == "masking":
                noisy = _masking_noise(clean, level, gen)
            elif noise == "gaussian":
                noisy = _gaussian_noise(clean, level, gen)
            else:
                noisy = clean
            opt.zero_grad(set_to_none=True)
            loss = model._objective(noisy, clean)
            loss.backward()
            opt.step()
            total.add_(loss.detach(), alpha=clean.shape[0])
        with torch.no_grad():
            finite = torch.stack([torch.isfinite(p).all() for p in params]).all()
            stats = [total / m, finite.to(total.dtype)]
            if X_val is not None:
                stats.append(model._objective(X_val, X_val).detach())
            values = torch.stack(stats).tolist()  # the one host sync of the epoch
        train_value, params_finite = values[0], values[1] == 1.0
        if not (math.isfinite(train_value) and params_finite):
            with torch.no_grad():
                for p, saved in zip(params, start_state):
                    p.copy_(saved)
            what = (f"the objective became {train_value}" if not math.isfinite(train_value)
                    else "the parameters became NaN or inf")
            bar.close()
            raise FloatingPointError(
                f"training diverged in epoch {epoch} of {epochs}: {what} (optimizer={opt_name!r}, "
                f"lr={lr:g}). "
                + (_sparsity_diagnosis(model, X, epoch) if model.config.sparse else "")
                + "Learning rate too large? Try a smaller lr (for example lr/10). "
                f"The model's parameters were put back to their values at the start of epoch {epoch}."
            )
        history.epochs.append(epoch)
        history.train.append(train_value)
        postfix = {"train": f"{train_value:.4g}"}
        if X_val is not None:
            history.val.append(values[2])
            postfix["val"] = f"{values[2]:.4g}"
        bar.set_postfix(postfix, refresh=False)
    bar.close()
    return history


def _torch_seed(seed: Any) -> int:
    """``seed`` as an int for ``torch.Generator.manual_seed``, or a clear error."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if seed is None:
        raise InputTypeError(
            "seed=None is refused: every training run is meant to be repeatable; pass an int "
            "≥ 0 (e.g. 0) or a numpy.random.Generator")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InputTypeError(
            f"seed must be an int ≥ 0 or a numpy.random.Generator; got {type(seed).__name__} {seed!r}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an int with 0 ≤ seed < 2**64 (torch's seed range); got {seed}")
    return int(seed)


def _sparsity_diagnosis(model: Autoencoder, X: torch.Tensor, epoch: int) -> str:
    """A sentence naming the hidden units whose ρ̂ sits at 0 or 1 (in the model's dtype).

    Computed from the parameters at the start of the failing epoch (finite), on all of X.
    """
    with torch.no_grad():
        log_rho, log_rho_c = _log_mean_activations(model._encode(X)[0])
        eps = torch.finfo(model.dtype).eps
        dead = torch.nonzero(log_rho < math.log(eps)).flatten().tolist()        # ρ̂ < eps
        saturated = torch.nonzero(log_rho_c < math.log(eps)).flatten().tolist()  # 1 − ρ̂ < eps
        lo, hi = (float(v) for v in torch.aminmax(log_rho.exp()))
    if not dead and not saturated:
        return f"The mean activations ρ̂ lay in [{lo:.3g}, {hi:.3g}] at the start of epoch {epoch}. "
    parts = []
    if dead:
        parts.append(f"hidden unit(s) {dead} had ρ̂ ≈ 0 (below {eps:.1g}: off for every example)")
    if saturated:
        parts.append(f"hidden unit(s) {saturated} had ρ̂ ≈ 1 (within {eps:.1g} of 1: on for every example)")
    return ("At the start of epoch " + str(epoch) + ", " + " and ".join(parts)
            + ": the sparsity penalty's gradient β(−ρ/ρ̂ + (1 − ρ)/(1 − ρ̂)) is extreme there. "
            "Start from smaller weights or biases, or lower sparsity_weight. ")


def _optimizer(name: str, params: list[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """Adam or SGD; Adam with its fused kernel (one call per step for all the parameters,
    instead of about ten small operations per parameter) where the device has one."""
    if name == "adam":
        try:
            return torch.optim.Adam(params, lr=lr, fused=True)
        except (RuntimeError, ValueError):  # pragma: no cover - a device without the fused kernel
            return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


# ----------------------------------------------------------------------------- saving


def save(model: Autoencoder, path: str | os.PathLike) -> Path:
    """Write ``model`` to ``path`` atomically (a temporary file in the same folder, then
    ``os.replace``), as a plain dict that ``load`` reads without unpickling any object.

    Returns the path written.
    """
    if not isinstance(model, Autoencoder):
        raise TypeError(f"model must be a course_ae.nn.Autoencoder; got {type(model).__name__}")
    path = Path(path)
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "n_inputs": model.n_inputs,
        "n_hidden": model.n_hidden,
        "config": model.config.to_dict(),
        "dtype": str(model.dtype).removeprefix("torch."),
        "state": {name: p.detach().to("cpu").clone() for name, p in model.named_parameters()},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes the file private (0600); give it the usual mode
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def load(path: str | os.PathLike, *, device: Any = None) -> Autoencoder:
    """Read a model written by ``save``, exactly, onto ``device`` (None: CUDA if available).

    Uses ``torch.load(..., weights_only=True)``, which never runs pickled code. Before
    anything is allocated, the header (``n_inputs``, ``n_hidden``, ``dtype``, ``config``)
    is checked against the tensors the file actually holds: the parameter names, each
    shape, each dtype. A header that disagrees with its tensors (a crafted file asking
    for a model of hundreds of GiB) is refused at once, without allocating it. Weights
    that are NaN or inf (a diverged model) are refused too. A file that is truncated,
    damaged or was not written by ``save`` raises ``ValueError`` saying what is wrong.
    """
    path = Path(path)
    device = _resolve_device(device)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as exc:
        raise ValueError(
            f"{str(path)!r} is not a readable course_ae model file (truncated, corrupt, or not "
            f"written by course_ae.nn.save): {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(
            f"{str(path)!r} is not a course_ae model file: it lacks the format tag {FORMAT!r} "
            "that course_ae.nn.save writes"
        )
    version = payload.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{str(path)!r} has format version {version!r}; this course_ae reads versions up to "
            f"{FORMAT_VERSION} (upgrade course_ae?)"
        )
    try:
        config, n, k, dtype, state = _checked_payload(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{str(path)!r} is a damaged course_ae model file: {exc}") from None
    for name, t in state.items():
        finite = torch.isfinite(t)
        if not bool(finite.all()):
            bad = int(finite.numel() - finite.sum())
            raise ValueError(
                f"{str(path)!r} holds non-finite weights: parameter {name!r} has {bad} NaN or inf "
                "value(s) (saved from a diverged model?); refusing to load it"
            )
    # Only now, with every size confirmed by the tensors in the file, allocate the model.
    model = Autoencoder(n, k, config, device=device, dtype=dtype)
    model._copy_in(state)
    return model


_FILE_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
                "float64": torch.float64}


def _checked_payload(payload: Mapping[str, Any]) -> tuple[Config, int, int, torch.dtype, dict]:
    """The header of a model file, checked against its tensors; allocates nothing."""
    config = Config.from_dict(payload["config"])
    sizes = {}
    for key in ("n_inputs", "n_hidden"):
        value = payload[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key} must be a whole number >= 1; the file says {value!r}")
        sizes[key] = value
    n, k = sizes["n_inputs"], sizes["n_hidden"]
    dtype_name = payload["dtype"]
    if not isinstance(dtype_name, str) or dtype_name not in _FILE_DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_FILE_DTYPES)}; the file says {dtype_name!r}")
    dtype = _FILE_DTYPES[dtype_name]
    state = payload["state"]
    if not isinstance(state, dict):
        raise ValueError(f"'state' is not a dict of tensors but a {type(state).__name__}")
    expected = {"W": (k, n), "b": (k,), "c": (n,)}
    if not config.tied:
        expected["W_star"] = (n, k)
    missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or extra:
        raise ValueError(
            f"the parameters of a {'tied' if config.tied else 'untied'} model are "
            f"{sorted(expected)}; the file has {sorted(map(str, state))}"
            + (f" (missing {missing})" if missing else "") + (f" (unexpected {extra})" if extra else "")
        )
    for name, shape in expected.items():
        t = state[name]
        if not isinstance(t, torch.Tensor):
            raise ValueError(f"parameter {name!r} is not a tensor but a {type(t).__name__}")
        if tuple(t.shape) != shape:
            raise ValueError(
                f"parameter {name!r} holds shape {tuple(t.shape)}, but the header "
                f"(n_inputs={n}, n_hidden={k}) needs {shape}"
            )
        if t.dtype != dtype:
            raise ValueError(
                f"parameter {name!r} is stored as {str(t.dtype).removeprefix('torch.')}, but the "
                f"header says {dtype_name}"
            )
    return config, n, k, dtype, {name: state[name] for name in expected}


def __getattr__(name: str) -> Any:
    """``course_ae.nn.DeepAutoencoder`` lives in :mod:`course_ae.nn_deep` (which imports this
    module's helpers), so it is imported on first use here (PEP 562)."""
    if name == "DeepAutoencoder":
        from .nn_deep import DeepAutoencoder

        return DeepAutoencoder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
