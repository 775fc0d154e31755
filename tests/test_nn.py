"""course_ae.nn (PyTorch) against course_ae.reference (NumPy, hand-derived gradients).

Same weights → same objective and same gradients, for every configuration the
reference accepts, in float64 (relative error ≤ 1e-10) and float32 (≤ 1e-4), on the
CPU and on CUDA when there is a CUDA device. Then: the contractive penalty against an
autograd Jacobian, torch.autograd.gradcheck, training, saving/loading, bad inputs.
"""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest
import torch
from torch.func import functional_call, jacrev, vmap

from course_ae import reference as R
from course_ae.nn import (
    FORMAT,
    Autoencoder,
    History,
    gaussian_noise,
    load,
    masking_noise,
    save,
    train,
)
from course_ae.reference import Config

try:
    from course_ae.gradcheck import relative_error
except ImportError:  # the same definition as course_ae.gradcheck.relative_error

    def relative_error(a, b) -> float:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(a) + np.abs(b)))))


HAS_CUDA = torch.cuda.is_available()
NO_CUDA = "no CUDA device on this machine"
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(not HAS_CUDA, reason=NO_CUDA)]),
]
TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-4}
DTYPES = [pytest.param(torch.float64, id="float64"), pytest.param(torch.float32, id="float32")]

@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """These tensors are tiny: with 2 intra-op threads on a busy 2-core machine (other jobs,
    pytest-xdist workers) each op waits for a descheduled thread, and training here ran
    ~50× slower (0.19 s → 9 s). One thread is as fast when idle and immune to that."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


PENALTIES = {
    "none": {},
    "wd": {"weight_decay": 0.1},
    "sparse": {"sparsity_target": 0.2, "sparsity_weight": 0.7},
    "contractive": {"contractive_weight": 0.3},
    "all": {"weight_decay": 0.1, "sparsity_target": 0.2, "sparsity_weight": 0.7,
            "contractive_weight": 0.3},
}


def _all_configs():
    """Every (encoder, decoder, loss, penalty, tied) the reference accepts."""
    out = []
    outputs = [(d, "squared_error") for d in R.DECODERS] + [("sigmoid", "cross_entropy")]
    for enc, (dec, loss), pen, tied in itertools.product(R.ENCODERS, outputs, PENALTIES, (False, True)):
        kw = dict(PENALTIES[pen])
        if enc != "sigmoid" and "sparsity_target" in kw:
            if pen == "sparse":
                continue  # the KL penalty needs mean activations in (0, 1): sigmoid only
            del kw["sparsity_target"], kw["sparsity_weight"]  # "all" = all the encoder allows
        cfg = Config(encoder=enc, decoder=dec, loss=loss, tied=tied, **kw)
        out.append(pytest.param(cfg, id=f"{enc}-{dec}-{loss}-{pen}-{'tied' if tied else 'untied'}"))
    return out


CONFIGS = _all_configs()


def _problem(config: Config, m: int = 6, n: int = 5, k: int = 4, seed: int = 0):
    """A batch in [0, 1], its masked copy, and parameters with non-zero biases."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.05, 0.95, size=(m, n))
    X_noisy = R.masking_noise(X, 0.3, rng)
    params = R.init_params(n, k, tied=config.tied, seed=seed + 1)
    params = {key: value + 0.3 * rng.standard_normal(value.shape) for key, value in params.items()}
    return X, X_noisy, params


def _discrepancies(config, dtype, device, X, target, params):
    """Relative errors of the objective and of each gradient, torch vs reference."""
    model = Autoencoder.from_reference(params, config, device=device, dtype=dtype)
    J = model.objective(X, target=target)
    assert J.shape == () and J.dtype == dtype and J.device.type == device
    J.backward()
    J_ref, grads_ref = R.loss_and_gradients(params, X, config, target=target)
    grads = {name: p.grad.detach().cpu().double().numpy() for name, p in model.named_parameters()}
    assert set(grads) == set(grads_ref) == set(params)
    errors = {"objective": relative_error(J.item(), J_ref)}
    errors.update({name: relative_error(grads[name], grads_ref[name]) for name in grads_ref})
    return errors


# ----------------------------------------------------------------------------- vs reference


def test_every_supported_configuration_is_covered():
    # 4 encoders × 4 (decoder, loss) pairs × 5 penalties × tied/untied, less "sparse" on the
    # 3 non-sigmoid encoders ("all" there is weight decay + contractive): as the reference's tests
    assert len(CONFIGS) == 4 * 4 * 5 * 2 - 3 * 4 * 2 == 136


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", CONFIGS)
def test_objective_and_gradients_match_reference(config, dtype, device):
    X, X_noisy, params = _problem(config)
    tol = TOLERANCE[dtype]
    # plain (target = X), then denoising: corrupted input, clean target
    for inp, target in ((X, None), (X_noisy, X)):
        errors = _discrepancies(config, dtype, device, inp, target, params)
        worst = max(errors, key=errors.get)
        assert errors[worst] <= tol, f"{worst}: relative error {errors[worst]:.2e} > {tol:g} ({errors})"


@pytest.mark.parametrize("device", DEVICES)
def test_tensor_inputs_on_any_device_and_dtype_are_converted(device):
    config = Config(loss="cross_entropy", weight_decay=0.1)
    X, X_noisy, params = _problem(config)
    model = Autoencoder.from_reference(params, config, device=device, dtype=torch.float64)
    from_numpy = model.objective(X_noisy, target=X)
    from_tensor = model.objective(torch.tensor(X_noisy, dtype=torch.float32),
                                  target=torch.tensor(X, dtype=torch.float64))
    assert from_tensor.device.type == device and from_tensor.dtype == torch.float64
    assert relative_error(from_numpy.item(), R.objective(params, X_noisy, config, target=X)) < 1e-12
    # the float32 tensor was rounded before conversion, so agreement only to float32 precision
    assert relative_error(from_tensor.item(), from_numpy.item()) < 1e-6


@pytest.mark.parametrize("tied", [False, True])
def test_forward_encode_decode_match_reference(tied):
    config = Config(encoder="tanh", decoder="linear", tied=tied)
    X, _, params = _problem(config)
    model = Autoencoder.from_reference(params, config, device="cpu")
    fw = R.forward(params, X, config)
    H = model.encode(X)
    np.testing.assert_allclose(H.detach().numpy(), fw.h1, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model.decode(H).detach().numpy(), fw.x_hat, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model(X).detach().numpy(), fw.x_hat, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model.decoder_weight.detach().numpy(),
                               params["W"].T if tied else params["W_star"], rtol=0, atol=0)


# ----------------------------------------------------------------------------- construction


@pytest.mark.parametrize("tied", [False, True])
def test_init_is_the_reference_init_and_round_trips(tied):
    config = Config(tied=tied)
    expected = R.init_params(7, 3, tied=tied, seed=5)
    model64 = Autoencoder(7, 3, config, device="cpu", dtype=torch.float64, seed=5)
    names = [name for name, _ in model64.named_parameters()]
    assert names == (["W", "b", "c"] if tied else ["W", "b", "W_star", "c"])
    assert not hasattr(model64, "W_star") if tied else model64.W_star.shape == (7, 3)
    got = model64.to_reference()
    assert set(got) == set(expected)
    for key in expected:
        assert got[key].dtype == np.float64 and np.array_equal(got[key], expected[key])
    model32 = Autoencoder(7, 3, config, device="cpu", seed=5)
    assert model32.dtype == torch.float32
    for key, value in model32.to_reference().items():
        assert np.array_equal(value, expected[key].astype(np.float32).astype(np.float64))
    # to_reference returns copies, from_reference is exact
    got["W"][:] = 0
    assert np.array_equal(model64.to_reference()["W"], expected["W"])
    again = Autoencoder.from_reference(expected, config, device="cpu").to_reference()
    assert all(np.array_equal(again[key], expected[key]) for key in expected)
    # a different seed gives different weights
    assert not np.array_equal(Autoencoder(7, 3, config, seed=6, device="cpu").to_reference()["W"],
                              expected["W"])


def test_default_device_is_cuda_when_available():
    assert Autoencoder(3, 2).device.type == ("cuda" if HAS_CUDA else "cpu")


# ----------------------------------------------------------------------------- contractive


@pytest.mark.parametrize("encoder", R.ENCODERS)
def test_contractive_penalty_equals_autograd_jacobian(encoder):
    config = Config(encoder=encoder, decoder="linear", contractive_weight=0.3)
    X, _, params = _problem(config, m=8, n=6, k=5)
    model = Autoencoder.from_reference(params, config, device="cpu")
    Xt = torch.as_tensor(X)
    # the (m, k, n) Jacobians, one per row, built by autograd (the closed form never builds it)
    J = vmap(jacrev(lambda x: model.encode(x.unsqueeze(0)).squeeze(0)))(Xt)
    assert J.shape == (8, 5, 6)
    expected = (J**2).sum(dim=(1, 2)).mean().item()
    assert relative_error(model.contractive_penalty(Xt).item(), expected) < 1e-12
    assert relative_error(R.contractive_penalty(params, X, config), expected) < 1e-12
    # and it is exactly the term that λ_c weighs in the objective
    plain = Autoencoder.from_reference(params, Config(encoder=encoder, decoder="linear"), device="cpu")
    term = (model.objective(Xt) - plain.objective(Xt)).item()
    assert relative_error(term, 0.3 * expected) < 1e-12


# ----------------------------------------------------------------------------- gradcheck


class _Objective(torch.nn.Module):
    """Wraps model.objective as forward(), so functional_call can swap in its parameters."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, X, target):
        return self.model.objective(X, target=target)


@pytest.mark.parametrize("config", [
    Config(loss="cross_entropy", weight_decay=0.1, sparsity_target=0.2, sparsity_weight=0.7,
           contractive_weight=0.3),
    Config(encoder="tanh", decoder="linear", weight_decay=0.1, contractive_weight=0.3, tied=True),
    Config(decoder="tanh", sparsity_target=0.3, sparsity_weight=0.5, tied=True),
], ids=["sigmoid-ce-all", "tanh-linear-wd-contractive-tied", "sigmoid-tanh-sparse-tied"])
def test_torch_gradcheck_of_objective(config):
    X, X_noisy, params = _problem(config)
    wrapper = _Objective(Autoencoder.from_reference(params, config, device="cpu"))
    names = [f"model.{name}" for name, _ in wrapper.model.named_parameters()]
    tensors = [torch.tensor(params[name.removeprefix("model.")], requires_grad=True) for name in names]
    inp = torch.tensor(X_noisy, requires_grad=True)  # also differentiate w.r.t. the input
    target = torch.tensor(X)

    def f(inp, *weights):
        return functional_call(wrapper, dict(zip(names, weights)), (inp, target))

    assert torch.autograd.gradcheck(f, (inp, *tensors), eps=1e-6, atol=1e-7, rtol=1e-5)


# ----------------------------------------------------------------------------- noise


def test_noise_masking_does_not_rescale_and_gaussian_has_sigma():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(400, 50, dtype=torch.float64) + 0.5
    Y = masking_noise(X, 0.25, g)
    zeroed = Y == 0
    assert abs(zeroed.double().mean().item() - 0.25) < 0.01
    assert torch.equal(Y[~zeroed], X[~zeroed])  # kept entries untouched, no 1/(1 − q)
    assert torch.equal(masking_noise(X, 0.0, g), X) and not masking_noise(X, 1.0, g).any()
    D = gaussian_noise(X, 0.3, g) - X
    assert abs(D.mean().item()) < 0.01 and abs(D.std().item() - 0.3) < 0.01


# ----------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    return load_digits().data / 16.0  # (1797, 64) in [0, 1]


def test_denoising_training_on_digits_lowers_objective(digits):
    model = Autoencoder(64, 32, Config(), device="cpu")
    before = model.objective(digits).item()
    history = train(model, digits, epochs=5, batch_size=64, lr=1e-2, noise="masking",
                    noise_level=0.25, X_val=digits[:300], progress=False)
    after = model.objective(digits).item()
    assert isinstance(history, History)
    assert history.epochs == [1, 2, 3, 4, 5] and len(history.train) == len(history.val) == 5
    assert all(math.isfinite(v) for v in history.train + history.val)
    # measured: 11.26 → 1.95 (ratio 0.17); asserted: below 0.3 × the initial objective
    assert after < 0.3 * before, (before, after)
    assert history.train[-1] < 0.6 * history.train[0], history.train
    assert history.to_dict() == {"train": history.train, "val": history.val, "epochs": history.epochs}


@pytest.mark.parametrize("noise,level", [("gaussian", 0.2), (None, 0.0)])
def test_cross_entropy_training_lowers_objective(digits, noise, level):
    model = Autoencoder(64, 16, Config(loss="cross_entropy", weight_decay=1e-4), device="cpu")
    before = model.objective(digits).item()
    history = train(model, digits, epochs=3, batch_size=128, lr=1e-2, noise=noise,
                    noise_level=level, progress=False)
    assert history.val == [] and len(history.train) == 3
    assert model.objective(digits).item() < 0.75 * before  # measured ratio ≈ 0.55


def test_training_is_repeatable_with_the_same_seed(digits):
    X = digits[:500]
    runs = []
    for seed in (3, 3, 4):
        model = Autoencoder(64, 16, Config(sparsity_target=0.1, sparsity_weight=0.1), device="cpu")
        h = train(model, X, epochs=3, batch_size=50, lr=5e-3, noise="masking", noise_level=0.3,
                  seed=seed, X_val=X[:100], progress=False)
        runs.append((h, model.to_reference()))
    (h1, p1), (h2, p2), (h3, _) = runs
    assert h1 == h2 and h1.to_dict() == h2.to_dict()
    assert all(np.array_equal(p1[key], p2[key]) for key in p1)
    assert h3.train != h1.train  # another seed, another shuffle and other noise


def test_sgd_and_progress_bar(digits, capsys):
    model = Autoencoder(64, 8, Config(decoder="linear", tied=True), device="cpu")
    history = train(model, digits[:256], epochs=2, batch_size=1000, lr=0.05, optimizer="SGD")
    assert len(history.train) == 2 and history.train[1] < history.train[0]
    assert "training" in capsys.readouterr().err  # the tqdm bar, on stderr


def test_divergence_raises_clear_error_and_restores_parameters(digits):
    model = Autoencoder(64, 16, Config(encoder="linear", decoder="linear"), device="cpu")
    start = model.to_reference()
    with pytest.raises(FloatingPointError, match=r"epoch 1 of 3.*[Ll]earning rate too large"):
        train(model, digits, epochs=3, batch_size=64, lr=1e6, optimizer="sgd", progress=False)
    restored = model.to_reference()
    assert all(np.array_equal(restored[key], start[key]) for key in start)


@pytest.mark.parametrize("device", DEVICES)
def test_training_on_device_and_save_load(device, digits, tmp_path):
    model = Autoencoder(64, 16, Config(contractive_weight=0.1), device=device)
    h = train(model, digits, epochs=2, batch_size=128, lr=1e-2, noise="gaussian", noise_level=0.1,
              X_val=digits[:200], progress=False)
    assert model.W.device.type == device and h.train[1] < h.train[0]
    save(model, tmp_path / "m.pt")
    back = load(tmp_path / "m.pt", device="cpu")
    ref = model.to_reference()
    assert all(np.array_equal(back.to_reference()[key], ref[key]) for key in ref)


# ----------------------------------------------------------------------------- save / load


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tied", [False, True])
def test_save_load_round_trip_is_exact(tmp_path, dtype, tied):
    config = Config(encoder="tanh", decoder="sigmoid", loss="cross_entropy", tied=tied,
                    weight_decay=0.01, contractive_weight=0.2)
    _, _, params = _problem(config)
    model = Autoencoder.from_reference(params, config, device="cpu", dtype=dtype)
    path = tmp_path / "model.pt"
    assert save(model, path) == path
    save(model, path)  # overwriting is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # like any new file, not mkstemp's 0600
    back = load(path, device="cpu")
    assert back.config == config and back.dtype == dtype
    assert (back.n_inputs, back.n_hidden) == (model.n_inputs, model.n_hidden)
    for (name, p), (name2, q) in zip(model.named_parameters(), back.named_parameters()):
        assert name == name2 and torch.equal(p, q)
    X = torch.rand(4, model.n_inputs, dtype=dtype)
    assert torch.equal(model.objective(X), back.objective(X))


def test_load_refuses_truncated_and_foreign_files(tmp_path):
    model = Autoencoder(5, 3, Config(), device="cpu")
    good = tmp_path / "good.pt"
    save(model, good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable course_ae model file"):
        load(truncated, device="cpu")
    foreign = tmp_path / "foreign.pt"
    torch.save({"W": torch.zeros(3, 5), "b": torch.zeros(3)}, foreign)
    with pytest.raises(ValueError, match=f"lacks the format tag '{FORMAT}'"):
        load(foreign, device="cpu")
    module_file = tmp_path / "module.pt"
    torch.save(torch.nn.Linear(5, 3), module_file)  # a pickled object: weights_only refuses it
    with pytest.raises(ValueError, match="not a readable course_ae model file"):
        load(module_file, device="cpu")
    text = tmp_path / "notes.txt"
    text.write_text("not a model\n")
    with pytest.raises(ValueError, match="not a readable course_ae model file"):
        load(text, device="cpu")
    damaged = tmp_path / "damaged.pt"
    payload = torch.load(good, weights_only=True)
    payload["state"]["W"] = torch.zeros(2, 2)
    torch.save(payload, damaged)
    with pytest.raises(ValueError, match="damaged course_ae model file"):
        load(damaged, device="cpu")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt", device="cpu")


# ----------------------------------------------------------------------------- bad inputs


def _bad_input_cases():
    X = np.random.default_rng(0).uniform(size=(4, 5))
    X_nan = X.copy()
    X_nan[1, 2] = np.nan
    se = Autoencoder(5, 3, Config(), device="cpu")
    ce = Autoencoder(5, 3, Config(loss="cross_entropy"), device="cpu")
    return [
        ("1-D X", lambda: se.encode(X[0]), "2-D with shape"),
        ("3-D tensor", lambda: se(torch.zeros(2, 4, 5)), "2-D with shape"),
        ("wrong width", lambda: se.objective(X[:, :4]), "must have 5 columns"),
        ("no rows", lambda: se.encode(np.zeros((0, 5))), "at least one example"),
        ("NaN array", lambda: se.objective(X_nan), "finite"),
        ("inf tensor", lambda: se.encode(torch.full((2, 5), math.inf)), "finite"),
        ("strings", lambda: se.encode([["a"] * 5]), "numeric array"),
        ("H width", lambda: se.decode(np.zeros((2, 5))), "H must have 3 columns"),
        ("target shape", lambda: se.objective(X, target=X[:3]), "target must have the shape of X"),
        ("CE X outside [0,1]", lambda: ce.objective(2 * X), r"X must lie in \[0, 1\]"),
        ("CE target outside [0,1]", lambda: ce.objective(X, target=X - 0.5), r"target must lie in \[0, 1\]"),
        ("n_inputs 0", lambda: Autoencoder(0, 3), "n_inputs"),
        ("dtype int", lambda: Autoencoder(5, 3, dtype=torch.int64), "floating-point"),
        ("device", lambda: Autoencoder(5, 3, device="nonsense"), "device must be"),
        ("params missing", lambda: Autoencoder.from_reference({"W": np.zeros((3, 5))}, Config()), "missing"),
        ("params tied extra", lambda: Autoencoder.from_reference(
            R.init_params(5, 3), Config(tied=True)), "unexpected"),
        ("params shape", lambda: Autoencoder.from_reference(
            {**R.init_params(5, 3), "c": np.zeros(4)}, Config()), r"params\['c'\] must have shape \(5,\)"),
        ("epochs", lambda: train(se, X, epochs=0, batch_size=2, lr=0.1), "epochs must be ≥ 1"),
        ("batch_size", lambda: train(se, X, epochs=1, batch_size=2.5, lr=0.1), "batch_size"),
        ("lr 0", lambda: train(se, X, epochs=1, batch_size=2, lr=0), "lr must be"),
        ("lr nan", lambda: train(se, X, epochs=1, batch_size=2, lr=math.nan), "lr must be"),
        ("optimizer", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, optimizer="rmsprop"),
         "unknown optimizer"),
        ("noise", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, noise="salt"), "unknown noise"),
        ("q > 1", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, noise="masking", noise_level=1.5),
         "masking probability"),
        ("sigma < 0", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, noise="gaussian",
                                    noise_level=-0.1), "standard deviation"),
        ("level without noise", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, noise_level=0.3),
         "no effect with noise=None"),
        ("train NaN", lambda: train(se, X_nan, epochs=1, batch_size=2, lr=0.1), "finite"),
        ("val width", lambda: train(se, X, epochs=1, batch_size=2, lr=0.1, X_val=X[:, :3]),
         "X_val must have 5 columns"),
        ("CE train data", lambda: train(ce, X + 1, epochs=1, batch_size=2, lr=0.1), r"\[0, 1\]"),
    ]


@pytest.mark.parametrize("case", _bad_input_cases(), ids=lambda case: case[0])
def test_bad_inputs_raise_clear_value_errors(case):
    _, call, match = case
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_kinds_of_object_raise_type_error():
    with pytest.raises(TypeError, match="Config"):
        Autoencoder(5, 3, {"encoder": "sigmoid"})
    with pytest.raises(TypeError, match="Autoencoder"):
        train(object(), np.zeros((2, 5)), epochs=1, batch_size=1, lr=0.1)


@pytest.mark.skipif(HAS_CUDA, reason="this machine has CUDA; the refusal is for machines without")
def test_asking_for_cuda_without_cuda_is_refused():
    with pytest.raises(ValueError, match="torch.cuda.is_available"):
        Autoencoder(5, 3, device="cuda")


# ----------------------------------------------------------------------------- numerics (issue 13)


SPARSE = Config(sparsity_target=0.05, sparsity_weight=3.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [-50.0, -120.0, -800.0, 20.0, 50.0])
def test_dead_or_saturated_sparse_units_give_finite_objective_and_gradients(dtype, bias):
    # With log(ρ̂) of h1.mean(0), float32 at b = −50 gave a finite objective and NaN
    # gradients (ρ/ρ̂² overflows); ρ̂ = 0 (b < −104) or 1 (b > 17) gave an infinite one.
    params = R.init_params(6, 4, seed=1)
    params["b"][:2] = bias
    X = np.random.default_rng(2).random((8, 6))
    model = Autoencoder.from_reference(params, SPARSE, device="cpu", dtype=dtype)
    J = model.objective(X)
    J.backward()
    assert math.isfinite(J.item())
    grads = {name: p.grad for name, p in model.named_parameters()}
    assert all(bool(torch.isfinite(g).all()) for g in grads.values())
    if abs(bias) <= 50:  # the reference (float64, direct ρ̂) is finite here too: same numbers
        value, ref = R.loss_and_gradients(params, X, SPARSE)
        assert J.item() == pytest.approx(value, rel=TOLERANCE[dtype])
        for name, g in ref.items():
            assert relative_error(grads[name].double().numpy(), g) < TOLERANCE[dtype], name


def test_training_revives_dead_sparse_units_instead_of_diverging(digits):
    # On main this raised FloatingPointError blaming the learning rate (NaN gradients).
    model = Autoencoder(64, 8, SPARSE, device="cpu")   # float32
    with torch.no_grad():
        model.b[:2] = -50.0
    before = model.encode(digits).mean(dim=0)[:2]
    history = train(model, digits, epochs=3, batch_size=128, lr=1e-2, progress=False)
    after = model.encode(digits).mean(dim=0)[:2]
    assert all(math.isfinite(v) for v in history.train)
    assert bool((after > 3e3 * before).all())   # measured: ρ̂ grew ~1.7e4- and ~2e4-fold in 3 epochs


def test_divergence_of_a_sparse_model_names_the_dead_units(digits):
    model = Autoencoder(64, 8, Config(decoder="linear", sparsity_target=0.05, sparsity_weight=3.0),
                        device="cpu")
    with torch.no_grad():
        model.b[:2] = -50.0
        model.b[5] = 60.0
    with pytest.raises(FloatingPointError, match=r"hidden unit\(s\) \[0, 1\] had ρ̂ ≈ 0.*"
                                                 r"hidden unit\(s\) \[5\] had ρ̂ ≈ 1"):
        train(model, digits, epochs=2, batch_size=64, lr=1e6, optimizer="sgd", progress=False)
    healthy = Autoencoder(64, 8, Config(decoder="linear", sparsity_target=0.05, sparsity_weight=3.0),
                          device="cpu")
    with pytest.raises(FloatingPointError, match=r"mean activations ρ̂ lay in \[0\.\d+, 0\.\d+\]"):
        train(healthy, digits, epochs=2, batch_size=64, lr=1e6, optimizer="sgd", progress=False)


@pytest.mark.parametrize("encoder, bias", [("sigmoid", 40.0), ("tanh", 25.0)])
def test_contractive_derivative_keeps_its_tail(encoder, bias):
    # sigmoid: g' = h(1 − h) with 1 − h = σ(−a); at a = 40, 1 − h is 0 in float64 and
    # σ(−40) = 4e-18. tanh: g' = 1 − h² = sech²(a); at a = 25, 1 − h² is 0, sech² 7.7e-22.
    config = Config(encoder=encoder, contractive_weight=1.0)
    params = R.init_params(5, 3, seed=0)
    params["b"][:] = bias
    X = np.zeros((2, 5))
    model = Autoencoder.from_reference(params, config, device="cpu")
    got = model.contractive_penalty(X).item()
    want = R.contractive_penalty(params, X, config)
    assert want > 0 and got == pytest.approx(want, rel=1e-12, abs=0)


def test_reversed_and_strided_numpy_arrays_are_accepted_like_the_reference():
    config = Config(weight_decay=0.01)
    params = R.init_params(5, 3, seed=0)
    X = np.random.default_rng(0).random((6, 5))
    model = Autoencoder.from_reference(params, config, device="cpu")
    for view in (X[::-1], X[:, ::-1], X[::-2], np.asfortranarray(X)):
        want = R.objective(params, view, config)
        assert model.objective(view).item() == pytest.approx(want, rel=1e-12)
        assert torch.equal(model.encode(view), model.encode(np.ascontiguousarray(view)))
    reversed_params = {key: value[::-1].copy()[::-1] for key, value in params.items()}
    assert reversed_params["W"].strides[0] < 0
    back = Autoencoder.from_reference(reversed_params, config, device="cpu").to_reference()
    assert all(np.array_equal(back[key], params[key]) for key in params)
    history = train(model, X[::-1], epochs=1, batch_size=3, lr=1e-3, X_val=X[:, ::-1][:, ::-1][::-1],
                    progress=False)
    assert len(history.val) == 1


@pytest.mark.parametrize("threads", [1, 2])
def test_histories_are_bit_identical_for_a_fixed_thread_count(digits, threads):
    # The documented promise of nn.train: same seed and thread count → same bits.
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        runs = []
        for _ in range(2):
            model = Autoencoder(64, 16, Config(contractive_weight=0.1), device="cpu")
            h = train(model, digits[:600], epochs=2, batch_size=100, lr=1e-2, noise="gaussian",
                      noise_level=0.1, seed=7, X_val=digits[600:800], progress=False)
            runs.append((h.to_dict(), model.to_reference()))
    finally:
        torch.set_num_threads(before)
    (h1, p1), (h2, p2) = runs
    assert h1 == h2
    assert all(np.array_equal(p1[key], p2[key]) for key in p1)
    assert torch.get_num_threads() == before


def test_train_documents_the_thread_count_for_reproducibility():
    doc = train.__doc__
    assert "bit-identical" in doc and "torch.set_num_threads" in doc
