#!/usr/bin/env python
"""Benchmarks of course_ae against idiomatic PyTorch and against the arithmetic limit.

Usage::

    .venv/bin/python bench/run.py [--quick] [--tiny] [--json PATH] [--threads N]

Prints a table and, with ``--json``, writes one JSON object whose fixed keys are numbers:

reference_step_over_gemm   one ``course_ae.reference.loss_and_gradients`` call (m=256,
                           n=784, k=256, sigmoid/sigmoid, squared error) ÷ the five
                           matrix products of its forward and backward pass timed alone
                           (same shapes and memory layouts, float64 NumPy).   target ≤ 1.5
nn_epoch_over_idiomatic    one epoch of ``course_ae.nn.train`` (float32, Adam, batch 128,
                           k=64, 8,000 images) ÷ the same epoch written the usual way
                           (nn.Sequential, DataLoader(TensorDataset, shuffle=True),
                           MSELoss(reduction="sum")/m, Adam).                  target ≤ 0.8
nn_over_reference_epoch    the same course_ae.nn epoch ÷ one epoch of the NumPy
                           reference's ``gradient_descent`` (batch 128).        report only
contractive_speedup        penalty + gradient through the Jacobian built by torch.func
                           (vmap(jacrev(encode))) ÷ the closed form, batch 256, n=784,
                           k=256.                                              target ≥ 10
linear_ae_gap              (objective of a linear AE trained by gradient descent − the SVD
                           optimum) ÷ the optimum.                             target ≤ 1e-3
linear_ae_subspace_distance ‖W*W − V≤k V≤kᵀ‖_F.                                target ≤ 1e-2
peak_rss_mb                peak resident memory of this process (ru_maxrss).    report only

With CUDA it adds ``cuda_epoch_over_idiomatic`` (target ≤ 0.2) and
``cuda_step_over_gemm`` (report only). ``meta`` records the machine, versions, threads,
load average, data set and mode; ``timings`` the medians (seconds) behind every ratio;
``targets`` the targets, so that the book's Performance page can read everything from
the JSON without rerunning anything.

Method: every ratio's two sides are timed in the same run, interleaved (A B, then B A,
...), after warm-up calls; each side's value is the median of its repetitions, timed
with ``time.perf_counter`` (with ``torch.cuda.synchronize`` on CUDA).

``--quick`` keeps every size and takes fewer repetitions (under 3 minutes on an idle
2-core machine); ``--tiny`` shrinks the sizes too (a few seconds, for the smoke test:
its numbers mean nothing).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

def _threads_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return None


# --threads must reach the thread pools before numpy and torch start them.
_THREADS = _threads_from_argv(sys.argv[1:]) if __name__ == "__main__" else None
if _THREADS is not None and _THREADS.isdigit():
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _THREADS

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # measure this checkout, installed or not
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn as tnn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

import course_ae  # noqa: E402
import course_ae.nn as cnn  # noqa: E402
import course_ae.reference as R  # noqa: E402
from course_ae import data as cdata  # noqa: E402

#: metric -> (comparison, target); None: reported, no target.
TARGETS: dict[str, tuple[str, float] | None] = {
    "reference_step_over_gemm": ("<=", 1.5),
    "nn_epoch_over_idiomatic": ("<=", 0.8),
    "nn_over_reference_epoch": None,
    "contractive_speedup": (">=", 10.0),
    "linear_ae_gap": ("<=", 1e-3),
    "linear_ae_subspace_distance": ("<=", 1e-2),
    "peak_rss_mb": None,
    "cuda_epoch_over_idiomatic": ("<=", 0.2),
    "cuda_step_over_gemm": None,
}
#: The keys every run writes (the CUDA ones only where CUDA is available).
FIXED_KEYS = [key for key in TARGETS if not key.startswith("cuda_")]
CUDA_KEYS = [key for key in TARGETS if key.startswith("cuda_")]

DESCRIPTIONS = {
    "reference_step_over_gemm": "NumPy reference step ÷ its 5 GEMMs alone",
    "nn_epoch_over_idiomatic": "course_ae.nn epoch ÷ idiomatic PyTorch epoch (CPU)",
    "nn_over_reference_epoch": "course_ae.nn epoch ÷ NumPy reference epoch",
    "contractive_speedup": "torch.func Jacobian ÷ closed form (penalty + gradient)",
    "linear_ae_gap": "linear AE by GD: relative gap to the SVD optimum",
    "linear_ae_subspace_distance": "‖P_AE − P_PCA‖_F",
    "peak_rss_mb": "peak resident memory (MiB)",
    "cuda_epoch_over_idiomatic": "course_ae.nn epoch ÷ idiomatic PyTorch epoch (CUDA)",
    "cuda_step_over_gemm": "course_ae.nn step ÷ its 5 GEMMs alone (CUDA)",
}


def met(key: str, value: float) -> bool | None:
    """Whether ``value`` meets the target of ``key`` (None: no target)."""
    target = TARGETS.get(key)
    if target is None:
        return None
    op, bound = target
    return value <= bound if op == "<=" else value >= bound


_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- timing


def interleaved(sides: dict[str, Callable[[], Any]], *, repeats: int, warmup: int = 1,
                sync: Callable[[], None] = lambda: None) -> dict[str, float]:
    """Median wall time (s) of each side, the sides timed alternately (ABBA...)."""
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
        sync()
    times: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    gc.disable()  # as timeit does: no collector pauses inside a measurement
    try:
        for rep in range(repeats):
            for name in (names if rep % 2 == 0 else names[::-1]):
                sync()
                t0 = time.perf_counter()
                sides[name]()
                sync()
                times[name].append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return {name: statistics.median(ts) for name, ts in times.items()}


def loop(fn: Callable[[], Any], inner: int) -> Callable[[], None]:
    """``fn`` called ``inner`` times (for operations too short to time one at a time)."""
    def run() -> None:
        for _ in range(inner):
            fn()
    return run


# ----------------------------------------------------------------------------- data


def load_images(m: int, tiny: bool) -> tuple[np.ndarray, str]:
    """``m`` images with 784 pixels in [0, 1] (MNIST test set, else upsampled digits)."""
    if not tiny:
        try:
            X, _ = cdata.load_mnist()
            return np.ascontiguousarray(X[:m]), f"MNIST test set, first {min(m, len(X))} images"
        except Exception as exc:  # noqa: BLE001 - any failure means: fall back
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    else:
        reason = "--tiny"
    digits, _ = cdata.load_digits()
    idx = (np.arange(28) * 8) // 28  # nearest-neighbour 8×8 -> 28×28
    up = digits.reshape(-1, 8, 8)[:, idx][:, :, idx].reshape(-1, 784)
    rows = np.random.default_rng(0).choice(len(up), size=m, replace=m > len(up))
    return (np.ascontiguousarray(up[rows]),
            f"scikit-learn digits upsampled to 28×28, {m} rows resampled (MNIST unavailable: {reason})")


# ----------------------------------------------------------------------------- benchmarks


def minor_faults_per_call(fn: Callable[[], Any], calls: int = 10) -> float:
    """Page faults (fresh memory pages touched) per call of ``fn``; information only."""
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def bench_reference_step(sizes: dict, repeats: int) -> tuple[float, dict]:
    """loss_and_gradients vs the five GEMMs of its forward and backward pass.

    The baseline computes the five products with the step's shapes and memory layouts
    (transposes as views, as in the reference) and returns them, as a step must keep
    its products until it returns (a1 and a2 feed the backward pass, the gradients are
    its result). A variant that throws each product away at once is timed for
    information: there the allocator hands the same memory back each time, so it
    touches no fresh pages.
    """
    m, n, k = sizes["step"]
    rng = np.random.default_rng(0)
    X = rng.random((m, n))
    params = R.init_params(n, k, seed=0)
    config = R.Config(encoder="sigmoid", decoder="sigmoid", loss="squared_error")
    W, W_star = params["W"], params["W_star"]
    H, D2, D1 = rng.random((m, k)), rng.random((m, n)), rng.random((m, k))

    def gemms() -> tuple[np.ndarray, ...]:
        return (X @ W.T,          # a1 = X Wᵀ            (m, k)
                H @ W_star.T,     # a2 = h1 W*ᵀ          (m, n)
                D2.T @ H,         # ∂J/∂W* = δ2ᵀ h1      (n, k)
                D2 @ W_star,      # ∂J/∂h1 = δ2 W*       (m, k)
                D1.T @ X)         # ∂J/∂W  = δ1ᵀ X       (k, n)

    def gemms_discarded() -> None:
        X @ W.T
        H @ W_star.T
        D2.T @ H
        D2 @ W_star
        D1.T @ X

    def step() -> tuple[float, dict]:
        return R.loss_and_gradients(params, X, config)

    inner = sizes["step_inner"]
    t = interleaved({"step": loop(step, inner), "gemm": loop(gemms, inner),
                     "gemm_discarded": loop(gemms_discarded, inner)},
                    repeats=repeats, warmup=2)
    return t["step"] / t["gemm"], {
        "reference_step_s": t["step"] / inner,
        "five_gemms_s": t["gemm"] / inner,
        "five_gemms_discarded_s": t["gemm_discarded"] / inner,
        "reference_step_page_faults": minor_faults_per_call(step),
        "five_gemms_page_faults": minor_faults_per_call(gemms),
        "five_gemms_discarded_page_faults": minor_faults_per_call(gemms_discarded),
    }


def idiomatic_epoch(X: torch.Tensor, init: dict, lr: float, batch_size: int,
                    device: torch.device) -> Callable[[], float]:
    """One epoch written the way a PyTorch user typically writes it."""
    k, n = init["W"].shape
    model = tnn.Sequential(tnn.Linear(n, k), tnn.Sigmoid(), tnn.Linear(k, n), tnn.Sigmoid())
    with torch.no_grad():  # the same starting point as course_ae.nn
        model[0].weight.copy_(torch.as_tensor(init["W"]))
        model[0].bias.copy_(torch.as_tensor(init["b"]))
        model[2].weight.copy_(torch.as_tensor(init["W_star"]))
        model[2].bias.copy_(torch.as_tensor(init["c"]))
    model.to(device)
    loss_fn = tnn.MSELoss(reduction="sum")

    def epoch() -> float:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X), batch_size=batch_size, shuffle=True)
        total, count = 0.0, 0
        for (xb,) in loader:
            xb = xb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), xb) / xb.shape[0]  # the course's objective: sum over pixels, mean over rows
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
            count += xb.shape[0]
        return total / count

    return epoch


def bench_nn_epoch(images: np.ndarray, sizes: dict, repeats: int, device: torch.device,
                   with_reference: bool) -> tuple[dict[str, float], dict]:
    """course_ae.nn.train (one epoch) vs the idiomatic epoch (and vs the NumPy reference)."""
    k, batch, lr = sizes["nn_k"], 128, 1e-3
    m, n = images.shape
    X32 = torch.from_numpy(images.astype(np.float32))  # on the host, as a user has it
    init = R.init_params(n, k, seed=0)
    model = cnn.Autoencoder(n, k, R.Config(), device=device, dtype=torch.float32, seed=0)
    sides: dict[str, Callable[[], Any]] = {
        "course_ae.nn": lambda: cnn.train(model, X32, epochs=1, batch_size=batch, lr=lr,
                                          progress=False),
        "idiomatic": idiomatic_epoch(X32, init, lr, batch, device),
    }
    if with_reference:
        X64 = images.astype(np.float64)
        sides["reference"] = lambda: R.gradient_descent(init, X64, R.Config(), epochs=1,
                                                        lr=0.01, batch_size=batch)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    t = interleaved(sides, repeats=repeats, warmup=1, sync=sync)
    out = {"over_idiomatic": t["course_ae.nn"] / t["idiomatic"]}
    if with_reference:
        out["over_reference"] = t["course_ae.nn"] / t["reference"]
    prefix = "cuda_" if device.type == "cuda" else ""
    return out, {f"{prefix}{name.replace('.', '_')}_epoch_s": value for name, value in t.items()}


def bench_contractive(sizes: dict, repeats: int, device: torch.device) -> tuple[float, dict]:
    """Contractive penalty and its gradient: torch.func Jacobian vs the closed form."""
    from torch.func import jacrev, vmap

    m, n, k = sizes["contractive"]
    model = cnn.Autoencoder(n, k, R.Config(contractive_weight=0.1), device=device, seed=0)
    X = torch.rand(m, n, generator=torch.Generator().manual_seed(0)).to(device)

    def encode_one(x: torch.Tensor) -> torch.Tensor:  # h(x) for one example x of shape (n,)
        return model.encode(x.unsqueeze(0)).squeeze(0)

    def autodiff() -> torch.Tensor:
        model.zero_grad(set_to_none=True)
        J = vmap(jacrev(encode_one))(X)              # (m, k, n): every Jacobian, built
        penalty = (J * J).sum(dim=(1, 2)).mean()
        penalty.backward()
        return penalty.detach()

    def closed_form() -> torch.Tensor:
        model.zero_grad(set_to_none=True)
        penalty = model.contractive_penalty(X)       # Σ_l h_l²(1−h_l)² ‖W_l‖², no Jacobian
        penalty.backward()
        return penalty.detach()

    # Both compute the same thing: check before timing.
    p1 = autodiff()
    g1 = model.W.grad.clone()
    p2 = closed_form()
    g2 = model.W.grad.clone()
    err_p = float(abs(p1 - p2) / abs(p2))
    err_g = float((g1 - g2).abs().max() / g2.abs().max())
    if not (err_p < 1e-4 and err_g < 1e-3):
        raise AssertionError(f"the two contractive penalties disagree: {err_p:.2e}, {err_g:.2e}")
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    t = interleaved({"jacobian": autodiff, "closed_form": closed_form}, repeats=repeats,
                    warmup=1, sync=sync)
    return t["jacobian"] / t["closed_form"], {
        "contractive_jacobian_s": t["jacobian"], "contractive_closed_form_s": t["closed_form"],
        "contractive_agreement_penalty": err_p, "contractive_agreement_grad_W": err_g}


def gaussian_cloud(variances: list[float], m: int, seed: int) -> np.ndarray:
    """The data of book/02_pca.md: m points whose covariance has the given eigenvalues,
    randomly rotated and shifted (the same function and seed as the chapter)."""
    rng = np.random.default_rng(seed)
    d = len(variances)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    Z = rng.normal(size=(m, d)) * np.sqrt(variances)
    return Z @ rotation.T + rng.uniform(-2, 2, size=d)


def linear_ae_vs_svd(data: np.ndarray, k: int, *, epochs: int, lr: float) -> dict[str, float]:
    """Train a linear AE (biases included) by full-batch gradient descent on the centred
    data from init_params(seed=0); compare with the SVD optimum and the PCA projector."""
    centred = data - data.mean(axis=0)
    d = data.shape[1]
    config = R.Config(encoder="linear", decoder="linear", loss="squared_error")
    params, _ = R.gradient_descent(R.init_params(d, k, seed=0), centred, config,
                                   epochs=epochs, lr=lr)
    sol = R.linear_autoencoder_solution(data, k)                       # W = V≤kᵀ, W* = V≤k
    s = np.linalg.svd(R.normalize(data), compute_uv=False)
    optimum = float(np.sum(s[k:] ** 2))                                # Eckart–Young: Σ_{i>k} λ_i
    trained = R.objective(params, centred, config)
    svd_params = {"W": sol["W"], "W_star": sol["W_star"], "b": np.zeros(k), "c": np.zeros(d)}
    return {"gap": (trained - optimum) / optimum,
            "distance": float(np.linalg.norm(params["W_star"] @ params["W"]
                                              - sol["W_star"] @ sol["W"])),
            "trained": trained, "optimum": optimum,
            "svd_solution_objective": R.objective(svd_params, centred, config)}


def bench_linear_ae(tiny: bool) -> tuple[dict[str, float], dict, dict]:
    """A linear AE trained by gradient descent vs the SVD optimum.

    The recorded numbers use the setting and budget of book/02_pca.md: 500 points in
    R^10 with covariance eigenvalues 4, 3, 2.2, 0.9, ..., 0.4 (full rank, a clear gap
    after λ_3), k = 3, 400 epochs of full-batch gradient descent at lr = 0.08. Full rank
    matters: with zero-variance directions the encoder's component along them never
    moves, and W*W becomes an oblique projection with the same (optimal) error.

    For information (not with --tiny): the same on MNIST projected onto its top d = 32
    principal directions (full rank), k = 6 where the spectrum has a gap.
    """
    cloud = gaussian_cloud([4.0, 3.0, 2.2, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4], m=500, seed=0)
    book = linear_ae_vs_svd(cloud, 3, epochs=400, lr=0.08)
    extra: dict[str, Any] = {
        "linear_ae_setting": ("book/02_pca.md: gaussian_cloud(eigenvalues 4, 3, 2.2, 0.9, 0.8, "
                              "0.7, 0.6, 0.5, 0.45, 0.4; m=500, seed=0), centred, k=3, "
                              "full-batch gradient descent from init_params(10, 3, seed=0), "
                              "400 epochs, lr=0.08, biases included"),
        "linear_ae_objective": book["trained"], "linear_ae_optimum": book["optimum"],
        "linear_ae_svd_solution_objective": book["svd_solution_objective"],
    }
    if not tiny:
        try:
            X, _ = cdata.load_mnist()
            name = "MNIST test set"
        except Exception:  # noqa: BLE001
            X, _ = cdata.load_digits()
            name = "digits (MNIST unavailable)"
        d, k = 32, 6
        V, eigenvalues = R.pca(X, d)
        Z = (X - X.mean(axis=0)) @ V                          # (m, d), full rank
        lr = 0.05 * 5.31 / float(eigenvalues[0])              # 0.05 on MNIST, scaled otherwise
        pcs = linear_ae_vs_svd(Z, k, epochs=500, lr=lr)
        extra.update({
            "mnist_pcs_setting": (f"{name} projected onto its top {d} principal directions, "
                                  f"k={k} (λ_k={eigenvalues[k - 1]:.3g}, λ_k+1={eigenvalues[k]:.3g}), "
                                  f"500 epochs of full-batch gradient descent, lr={lr:.3g}"),
            "mnist_pcs_linear_ae_gap": pcs["gap"],
            "mnist_pcs_linear_ae_subspace_distance": pcs["distance"],
        })
    return {"gap": book["gap"], "distance": book["distance"]}, {}, extra


def bench_cuda_step(sizes: dict, repeats: int) -> tuple[float, dict]:
    """course_ae.nn objective + backward vs its five GEMMs, float32 on CUDA."""
    dev = torch.device("cuda")
    m, n, k = sizes["step"]
    model = cnn.Autoencoder(n, k, R.Config(), device=dev, dtype=torch.float32, seed=0)
    g = torch.Generator(device=dev).manual_seed(0)
    X = torch.rand(m, n, device=dev, generator=g)
    H, D2, D1 = (torch.rand(s, device=dev, generator=g) for s in [(m, k), (m, n), (m, k)])
    W, W_star = model.W.detach(), model.W_star.detach()

    def gemms() -> None:
        X @ W.T
        H @ W_star.T
        D2.T @ H
        D2 @ W_star
        D1.T @ X

    def step() -> None:
        model.zero_grad(set_to_none=True)
        model._objective(X, X).backward()

    inner = 50
    t = interleaved({"step": loop(step, inner), "gemm": loop(gemms, inner)}, repeats=repeats,
                    warmup=2, sync=torch.cuda.synchronize)
    return t["step"] / t["gemm"], {"cuda_step_s": t["step"] / inner,
                                   "cuda_five_gemms_s": t["gemm"] / inner}


# ----------------------------------------------------------------------------- meta


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def thread_info() -> dict:
    info: dict[str, Any] = {"torch_intraop": torch.get_num_threads(),
                            "torch_interop": torch.get_num_interop_threads()}
    try:
        from threadpoolctl import threadpool_info
        info["numpy_blas"] = [{"library": p.get("internal_api"), "num_threads": p.get("num_threads")}
                              for p in threadpool_info() if p.get("user_api") == "blas"]
    except Exception:  # noqa: BLE001
        pass
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            info[var] = os.environ[var]
    return info


def loadavg() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


# ----------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> dict:
    tiny, quick = args.tiny, args.quick
    if tiny:
        sizes = {"step": (32, 64, 16), "step_inner": 5, "nn_m": 512, "nn_k": 16,
                 "contractive": (16, 64, 16)}
        reps = {"step": 3, "nn": 2, "contractive": 2}
    else:
        sizes = {"step": (256, 784, 256), "step_inner": 1, "nn_m": 8000, "nn_k": 64,
                 "contractive": (256, 784, 256)}
        reps = {"step": 41, "nn": 5, "contractive": 3} if quick else \
               {"step": 151, "nn": 15, "contractive": 7}
    cpu = torch.device("cpu")
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    load_before = loadavg()
    started = time.perf_counter()

    log("reference step vs GEMMs ...")
    results["reference_step_over_gemm"], t = bench_reference_step(sizes, reps["step"])
    timings.update(t)

    log("nn epoch vs idiomatic PyTorch and vs the NumPy reference ...")
    images, data_note = load_images(sizes["nn_m"], tiny=tiny)
    out, t = bench_nn_epoch(images, sizes, reps["nn"], cpu, with_reference=True)
    results["nn_epoch_over_idiomatic"] = out["over_idiomatic"]
    results["nn_over_reference_epoch"] = out["over_reference"]
    timings.update(t)

    log("contractive penalty: torch.func Jacobian vs closed form ...")
    results["contractive_speedup"], t = bench_contractive(sizes, reps["contractive"], cpu)
    timings.update(t)

    log("linear autoencoder vs the SVD optimum ...")
    lin, t, lin_extra = bench_linear_ae(tiny)
    results["linear_ae_gap"] = lin["gap"]
    results["linear_ae_subspace_distance"] = lin["distance"]
    timings.update(t)

    cuda_note: Any = None
    if torch.cuda.is_available() and not args.no_cuda:
        log("CUDA: nn epoch vs idiomatic, step vs GEMMs ...")
        try:
            dev = torch.device("cuda")
            out, t = bench_nn_epoch(images, sizes, reps["nn"], dev, with_reference=False)
            results["cuda_epoch_over_idiomatic"] = out["over_idiomatic"]
            timings.update(t)
            results["cuda_step_over_gemm"], t = bench_cuda_step(sizes, reps["step"])
            timings.update(t)
            cuda_note = {"device": torch.cuda.get_device_name(0),
                         "cuda_version": torch.version.cuda}
        except Exception as exc:  # noqa: BLE001 - record, don't lose the CPU results
            cuda_note = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            for key in CUDA_KEYS:
                results.pop(key, None)

    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        results["peak_rss_mb"] /= 1024.0

    meta = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "course_ae": getattr(course_ae, "__version__", None),
        "threads": thread_info(),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "mode": "tiny" if tiny else ("quick" if quick else "full"),
        "repeats": reps,
        "sizes": {"step_m_n_k": sizes["step"], "nn_m": len(images), "nn_k": sizes["nn_k"],
                  "nn_batch": 128, "contractive_m_n_k": sizes["contractive"]},
        "data_nn": data_note,
        "linear_ae_setting": lin_extra.pop("linear_ae_setting"),
        "cuda": cuda_note if torch.cuda.is_available() else None,
        "cuda_note": (None if torch.cuda.is_available()
                      else "torch.cuda.is_available() is False: CUDA benchmarks skipped"),
        "wall_s": round(time.perf_counter() - started, 1),
        "command": " ".join(["bench/run.py"] + sys.argv[1:]),
    }
    return {**{key: float(value) for key, value in results.items()},
            "targets": {key: (None if t is None else {"op": t[0], "value": t[1]})
                        for key, t in TARGETS.items()},
            "timings": {key: value for key, value in timings.items() if key.endswith("_s")},
            "extra": {**{key: value for key, value in timings.items() if not key.endswith("_s")},
                      **lin_extra},
            "meta": meta}


def table(report: dict) -> str:
    rows = [("metric", "value", "target", "met")]
    for key in TARGETS:
        if key not in report:
            continue
        value, target = report[key], TARGETS[key]
        ok = met(key, value)
        rows.append((key, f"{value:.4g}", "—" if target is None else f"{target[0]} {target[1]:g}",
                     "—" if ok is None else ("yes" if ok else "NO")))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, same sizes")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (smoke test; numbers meaningless)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit torch and BLAS to N threads (default: the libraries' own choice)")
    parser.add_argument("--no-cuda", action="store_true", help="skip the CUDA benchmarks")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
        try:
            from threadpoolctl import threadpool_limits
            threadpool_limits(limits=args.threads)
        except ImportError:
            pass
    report = run(args)
    print(table(report))
    meta = report["meta"]
    print(f"\n{meta['mode']} run, {meta['wall_s']} s; load average {meta['loadavg_before']} -> "
          f"{meta['loadavg_after']}; data: {meta['data_nn']}")
    if meta["cuda"] is None:
        print(meta["cuda_note"])
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
        os.replace(tmp, path)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
