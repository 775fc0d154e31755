"""Checks for 7.7: the capstone, every regularizer on the same data."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from .. import reference as R
from ._core import _Failure, _as_scalar, _call, _num, _run, _to_numpy


#: The variants compared in the capstone: name -> (Config, noise, noise_level).
CAPSTONE_VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {"config": R.Config(), "noise": None, "noise_level": 0.0},
    "weight decay": {"config": R.Config(weight_decay=1e-3), "noise": None, "noise_level": 0.0},
    "denoising": {"config": R.Config(), "noise": "masking", "noise_level": 0.3},
    "sparse": {"config": R.Config(sparsity_target=0.05, sparsity_weight=0.1), "noise": None, "noise_level": 0.0},
    "contractive": {"config": R.Config(contractive_weight=0.1), "noise": None, "noise_level": 0.0},
}
#: How every variant is trained in the capstone (keyword arguments of course_ae.nn.train).
CAPSTONE_SETTINGS: dict[str, Any] = {"batch_size": 32, "lr": 0.01, "optimizer": "adam"}
_CAPSTONE_KEYS = ("reconstruction_error", "mean_activation", "contraction")


def _capstone_model(spec: Mapping[str, Any], X_train: Any, *, n_hidden: int, epochs: int, seed: int) -> Any:
    """The model the capstone expects for one variant (a course_ae.nn.Autoencoder on the CPU)."""
    from .. import nn

    X_train = np.asarray(X_train, dtype=np.float64)
    model = nn.Autoencoder(X_train.shape[1], n_hidden, spec["config"], device="cpu", seed=seed)
    nn.train(model, X_train, epochs=epochs, seed=seed, noise=spec.get("noise"),
             noise_level=spec.get("noise_level", 0.0), progress=False, **CAPSTONE_SETTINGS)
    return model


def _evaluate(model: Any, X_test: np.ndarray) -> dict[str, float]:
    import torch

    with torch.no_grad():
        X = torch.as_tensor(X_test, dtype=model.dtype)
        X_hat, H = model(X), model.encode(X)
        return {"reconstruction_error": float(((X_hat - X) ** 2).sum(dim=1).mean()),
                "mean_activation": float(H.mean()),
                "contraction": float(model.contractive_penalty(X))}


_CAPSTONE_CACHE: dict[Any, Any] = {}


def _capstone_expected(X_train: np.ndarray, X_test: np.ndarray, **kw: Any) -> tuple[dict, dict, dict]:
    """The reference table (trained once per process and remembered), the same with the
    penalties included, and the denoising variant trained without noise."""
    key = (X_train.tobytes(), X_test.tobytes(), tuple(sorted(kw.items())), repr(CAPSTONE_VARIANTS),
           repr(CAPSTONE_SETTINGS))
    if key not in _CAPSTONE_CACHE:
        import torch

        expected, with_penalty = {}, {}
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny models: one thread is fastest, and immune to a busy machine
        try:
            for name, spec in CAPSTONE_VARIANTS.items():
                model = _capstone_model(spec, X_train, **kw)
                expected[name] = _evaluate(model, X_test)
                with torch.no_grad():
                    with_penalty[name] = float(model.objective(X_test))
            no_noise = dict(CAPSTONE_VARIANTS["denoising"], noise=None, noise_level=0.0)
            denoiser = _evaluate(_capstone_model(no_noise, X_train, **kw), X_test)
        finally:
            torch.set_num_threads(threads)
        _CAPSTONE_CACHE.clear()
        _CAPSTONE_CACHE[key] = (expected, with_penalty, denoiser)
    return _CAPSTONE_CACHE[key]


def check_capstone(evaluate_variants: Callable[..., Any]) -> bool:
    """``evaluate_variants(variants, X_train, X_test, *, n_hidden, epochs, seed) -> table``.

    The table maps each variant's name to {"reconstruction_error", "mean_activation",
    "contraction"} measured on the clean X_test; the check trains the same models itself
    (small: 500 digits, 16 hidden units, 10 epochs) and compares.
    """
    def body() -> str:
        from ..data import load_digits

        X, _ = load_digits()
        X_train, X_test = X[:500], X[500:600]
        kw = {"n_hidden": 16, "epochs": 10, "seed": 0}
        table = _to_numpy(_call(evaluate_variants, dict(CAPSTONE_VARIANTS), X_train.copy(), X_test.copy(), **kw))
        names = list(CAPSTONE_VARIANTS)
        if table is None:
            raise _Failure("your function returned None: did you forget the `return` statement?",
                           expected=f"a dict with keys {names}", got="None")
        if not isinstance(table, Mapping):
            raise _Failure("return a dict: variant name -> dict of measurements",
                           expected=f"a dict with keys {names}", got=f"a {type(table).__name__}")
        missing = [name for name in names if name not in table]
        if missing:
            raise _Failure("evaluate every variant in `variants`, keyed by its name",
                           expected=f"keys {names}", got=f"keys {sorted(map(str, table))} (missing {missing})")
        values = {}  # every value read first: a malformed table fails before any training
        for name in names:
            row = _to_numpy(table[name])
            if not isinstance(row, Mapping):
                raise _Failure(f"each value of the table is a dict with the keys {list(_CAPSTONE_KEYS)}",
                               expected=f"table[{name!r}]: a dict", got=f"a {type(row).__name__}")
            for key in _CAPSTONE_KEYS:
                if key not in row:
                    raise _Failure(f"table[{name!r}] needs the key {key!r}",
                                   expected=f"keys {list(_CAPSTONE_KEYS)}", got=f"keys {sorted(map(str, row))}")
                values[name, key] = _as_scalar(row[key], f"table[{name!r}][{key!r}]")
        expected, with_penalty, plain_trained_denoiser = _capstone_expected(X_train, X_test, **kw)
        for name in names:
            for key in _CAPSTONE_KEYS:
                value = values[name, key]
                exp = expected[name][key]
                if abs(value - exp) <= 1e-3 * max(abs(exp), 1e-3):
                    continue
                desc = (f"table[{name!r}][{key!r}] = {_num(exp)}", _num(value))
                if name == "denoising" and abs(value - plain_trained_denoiser[key]) <= 1e-3 * max(abs(value), 1e-3):
                    raise _Failure("the denoising variant was trained without noise: pass noise=spec['noise'] "
                                   "and noise_level=spec['noise_level'] to nn.train", *desc)
                if key == "reconstruction_error" and abs(value - with_penalty[name]) <= 1e-3 * abs(value):
                    raise _Failure("report the reconstruction error alone: model.objective(X) adds the "
                                   "variant's penalty; compute the mean of Σ_j (x̂_j − x_j)² yourself", *desc)
                if name == "denoising" and value > exp:
                    raise _Failure("evaluate the denoising variant on CLEAN test inputs with clean targets: "
                                   "the noise is for training only", *desc)
                raise _Failure("train each variant exactly as described (nn.Autoencoder(n, n_hidden, "
                               "spec['config'], device='cpu', seed=seed), then nn.train(model, X_train, "
                               "epochs=epochs, seed=seed, noise=..., noise_level=..., progress=False, "
                               "**checks.CAPSTONE_SETTINGS)) and measure on the clean X_test: the mean over "
                               "examples of Σ_j (x̂_j − x_j)², the mean of H, and model.contractive_penalty(X_test)",
                               *desc)
        return f"all {len(names)} variants trained and measured on the clean test set as expected."
    return _run("capstone: comparing the regularizers", body)
