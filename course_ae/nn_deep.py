"""The deep autoencoder in PyTorch: what :mod:`course_ae.reference.deep` computes, on any device.

``layers = (n_0, n_1, ..., n_L)`` with n_0 = n_L = n, parameters ``W1`` (n_1, n_0),
``b1`` (n_1,), ..., ``WL`` (n_L, n_{L−1}), ``bL`` (n_L,), and on a batch ``X`` (m, n)::

    a^l = h^{l−1} W^lᵀ + b^l,   h^l = f_l(a^l),   h^0 = X,   h^L = x̂

    objective = (1/m) Σ_i L(x̂_i, x_i) + (λ/2) Σ_l ‖W^l‖²_F

The code is h^c, c = the narrowest hidden layer (``code_layer``): ``encode`` runs layers
1..c, ``decode`` layers c+1..L. Gradients come from autograd; the tests compare them with
the reference's recursion. The model is trained by the same :func:`course_ae.nn.train`
as the one-layer :class:`course_ae.nn.Autoencoder`, and is exposed as
``course_ae.nn.DeepAutoencoder``.

>>> import torch
>>> model = DeepAutoencoder((64, 32, 8, 32, 64), device="cpu")
>>> model.encode(torch.rand(5, 64)).shape, model(torch.rand(5, 64)).shape
(torch.Size([5, 8]), torch.Size([5, 64]))
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .nn import Autoencoder, _activate, _check_dtype, _resolve_device
from .reference.deep import (
    DeepConfig,
    check_deep_params,
    check_layers,
    code_layer,
    init_deep_params,
)

__all__ = ["DeepAutoencoder", "save_deep", "load_deep", "FORMAT"]


class DeepAutoencoder(nn.Module):
    """An L-layer autoencoder, as :func:`course_ae.reference.deep.deep_loss_and_gradients`.

    Parameters
    ----------
    layers : sequence of int
        The widths (n, n_1, ..., n_{L−1}, n), input first; e.g. ``(784, 256, 32, 256, 784)``.
    activations : None, str, or sequence of L str
        f_1, ..., f_L; ``None`` is a sigmoid in every layer, one name applies to all.
        Hidden layers: "sigmoid", "tanh", "relu", "linear"; output: "sigmoid", "tanh", "linear".
    loss : "squared_error" (default) or "cross_entropy" (needs a sigmoid output layer).
    weight_decay : λ of (λ/2) Σ_l ‖W^l‖²_F (biases are not decayed).
    device : None (CUDA when available, else the CPU), str or torch.device.
    dtype : torch.float32 (default) or torch.float64.
    seed : the parameters are the reference's ``init_deep_params(layers, seed)``, copied.

    Attributes: ``layers``, ``config`` (a :class:`~course_ae.reference.deep.DeepConfig`:
    ``activations``, ``loss``, ``weight_decay``), ``code_layer``, ``n_inputs``,
    ``n_hidden`` (the code's width), and the parameters ``W1``, ``b1``, ...
    """

    def __init__(self, layers: Sequence[int], activations: Any = None, *, loss: str = "squared_error",
                 weight_decay: float = 0.0, device: Any = None, dtype: torch.dtype = torch.float32,
                 seed: int = 0) -> None:
        super().__init__()
        widths = check_layers(layers)
        self.config = DeepConfig.make(len(widths) - 1, activations, loss, weight_decay)
        dtype = _check_dtype(dtype)
        dev = _resolve_device(device)
        params = init_deep_params(widths, seed=seed)
        self.layers = widths
        self.n_layers = len(widths) - 1
        self.n_inputs = widths[0]
        self.code_layer = code_layer(widths)
        self.n_hidden = widths[self.code_layer]
        for key, value in params.items():  # registered in the order W1, b1, W2, b2, ...
            setattr(self, key, nn.Parameter(torch.as_tensor(value, dtype=dtype, device=dev).clone()))

    # -- construction from / conversion to the reference's dict of arrays

    @classmethod
    def from_reference(cls, params: Mapping[str, Any], activations: Any = None, *,
                       loss: str = "squared_error", weight_decay: float = 0.0, device: Any = None,
                       dtype: torch.dtype = torch.float64) -> "DeepAutoencoder":
        """A model holding exact copies of the reference's ``params`` ("W1", "b1", ...).

        The widths are read from the shapes; the default dtype is float64, so nothing is
        rounded. Tensors are accepted as well as arrays.
        """
        if isinstance(params, Mapping):
            params = {key: value.detach().to("cpu", torch.float64).numpy()
                      if isinstance(value, torch.Tensor) else value for key, value in params.items()}
        arrays = check_deep_params(params)
        widths = (arrays[0][0].shape[1],) + tuple(W.shape[0] for W, _ in arrays)
        model = cls(widths, activations, loss=loss, weight_decay=weight_decay, device=device, dtype=dtype)
        with torch.no_grad():
            for l, (W, b) in enumerate(arrays, start=1):
                for p, value in ((model.weight(l), W), (model.bias(l), b)):
                    p.copy_(torch.as_tensor(value).to(device=p.device, dtype=p.dtype))
        return model

    def to_reference(self) -> dict[str, np.ndarray]:
        """The parameters as a dict of float64 NumPy arrays ("W1", "b1", ...), on the host."""
        return {name: p.detach().to(device="cpu", dtype=torch.float64).numpy().copy()
                for name, p in self.named_parameters()}

    # -- properties

    def weight(self, l: int) -> torch.Tensor:
        """W^l, shape (n_l, n_{l−1}), for l = 1, ..., L."""
        return getattr(self, f"W{l}")

    def bias(self, l: int) -> torch.Tensor:
        """b^l, shape (n_l,), for l = 1, ..., L."""
        return getattr(self, f"b{l}")

    @property
    def device(self) -> torch.device:
        return self.W1.device

    @property
    def dtype(self) -> torch.dtype:
        return self.W1.dtype

    def extra_repr(self) -> str:
        return (f"layers={self.layers}, activations={self.config.activations}, loss={self.config.loss!r}, "
                f"weight_decay={self.config.weight_decay}, dtype={self.dtype}, device={self.device}")

    # -- input checks: the one-layer model's (same rules, same messages)

    def as_input(self, X: Any, name: str = "X", n_features: int | None = None) -> torch.Tensor:
        """``X`` as a checked 2-D tensor on the model's device and dtype (see ``Autoencoder.as_input``)."""
        return Autoencoder.as_input(self, X, name, n_features)

    def _inputs(self, X: Any, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
        return Autoencoder._inputs(self, X, target)

    # -- the computation (unchecked; callers have validated)

    def _run(self, h: torch.Tensor, first: int, last: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Layers ``first``..``last`` on h^{first−1}; returns (a^last, h^last)."""
        a = h
        for l in range(first, last + 1):
            a = torch.addmm(self.bias(l), h, self.weight(l).T)     # h^{l−1} W^lᵀ + b^l
            h = _activate(self.config.activations[l - 1], a)
        return a, h

    def _objective(self, X: torch.Tensor, T: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        m = X.shape[0]
        a_L, x_hat = self._run(X, 1, self.n_layers)
        if cfg.loss == "squared_error":
            J = F.mse_loss(x_hat, T, reduction="sum") / m
        else:  # from the logits a^L: finite however saturated the sigmoid is
            J = F.binary_cross_entropy_with_logits(a_L, T, reduction="sum") / m
        if cfg.weight_decay > 0:
            J = J + 0.5 * cfg.weight_decay * sum((self.weight(l) ** 2).sum()
                                                 for l in range(1, self.n_layers + 1))
        return J

    # -- public methods

    def encode(self, X: Any) -> torch.Tensor:
        """The code h^c (c = ``code_layer``), shape (m, ``n_hidden``), of a batch (m, n)."""
        return self._run(self.as_input(X, "X"), 1, self.code_layer)[1]

    def decode(self, H: Any) -> torch.Tensor:
        """The reconstruction from codes ``H`` of shape (m, ``n_hidden``): layers c+1..L."""
        H = self.as_input(H, "H", self.n_hidden)
        return self._run(H, self.code_layer + 1, self.n_layers)[1]

    def forward(self, X: Any) -> torch.Tensor:
        """The reconstruction x̂ = h^L of each row; shape (m, n)."""
        return self._run(self.as_input(X, "X"), 1, self.n_layers)[1]

    def objective(self, X: Any, target: Any = None) -> torch.Tensor:
        """Mean loss plus weight decay (a scalar tensor), as ``reference.deep.deep_objective``."""
        X, T = self._inputs(X, target)
        return self._objective(X, T)


# ----------------------------------------------------------------------------- saving

FORMAT = "course_ae.nn.DeepAutoencoder"  # the tag that marks a file written by save_deep()
FORMAT_VERSION = 1


def save_deep(model: DeepAutoencoder, path: str | os.PathLike) -> Path:
    """Write ``model`` to ``path`` atomically (a temporary file, then ``os.replace``) as a
    plain dict: format, version, layers, activations, loss, weight_decay, dtype, state."""
    if not isinstance(model, DeepAutoencoder):
        raise TypeError(f"model must be a course_ae.nn.DeepAutoencoder; got {type(model).__name__}")
    path = Path(path)
    payload = {
        "format": FORMAT, "version": FORMAT_VERSION, "layers": list(model.layers),
        "activations": list(model.config.activations), "loss": model.config.loss,
        "weight_decay": model.config.weight_decay, "dtype": str(model.dtype).removeprefix("torch."),
        "state": {name: p.detach().to("cpu").clone() for name, p in model.named_parameters()},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_deep(path: str | os.PathLike, *, device: Any = None) -> DeepAutoencoder:
    """Read a model written by :func:`save_deep`, exactly (``weights_only=True``: no code runs)."""
    try:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as exc:
        raise ValueError(f"{str(path)!r} is not a readable course_ae model file: {type(exc).__name__}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{str(path)!r} lacks the format tag {FORMAT!r} that save_deep writes")
    try:
        dtype = getattr(torch, payload["dtype"])
        model = DeepAutoencoder.from_reference(payload["state"], payload["activations"],
                                               loss=payload["loss"], weight_decay=payload["weight_decay"],
                                               device=device, dtype=dtype)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{str(path)!r} is a damaged course_ae model file: {exc}") from None
    return model
