"""The deep autoencoder: course_ae.reference.deep and course_ae.nn.DeepAutoencoder.

- the reference's recursion against central finite differences, for 2, 3 and 4 weight
  layers, every combination of hidden and output activations, both losses, with and
  without weight decay (float64, relative error ≤ 1e-6);
- course_ae.nn.DeepAutoencoder against the reference (float64 ≤ 1e-10, float32 ≤ 1e-4;
  CPU, and CUDA when there is a device);
- the one-layer model is the deep one with layers = (n, k, n);
- bad inputs (table-driven), training with course_ae.nn.train, the CLI's --layers.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch

from course_ae import cli
from course_ae import reference as R
from course_ae.gradcheck import numerical_gradient, relative_error
from course_ae.nn import DeepAutoencoder, train
from course_ae.nn_deep import load_deep, save_deep
from course_ae.reference import deep as D

HAS_CUDA = torch.cuda.is_available()
NO_CUDA = "no CUDA device on this machine"
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(not HAS_CUDA, reason=NO_CUDA)]),
]
TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-4}
DTYPES = [pytest.param(torch.float64, id="float64"), pytest.param(torch.float32, id="float32")]

# widths for L = 2, 3, 4 weight layers (n = 5 inputs; every width different, so that a
# transposed weight or a swapped layer shows up as a shape error or a wrong number)
WIDTHS = {2: (5, 3, 5), 3: (5, 4, 2, 5), 4: (5, 4, 2, 3, 5)}
OUTPUTS = [("sigmoid", "squared_error"), ("tanh", "squared_error"), ("linear", "squared_error"),
           ("sigmoid", "cross_entropy")]


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: one thread is as fast, and immune to a busy machine (see test_nn.py)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _problem(widths, m=6, seed=0):
    """A batch in (0, 1), a masked copy of it, and parameters with non-zero biases."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.05, 0.95, size=(m, widths[0]))
    X_noisy = R.masking_noise(X, 0.3, rng)
    params = D.init_deep_params(widths, seed=seed + 1)
    params = {key: value + 0.3 * rng.standard_normal(value.shape) for key, value in params.items()}
    return X, X_noisy, params


# ----------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("weight_decay", [0.0, 0.2], ids=["no-wd", "wd"])
@pytest.mark.parametrize("output, loss", OUTPUTS, ids=[f"{o}-{l}" for o, l in OUTPUTS])
@pytest.mark.parametrize("n_layers", [2, 3, 4])
def test_recursion_matches_finite_differences(n_layers, output, loss, weight_decay):
    widths = WIDTHS[n_layers]
    X, X_noisy, params = _problem(widths, seed=n_layers)
    combos = list(itertools.product(R.ENCODERS, repeat=n_layers - 1))
    assert len(combos) == 4 ** (n_layers - 1)            # every hidden combination
    for i, hidden in enumerate(combos):
        acts = hidden + (output,)
        # alternately plain (target = X) and denoising (corrupted input, clean target)
        for inp, target in [((X, None), (X_noisy, X))[i % 2]]:
            J, grads = D.deep_loss_and_gradients(params, inp, acts, loss, weight_decay, target)
            assert J == pytest.approx(D.deep_objective(params, inp, acts, loss, weight_decay, target),
                                      rel=1e-14)
            assert list(grads) == list(params)
            for key in params:
                num = numerical_gradient(
                    lambda _: D.deep_objective(params, inp, acts, loss, weight_decay, target),
                    params[key])
                err = relative_error(grads[key], num)
                assert err <= 1e-6, f"{acts} {loss} λ={weight_decay} {key}: relative error {err:.2e}"


def test_defaults_are_sigmoid_everywhere_squared_error_no_decay():
    X, _, params = _problem(WIDTHS[4])
    default = D.deep_loss_and_gradients(params, X)
    explicit = D.deep_loss_and_gradients(params, X, ("sigmoid",) * 4, "squared_error", 0.0, None)
    assert default[0] == explicit[0]
    assert all(np.array_equal(default[1][k], explicit[1][k]) for k in params)
    assert D.deep_loss_and_gradients(params, X, "sigmoid")[0] == default[0]   # one name for all
    # and the objective is the mean squared error summed over pixels, by hand
    h = X
    for l in range(1, 5):
        h = 1 / (1 + np.exp(-(h @ params[f"W{l}"].T + params[f"b{l}"])))
    assert default[0] == pytest.approx(np.mean(np.sum((h - X) ** 2, axis=1)), rel=1e-13)


def test_weight_decay_is_half_lambda_sum_of_squared_weights_biases_excluded():
    X, _, params = _problem(WIDTHS[3])
    lam = 0.7
    J0, g0 = D.deep_loss_and_gradients(params, X)
    J1, g1 = D.deep_loss_and_gradients(params, X, weight_decay=lam)
    expected = 0.5 * lam * sum(np.sum(params[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert J1 - J0 == pytest.approx(expected, rel=1e-12)
    for l in (1, 2, 3):
        np.testing.assert_allclose(g1[f"W{l}"] - g0[f"W{l}"], lam * params[f"W{l}"], rtol=1e-12)
        np.testing.assert_array_equal(g1[f"b{l}"], g0[f"b{l}"])


def test_forward_keeps_every_layer():
    X, _, params = _problem(WIDTHS[4])
    fw = D.deep_forward(params, X, ("relu", "tanh", "linear", "sigmoid"))
    assert len(fw.a) == 4 and len(fw.h) == 5
    assert fw.h[0] is not None and np.array_equal(fw.h[0], X)
    assert [a.shape for a in fw.a] == [(6, w) for w in WIDTHS[4][1:]]
    np.testing.assert_array_equal(fw.h[1], np.maximum(fw.a[0], 0))
    np.testing.assert_array_equal(fw.h[2], np.tanh(fw.a[1]))
    np.testing.assert_array_equal(fw.h[3], fw.a[2])
    np.testing.assert_allclose(fw.x_hat, 1 / (1 + np.exp(-fw.a[3])), rtol=1e-15)
    np.testing.assert_allclose(fw.a[1], fw.h[1] @ params["W2"].T + params["b2"], rtol=1e-15)


# ----------------------------------------------------------------------------- the one-layer case


_ONE_LAYER = [(enc, dec, loss, wd) for enc in R.ENCODERS
              for dec, loss in OUTPUTS for wd in (0.0, 0.3)]


@pytest.mark.parametrize("encoder, decoder, loss, weight_decay", _ONE_LAYER)
def test_one_layer_model_is_the_deep_model_with_layers_n_k_n(encoder, decoder, loss, weight_decay):
    rng = np.random.default_rng(3)
    X = rng.uniform(0.05, 0.95, size=(7, 6))
    one = R.init_params(6, 4, seed=2)
    one = {key: value + 0.3 * rng.standard_normal(value.shape) for key, value in one.items()}
    config = R.Config(encoder=encoder, decoder=decoder, loss=loss, weight_decay=weight_decay)
    J_one, g_one = R.loss_and_gradients(one, X, config)
    deep = D.from_one_layer(one)
    J_deep, g_deep = D.deep_loss_and_gradients(deep, X, (encoder, decoder), loss, weight_decay)
    assert relative_error(J_one, J_deep) <= 1e-13
    for key, g in D.to_one_layer(g_deep).items():
        assert relative_error(g_one[key], g) <= 1e-13, key
    assert relative_error(R.forward(one, X, config).x_hat,
                          D.deep_forward(deep, X, (encoder, decoder)).x_hat) <= 1e-15


def test_init_deep_params_with_one_hidden_layer_is_init_params():
    deep, one = D.init_deep_params((9, 4, 9), seed=5), R.init_params(9, 4, seed=5)
    assert list(deep) == ["W1", "b1", "W2", "b2"]
    for key, value in D.to_one_layer(deep).items():
        assert np.array_equal(value, one[key])
    params = D.init_deep_params((784, 256, 32, 256, 784), seed=0)
    assert [params[f"W{l}"].shape for l in (1, 2, 3, 4)] == [(256, 784), (32, 256), (256, 32), (784, 256)]
    assert all(not params[f"b{l}"].any() for l in (1, 2, 3, 4))
    assert not np.array_equal(D.init_deep_params((9, 4, 9), seed=6)["W1"], deep["W1"])


def test_code_layer_is_the_narrowest_hidden_layer():
    assert D.code_layer((784, 256, 32, 256, 784)) == 2
    assert D.code_layer((10, 3, 10)) == 1
    assert D.code_layer((10, 6, 4, 4, 6, 10)) == 2      # the first of equals
    assert DeepAutoencoder((10, 6, 4, 8, 10), device="cpu").n_hidden == 4


def test_public_names_and_import_order():
    import subprocess
    import sys

    import course_ae.nn as nn

    assert R.init_deep_params is D.init_deep_params and R.deep_loss_and_gradients is D.deep_loss_and_gradients
    assert R.deep_forward is D.deep_forward and R.deep_objective is D.deep_objective
    assert "DeepAutoencoder" in nn.__all__ and nn.DeepAutoencoder is DeepAutoencoder
    with pytest.raises(AttributeError, match="no attribute 'Deep'"):
        nn.Deep  # noqa: B018
    # course_ae.nn_deep imported before course_ae.nn (no circular-import failure), and star import
    code = ("import course_ae.nn_deep as d; from course_ae.nn import *; "
            "assert DeepAutoencoder is d.DeepAutoencoder; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


# ----------------------------------------------------------------------------- torch vs reference


_NN_CASES = [
    (2, ("sigmoid", "sigmoid"), "cross_entropy", 0.0),
    (2, ("relu", "linear"), "squared_error", 0.1),
    (3, ("tanh", "sigmoid", "sigmoid"), "cross_entropy", 0.1),
    (3, ("linear", "relu", "tanh"), "squared_error", 0.0),
    (4, ("sigmoid", "sigmoid", "sigmoid", "sigmoid"), "squared_error", 0.1),
    (4, ("relu", "tanh", "linear", "sigmoid"), "cross_entropy", 0.2),
    (4, ("tanh", "linear", "relu", "linear"), "squared_error", 0.2),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_layers, acts, loss, weight_decay", _NN_CASES)
def test_torch_objective_and_gradients_match_reference(n_layers, acts, loss, weight_decay, dtype, device):
    X, X_noisy, params = _problem(WIDTHS[n_layers], seed=10 + n_layers)
    tol = TOLERANCE[dtype]
    for inp, target in ((X, None), (X_noisy, X)):
        model = DeepAutoencoder.from_reference(params, acts, loss=loss, weight_decay=weight_decay,
                                               device=device, dtype=dtype)
        J = model.objective(inp, target=target)
        assert J.shape == () and J.dtype == dtype and J.device.type == device
        J.backward()
        J_ref, g_ref = D.deep_loss_and_gradients(params, inp, acts, loss, weight_decay, target)
        assert relative_error(J.item(), J_ref) <= tol
        grads = {name: p.grad.detach().cpu().double().numpy() for name, p in model.named_parameters()}
        assert list(grads) == list(params)
        for key in params:
            err = relative_error(grads[key], g_ref[key])
            assert err <= tol, f"{key}: {err:.2e} > {tol:g}"


@pytest.mark.parametrize("device", DEVICES)
def test_encode_decode_forward_match_reference(device):
    acts = ("tanh", "relu", "linear", "sigmoid")
    X, _, params = _problem(WIDTHS[4])
    model = DeepAutoencoder.from_reference(params, acts, device=device)
    fw = D.deep_forward(params, X, acts)
    c = model.code_layer
    assert c == 2 and model.n_hidden == 2
    H = model.encode(X)
    np.testing.assert_allclose(H.detach().cpu().numpy(), fw.h[c], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model.decode(H).detach().cpu().numpy(), fw.x_hat, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model(X).detach().cpu().numpy(), fw.x_hat, rtol=1e-13, atol=1e-15)


def test_init_is_the_reference_init_and_round_trips():
    widths = (8, 5, 3, 5, 8)
    expected = D.init_deep_params(widths, seed=4)
    model = DeepAutoencoder(widths, device="cpu", dtype=torch.float64, seed=4)
    assert [name for name, _ in model.named_parameters()] == list(expected)
    got = model.to_reference()
    assert all(got[k].dtype == np.float64 and np.array_equal(got[k], expected[k]) for k in expected)
    got["W1"][:] = 0                                     # a copy
    assert np.array_equal(model.to_reference()["W1"], expected["W1"])
    tensors = {k: torch.tensor(v) for k, v in expected.items()}
    again = DeepAutoencoder.from_reference(tensors, device="cpu").to_reference()
    assert all(np.array_equal(again[k], expected[k]) for k in expected)
    m32 = DeepAutoencoder(widths, device="cpu", seed=4)
    assert m32.dtype == torch.float32
    assert model.layers == widths and model.config.activations == ("sigmoid",) * 4
    assert "layers=(8, 5, 3, 5, 8)" in repr(model)


def test_default_device_is_cuda_when_available():
    assert DeepAutoencoder((4, 2, 4)).device.type == ("cuda" if HAS_CUDA else "cpu")


# ----------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    return load_digits().data / 16.0  # (1797, 64) in [0, 1]


def test_train_on_digits_lowers_the_objective(digits):
    model = DeepAutoencoder((64, 32, 8, 32, 64), loss="cross_entropy", weight_decay=1e-5, device="cpu")
    before = model.objective(digits).item()
    history = train(model, digits, epochs=5, batch_size=64, lr=1e-2, X_val=digits[:300], progress=False)
    after = model.objective(digits).item()
    assert len(history.train) == len(history.val) == 5
    # measured: 46.1 → 27.0 (ratio 0.59); asserted: below 0.7 × the initial objective
    assert after < 0.7 * before, (before, after)
    assert history.train[-1] < history.train[0]
    # the same seed gives the same history
    again = DeepAutoencoder((64, 32, 8, 32, 64), loss="cross_entropy", weight_decay=1e-5, device="cpu")
    assert train(again, digits, epochs=5, batch_size=64, lr=1e-2, X_val=digits[:300],
                 progress=False).train == history.train


def test_train_refuses_other_objects():
    with pytest.raises(TypeError, match="Autoencoder or DeepAutoencoder"):
        train(torch.nn.Linear(3, 3), np.zeros((4, 3)), epochs=1, batch_size=2, lr=1e-2)


# ----------------------------------------------------------------------------- bad inputs


def _good():
    return D.init_deep_params((5, 3, 2, 3, 5), seed=0)


def _with(**changes):
    p = _good()
    for key, value in changes.items():
        if value is None:
            del p[key]
        else:
            p[key] = value
    return p


X5 = np.full((4, 5), 0.5)

BAD_REFERENCE = [
    ("layers not a sequence", lambda: D.init_deep_params(784), "sequence of widths"),
    ("layers a string", lambda: D.init_deep_params("64,8,64"), "sequence of widths"),
    ("too few layers", lambda: D.init_deep_params((64, 64)), "at least three widths"),
    ("output width differs", lambda: D.init_deep_params((64, 8, 32)), "n_L = n_0"),
    ("zero width", lambda: D.init_deep_params((64, 0, 64)), r"layers\[1\] must be ≥ 1"),
    ("float width", lambda: D.init_deep_params((64, 8.5, 64)), r"layers\[1\] must be a whole number"),
    ("params not a dict", lambda: D.deep_forward([1, 2], X5), "dict of arrays"),
    ("one layer only", lambda: D.deep_forward({"W1": np.eye(5), "b1": np.zeros(5)}, X5),
     "at least two layers"),
    ("missing bias", lambda: D.deep_forward(_with(b3=None), X5), r"missing \['b3'\]"),
    ("stray key", lambda: D.deep_forward(_with(c=np.zeros(5)), X5), r"unexpected \['c'\]"),
    ("one-layer names", lambda: D.deep_forward(_with(W_star=np.zeros((5, 3))), X5),
     r"for 4 layers must have keys W1, b1, ..., W4, b4; unexpected \['W_star'\]"),
    ("widths do not chain", lambda: D.deep_forward(_with(W2=np.zeros((2, 4))), X5),
     "must have 3 columns, the width of layer 1"),
    ("bias shape", lambda: D.deep_forward(_with(b2=np.zeros(3)), X5), r"'b2'\] must have shape \(2,\)"),
    ("output width", lambda: D.deep_forward(_with(W4=np.zeros((4, 3)), b4=np.zeros(4)), X5),
     "the input's width 5"),
    ("NaN weight", lambda: D.deep_forward(_with(W1=np.full((3, 5), np.nan)), X5), "NaN or inf"),
    ("X 1-D", lambda: D.deep_forward(_good(), np.zeros(5)), "must be 2-D"),
    ("X wrong width", lambda: D.deep_forward(_good(), np.zeros((4, 6))), "must have 5 columns"),
    ("X with NaN", lambda: D.deep_forward(_good(), np.full((4, 5), np.nan)), "must be finite"),
    ("unknown hidden activation", lambda: D.deep_forward(_good(), X5, ("sigmoid", "swish", "sigmoid", "sigmoid")),
     "unknown activation 'swish' for hidden layer 2"),
    ("relu output", lambda: D.deep_forward(_good(), X5, ("relu",) * 4),
     "for the output layer 4"),
    ("wrong number of activations", lambda: D.deep_forward(_good(), X5, ("sigmoid", "sigmoid")),
     "one activation per weight layer: 4 for 5 widths; got 2"),
    ("activations not names", lambda: D.deep_forward(_good(), X5, 3), "activations must be None"),
    ("unknown loss", lambda: D.deep_objective(_good(), X5, loss="hinge"), "unknown loss 'hinge'"),
    ("cross-entropy with linear output",
     lambda: D.deep_objective(_good(), X5, ("sigmoid", "sigmoid", "sigmoid", "linear"), "cross_entropy"),
     "needs a sigmoid output layer"),
    ("cross-entropy outside [0, 1]",
     lambda: D.deep_objective(_good(), X5 + 1, loss="cross_entropy"), r"must lie in \[0, 1\]"),
    ("negative weight decay", lambda: D.deep_objective(_good(), X5, weight_decay=-1), "weight_decay"),
    ("target shape", lambda: D.deep_loss_and_gradients(_good(), X5, target=np.zeros((3, 5))),
     "target must have the shape of X"),
    ("to_one_layer on 4 layers", lambda: D.to_one_layer(_good()), "two weight layers"),
    ("from_one_layer tied", lambda: D.from_one_layer({"W": np.eye(2), "b": np.zeros(2), "c": np.zeros(2)}),
     "untied one-layer params"),
]

BAD_TORCH = [
    ("bad layers", lambda: DeepAutoencoder((64, 8), device="cpu"), "at least three widths"),
    ("bad activation", lambda: DeepAutoencoder((6, 2, 6), ("sigmoid", "gelu"), device="cpu"),
     "for the output layer 2"),
    ("bad loss", lambda: DeepAutoencoder((6, 2, 6), loss="l1", device="cpu"), "unknown loss"),
    ("bad dtype", lambda: DeepAutoencoder((6, 2, 6), dtype=torch.int64, device="cpu"), "floating-point"),
    ("bad device", lambda: DeepAutoencoder((6, 2, 6), device="tpu:7"), "device must be"),
    ("X wrong width", lambda: DeepAutoencoder((6, 2, 6), device="cpu").objective(torch.zeros(3, 5)),
     "must have 6 columns"),
    ("X with NaN", lambda: DeepAutoencoder((6, 2, 6), device="cpu")(torch.full((3, 6), float("nan"))),
     "must be finite"),
    ("codes of the wrong width", lambda: DeepAutoencoder((6, 4, 2, 4, 6), device="cpu").decode(torch.zeros(3, 4)),
     "H must have 2 columns"),
    ("cross-entropy target outside [0, 1]",
     lambda: DeepAutoencoder((6, 2, 6), loss="cross_entropy", device="cpu").objective(torch.full((3, 6), 2.0)),
     r"must lie in \[0, 1\]"),
    ("target shape", lambda: DeepAutoencoder((6, 2, 6), device="cpu").objective(torch.zeros(3, 6), torch.zeros(2, 6)),
     "target must have the shape of X"),
    ("from_reference bad params", lambda: DeepAutoencoder.from_reference({"W1": np.eye(3)}, device="cpu"),
     "at least two layers"),
]


@pytest.mark.parametrize("case, call, message", BAD_REFERENCE + BAD_TORCH,
                         ids=[c[0] for c in BAD_REFERENCE + BAD_TORCH])
def test_bad_inputs_raise_clear_value_errors(case, call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- the command line


def test_cli_layers_option_trains_a_deep_model(tmp_path, capsys):
    out = tmp_path / "deep"
    code = cli.main(["train", "--layers", "64,32,8,32,64", "--epochs", "2", "--n-images", "400",
                     "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "layers 64,32,8,32,64" in printed
    record = json.loads((out / "history.json").read_text())
    assert record["options"]["layers"] == [64, 32, 8, 32, 64]
    assert record["model"]["layers"] == [64, 32, 8, 32, 64]
    assert len(record["history"]["train"]) == 2
    for name in ("reconstructions.png", "filters.png", "training_curve.png", "model.pt"):
        assert (out / name).stat().st_size > 0, name
    state = torch.load(out / "model.pt", weights_only=True)
    assert state["format"] == "course_ae.nn.DeepAutoencoder" and state["layers"] == [64, 32, 8, 32, 64]
    model = load_deep(out / "model.pt", device="cpu")
    assert model.layers == (64, 32, 8, 32, 64) and model.config.loss == "cross_entropy"


@pytest.mark.parametrize("model, activations, loss", [
    ("linear", ["linear"] * 2, "squared_error"),
    ("denoising", ["sigmoid"] * 2, "cross_entropy"),
])
def test_cli_layers_with_the_other_variants(tmp_path, model, activations, loss):
    out = tmp_path / model
    assert cli.main(["train", "--layers", "64,8,64", "--model", model, "--epochs", "1",
                     "--n-images", "200", "--out", str(out), "--quiet"]) == 0
    record = json.loads((out / "history.json").read_text())
    assert record["model"]["activations"] == activations and record["model"]["loss"] == loss
    assert record["options"]["model"] == model


def test_cli_layers_refuses_the_variants_it_does_not_train(tmp_path, capsys):
    code = cli.main(["train", "--layers", "64,8,64", "--model", "sparse", "--out", str(tmp_path / "o")])
    assert code == 2
    assert "argument --layers: trains --model vanilla, linear, denoising" in capsys.readouterr().err


def test_save_deep_load_deep_round_trip_is_exact(tmp_path):
    model = DeepAutoencoder((6, 4, 2, 4, 6), ("tanh", "relu", "linear", "sigmoid"), loss="cross_entropy",
                            weight_decay=0.1, device="cpu", seed=3)
    save_deep(model, tmp_path / "m.pt")
    again = load_deep(tmp_path / "m.pt", device="cpu")
    assert again.config == model.config and again.dtype == torch.float32
    a, b = model.to_reference(), again.to_reference()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    (tmp_path / "bad.pt").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a readable course_ae model file"):
        load_deep(tmp_path / "bad.pt")
    torch.save({"format": "something else"}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="lacks the format tag"):
        load_deep(tmp_path / "other.pt")


@pytest.mark.parametrize("argv, message", [
    (["train", "--layers", "64,8"], "at least three widths"),
    (["train", "--layers", "64,8,32"], "must end with the width it starts with"),
    (["train", "--layers", "64,x,64"], "comma-separated whole numbers"),
    (["train", "--layers", "64,0,64"], "comma-separated whole numbers ≥ 1"),
])
def test_cli_bad_layers_exit_with_status_2_and_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_layers_must_match_the_data(tmp_path, capsys):
    code = cli.main(["train", "--layers", "784,32,784", "--epochs", "1", "--out", str(tmp_path / "o"),
                     "--quiet"])
    assert code == 2
    assert "--layers: starts with 784, but the digits images have 64 pixels" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
