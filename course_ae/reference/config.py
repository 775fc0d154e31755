"""The model's configuration: which activations, which loss, which penalties."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .._validation import InputTypeError, check_nonnegative, check_probability
from .activations import DECODERS, ENCODERS

LOSSES = ("squared_error", "cross_entropy")


@dataclass(frozen=True)
class Config:
    """What an autoencoder computes; both implementations read the same object.

    encoder             g, one of "sigmoid", "tanh", "relu", "linear"
    decoder             f, one of "sigmoid", "tanh", "linear"
    loss                "squared_error" (Σ_j (x̂_j − x_j)²) or "cross_entropy"
                        (binary inputs; needs the sigmoid decoder)
    weight_decay        λ in Ω = (λ/2)(‖W‖²_F + ‖W*‖²_F); biases are not decayed
    tied                W* = Wᵀ (one parameter, no "W_star" key)
    sparsity_target     ρ in (0, 1), or None for no sparsity penalty
    sparsity_weight     β, the weight of the KL penalty (needs a sigmoid encoder)
    contractive_weight  λ_c, the weight of the mean squared Jacobian norm

    The numbers must be real numbers (int, float, NumPy scalars): a string such as
    "0.1", a bool or a complex number raises ``InputTypeError`` (a ``TypeError`` that
    is also a ``ValueError``), and so does a ``tied`` that is not a bool.
    """

    encoder: str = "sigmoid"
    decoder: str = "sigmoid"
    loss: str = "squared_error"
    weight_decay: float = 0.0
    tied: bool = False
    sparsity_target: float | None = None
    sparsity_weight: float = 0.0
    contractive_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {self.encoder!r}; expected one of {ENCODERS}")
        if self.decoder not in DECODERS:
            raise ValueError(f"unknown decoder {self.decoder!r}; expected one of {DECODERS}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; expected one of {LOSSES}")
        if self.loss == "cross_entropy" and self.decoder != "sigmoid":
            raise ValueError(
                "loss='cross_entropy' treats x̂ as probabilities and needs decoder='sigmoid'; "
                f"got decoder={self.decoder!r}"
            )
        if not isinstance(self.tied, bool):
            raise InputTypeError(f"tied must be True or False; got {self.tied!r}")
        # Numbers must be real numbers: "0.1" or True would pass float() and become
        # a setting silently (InputTypeError is a TypeError and a ValueError).
        check_nonnegative(self.weight_decay, "weight_decay")
        check_nonnegative(self.sparsity_weight, "sparsity_weight")
        check_nonnegative(self.contractive_weight, "contractive_weight")
        if self.sparsity_target is not None:
            check_probability(self.sparsity_target, "sparsity_target ρ", open_interval=True)
            if self.encoder != "sigmoid":
                raise ValueError(
                    "the sparsity penalty compares mean activations ρ̂ in (0, 1) with ρ and "
                    f"needs encoder='sigmoid'; got encoder={self.encoder!r}"
                )
        elif self.sparsity_weight > 0:
            raise ValueError(
                "sparsity_weight > 0 needs a sparsity_target ρ in (0, 1); got sparsity_target=None"
            )

    @property
    def sparse(self) -> bool:
        """True when the KL sparsity penalty is part of the objective."""
        return self.sparsity_target is not None and self.sparsity_weight > 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Config":
        """Inverse of ``to_dict``; unknown keys are an error."""
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown Config field(s) {sorted(unknown)}")
        return cls(**d)
