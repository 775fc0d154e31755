"""nn.load on crafted and damaged files: sizes checked against the file's own tensors
before anything is allocated, non-finite weights refused."""

from __future__ import annotations

import time

import pytest
import torch

from course_ae import nn as cnn
from course_ae.nn import Autoencoder, load, save
from course_ae.reference import Config


@pytest.fixture
def good_payload(tmp_path):
    model = Autoencoder(6, 3, Config(), device="cpu", seed=1)
    path = tmp_path / "good.pt"
    save(model, path)
    return torch.load(path, weights_only=True)


def _write(tmp_path, payload, name="crafted.pt"):
    path = tmp_path / name
    torch.save(payload, path)
    return path


def test_a_header_asking_for_298_gib_is_refused_at_once_without_allocating(
        tmp_path, good_payload, monkeypatch):
    # n = 10⁶ inputs, k = 4·10⁴ hidden units: W and W* in float32 would be 320 GB = 298 GiB,
    # while the file holds a 3×6 model. The header must be checked against the tensors.
    payload = dict(good_payload, n_inputs=10**6, n_hidden=4 * 10**4)
    path = _write(tmp_path, payload)
    assert 2 * 10**6 * 4 * 10**4 * 4 / 2**30 == pytest.approx(298, abs=0.1)
    allocated = []

    def no_allocation(*args, **kwargs):  # init_params is what a model's allocation starts with
        allocated.append(args)
        raise AssertionError(f"load allocated a model of size {args} before checking the file")

    monkeypatch.setattr(cnn, "init_params", no_allocation)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"parameter 'W' holds shape \(3, 6\), but the header "
                                         r"\(n_inputs=1000000, n_hidden=40000\) needs \(40000, 1000000\)"):
        load(path, device="cpu")
    assert time.perf_counter() - start < 1.0
    assert allocated == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("name", ["W", "W_star", "b", "c"])
def test_non_finite_weights_are_refused(tmp_path, good_payload, bad, name):
    payload = dict(good_payload)
    payload["state"] = {k: v.clone() for k, v in good_payload["state"].items()}
    payload["state"][name].view(-1)[0] = bad
    with pytest.raises(ValueError, match=f"non-finite weights: parameter '{name}' has 1 NaN or inf"):
        load(_write(tmp_path, payload), device="cpu")


def _with(payload, **changes):
    out = dict(payload)
    out["state"] = dict(payload["state"])
    for key, value in changes.items():
        if key.startswith("state_"):
            pname = key.removeprefix("state_")
            if value is None:
                del out["state"][pname]
            else:
                out["state"][pname] = value
        else:
            out[key] = value
    return out


BAD_HEADERS = [
    ({"n_inputs": True}, "n_inputs must be a whole number >= 1; the file says True"),
    ({"n_inputs": 6.0}, "n_inputs must be a whole number >= 1; the file says 6.0"),
    ({"n_hidden": 0}, "n_hidden must be a whole number >= 1; the file says 0"),
    ({"n_hidden": -3}, "n_hidden must be a whole number >= 1; the file says -3"),
    ({"dtype": "zeros"}, "dtype must be one of .*the file says 'zeros'"),
    ({"dtype": "int64"}, "dtype must be one of .*the file says 'int64'"),
    ({"dtype": "float64"}, "parameter 'W' is stored as float32, but the header says float64"),
    ({"state_W": None}, r"missing \['W'\]"),
    ({"state_extra": torch.zeros(2)}, r"unexpected \['extra'\]"),
    ({"state_W": [[0.0] * 6] * 3}, "parameter 'W' is not a tensor but a list"),
    ({"state_b": torch.zeros(4)}, r"parameter 'b' holds shape \(4,\), but the header .* needs \(3,\)"),
    ({"state_W": torch.zeros(3, 6, dtype=torch.complex64)},
     "parameter 'W' is stored as complex64, but the header says float32"),
    ({"state": [1, 2]}, "'state' is not a dict of tensors but a list"),
    ({"version": True}, "has format version True"),
]


@pytest.mark.parametrize("changes, message", BAD_HEADERS)
def test_inconsistent_headers_are_refused_with_the_reason(tmp_path, good_payload, changes, message):
    with pytest.raises(ValueError, match=message):
        load(_write(tmp_path, _with(good_payload, **changes)), device="cpu")


def test_the_good_file_still_loads(tmp_path, good_payload):
    model = load(_write(tmp_path, good_payload), device="cpu")
    assert torch.equal(model.W.detach(), good_payload["state"]["W"])
