"""The command line on bad input: one line on stderr, no traceback, exit 2 (usage,
before any training) or 1 (run time); Ctrl-C exits 130 and leaves --out as it was.

Every case runs ``python -m course_ae train ...`` in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ("reconstructions.png", "filters.png", "training_curve.png", "history.json", "model.pt")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["OMP_NUM_THREADS"] = "1"
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_ae", "train", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=_env(**env))


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{proc.stderr}"
    assert lines[0].startswith("python -m course_ae train: error: "), lines[0]
    return lines[0]


# (arguments, the message expected in the one line). {tmp} is the test's folder.
USAGE_ERRORS = [
    (["--seed", "-1"], "argument --seed: expected a whole number from 0 to 2**63 - 1"),
    (["--seed", "2**70"], "argument --seed: expected a whole number from 0 to 2**63 - 1 = 9223372036854775807, got '2**70'"),
    (["--seed", str(2**70)], f"got {2**70}"),
    (["--seed", str(2**63)], f"got {2**63}"),
    (["--seed", "1.5"], "argument --seed: expected a whole number"),
    (["--device", "bogus"], "argument --device: 'bogus' is not a torch device; expected cpu, cuda"),
    (["--device", ""], "argument --device: '' is not a torch device"),
    (["--device", "meta"], "argument --device: 'meta' is not available"),
    (["--model", "denoising", "--noise-level", "2"],
     "argument --noise-level: the masking probability q must lie in [0, 1] for --model denoising, got 2"),
    (["--model", "denoising", "--noise-level", "-0.5"], "argument --noise-level: expected a finite number ≥ 0"),
    (["--data", "mnist", "--data-dir", "/nonexistent"],
     "argument --data-dir: /nonexistent does not exist; expected the folder holding t10k-images"),
    (["--data", "mnist", "--data-dir", "{tmp}/a-file"], "argument --data-dir: {tmp}/a-file is not a folder"),
    (["--data-dir", "{tmp}"], "argument --data-dir: only used with --data mnist"),
    (["--out", "{tmp}/a-file"], "argument --out: {tmp}/a-file exists and is not a folder"),
    (["--out", "{tmp}/a-file/run"], "argument --out: {tmp}/a-file/run lies under {tmp}/a-file, which is a file"),
    (["--out", "{tmp}/someone-elses"], "argument --out: {tmp}/someone-elses holds files this command did "
                                       "not write (thesis.tex)"),
    (["--out", "."], "argument --out: '.' names no folder of its own"),
    (["--out", "{tmp}/a-link"], "argument --out: {tmp}/a-link is a symbolic link; name the folder itself"),
    (["--val-fraction", "0"], "argument --val-fraction: expected a number in (0, 1), both ends excluded, got 0"),
    (["--val-fraction", "1"], "argument --val-fraction: expected a number in (0, 1), both ends excluded, got 1"),
    (["--val-fraction", "1.5"], "argument --val-fraction: expected a number in (0, 1)"),
    (["--val-fraction", "-0.2"], "argument --val-fraction: expected a number in (0, 1)"),
    (["--val-fraction", "nan"], "argument --val-fraction: expected a number in (0, 1)"),
    (["--val-fraction", "half"], "argument --val-fraction: expected a number in (0, 1), got 'half'"),
    (["--val-fraction", "0.0001"], "argument --val-fraction: 0.0001 of 1797 images leaves no image for "
                                   "validation; choose a fraction between 1/1797 and 1 - 1/1797"),
    (["--n-images", "10", "--val-fraction", "0.99"], "leaves no image for training"),
    (["--n-images", "5000"], "argument --n-images: 5000 is more than the 1797 images of digits"),
    (["--hidden", "0"], "argument --hidden: expected a whole number ≥ 1, got 0"),
    (["--lr", "inf"], "argument --lr: expected a finite number > 0, got inf"),
    (["--epochs", "ten"], "argument --epochs: expected a whole number ≥ 1, got 'ten'"),
    (["--model", "variational"], "argument --model: invalid choice: 'variational'"),
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "a-file").write_text("a file, not a folder\n")
    (tmp_path / "someone-elses").mkdir()
    (tmp_path / "someone-elses" / "thesis.tex").write_text("precious\n")
    (tmp_path / "a-link").symlink_to(tmp_path / "someone-elses")
    return tmp_path


@pytest.mark.parametrize("args, message", USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_bad_command_lines_get_one_line_and_exit_2_before_training(workdir, args, message):
    args = [a.replace("{tmp}", str(workdir)) for a in args]
    start = time.perf_counter()
    proc = run_cli(*args, "--epochs", "1000" if "--epochs" not in args else "1", cwd=workdir)
    elapsed = time.perf_counter() - start
    line = _one_line_error(proc)
    assert proc.returncode == 2, (proc.returncode, line)
    assert message.replace("{tmp}", str(workdir)) in line
    assert "training " not in proc.stdout  # refused before any training (1000 epochs would show)
    assert elapsed < 60
    assert (workdir / "someone-elses" / "thesis.tex").read_text() == "precious\n"
    assert not (workdir / "out").exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file", "a-link", "someone-elses"]  # no temporary


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device, so --device cuda is valid")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:7"])
def test_cuda_without_a_gpu_is_a_usage_error(workdir, device):
    proc = run_cli("--device", device, cwd=workdir)
    assert proc.returncode == 2
    assert f"argument --device: '{device}' asks for CUDA, but no CUDA device is available" in _one_line_error(proc)


def test_a_diverging_run_is_a_one_line_run_time_error_and_writes_nothing(workdir):
    out = workdir / "run"
    proc = run_cli("--model", "linear", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "5",
                   "--hidden", "8", "--quiet", "--out", str(out), cwd=workdir)
    assert proc.returncode == 1
    line = _one_line_error(proc)
    assert "training diverged in epoch 1 of 5" in line and "smaller lr" in line
    assert f"Nothing was written to {out}" in line
    assert not out.exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file", "a-link", "someone-elses"]


def test_a_model_too_large_for_memory_is_a_one_line_run_time_error(workdir):
    proc = run_cli("--hidden", str(10**9), "--epochs", "1", "--quiet", "--out", str(workdir / "run"),
                   cwd=workdir)
    assert proc.returncode == 1
    assert "not enough memory for a model with --hidden 1000000000" in _one_line_error(proc)


def test_mnist_named_by_a_missing_course_ae_data_is_a_usage_error(workdir):
    proc = run_cli("--data", "mnist", cwd=workdir, COURSE_AE_DATA=str(workdir / "nowhere"))
    assert proc.returncode == 2
    assert "from the COURSE_AE_DATA environment variable) does not exist" in _one_line_error(proc)


def _fake_previous_run(out: Path) -> dict[str, bytes]:
    out.mkdir()
    old = {name: f"old {name}\n".encode() for name in OUTPUTS}
    for name, content in old.items():
        (out / name).write_bytes(content)
    return old


def test_a_new_run_replaces_an_earlier_runs_folder_whole(workdir):
    out = workdir / "run"
    _fake_previous_run(out)
    (out / "model.pt").unlink()  # an earlier, incomplete run
    proc = run_cli("--hidden", "4", "--epochs", "2", "--quiet", "--out", str(out), cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    assert json.loads((out / "history.json").read_text())["options"]["hidden"] == 4
    assert all(not (out / n).read_bytes().startswith(b"old ") for n in OUTPUTS)
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file", "a-link", "run", "someone-elses"]


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="needs POSIX signals")
def test_ctrl_c_exits_130_and_leaves_the_out_folder_as_it_was(workdir):
    out = workdir / "run"
    old = _fake_previous_run(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "course_ae", "train", "--hidden", "16", "--epochs", "100000", "--quiet",
         "--out", str(out)],
        cwd=workdir, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()  # printed just before the first epoch
        assert line.startswith("training vanilla (k=16)"), line
        time.sleep(1.0)  # well inside the training loop
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "python -m course_ae train: interrupted (Ctrl-C); the output folder was left as it was"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # the old files, unmixed
    assert sorted(p.name for p in workdir.iterdir()) == ["a-file", "a-link", "run", "someone-elses"]  # no temporary
