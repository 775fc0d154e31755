"""Bad input at every boundary of the package: one table, one clear error per row.

Each row calls a public function with one bad argument and states the error it must
raise: a ``ValueError`` or ``TypeError`` whose message names the argument (``arg``)
and says what is expected (``expect``, a regular expression). The rows come from
issue 13: complex numbers (whose imaginary part used to be dropped), float64 values
beyond float32's range (which used to become inf), numbers given as strings or bools
(which ``float()`` used to accept), a ``config`` that is not a ``Config``, seeds
(negative, ``None``, wrong type, beyond torch's range), lower-precision arrays in the
finite-difference gradient, and the noise functions of ``course_ae.nn``.

``test_the_table_is_counted`` prints the count for the report.
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
import torch

from course_ae import nn as N
from course_ae import reference as R
from course_ae.gradcheck import check_gradients, numerical_gradient, relative_error


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class Case(NamedTuple):
    id: str
    call: Callable[[], Any]
    error: type[Exception]   # ValueError or TypeError (InputTypeError is both)
    arg: str                 # the argument the message must name
    expect: str              # what the message must say is expected (a regex)


P = R.init_params(5, 3, seed=0)
X = np.random.default_rng(0).uniform(size=(4, 5))
C = R.Config()
SPARSE = R.Config(sparsity_target=0.1, sparsity_weight=1.0)
MODEL = N.Autoencoder(5, 3, C, device="cpu")
MODEL64 = N.Autoencoder(5, 3, C, device="cpu", dtype=torch.float64)
T = torch.rand(4, 5)
BIG = X * 1e39               # finite in float64, beyond float32's 3.4e38
REAL = "real numbers"
SEED = r"int ≥ 0 or a numpy.random.Generator"


def _grads(p):
    return 0.0, {key: np.zeros_like(v) for key, v in p.items()}


CASES = [
    # ---- complex values: refused, never truncated to their real part
    Case("reference X complex", lambda: R.objective(P, X + 1j, C), TypeError, "X", REAL),
    Case("reference X complex list", lambda: R.forward(P, [[1j, 0, 0, 0, 0]], C), TypeError, "X", REAL),
    Case("reference target complex", lambda: R.objective(P, X, C, target=X + 0j), TypeError,
         "target", REAL),
    Case("reference params complex", lambda: R.objective(dict(P, W=P["W"] + 1j), X, C), TypeError,
         "params['W']", REAL),
    Case("reference noise X complex", lambda: R.masking_noise(X + 1j, 0.5, 0), TypeError, "X", REAL),
    Case("reference pca X complex", lambda: R.pca(X + 1j, 2), TypeError, "X", REAL),
    Case("sparsity_penalty rho_hat complex", lambda: R.sparsity_penalty(0.1, [0.2 + 1j]), TypeError,
         "rho_hat", REAL),
    Case("sparsity_penalty rho complex", lambda: R.sparsity_penalty(0.1 + 0j, [0.2]), TypeError,
         "rho", "number"),
    Case("relative_error a complex", lambda: relative_error([1 + 1j], [1.0]), TypeError, "a", REAL),
    Case("relative_error b complex", lambda: relative_error(np.ones(2), np.ones(2) * 1j), TypeError,
         "b", REAL),
    Case("check_gradients params complex", lambda: check_gradients({"W": np.ones(2) + 1j}, _grads),
         TypeError, "params['W']", REAL),
    Case("nn X complex array", lambda: MODEL.encode(X + 1j), TypeError, "X", REAL),
    Case("nn X complex tensor", lambda: MODEL.objective(torch.ones(4, 5, dtype=torch.complex64)),
         TypeError, "X", REAL),
    Case("nn target complex", lambda: MODEL.objective(X, target=X * 1j), TypeError, "target", REAL),
    Case("nn from_reference complex tensor", lambda: N.Autoencoder.from_reference(
        {k: torch.as_tensor(v) + 0j for k, v in P.items()}, C), TypeError, "params['W']", REAL),
    Case("nn from_reference complex array", lambda: N.Autoencoder.from_reference(
        dict(P, c=P["c"] + 1j), C), TypeError, "params['c']", REAL),
    Case("Config weight_decay complex", lambda: R.Config(weight_decay=0.1 + 0j), TypeError,
         "weight_decay", "number ≥ 0"),
    # ---- float64 beyond float32's range: refused, not turned into inf
    Case("nn float32 X array too large", lambda: MODEL.encode(BIG), ValueError, "X",
         r"beyond the range of torch.float32"),
    Case("nn float32 X tensor too large", lambda: MODEL.forward(torch.as_tensor(BIG)), ValueError, "X",
         r"beyond the range of torch.float32"),
    Case("nn float32 target too large", lambda: MODEL.objective(X, target=-BIG), ValueError, "target",
         r"beyond the range of torch.float32"),
    Case("nn float32 H too large", lambda: MODEL.decode(np.full((2, 3), 1e300)), ValueError, "H",
         r"beyond the range of torch.float32"),
    Case("nn float32 params too large", lambda: N.Autoencoder.from_reference(
        dict(P, b=np.full(3, 1e39)), C, dtype=torch.float32), ValueError, "params['b']",
        r"beyond the range of torch.float32"),
    Case("nn float32 train data too large", lambda: N.train(MODEL, BIG, epochs=1, batch_size=2, lr=0.1,
                                                            progress=False),
         ValueError, "X", r"beyond the range of torch.float32"),
    Case("nn float32 X_val too large", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1,
                                                       X_val=BIG, progress=False),
         ValueError, "X_val", r"beyond the range of torch.float32"),
    Case("nn float32 lr too large", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=1e39,
                                                    optimizer="sgd", progress=False),
         ValueError, "lr", r"beyond the range of torch.float32"),
    Case("nn float32 noise_level too large", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1,
                                                             noise="gaussian", noise_level=1e39,
                                                             progress=False),
         ValueError, "noise_level", r"beyond the range of torch.float32"),
    Case("nn gaussian_noise sigma too large", lambda: N.gaussian_noise(T, 1e39), ValueError, "sigma",
         r"beyond the range of torch.float32"),
    # ---- Config: numbers must be real numbers, not strings or bools
    Case("Config weight_decay str", lambda: R.Config(weight_decay="0.1"), TypeError, "weight_decay",
         "number ≥ 0, not a string"),
    Case("Config weight_decay True", lambda: R.Config(weight_decay=True), TypeError, "weight_decay",
         "number ≥ 0, not a bool"),
    Case("Config sparsity_weight str", lambda: R.Config(sparsity_target=0.1, sparsity_weight="1"),
         TypeError, "sparsity_weight", "number ≥ 0"),
    Case("Config contractive_weight bool", lambda: R.Config(contractive_weight=False), TypeError,
         "contractive_weight", "number ≥ 0"),
    Case("Config contractive_weight list", lambda: R.Config(contractive_weight=[0.1]), TypeError,
         "contractive_weight", "number ≥ 0"),
    Case("Config sparsity_target str", lambda: R.Config(sparsity_target="0.1", sparsity_weight=1),
         TypeError, "sparsity_target", r"number in \(0, 1\)"),
    Case("Config sparsity_target True", lambda: R.Config(sparsity_target=True, sparsity_weight=1),
         TypeError, "sparsity_target", "not a bool"),
    Case("Config tied int", lambda: R.Config(tied=1), TypeError, "tied", "True or False"),
    Case("Config.from_dict str", lambda: R.Config.from_dict({"weight_decay": "1e-3"}), TypeError,
         "weight_decay", "not a string"),
    # ---- config must be a Config everywhere
    Case("forward config dict", lambda: R.forward(P, X, {"encoder": "tanh"}), TypeError, "config",
         r"course_ae.reference.Config.*Config\(\*\*d\)"),
    Case("objective config str", lambda: R.objective(P, X, "sigmoid"), TypeError, "config",
         "course_ae.reference.Config"),
    Case("loss_and_gradients config None", lambda: R.loss_and_gradients(P, X, None), TypeError,
         "config", "course_ae.reference.Config"),
    Case("contractive_penalty config dict", lambda: R.contractive_penalty(P, X, {}), TypeError,
         "config", "course_ae.reference.Config"),
    Case("gradient_descent config dict", lambda: R.gradient_descent(P, X, {}, epochs=1, lr=0.1),
         TypeError, "config", "course_ae.reference.Config"),
    Case("nn from_reference config dict", lambda: N.Autoencoder.from_reference(P, C.to_dict()),
         TypeError, "config", "course_ae.reference.Config"),
    # ---- seeds: an int ≥ 0 or a numpy Generator; None refused
    Case("init_params seed None", lambda: R.init_params(5, 3, seed=None), TypeError, "seed",
         r"None is refused.*int ≥ 0"),
    Case("init_params seed -1", lambda: R.init_params(5, 3, seed=-1), ValueError, "seed", SEED),
    Case("init_params seed float", lambda: R.init_params(5, 3, seed=1.5), TypeError, "seed", SEED),
    Case("init_params seed str", lambda: R.init_params(5, 3, seed="0"), TypeError, "seed", SEED),
    Case("init_params seed True", lambda: R.init_params(5, 3, seed=True), TypeError, "seed", SEED),
    Case("init_params seed RandomState", lambda: R.init_params(5, 3, seed=np.random.RandomState(0)),
         TypeError, "seed", SEED),
    Case("init_params tied 'yes'", lambda: R.init_params(5, 3, tied="yes"), TypeError, "tied",
         "True or False"),
    Case("Autoencoder seed None", lambda: N.Autoencoder(5, 3, seed=None, device="cpu"), TypeError,
         "seed", "None is refused"),
    Case("Autoencoder seed -3", lambda: N.Autoencoder(5, 3, seed=-3, device="cpu"), ValueError, "seed",
         SEED),
    Case("gradient_descent seed None", lambda: R.gradient_descent(P, X, C, epochs=1, lr=0.1, seed=None),
         TypeError, "seed", "None is refused"),
    Case("gradient_descent seed -1", lambda: R.gradient_descent(P, X, C, epochs=1, lr=0.1, seed=-1),
         ValueError, "seed", SEED),
    Case("masking_noise rng None", lambda: R.masking_noise(X, 0.5, None), TypeError, "rng",
         "None is refused"),
    Case("masking_noise rng -1", lambda: R.masking_noise(X, 0.5, -1), ValueError, "rng", SEED),
    Case("gaussian_noise rng float", lambda: R.gaussian_noise(X, 0.1, 0.5), TypeError, "rng", SEED),
    Case("train seed None", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1, seed=None),
         TypeError, "seed", "None is refused"),
    Case("train seed -1", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1, seed=-1),
         ValueError, "seed", r"0 ≤ seed < 2\*\*64"),
    Case("train seed 2**70", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1, seed=2**70),
         ValueError, "seed", r"0 ≤ seed < 2\*\*64"),
    Case("train seed str", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1, seed="1"),
         TypeError, "seed", SEED),
    # ---- numbers given as strings or bools elsewhere
    Case("gradient_descent lr str", lambda: R.gradient_descent(P, X, C, epochs=1, lr="0.1"), TypeError,
         "lr", "finite number > 0"),
    Case("gradient_descent lr True", lambda: R.gradient_descent(P, X, C, epochs=1, lr=True), TypeError,
         "lr", "not a bool"),
    Case("gradient_descent noise_level q > 1", lambda: R.gradient_descent(
        P, X, C, epochs=1, lr=0.1, noise="masking", noise_level=2), ValueError, "noise_level",
        r"\[0, 1\]"),
    Case("gradient_descent noise_level str", lambda: R.gradient_descent(
        P, X, C, epochs=1, lr=0.1, noise="gaussian", noise_level="0.1"), TypeError, "noise_level",
        "not a string"),
    Case("gradient_descent X width", lambda: R.gradient_descent(P, X[:, :4], C, epochs=1, lr=0.1),
         ValueError, "X", "5 columns"),
    Case("gradient_descent callback", lambda: R.gradient_descent(P, X, C, epochs=1, lr=0.1, callback=3),
         TypeError, "callback", "function"),
    Case("train lr str", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr="0.1"), TypeError, "lr",
         "finite number > 0"),
    Case("train lr True", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=True), TypeError, "lr",
         "not a bool"),
    Case("train noise_level str", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1,
                                                  noise="masking", noise_level="0.5"),
         TypeError, "noise_level", "not a string"),
    Case("train progress str", lambda: N.train(MODEL, X, epochs=1, batch_size=2, lr=0.1, progress="no"),
         TypeError, "progress", "True or False"),
    Case("masking_noise q str", lambda: R.masking_noise(X, "0.5", 0), TypeError, "q", "not a string"),
    Case("gaussian_noise sigma True", lambda: R.gaussian_noise(X, True, 0), TypeError, "sigma",
         "not a bool"),
    Case("pca k bool", lambda: R.pca(X, True), TypeError, "k", "whole number"),
    # ---- course_ae.nn noise functions validate like the reference's
    Case("nn masking q > 1", lambda: N.masking_noise(T, 1.5), ValueError, "q", r"\[0, 1\]"),
    Case("nn masking q < 0", lambda: N.masking_noise(T, -0.1), ValueError, "q", r"\[0, 1\]"),
    Case("nn masking q nan", lambda: N.masking_noise(T, float("nan")), ValueError, "q", r"\[0, 1\]"),
    Case("nn masking q str", lambda: N.masking_noise(T, "0.5"), TypeError, "q", "not a string"),
    Case("nn gaussian sigma < 0", lambda: N.gaussian_noise(T, -0.1), ValueError, "sigma", "≥ 0"),
    Case("nn gaussian sigma inf", lambda: N.gaussian_noise(T, float("inf")), ValueError, "sigma",
         "finite number ≥ 0"),
    Case("nn gaussian sigma complex", lambda: N.gaussian_noise(T, 1j), TypeError, "sigma", "not complex"),
    Case("nn masking X array", lambda: N.masking_noise(X, 0.5), TypeError, "X", "torch.Tensor"),
    Case("nn masking X int tensor", lambda: N.masking_noise(torch.ones(2, 2, dtype=torch.int64), 0.5),
         TypeError, "X", "floating-point tensor"),
    Case("nn gaussian generator numpy", lambda: N.gaussian_noise(T, 0.1, np.random.default_rng(0)),
         TypeError, "generator", "torch.Generator"),
    Case("nn masking generator int", lambda: N.masking_noise(T, 0.1, 0), TypeError, "generator",
         "torch.Generator"),
    # ---- finite differences in float64 only
    Case("numerical_gradient float32", lambda: numerical_gradient(
        lambda v: float(v.sum()), np.ones(3, np.float32)), ValueError, "x", "float64"),
    Case("numerical_gradient float16", lambda: numerical_gradient(
        lambda v: float(v.sum()), np.ones(3, np.float16)), ValueError, "x", "float64"),
    Case("numerical_gradient list", lambda: numerical_gradient(lambda v: 0.0, [1.0, 2.0]), TypeError, "x",
         "float64 numpy array"),
    Case("numerical_gradient read-only", lambda: numerical_gradient(
        lambda v: 0.0, np.broadcast_to(np.ones(1), (3,))), ValueError, "x", "writeable"),
    Case("numerical_gradient eps str", lambda: numerical_gradient(lambda v: 0.0, np.ones(2), "1e-5"),
         TypeError, "eps", "number > 0"),
    Case("numerical_gradient eps nan", lambda: numerical_gradient(lambda v: 0.0, np.ones(2), float("nan")),
         ValueError, "eps", "finite number > 0"),
    Case("check_gradients params list", lambda: check_gradients([np.ones(2)], _grads), TypeError,
         "params", "dict of arrays"),
    Case("check_gradients function", lambda: check_gradients(P, "R.loss_and_gradients"), TypeError,
         "loss_and_gradients", "function"),
    Case("check_gradients returns a float", lambda: check_gradients(P, lambda p: 0.0), ValueError,
         "loss_and_gradients", r"tuple \(loss, grads\)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_error(case):
    assert case.error in (ValueError, TypeError)
    with pytest.raises(case.error) as info:
        case.call()
    message = str(info.value)
    assert case.arg in message, f"the message does not name {case.arg!r}: {message}"
    assert re.search(case.expect, message), f"the message does not say {case.expect!r}: {message}"


def test_the_table_is_counted(capsys):
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    with capsys.disabled():
        print(f"\n{len(CASES)} bad inputs in tests/test_bad_inputs.py")
    assert len(CASES) >= 80


def test_wrong_kinds_of_number_are_both_type_and_value_errors():
    # InputTypeError: a TypeError, and a ValueError so that code catching ValueError for
    # bad input (the chapters, the exercise checks, the command line) keeps working.
    for call in (lambda: R.Config(weight_decay="0.1"), lambda: R.init_params(3, 2, seed=None),
                 lambda: R.objective(P, X + 1j, C)):
        with pytest.raises(TypeError):
            call()
        with pytest.raises(ValueError):
            call()


def test_good_inputs_near_the_refused_ones_still_work():
    """The checks refuse only what is wrong: NumPy scalars, 0-d arrays, Generators, big seeds."""
    assert R.Config(weight_decay=np.float32(0.5)).weight_decay == 0.5
    assert R.Config(weight_decay=np.int64(1), sparsity_target=np.float64(0.1),
                    sparsity_weight=np.array(2.0)).sparse
    rng = np.random.default_rng(3)
    a, b = R.init_params(5, 3, seed=rng), R.init_params(5, 3, seed=rng)
    assert not np.array_equal(a["W"], b["W"])   # the Generator is advanced, as documented
    big = R.init_params(5, 3, seed=2**70)
    assert np.array_equal(big["W"], R.init_params(5, 3, seed=2**70)["W"])
    assert R.masking_noise(X, np.float64(0.5), np.random.default_rng(0)).shape == X.shape
    model = N.Autoencoder(5, 3, C, device="cpu", dtype=torch.float64, seed=np.random.default_rng(1))
    assert np.array_equal(model.to_reference()["W"], R.init_params(5, 3, seed=np.random.default_rng(1))["W"])
    h = N.train(MODEL64, X, epochs=1, batch_size=2, lr=0.01, seed=np.uint64(2**64 - 1), progress=False)
    assert len(h.train) == 1
    h1 = N.train(N.Autoencoder(5, 3, C, device="cpu"), X, epochs=2, batch_size=2, lr=0.01,
                 seed=np.random.default_rng(5), progress=False)
    h2 = N.train(N.Autoencoder(5, 3, C, device="cpu"), X, epochs=2, batch_size=2, lr=0.01,
                 seed=np.random.default_rng(5), progress=False)
    assert h1 == h2
    # float64 values inside float32's range, and float64 models, are fine
    assert torch.isfinite(MODEL.encode(X * 1e30)).all()
    assert torch.isfinite(MODEL64.encode(BIG)).all()
    # integer and float32 input (what as_batch converts) still works
    assert MODEL.encode(np.ones((2, 5), dtype=np.int64)).shape == (2, 3)
    assert R.objective(P, X.astype(np.float32), C) == pytest.approx(R.objective(P, X, C), rel=1e-6)
