"""The command line: help, bad options, a missing data set, and a real training run."""

import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from course_ae import cli, nn


def test_help_explains_every_option():
    out = subprocess.run([sys.executable, "-m", "course_ae", "train", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for action in cli.build_parser()._subparsers._group_actions[0].choices["train"]._actions:
        for flag in action.option_strings:
            assert flag in out
        if action.option_strings and action.dest != "help":
            assert action.help, f"{action.option_strings} has no help text"
    for model in cli.MODELS:
        assert model in out


def test_top_level_usage_names_every_command():
    """The usage line and the help list each sub-command the parser dispatches."""
    out = subprocess.run([sys.executable, "-m", "course_ae", "--help"],
                         capture_output=True, text=True, check=True).stdout
    commands = cli.build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"train", "exercises", "grade"}
    usage = out.splitlines()[0]
    for name in commands:
        assert name in usage, f"{name!r} missing from the usage line: {usage}"
        assert re.search(rf"^\s+{name}\s+\S", out, re.M), f"{name!r} has no help line"


@pytest.mark.parametrize("argv, message", [
    (["train", "--model", "variational"], "invalid choice: 'variational'"),
    (["train", "--hidden", "0"], "expected a whole number ≥ 1, got 0"),
    (["train", "--lr", "-1"], "expected a finite number > 0, got -1"),
    (["train", "--sparsity-target", "1.5"], "expected a number in (0, 1)"),
    (["train", "--colour", "red"], "unrecognized arguments: --colour red"),
    ([], "required: {train,exercises,grade}"),
])
def test_bad_options_exit_with_status_2_and_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_mnist_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as s:  # a port on 127.0.0.1 that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("COURSE_AE_MNIST_URL", f"http://127.0.0.1:{port}/")
    empty = tmp_path / "empty"
    empty.mkdir()
    code = cli.main(["train", "--data", "mnist", "--data-dir", str(empty), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1
    assert "MNIST data set is not available" in err and "COURSE_AE_DATA" in err and "--data digits" in err
    assert "--data-dir FOLDER" in err
    assert not (tmp_path / "o").exists()


def test_trains_a_small_model_on_the_digits_end_to_end(tmp_path, capsys):
    import matplotlib.pyplot as plt

    plt.close("all")
    out = tmp_path / "run"
    start = time.perf_counter()
    code = cli.main(["train", "--model", "denoising", "--data", "digits", "--hidden", "16",
                     "--epochs", "15", "--quiet", "--seed", "3", "--out", str(out)])
    elapsed = time.perf_counter() - start
    assert code == 0
    assert elapsed < 60, f"took {elapsed:.1f} s"
    for name in ("reconstructions.png", "filters.png", "training_curve.png", "history.json", "model.pt"):
        assert (out / name).stat().st_size > 0, name
    record = json.loads((out / "history.json").read_text())
    train = record["history"]["train"]
    assert len(train) == 15 and train[-1] < 0.8 * train[0]
    assert record["options"]["model"] == "denoising" and record["config"]["loss"] == "cross_entropy"
    model = nn.load(out / "model.pt", device="cpu")
    assert model.n_hidden == 16
    # The saved weights reproduce the last validation objective recorded in the history.
    from course_ae.data import load_digits

    X, _ = load_digits()
    order = np.random.default_rng(3).permutation(len(X))
    X_val = X[order[: int(round(0.2 * len(X)))]]
    with torch.no_grad():
        val = float(model.objective(torch.as_tensor(X_val, dtype=model.dtype)))
    assert val == pytest.approx(record["history"]["val"][-1], rel=1e-5)
    assert "wrote reconstructions.png" in capsys.readouterr().out
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == [], "the command left figures open"
