"""The deep autoencoder: L layers, forward pass and the general back-propagation recursion.

``layers = (n_0, n_1, ..., n_L)`` lists the widths, input first and reconstruction last
(so n_0 = n_L = n); for example ``(784, 256, 32, 256, 784)`` has L = 4 weight layers and a
32-unit code. Layer l = 1, ..., L computes, on a batch with one example a row,

    a^l = h^{l−1} W^lᵀ + b^l      (m, n_l)        h^l = f_l(a^l),   h^0 = X,   h^L = x̂

with parameters (the names of ``params`` and of the gradients)

    "W1", "b1", ..., "WL", "bL"       W^l  (n_l, n_{l−1})      b^l  (n_l,)

The one-layer model of :mod:`course_ae.reference.model` is the case L = 2:
``W1 = W``, ``b1 = b``, ``W2 = W_star``, ``b2 = c`` (see :func:`from_one_layer`).

The objective is the one-layer model's: the mean over the m rows of the per-example
loss (squared error Σ_j (x̂_j − x_j)², or the cross-entropy computed from the logits a^L
with a sigmoid output layer), plus the weight decay (λ/2) Σ_l ‖W^l‖²_F (biases excluded).

The gradients follow the lecture notes' recursion, from the output back to the input:

    Δ^l          = ∇_{h^l} J ⊙ f_l′(a^l)            (m, n_l)
    ∇_{W^l} J    = Δ^lᵀ h^{l−1}  (+ λ W^l)           (n_l, n_{l−1})
    ∇_{b^l} J    = Σ_i Δ^l_i                          (n_l,)
    ∇_{h^{l−1}} J = Δ^l W^l                           (m, n_{l−1})

starting from ∇_{h^L} J = (2/m)(x̂ − X) (squared error), or directly from
Δ^L = (1/m)(x̂ − X) (cross-entropy with a sigmoid output, where f_L′ cancels).

Every argument after ``X`` is optional: ``activations=None`` means a sigmoid in every
layer, ``loss="squared_error"``, ``weight_decay=0.0``, ``target=None`` (the target is X).
``activations`` may be one name (every layer) or a sequence of L names, layer 1 first;
hidden layers take any of ``ENCODERS``, the output layer any of ``DECODERS``.

>>> params = init_deep_params((6, 4, 2, 4, 6), seed=0)
>>> sorted(params)
['W1', 'W2', 'W3', 'W4', 'b1', 'b2', 'b3', 'b4']
>>> import numpy as np
>>> J, grads = deep_loss_and_gradients(params, np.full((3, 6), 0.5))
>>> grads["W2"].shape
(2, 4)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from .._validation import as_batch, as_target, check_nonnegative, check_positive_int
from . import losses
from .activations import DECODERS, ENCODERS, activate, derivative
from .config import LOSSES

__all__ = [
    "DeepConfig", "DeepForward", "init_deep_params", "deep_forward", "deep_objective",
    "deep_loss_and_gradients", "code_layer", "from_one_layer", "to_one_layer",
    "check_layers", "check_deep_params",
]


# ----------------------------------------------------------------------------- checks


def check_layers(layers: Any) -> tuple[int, ...]:
    """``layers`` as a tuple of ints ≥ 1, at least three long, first = last; else ``ValueError``."""
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise ValueError(
            "layers must be a sequence of widths (n, n_1, ..., n) such as (784, 256, 32, 256, 784); "
            f"got {layers!r}"
        )
    widths = tuple(check_positive_int(w, f"layers[{i}]") for i, w in enumerate(layers))
    if len(widths) < 3:
        raise ValueError(
            "layers must hold at least three widths, input, code and output, such as (64, 8, 64); "
            f"got {widths}"
        )
    if widths[0] != widths[-1]:
        raise ValueError(
            "an autoencoder reconstructs its input: layers must end with the width it starts "
            f"with (n_L = n_0); got {widths}"
        )
    return widths


@dataclass(frozen=True)
class DeepConfig:
    """What a deep autoencoder computes, checked: one activation per layer, loss, λ.

    activations   tuple of L names, layer 1 first (hidden layers: ``ENCODERS``;
                  the output layer: ``DECODERS``)
    loss          "squared_error" or "cross_entropy" (needs a sigmoid output layer)
    weight_decay  λ in (λ/2) Σ_l ‖W^l‖²_F
    """

    activations: tuple[str, ...]
    loss: str = "squared_error"
    weight_decay: float = 0.0

    @classmethod
    def make(cls, n_layers: int, activations: Any = None, loss: str = "squared_error",
             weight_decay: float = 0.0) -> "DeepConfig":
        """Check the user's arguments for a model with ``n_layers`` = L weight layers."""
        if activations is None:
            acts: tuple = ("sigmoid",) * n_layers
        elif isinstance(activations, str):
            acts = (activations,) * n_layers
        elif isinstance(activations, Sequence):
            acts = tuple(activations)
            if len(acts) != n_layers:
                raise ValueError(
                    f"activations must name one activation per weight layer: {n_layers} for "
                    f"{n_layers + 1} widths; got {len(acts)} ({list(acts)})"
                )
        else:
            raise ValueError(
                "activations must be None (sigmoid everywhere), one name, or a sequence of names "
                f"one per layer; got {activations!r}"
            )
        for l, name in enumerate(acts[:-1], start=1):
            if name not in ENCODERS:
                raise ValueError(f"unknown activation {name!r} for hidden layer {l}; expected one of {ENCODERS}")
        if acts[-1] not in DECODERS:
            raise ValueError(
                f"unknown activation {acts[-1]!r} for the output layer {n_layers}; expected one of {DECODERS}"
            )
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {LOSSES}")
        if loss == "cross_entropy" and acts[-1] != "sigmoid":
            raise ValueError(
                "loss='cross_entropy' treats x̂ as probabilities and needs a sigmoid output layer; "
                f"got {acts[-1]!r} for layer {n_layers}"
            )
        lam = check_nonnegative(weight_decay, "weight_decay")
        return cls(acts, loss, lam)


def check_deep_params(params: Mapping[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``params`` ("W1", "b1", ..., "WL", "bL") as a list of float64 (W^l, b^l), checked.

    Raises ``ValueError`` naming a missing, unexpected, mis-shaped or non-finite array, or
    layer widths that do not chain (W^l must have n_{l−1} = the rows of W^{l−1} columns).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    L = sum(1 for key in params if isinstance(key, str) and re.fullmatch(r"W[1-9][0-9]*", key))
    if L < 2:
        raise ValueError(
            "params of a deep autoencoder need at least two layers, keys 'W1', 'b1', 'W2', 'b2', ...; "
            f"got keys {sorted(map(str, params))}"
        )
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    missing, extra = expected - set(params), set(params) - expected
    if missing or extra:
        raise ValueError(
            f"params for {L} layers must have keys W1, b1, ..., W{L}, b{L}; "
            + (f"missing {sorted(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {sorted(map(str, extra))}" if extra else "")
        )
    out = []
    for l in range(1, L + 1):
        W = np.asarray(params[f"W{l}"], dtype=np.float64)
        b = np.asarray(params[f"b{l}"], dtype=np.float64)
        for key, arr in ((f"W{l}", W), (f"b{l}", b)):
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"params[{key!r}] holds NaN or inf values")
        if W.ndim != 2 or 0 in W.shape:
            raise ValueError(f"params['W{l}'] must have shape (n_{l}, n_{l - 1}) with both ≥ 1; got {W.shape}")
        if l > 1 and W.shape[1] != out[-1][0].shape[0]:
            raise ValueError(
                f"params['W{l}'] must have {out[-1][0].shape[0]} columns, the width of layer {l - 1} "
                f"(W{l - 1} has shape {out[-1][0].shape}); got shape {W.shape}"
            )
        if b.shape != (W.shape[0],):
            raise ValueError(f"params['b{l}'] must have shape ({W.shape[0]},) to match W{l} of shape {W.shape}; got {b.shape}")
        out.append((W, b))
    if out[-1][0].shape[0] != out[0][0].shape[1]:
        raise ValueError(
            f"the output layer must have the input's width {out[0][0].shape[1]} (an autoencoder "
            f"reconstructs its input); W{L} has shape {out[-1][0].shape}"
        )
    return out


# ----------------------------------------------------------------------------- parameters


def init_deep_params(layers: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Glorot-uniform weights and zero biases for the widths ``layers``, from ``seed``.

    Returns "W1" (n_1, n_0), "b1" (n_1,), ..., "WL" (n_L, n_{L−1}), "bL" (n_L,), float64.
    For ``layers = (n, k, n)`` the numbers are those of ``init_params(n, k, seed=seed)``
    (W1 = W, W2 = W_star: the same generator draws W, then W*).
    """
    widths = check_layers(layers)
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(widths)):
        fan_in, fan_out = widths[l - 1], widths[l]
        r = np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{l}"] = rng.uniform(-r, r, size=(fan_out, fan_in))
    for l in range(1, len(widths)):
        params[f"b{l}"] = np.zeros(widths[l])
    return {key: params[key] for l in range(1, len(widths)) for key in (f"W{l}", f"b{l}")}


def code_layer(layers: Sequence[int]) -> int:
    """The index l of the code h^l: the narrowest hidden layer (the first, among equals)."""
    widths = check_layers(layers)
    hidden = widths[1:-1]
    return 1 + hidden.index(min(hidden))


def from_one_layer(params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The one-layer model's untied {"W", "b", "W_star", "c"} as deep params, L = 2 (copies)."""
    if not isinstance(params, Mapping) or set(params) != {"W", "b", "W_star", "c"}:
        got = sorted(params) if isinstance(params, Mapping) else type(params).__name__
        raise ValueError(f"expected the untied one-layer params with keys ['W', 'W_star', 'b', 'c']; got {got}")
    return {"W1": np.array(params["W"], dtype=np.float64), "b1": np.array(params["b"], dtype=np.float64),
            "W2": np.array(params["W_star"], dtype=np.float64), "b2": np.array(params["c"], dtype=np.float64)}


def to_one_layer(params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Deep params with L = 2 as the one-layer model's {"W", "b", "W_star", "c"} (copies)."""
    layers = check_deep_params(params)
    if len(layers) != 2:
        raise ValueError(f"only a model with two weight layers is a one-layer autoencoder; got {len(layers)}")
    (W, b), (W_star, c) = layers
    return {"W": W.copy(), "b": b.copy(), "W_star": W_star.copy(), "c": c.copy()}


# ----------------------------------------------------------------------------- forward


class DeepForward(NamedTuple):
    """The intermediate values of one forward pass, kept for the backward pass.

    a  list of the L pre-activations a^1, ..., a^L (``a[l - 1]`` is a^l), shapes (m, n_l)
    h  list of the L + 1 activations h^0 = X, h^1, ..., h^L = x̂ (``h[l]`` is h^l)
    """

    a: list
    h: list

    @property
    def x_hat(self) -> np.ndarray:
        """The reconstruction h^L, shape (m, n)."""
        return self.h[-1]


def _setup(params: Mapping[str, Any], X: Any, activations: Any, loss: str, weight_decay: float):
    layers = check_deep_params(params)
    config = DeepConfig.make(len(layers), activations, loss, weight_decay)
    X = as_batch(X, "X", layers[0][0].shape[1])
    return layers, config, X


def _forward(layers: list, X: np.ndarray, acts: tuple[str, ...]) -> DeepForward:
    a_list, h_list = [], [X]
    for (W, b), name in zip(layers, acts):
        a = h_list[-1] @ W.T
        a += b                                  # a^l = h^{l−1} W^lᵀ + b^l
        a_list.append(a)
        h_list.append(activate(name, a))        # h^l = f_l(a^l)
    return DeepForward(a_list, h_list)


def deep_forward(params: Mapping[str, Any], X: Any, activations: Any = None) -> DeepForward:
    """Run the L layers on a batch ``X`` of shape (m, n); returns every a^l and h^l."""
    layers, config, X = _setup(params, X, activations, "squared_error", 0.0)
    return _forward(layers, X, config.activations)


def _reconstruction(fw: DeepForward, T: np.ndarray, loss: str) -> float:
    """Mean over the rows of the per-example loss, from the one-layer model's formulas."""
    if loss == "squared_error":
        return float(np.mean(losses.squared_error(fw.x_hat, T)))
    return float(np.mean(losses.cross_entropy_from_logits(fw.a[-1], T)))


def _decay(layers: list, lam: float) -> float:
    return 0.5 * lam * sum(float(np.sum(W * W)) for W, _ in layers) if lam > 0 else 0.0


def deep_objective(params: Mapping[str, Any], X: Any, activations: Any = None,
                   loss: str = "squared_error", weight_decay: float = 0.0, target: Any = None) -> float:
    """Mean loss over the rows of ``X`` plus (λ/2) Σ_l ‖W^l‖²_F; ``target`` defaults to ``X``."""
    layers, config, X = _setup(params, X, activations, loss, weight_decay)
    T = as_target(X, target, config.loss)
    fw = _forward(layers, X, config.activations)
    return _reconstruction(fw, T, config.loss) + _decay(layers, config.weight_decay)


def deep_loss_and_gradients(params: Mapping[str, Any], X: Any, activations: Any = None,
                            loss: str = "squared_error", weight_decay: float = 0.0,
                            target: Any = None) -> tuple[float, dict[str, np.ndarray]]:
    """The objective (as :func:`deep_objective`) and its gradient for every parameter.

    The backward pass is the recursion Δ^l = ∇_{h^l}J ⊙ f_l′(a^l), ∇_{W^l}J = Δ^lᵀ h^{l−1},
    ∇_{b^l}J = Σ_i Δ^l_i, ∇_{h^{l−1}}J = Δ^l W^l, for l = L, ..., 1, plus λW^l for the
    weight decay. Returns ``(J, grads)`` with the keys and shapes of ``params``.
    """
    layers, config, X = _setup(params, X, activations, loss, weight_decay)
    T = as_target(X, target, config.loss)
    m = X.shape[0]
    acts = config.activations
    fw = _forward(layers, X, acts)
    J = _reconstruction(fw, T, config.loss) + _decay(layers, config.weight_decay)

    L = len(layers)
    if config.loss == "squared_error":
        dJ_dh = losses.squared_error_grad(fw.x_hat, T) / m                 # ∇_{h^L} J = (2/m)(x̂ − x)
        delta = dJ_dh * derivative(acts[-1], fw.a[-1], fw.h[-1])           # Δ^L
    else:
        delta = losses.cross_entropy_grad_logits(fw.x_hat, T) / m          # Δ^L = (x̂ − x)/m
    grads: dict[str, np.ndarray] = {}
    for l in range(L, 0, -1):
        W, _ = layers[l - 1]
        grads[f"W{l}"] = delta.T @ fw.h[l - 1]                             # Δ^lᵀ h^{l−1}
        if config.weight_decay > 0:
            grads[f"W{l}"] += config.weight_decay * W                      # + λ W^l
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            dJ_dh = delta @ W                                              # ∇_{h^{l−1}} J = Δ^l W^l
            delta = dJ_dh * derivative(acts[l - 2], fw.a[l - 2], fw.h[l - 1])  # Δ^{l−1}
    return J, {key: grads[key] for l in range(1, L + 1) for key in (f"W{l}", f"b{l}")}
