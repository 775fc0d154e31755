"""Checks for the exercise notebooks: each one runs your function and says PASS or FAIL.

Every check takes the function you wrote, calls it on fixed inputs (fixed seeds), and
compares the result with :mod:`course_ae.reference`, the package's independent NumPy
implementation. It prints one of

    PASS: <task> — <what was verified>

    FAIL: <task>
      expected: <what the reference gives>
      got: <what your function gave>
      hint: <the likely mistake, named when it is a typical one>

and returns ``True`` or ``False``. A check never raises and never shows a traceback:
an unfinished function (``raise NotImplementedError``), an exception inside your code,
a wrong type, a wrong shape, NaN or inf are all reported as FAIL with a hint. Typical
mistakes are recognised by comparing your answer with the value each mistake would give
(for example a masking noise that rescales by 1/(1 − q), the KL arguments swapped, a
missing factor 2, a sum over the batch where the course takes a mean).

The shapes follow the book: a batch ``X`` is (m, n), one example a row; ``W`` is (k, n),
``W_star`` (n, k). In a notebook, assign the result so that only the message shows (a
trailing ``;`` would not silence it under nbval, which runs cells without history)::

    from course_ae import checks
    _ = checks.check_masking_noise(masking_noise)
"""

from __future__ import annotations

import copy
import math
import os
import traceback
import warnings
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from . import reference as R
from .gradcheck import relative_error
from .reference import losses as _losses
from .reference import penalties as _penalties

__all__ = [
    "check_forward", "check_squared_error", "check_cross_entropy",
    "check_decoder_gradients", "check_encoder_gradients",
    "check_normalize", "check_pca", "check_linear_autoencoder",
    "check_weight_decay", "check_tied_gradient",
    "check_masking_noise", "check_gaussian_noise", "check_denoising_objective",
    "check_max_activating_input",
    "check_kl_penalty", "check_kl_gradient", "check_kl_gradient_h",
    "check_contractive_penalty", "check_numerical_jacobian",
    "check_capstone", "CAPSTONE_VARIANTS", "CAPSTONE_SETTINGS",
]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_RTOL = 1e-6  # float64 answers agree with the reference to ~1e-12; mistakes are off by O(1)


# =============================================================================== machinery


class _Failure(Exception):
    """What a check prints under FAIL (raised inside a check, caught by ``_run``)."""

    def __init__(self, hint: str, expected: str | None = None, got: str | None = None) -> None:
        super().__init__(hint)
        self.hint, self.expected, self.got = hint, expected, got


class _NotImplemented(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _student_frames(tb: Any) -> list[traceback.FrameSummary]:
    """The frames of a traceback that are in the student's code (not numpy, not us)."""
    frames = traceback.extract_tb(tb)
    keep = []
    for fr in frames:
        path = os.path.abspath(fr.filename) if fr.filename and not fr.filename.startswith("<") else ""
        if path.startswith(_PACKAGE_DIR) or "site-packages" in path or "dist-packages" in path:
            continue
        keep.append(fr)
    return keep


def _exception_hint(exc: BaseException) -> str:
    msg = str(exc)
    if isinstance(exc, (ValueError, TypeError)) and ("matmul" in msg or "shapes" in msg and "aligned" in msg):
        return ("a matrix product has mismatched shapes: X is (m, n) with one example a row, W is "
                "(k, n) and W_star (n, k), so the encoder is X @ W.T and the decoder H @ W_star.T")
    if "could not be broadcast" in msg:
        return ("two arrays could not be broadcast together: check each shape; a per-row quantity "
                "needs a trailing axis (norms[:, None] or keepdims=True) to divide a matrix row by row")
    if isinstance(exc, KeyError):
        return "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], params['c']"
    if isinstance(exc, NameError):
        return "a name is not defined: run the cells above this one first (Run > Run All Above Selected Cell)"
    return "your function raised an exception: read the message and the line it points to"


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's function; turn any exception into a FAIL (never a traceback)."""
    if not callable(fn):
        raise _Failure(f"pass the function itself (without calling it), e.g. check(my_function); "
                       f"got a {type(fn).__name__}", expected="a function", got=type(fn).__name__)
    name = getattr(fn, "__name__", "your function")
    try:
        result = fn(*args, **kwargs)
        if result is None:
            raise _Failure("your function returned None: did you forget the `return` statement?",
                           expected=f"`{name}` to return a result", got="None")
        return result
    except _Failure:
        raise
    except NotImplementedError as exc:
        frames = _student_frames(exc.__traceback__)
        raise _NotImplemented(frames[-1].name if frames else name) from None
    except Exception as exc:  # the student's code failed: report it in one line
        frames = _student_frames(exc.__traceback__)
        where = ""
        if frames:
            fr = frames[-1]
            code = f": {fr.line.strip()}" if fr.line else ""
            where = f" (in `{fr.name}`, line {fr.lineno}{code})"
        raise _Failure(_exception_hint(exc), expected=f"`{name}` to return a result",
                       got=_one_line(f"{type(exc).__name__}: {exc}") + where) from None


def _run(task: str, body: Callable[[], str]) -> bool:
    """Run one check; print PASS or FAIL; return True or False. Never raises."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            verified = body()
    except _NotImplemented as exc:
        print(f"FAIL: {task} — not implemented yet\n"
              f"  hint: replace the `raise NotImplementedError(...)` line in `{exc.name}` with "
              "your code, then run this cell again.")
        return False
    except _Failure as f:
        lines = [f"FAIL: {task}"]
        if f.expected is not None:
            lines.append(f"  expected: {f.expected}")
        if f.got is not None:
            lines.append(f"  got: {f.got}")
        lines.append(f"  hint: {f.hint}")
        print("\n".join(lines))
        return False
    except Exception as exc:  # a problem in the check itself: still no traceback
        print(f"FAIL: {task}\n  the check could not run: {_one_line(f'{type(exc).__name__}: {exc}')}\n"
              "  hint: this looks like a problem with the check, not with your answer; restart the "
              "kernel and run all cells, and report it if it persists.")
        return False
    print(f"PASS: {task} — {verified}")
    return True


# ------------------------------------------------------------------------------- values


def _num(x: float) -> str:
    return f"{x:.6g}"


def _describe(arr: np.ndarray, limit: int = 4) -> str:
    if arr.ndim == 0:
        return _num(float(arr))
    flat = arr.ravel()
    head = ", ".join(_num(float(v)) for v in flat[:limit])
    more = ", …" if flat.size > limit else ""
    return f"array of shape {arr.shape}, values [{head}{more}]"


def _to_numpy(got: Any) -> Any:
    """Tensors (torch) become NumPy arrays; everything else is returned as is."""
    mod = type(got).__module__ or ""
    if mod.startswith("torch") and hasattr(got, "detach"):
        return got.detach().cpu().numpy()
    return got


def _as_array(got: Any, what: str, shape: tuple[int, ...], meaning: str = "",
              nan_hint: str = "") -> np.ndarray:
    """``got`` as a float array of ``shape``, or a FAIL naming the problem (type, shape, NaN)."""
    got = _to_numpy(got)
    exp_desc = f"{what}: array of shape {shape}" + (f" ({meaning})" if meaning else "")
    if got is None:
        raise _Failure("your function returned None: did you forget the `return` statement?",
                       expected=exp_desc, got="None")
    if isinstance(got, (dict, str, bytes, set)) or callable(got):
        raise _Failure(f"return a NumPy array for {what}", expected=exp_desc, got=f"a {type(got).__name__}")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Failure(f"return a NumPy array of numbers for {what}", expected=exp_desc,
                       got=f"a {type(got).__name__} that is not an array of numbers") from None
    if not isinstance(got, np.ndarray) and not np.isscalar(got):
        if arr.shape != shape:
            pass  # the shape message below says more
        else:
            raise _Failure(f"return a NumPy array (np.array(...)), not a {type(got).__name__}",
                           expected=exp_desc, got=f"a {type(got).__name__} of shape {arr.shape}")
    if arr.shape != shape:
        if len(shape) == 2 and arr.shape == shape[::-1] and shape[0] != shape[1]:
            hint = (f"the shape is transposed: {what} should be {shape}"
                    + (f" ({meaning})" if meaning else "") + "; check the orientation of your products")
        else:
            hint = f"{what} should have shape {shape}" + (f" ({meaning})" if meaning else "")
        raise _Failure(hint, expected=exp_desc, got=f"shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise _Failure(nan_hint or "NaN or inf: a division by zero, the log of 0, or an overflow?",
                       expected=f"{what}: finite values", got=f"{bad} NaN or inf value(s) of {arr.size}")
    return arr


def _as_scalar(got: Any, what: str, per_example: int | None = None, per_unit: int | None = None,
               nan_hint: str = "") -> float:
    """``got`` as a float, or a FAIL (an array of per-example values gets its own hint)."""
    got = _to_numpy(got)
    exp_desc = f"{what}: a single number"
    if got is None:
        raise _Failure("your function returned None: did you forget the `return` statement?",
                       expected=exp_desc, got="None")
    if isinstance(got, (bool, np.bool_)) or isinstance(got, (str, bytes, dict)):
        raise _Failure(f"return {what} as a float", expected=exp_desc, got=f"a {type(got).__name__}")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Failure(f"return {what} as a float", expected=exp_desc, got=f"a {type(got).__name__}") from None
    if arr.size != 1:
        if per_example is not None and arr.shape == (per_example,):
            hint = (f"you returned one value per example; {what} is the mean over the "
                    f"{per_example} examples (np.mean), one number")
        elif per_unit is not None and arr.shape == (per_unit,):
            hint = f"you returned one value per hidden unit; {what} is their sum (np.sum), one number"
        else:
            hint = f"return {what} as one number (a float), not an array"
        raise _Failure(hint, expected=exp_desc, got=f"an array of shape {arr.shape}")
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise _Failure(nan_hint or "NaN or inf: a division by zero, the log of 0, or an overflow?",
                       expected=f"{what}: a finite number", got=f"{value} (NaN or inf)")
    return value


def _compare(got: Any, expected: np.ndarray, what: str, *, hint: str,
             mistakes: Iterable[tuple[Any, str]] = (), ratios: Mapping[float, str] | None = None,
             rtol: float = _RTOL) -> None:
    """FAIL unless ``got`` ≈ ``expected``; name the mistake whose value ``got`` matches.

    ``mistakes`` pairs the value a typical mistake gives with its hint; ``ratios`` maps a
    constant factor (got = r · expected) to its hint (e.g. 0.5: a missing factor 2).
    """
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if relative_error(g, e) <= rtol:
        return
    exp_desc, got_desc = f"{what}: {_describe(e)}", _describe(g)
    if g.ndim > 0:
        i = np.unravel_index(int(np.argmax(np.abs(g - e))), g.shape)
        idx = ", ".join(str(int(j)) for j in i)
        got_desc += f" (largest difference at [{idx}]: expected {_num(e[i])}, got {_num(g[i])})"
    for value, mistake_hint in mistakes:
        if value is None:
            continue
        v = np.asarray(value, dtype=np.float64)
        if v.shape == g.shape and np.all(np.isfinite(v)) and relative_error(g, v) <= max(rtol, 1e-6):
            raise _Failure(mistake_hint, exp_desc, got_desc)
    ev, gv = e.ravel(), g.ravel()
    denom = float(ev @ ev)
    if denom > 0:
        r = float(gv @ ev) / denom
        if relative_error(gv, r * ev) <= 1e-6:
            got_desc += f" — {_num(r)} times the expected value"
            for factor, factor_hint in (ratios or {}).items():
                if abs(r - factor) <= 1e-6 * max(1.0, abs(factor)):
                    raise _Failure(factor_hint, exp_desc, got_desc)
            if abs(r + 1) <= 1e-6:
                raise _Failure("the sign is flipped", exp_desc, got_desc)
            raise _Failure(f"a constant factor is wrong (yours is {_num(r)} times the expected value). "
                           + hint, exp_desc, got_desc)
    raise _Failure(hint, exp_desc, got_desc)


def _get(result: Any, key: str, what: str, keys: tuple[str, ...]) -> Any:
    result = _to_numpy(result)
    if not isinstance(result, Mapping):
        raise _Failure(f"return a dict with the keys {list(keys)}",
                       expected=f"{what}: a dict with keys {list(keys)}", got=f"a {type(result).__name__}")
    if key not in result:
        raise _Failure(f"the dict you return needs the key {key!r} (keys are case-sensitive)",
                       expected=f"{what}: keys {list(keys)}", got=f"keys {sorted(map(str, result))}")
    return result[key]


def _pair(result: Any, what: str, names: tuple[str, str]) -> tuple[Any, Any]:
    result = _to_numpy(result)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = (f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list))
               else "None" if result is None else f"a {type(result).__name__}")
        raise _Failure(f"return the two values as a tuple: `return {names[0]}, {names[1]}`",
                       expected=f"{what}: a tuple ({names[0]}, {names[1]})", got=got)
    return result[0], result[1]


def _unchanged(before: Mapping[str, np.ndarray], after: Mapping[str, np.ndarray]) -> None:
    for name, value in before.items():
        if not np.array_equal(value, after[name]):
            raise _Failure(f"your function changed its input `{name}` in place (e.g. `{name} -= ...` or "
                           f"`{name}[...] = ...`); work on a copy and return a new array",
                           expected=f"`{name}` unchanged", got=f"`{name}` modified")


# ------------------------------------------------------------------------- fixed inputs

_M, _N, _K = 5, 7, 3  # distinct sizes: a sum over m, n or k shows as a distinct ratio


def _params(seed: int, n: int = _N, k: int = _K, tied: bool = False) -> dict[str, np.ndarray]:
    """Parameters with non-zero biases (so a forgotten bias is detected) and a useful scale."""
    rng = np.random.default_rng(seed)
    p = R.init_params(n, k, tied=tied, seed=seed)
    p["W"] = p["W"] * 2.0
    if not tied:
        p["W_star"] = p["W_star"] * 2.0
    p["b"] = rng.normal(0.0, 0.5, k)
    p["c"] = rng.normal(0.0, 0.5, n)
    return p


def _batch(seed: int, m: int = _M, n: int = _N) -> np.ndarray:
    return np.random.default_rng(seed).random((m, n))


def _copy(tree: Any) -> Any:
    return copy.deepcopy(tree)


def _ratios(m: int | None = None, n: int | None = None, k: int | None = None,
            what: str = "the objective") -> dict[float, str]:
    out: dict[float, str] = {}
    if m is not None:
        out[float(m)] = (f"a sum over the batch where the course takes the mean: {what} averages over "
                         f"the m = {m} examples (divide by m)")
        out[1.0 / m] = (f"divided by m = {m} once too often (or a mean where a sum belongs): "
                        f"{what} is a mean over the examples only")
    if n is not None:
        out[1.0 / n] = (f"averaged over the n = {n} features as well: the per-example loss SUMS over "
                        "the features; only the examples are averaged")
    if k is not None:
        out[1.0 / k] = f"averaged over the k = {k} hidden units: sum over them instead"
    return out


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return R.sigmoid(a)


def _deltas(params: Mapping[str, np.ndarray], X: np.ndarray, delta2: np.ndarray,
            d_enc: bool = True, through: str = "W_star") -> dict[str, np.ndarray]:
    """All four gradients from a given ∂J/∂a2 (used to build the typical mistakes)."""
    W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
    H = _sigmoid(X @ W.T + b)
    dJ_dh = delta2 @ (Ws if through == "W_star" else W.T)
    delta1 = dJ_dh * H * (1 - H) if d_enc else dJ_dh
    return {"W_star": delta2.T @ H, "c": delta2.sum(axis=0), "W": delta1.T @ X, "b": delta1.sum(axis=0)}


# ================================================================ 7.1 forward, losses, gradients


def check_forward(forward: Callable[..., Any]) -> bool:
    """``forward(params, X) -> (H, X_hat)``: sigmoid encoder and sigmoid decoder.

    H = σ(X Wᵀ + b), shape (m, k); X̂ = σ(H W*ᵀ + c), shape (m, n).
    """
    def body() -> str:
        params, X = _params(11), _batch(12)
        p_in, X_in = _copy(params), X.copy()
        H, X_hat = _pair(_call(forward, p_in, X_in), "forward(params, X)", ("H", "X_hat"))
        m, n, k = _M, _N, _K
        if np.shape(_to_numpy(H)) == (m, n) and np.shape(_to_numpy(X_hat)) == (m, k):
            raise _Failure("H and X_hat are swapped: return `H, X_hat` in this order",
                           expected=f"H {(m, k)}, X_hat {(m, n)}",
                           got=f"shapes {(m, n)} then {(m, k)}")
        W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
        a1 = X @ W.T + b
        H_exp = _sigmoid(a1)
        H = _as_array(H, "H", (m, k), "one row of k hidden values per example")
        _compare(H, H_exp, "H", hint="H = g(X Wᵀ + b) with g the sigmoid, one row per example", mistakes=[
            (a1, "apply the encoder's sigmoid: H = σ(X Wᵀ + b), not the pre-activation a1"),
            (_sigmoid(X @ W.T), "the bias b is missing: H = σ(X Wᵀ + b)"),
            (np.tanh(a1), "the encoder here is the sigmoid σ(a) = 1/(1 + e^(−a)), not tanh"),
        ])
        a2 = H_exp @ Ws.T + c
        X_hat = _as_array(X_hat, "X_hat", (m, n), "one reconstruction per example")
        _compare(X_hat, _sigmoid(a2), "X_hat", hint="X̂ = f(H W*ᵀ + c) with f the sigmoid", mistakes=[
            (a2, "apply the decoder's sigmoid f: X̂ = σ(H W*ᵀ + c) (the output lies in (0, 1))"),
            (_sigmoid(H_exp @ Ws.T), "the decoder bias c is missing: X̂ = σ(H W*ᵀ + c)"),
            (_sigmoid(H_exp @ W + c), "the decoder uses W_star (n, k): X̂ = σ(H W*ᵀ + c), not Wᵀ"),
        ])
        _unchanged({"X": X}, {"X": X_in})
        return "H = σ(X Wᵀ + b) and X̂ = σ(H W*ᵀ + c) match the reference."
    return _run("forward pass (sigmoid encoder and decoder)", body)


def check_squared_error(squared_error: Callable[..., Any]) -> bool:
    """``squared_error(X_hat, X) -> float``: (1/m) Σ_i (x̂_i − x_i)ᵀ(x̂_i − x_i)."""
    def body() -> str:
        X_hat, X = _batch(21), _batch(22)
        got = _as_scalar(_call(squared_error, X_hat.copy(), X.copy()), "the squared error", per_example=_M)
        diff = X_hat - X
        per_row = np.sum(diff * diff, axis=1)
        _compare(got, np.mean(per_row), "the squared error",
                 hint="average over the examples of the squared norm (x̂ − x)ᵀ(x̂ − x)",
                 mistakes=[(np.mean(np.sqrt(per_row)), "(x̂ − x)ᵀ(x̂ − x) is the SQUARED norm: no square root"),
                           (np.mean(np.sum(np.abs(diff), axis=1)), "square the differences (x̂ − x)², not their absolute value")],
                 ratios={**_ratios(m=_M, n=_N, what="the squared error"),
                         0.5: "a factor ½ crept in: this course's loss is (x̂ − x)ᵀ(x̂ − x), without ½"})
        return "mean over the examples of Σ_j (x̂_j − x_j)², as in the reference."
    return _run("squared-error loss", body)


def check_cross_entropy(cross_entropy: Callable[..., Any]) -> bool:
    """``cross_entropy(X_hat, X) -> float``: (1/m) Σ_i −Σ_j [x log x̂ + (1 − x) log(1 − x̂)]."""
    def body() -> str:
        rng = np.random.default_rng(31)
        X_hat = rng.uniform(0.05, 0.95, (_M, _N))
        X = (rng.random((_M, _N)) < 0.5).astype(np.float64)
        X[:, 0] = 0.3  # a grey value too
        nan_hint = ("log of 0: the logs are of x̂ (always in (0, 1)), never of x (which may be 0 or 1); "
                    "did you swap X_hat and X?")
        got = _as_scalar(_call(cross_entropy, X_hat.copy(), X.copy()), "the cross-entropy",
                         per_example=_M, nan_hint=nan_hint)
        first = -np.mean(np.sum(X * np.log(X_hat), axis=1))
        exp = np.mean(_losses.cross_entropy_from_logits(np.log(X_hat / (1 - X_hat)), X))
        _compare(got, exp, "the cross-entropy",
                 hint="L = −Σ_j [x_j log x̂_j + (1 − x_j) log(1 − x̂_j)], averaged over the examples",
                 mistakes=[(first, "the second term is missing: add (1 − x_j) log(1 − x̂_j) inside the sum"),
                           (-first, "the second term is missing and the sign is flipped")],
                 ratios={**_ratios(m=_M, n=_N, what="the cross-entropy"),
                         -1.0: "the minus sign is missing: L = −Σ [...] is ≥ 0",
                         1 / math.log(10): "use the natural log (np.log), not log10",
                         1 / math.log(2): "use the natural log (np.log), not log2"})
        return "mean over the examples of −Σ_j [x log x̂ + (1 − x) log(1 − x̂)], as in the reference."
    return _run("cross-entropy loss", body)


def _gradient_cases() -> list[tuple[str, dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]]:
    cases = []
    for loss, seed in (("squared_error", 41), ("cross_entropy", 42)):
        params, X = _params(seed), _batch(seed + 100)
        _, grads = R.loss_and_gradients(params, X, R.Config(loss=loss))
        cases.append((loss, params, X, grads))
    return cases


def _gradient_mistakes(loss: str, params: Mapping[str, np.ndarray], X: np.ndarray,
                       key: str) -> list[tuple[np.ndarray, str]]:
    W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
    m = X.shape[0]
    H = _sigmoid(X @ W.T + b)
    Xh = _sigmoid(H @ Ws.T + c)
    fprime = Xh * (1 - Xh)
    out = []
    if loss == "squared_error":
        out.append((_deltas(params, X, 2 * (Xh - X) / m)[key],
                    "the sigmoid's derivative is missing: ∂L/∂a2 = 2(x̂ − x) ⊙ f'(a2) with f'(a2) = x̂(1 − x̂)"))
        out.append((_deltas(params, X, (Xh - X) / m)[key],
                    "that is the cross-entropy gradient (x̂ − x); for the squared error "
                    "∂L/∂a2 = 2(x̂ − x) ⊙ x̂(1 − x̂)"))
    else:
        out.append((_deltas(params, X, (Xh - X) * fprime / m)[key],
                    "for cross-entropy with a sigmoid output ∂L/∂a2 = x̂ − x: the sigmoid's derivative "
                    "x̂(1 − x̂) cancels, so don't multiply by it"))
        out.append((_deltas(params, X, 2 * (Xh - X) * fprime / m)[key],
                    "that is the squared-error gradient; your function must use the `loss` argument "
                    "(for cross-entropy ∂L/∂a2 = x̂ − x)"))
    if key in ("W", "b"):
        delta2 = 2 * (Xh - X) * fprime / m if loss == "squared_error" else (Xh - X) / m
        out.append((_deltas(params, X, delta2, d_enc=False)[key],
                    "the encoder's derivative is missing: δ1 = (δ2 W*) ⊙ g'(a1) with g'(a1) = h(1 − h)"))
        out.append((_deltas(params, X, delta2, through="W")[key],
                    "back-propagate through the decoder weights: ∂a2/∂h = W*, so δ1 = (δ2 W*) ⊙ h(1 − h)"))
    return out


def _check_gradients(fn: Callable[..., Any], keys: tuple[str, ...], what: str) -> str:
    meanings = {"W_star": "(n, k), like W_star", "c": "(n,), like c", "W": "(k, n), like W", "b": "(k,), like b"}
    for loss, params, X, grads in _gradient_cases():
        result = _call(fn, _copy(params), X.copy(), loss)
        for key in keys:
            got = _as_array(_get(result, key, f"{what}(params, X, {loss!r})", keys), f"∂J/∂{key} ({loss})",
                            params[key].shape, meanings[key])
            ratios = {0.5: "a factor 2 is missing: ∂L/∂x̂ = 2(x̂ − x) for the squared error"} \
                if loss == "squared_error" else {}
            ratios.update(_ratios(m=_M, what="the objective"))
            _compare(got, grads[key], f"∂J/∂{key} for loss={loss!r}",
                     hint="follow the chain rule one factor at a time: ∂L/∂a2 → ∂a2/∂W* (and on through h "
                          "and a1 to W); compare with course_ae.gradcheck.numerical_gradient",
                     mistakes=_gradient_mistakes(loss, params, X, key), ratios=ratios)
    return "both losses"


def check_decoder_gradients(decoder_gradients: Callable[..., Any]) -> bool:
    """``decoder_gradients(params, X, loss) -> {"W_star": (n, k), "c": (n,)}`` of the mean objective."""
    def body() -> str:
        _check_gradients(decoder_gradients, ("W_star", "c"), "decoder_gradients")
        return "∂J/∂W* and ∂J/∂c match the reference for the squared error and the cross-entropy."
    return _run("decoder gradients ∂J/∂W*, ∂J/∂c", body)


def check_encoder_gradients(encoder_gradients: Callable[..., Any]) -> bool:
    """``encoder_gradients(params, X, loss) -> {"W": (k, n), "b": (k,)}`` of the mean objective."""
    def body() -> str:
        _check_gradients(encoder_gradients, ("W", "b"), "encoder_gradients")
        return "∂J/∂W and ∂J/∂b match the reference for the squared error and the cross-entropy."
    return _run("encoder gradients ∂J/∂W, ∂J/∂b", body)


# ====================================================================== 7.2 PCA and the SVD


def _pca_data(seed: int, m: int = 30, n: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = np.array([3.0, 2.0, 1.2, 0.7, 0.4, 0.2])[:n]
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return rng.normal(size=(m, n)) * scales @ Q.T + rng.uniform(1, 3, n)


def check_normalize(normalize: Callable[..., Any]) -> bool:
    """``normalize(X) -> (X − mean) / √m``, so that XᵀX is the covariance matrix."""
    def body() -> str:
        X = _pca_data(51, m=8, n=4)
        X_in = X.copy()
        got = _as_array(_call(normalize, X_in), "normalize(X)", X.shape, "same shape as X")
        m = X.shape[0]
        centred = X - X.mean(axis=0)
        _compare(got, R.normalize(X), "normalize(X)", hint="subtract each column's mean, then divide by √m",
                 mistakes=[(X / np.sqrt(m), "subtract the mean of each feature (column) first"),
                           ((X - X.mean(axis=1, keepdims=True)) / np.sqrt(m),
                            "the mean is over the examples (axis=0): one mean per feature, not per example"),
                           (centred / X.std(axis=0), "don't divide by each column's standard deviation: divide "
                                                     "everything by √m"),
                           (centred / m, "divide by √m, not by m: then XᵀX = (1/m) Σ_i x_i x_iᵀ")],
                 ratios={math.sqrt(m): f"divide by √m (m = {m}) so that XᵀX is the covariance matrix",
                         math.sqrt(m / (m - 1)): "divide by √m, not √(m − 1): the course uses the (1/m) covariance"})
        _unchanged({"X": X}, {"X": X_in})
        return "centred columns, divided by √m; XᵀX is the covariance matrix."
    return _run("normalising the data", body)


def _align_columns(got: np.ndarray, exp: np.ndarray) -> np.ndarray:
    signs = np.sign(np.sum(got * exp, axis=0))
    signs[signs == 0] = 1.0
    return got * signs


def check_pca(pca: Callable[..., Any]) -> bool:
    """``pca(X, k) -> (V, eigenvalues)``: V (n, k) the leading directions of normalize(X)."""
    def body() -> str:
        X, k = _pca_data(52), 3
        m, n = X.shape
        V, lam = _pair(_call(pca, X.copy(), k), "pca(X, k)", ("V", "eigenvalues"))
        V_exp, lam_exp = R.pca(X, k)
        Xn = R.normalize(X)
        U, S, Vt = np.linalg.svd(Xn, full_matrices=False)
        if np.shape(_to_numpy(V)) == (m, k):
            raise _Failure("those look like U's columns (one entry per example, m rows); the principal "
                           "directions live in feature space: the first k rows of Vᵀ from np.linalg.svd, "
                           "transposed", expected=f"V: shape {(n, k)}", got=f"shape {(m, k)}")
        V = _as_array(V, "V", (n, k), "one principal direction per column")
        _compare(_align_columns(V, V_exp), V_exp, "V (columns compared up to sign)",
                 hint="V = Vt[:k].T from U, S, Vt = np.linalg.svd(normalize(X), full_matrices=False)",
                 mistakes=[(_align_columns(Vt[:, :k], V_exp), "np.linalg.svd returns Vᵀ: the directions are "
                            "its first k ROWS (Vt[:k].T), not its first k columns"),
                           (_align_columns(V_exp[:, ::-1], V_exp), "the directions are in increasing order "
                            "(np.linalg.eigh sorts that way): take the k LARGEST, largest first"),
                           (_align_columns(np.linalg.svd(X, full_matrices=False)[2][:k].T, V_exp),
                            "compute the SVD of normalize(X), the centred data, not of X")])
        lam = _as_array(lam, "eigenvalues", (k,), "the k largest eigenvalues of XᵀX")
        _compare(lam, lam_exp, "eigenvalues", hint="the eigenvalues of XᵀX are the squared singular values σ_i²",
                 mistakes=[(S[:k], "those are the singular values σ_i; the eigenvalues of XᵀX are σ_i²"),
                           (lam_exp[::-1], "sort the eigenvalues in decreasing order, largest first")],
                 ratios={float(m): "use normalize(X) (divided by √m), so the eigenvalues are variances"})
        return "V spans the leading principal directions and the eigenvalues are σ_i²."
    return _run("PCA from the SVD", body)


def check_linear_autoencoder(linear_autoencoder: Callable[..., Any]) -> bool:
    """``linear_autoencoder(X, k) -> {"W": (k, n), "W_star": (n, k), "H": (m, k)}`` from the SVD."""
    def body() -> str:
        X, k = _pca_data(53), 2
        m, n = X.shape
        keys = ("W", "W_star", "H")
        result = _call(linear_autoencoder, X.copy(), k)
        exp = R.linear_autoencoder_solution(X, k)
        W = _to_numpy(_get(result, "W", "linear_autoencoder(X, k)", keys))
        if np.shape(W) == (n, k):
            raise _Failure("the lecture writes the encoder as V≤k because it computes H = XW; in this course "
                           "H = X Wᵀ (W is (k, n)), so W = V≤kᵀ", expected=f"W: shape {(k, n)}",
                           got=f"shape {(n, k)}")
        W = _as_array(W, "W", (k, n), "the encoder, V≤kᵀ")
        signs = np.sign(np.sum(W * exp["W"], axis=1))
        signs[signs == 0] = 1.0
        _compare(W * signs[:, None], exp["W"], "W (rows compared up to sign)",
                 hint="W = V≤kᵀ: the first k rows of Vt from np.linalg.svd(normalize(X))")
        Ws = _as_array(_get(result, "W_star", "linear_autoencoder(X, k)", keys), "W_star", (n, k),
                       "the decoder, V≤k")
        _compare(Ws * signs, exp["W_star"], "W_star", hint="the decoder is W* = V≤k = Wᵀ")
        H = _as_array(_get(result, "H", "linear_autoencoder(X, k)", keys), "H", (m, k), "the codes, one row "
                      "per example")
        _compare(H * signs, exp["H"], "H", hint="H = normalize(X) Wᵀ = U≤k Σk",
                 mistakes=[((X @ exp["W"].T) * 1.0, "compute H from normalize(X), not from the raw X")])
        return "W = V≤kᵀ, W* = V≤k and H = X V≤k = U≤k Σk (up to the sign of each direction)."
    return _run("the linear autoencoder from the SVD", body)


# =========================================================================== 7.3 regularization


def check_weight_decay(weight_decay: Callable[..., Any]) -> bool:
    """``weight_decay(params, lam) -> (omega, grads)``: Ω = (λ/2)(‖W‖² + ‖W*‖²) and its gradient."""
    def body() -> str:
        params, lam = _params(61), 0.1
        p_in = _copy(params)
        omega, grads = _pair(_call(weight_decay, p_in, lam), "weight_decay(params, lam)", ("omega", "grads"))
        W, Ws, b, c = params["W"], params["W_star"], params["b"], params["c"]
        sq = np.sum(W * W) + np.sum(Ws * Ws)
        omega = _as_scalar(omega, "the penalty Ω")
        _compare(omega, 0.5 * lam * sq, "Ω", hint="Ω = (λ/2)(‖W‖²_F + ‖W*‖²_F)",
                 mistakes=[(0.5 * lam * (sq + b @ b + c @ c), "the biases are not decayed: leave b and c out of Ω")],
                 ratios={2.0: "Ω has a factor ½: (λ/2)(‖W‖² + ‖W*‖²)"})
        keys = ("W", "b", "W_star", "c")
        for key in keys:
            g = _as_array(_get(grads, key, "the gradient dict", keys), f"∂Ω/∂{key}", params[key].shape,
                          f"like params[{key!r}]")
            value = params[key]
            if key in ("b", "c"):
                if relative_error(g, lam * value) <= 1e-6:
                    raise _Failure("the biases are not decayed: the gradient of Ω with respect to b and c is 0",
                                   expected=f"∂Ω/∂{key}: zeros", got=_describe(g))
                _compare(g, np.zeros_like(value), f"∂Ω/∂{key}",
                         hint="Ω does not depend on the biases: their gradient is zero")
            else:
                _compare(g, lam * value, f"∂Ω/∂{key}", hint=f"∂Ω/∂{key} = λ{key}",
                         ratios={2.0: "the ½ in Ω cancels the 2 from the square: the gradient is λW, not 2λW",
                                 0.5: "d‖W‖²/dW = 2W, so (λ/2)·2W = λW"})
        _unchanged({k: params[k] for k in params}, p_in)
        return "Ω = (λ/2)(‖W‖² + ‖W*‖²) with gradients λW, λW* and none for the biases."
    return _run("weight decay and its gradient", body)


def check_tied_gradient(tied_gradient: Callable[..., Any]) -> bool:
    """``tied_gradient(params, X) -> ∂J/∂W`` (k, n) with W* = Wᵀ (sigmoid units, squared error)."""
    def body() -> str:
        params, X = _params(71, tied=True), _batch(72)
        _, grads = R.loss_and_gradients(params, X, R.Config(tied=True))
        untied = dict(params, W_star=params["W"].T.copy())
        _, g_untied = R.loss_and_gradients(untied, X, R.Config())
        result = _to_numpy(_call(tied_gradient, _copy(params), X.copy()))
        if np.shape(result) == (_N, _K):
            raise _Failure("W is (k, n): transpose the decoder's part (∂J/∂W*)ᵀ before adding it",
                           expected=f"∂J/∂W: shape {(_K, _N)}", got=f"shape {(_N, _K)}")
        got = _as_array(result, "∂J/∂W", (_K, _N), "like W")
        _compare(got, grads["W"], "∂J/∂W (tied)",
                 hint="W is used twice, as the encoder W and as the decoder W* = Wᵀ: add both contributions",
                 mistakes=[(g_untied["W"], "only the encoder's use of W is counted: add the decoder's, (∂J/∂W*)ᵀ"),
                           (g_untied["W_star"].T, "only the decoder's use of W is counted: add the encoder's, "
                                                  "∂J/∂W through h")],
                 ratios={0.5: "a factor 2 is missing: ∂L/∂x̂ = 2(x̂ − x)", **_ratios(m=_M)})
        return "∂J/∂W = (encoder's part) + (∂J/∂W*)ᵀ, as in the reference."
    return _run("tied-weight gradient", body)


# =============================================================================== 7.4 denoising


def _rng_behaviour(fn: Callable[..., Any], X: np.ndarray, level: float, name: str) -> None:
    """The function must draw from the ``rng`` it is given: same seed same result, new seed new result."""
    a = _call(fn, X.copy(), level, np.random.default_rng(5))
    b = _call(fn, X.copy(), level, np.random.default_rng(5))
    c = _call(fn, X.copy(), level, np.random.default_rng(6))
    a, b, c = (np.asarray(_to_numpy(v), dtype=np.float64) for v in (a, b, c))
    if not np.array_equal(a, b):
        raise _Failure(f"draw the random numbers from the `rng` argument (rng.random, rng.normal), not from "
                       f"np.random.*: the same rng must give the same {name}",
                       expected="the same result for two generators with the same seed", got="different results")
    if np.array_equal(a, c):
        raise _Failure(f"draw the random numbers from the `rng` argument: a different rng must give a "
                       f"different {name} (is a seed fixed inside your function?)",
                       expected="different results for different seeds", got="identical results")


def check_masking_noise(masking_noise: Callable[..., Any]) -> bool:
    """``masking_noise(X, q, rng)``: each entry set to 0 with probability q, the rest unchanged."""
    def body() -> str:
        X = np.random.default_rng(81).uniform(0.2, 1.0, (400, 50))  # no zeros: a zero means "masked"
        q = 0.25
        X_in = X.copy()
        got = _as_array(_call(masking_noise, X_in, q, np.random.default_rng(0)), "the corrupted X̃", X.shape,
                        "same shape as X")
        _unchanged({"X": X}, {"X": X_in})
        zero = got == 0
        kept = ~zero
        if np.any(kept) and not np.allclose(got[kept], X[kept], rtol=1e-12, atol=0):
            if np.allclose(got[kept], X[kept] / (1 - q), rtol=1e-9, atol=0):
                raise _Failure("the kept entries are rescaled by 1/(1 − q) (as in inverted dropout); masking "
                               "noise leaves them unchanged: x̃ = x or 0",
                               expected="kept entries equal to the original x", got="kept entries = x/(1 − q)")
            raise _Failure("each entry of X̃ must be either 0 (masked) or exactly its original value",
                           expected="x̃_ij ∈ {0, x_ij}",
                           got=f"{int(np.sum(~np.isclose(got[kept], X[kept])))} entries with another value")
        frac = float(zero.mean())
        if abs(frac - q) > 0.02:
            if abs(frac - (1 - q)) <= 0.02:
                hint = ("you zeroed entries with probability 1 − q: `rng.random(X.shape) < q` marks the entries "
                        "to set to 0")
            elif np.all(zero.all(axis=1) | kept.all(axis=1)):
                hint = "mask each entry independently (one random number per entry), not whole examples"
            else:
                hint = "each entry should be set to 0 with probability q"
            raise _Failure(hint, expected=f"a fraction ≈ {q} of the entries zeroed", got=f"a fraction {frac:.3f}")
        if np.all(zero.all(axis=1) | kept.all(axis=1)) or np.all(zero.all(axis=0) | kept.all(axis=0)):
            raise _Failure("mask each entry independently (rng.random(X.shape)), not whole rows or columns",
                           expected="independent entries", got="whole rows or columns masked together")
        _rng_behaviour(masking_noise, X, q, "mask")
        return f"about {q:.0%} of the entries set to 0, the others unchanged (not rescaled)."
    return _run("masking noise", body)


def check_gaussian_noise(gaussian_noise: Callable[..., Any]) -> bool:
    """``gaussian_noise(X, sigma, rng)``: X̃ = X + ε with ε_ij ~ N(0, σ²) independent."""
    def body() -> str:
        X = np.random.default_rng(91).random((400, 50))
        X[:, :10] = 0.0  # multiplicative noise would leave these columns at 0
        sigma = 0.3
        X_in = X.copy()
        got = _as_array(_call(gaussian_noise, X_in, sigma, np.random.default_rng(0)), "the corrupted X̃",
                        X.shape, "same shape as X")
        _unchanged({"X": X}, {"X": X_in})
        eps = got - X
        sd, mean = float(eps.std()), float(eps.mean())
        if np.all(eps[:, :10] == 0) and np.any(eps != 0):
            raise _Failure("the noise is ADDED: x̃ = x + σε; multiplying leaves zero pixels at zero",
                           expected="noise also where x = 0", got="no noise where x = 0")
        if np.allclose(eps, eps[:1]):
            raise _Failure("draw independent noise for every entry: size=X.shape, not one row for all",
                           expected="independent noise per entry", got="the same noise in every row")
        if got.min() >= 0 and got.max() <= 1 and sd > 0:
            raise _Failure("don't clip X̃ to [0, 1]: Gaussian noise may leave the interval",
                           expected="some values outside [0, 1]", got="all values in [0, 1]")
        if abs(sd - sigma) > 0.01 * 3:
            if abs(sd - sigma**2) <= 0.01:
                hint = "σ is the standard deviation; σ² = variance: scale standard normal draws by σ"
            elif abs(sd - math.sqrt(sigma)) <= 0.02:
                hint = "σ is the standard deviation, not the variance: use σ, not √σ"
            else:
                hint = "the noise should have standard deviation σ: σ · rng.standard_normal(X.shape)"
            raise _Failure(hint, expected=f"noise with standard deviation {sigma}", got=f"standard deviation {sd:.4f}")
        if abs(mean) > 0.02:
            raise _Failure("the noise must have mean 0 (rng.normal(0, sigma, ...) or sigma * rng.standard_normal)",
                           expected="noise with mean 0", got=f"mean {mean:.4f}")
        _rng_behaviour(gaussian_noise, X, sigma, "noise")
        return f"X̃ = X + ε with ε of mean 0 and standard deviation σ = {sigma}."
    return _run("Gaussian noise", body)


def check_denoising_objective(denoising_objective: Callable[..., Any]) -> bool:
    """``denoising_objective(params, X, corrupt) -> float``: the objective of corrupt(X) against clean X."""
    def body() -> str:
        params = _params(101)
        X = np.random.default_rng(102).uniform(0.1, 1.0, (_M, _N))
        mask = np.random.default_rng(103).random((_M, _N)) >= 0.4
        calls = []

        def corrupt(batch: Any) -> np.ndarray:
            calls.append(1)
            batch = np.asarray(batch, dtype=np.float64)
            if batch.shape != mask.shape:
                raise ValueError(f"corrupt expects the batch X of shape {mask.shape}; got {batch.shape}")
            return batch * mask

        X_in = X.copy()
        got = _as_scalar(_call(denoising_objective, _copy(params), X_in, corrupt), "the denoising objective",
                         per_example=_M)
        Xt = X * mask
        cfg = R.Config()
        _compare(got, R.objective(params, Xt, cfg, target=X), "the denoising objective",
                 hint="encode and decode the corrupted X̃ = corrupt(X), and compare the reconstruction with the "
                      "CLEAN X (R.objective(params, X_tilde, config, target=X))",
                 mistakes=[(R.objective(params, Xt, cfg), "the target is corrupted too: only the input is "
                            "corrupted, the reconstruction is compared with the clean X"),
                           (R.objective(params, X, cfg), "the input is not corrupted: feed X̃ = corrupt(X) to "
                            "the encoder"),
                           (R.objective(params, X, cfg, target=Xt), "input and target are swapped: the input "
                            "is X̃, the target is the clean X")],
                 ratios=_ratios(m=_M, n=_N))
        if len(calls) > 1:
            raise _Failure("call corrupt(X) once and use the same X̃ (each call draws new noise)",
                           expected="one call of corrupt", got=f"{len(calls)} calls")
        _unchanged({"X": X}, {"X": X_in})
        return "the corrupted input is reconstructed and compared with the clean target."
    return _run("denoising objective (clean target)", body)


def check_max_activating_input(max_activating_input: Callable[..., Any]) -> bool:
    """``max_activating_input(W) -> (k, n)``: row l is W_l / ‖W_l‖."""
    def body() -> str:
        W = _params(111)["W"] + np.random.default_rng(112).normal(0, 0.3, (_K, _N))
        W_in = W.copy()
        got = _as_array(_call(max_activating_input, W_in), "the max-activating inputs", (_K, _N),
                        "one unit-norm input per hidden unit (row)")
        _unchanged({"W": W}, {"W": W_in})
        rows = np.linalg.norm(W, axis=1, keepdims=True)
        _compare(got, W / rows, "the max-activating inputs", hint="x_l = W_l / ‖W_l‖ for each row l of W",
                 mistakes=[(W / np.linalg.norm(W, axis=0, keepdims=True),
                            "you normalised the columns: normalise each ROW W_l (axis=1), one per hidden unit"),
                           (W, "divide each row by its norm: the input is constrained to ‖x‖ = 1"),
                           (W / np.linalg.norm(W), "divide each row by its own norm ‖W_l‖, not by the norm of "
                                                   "the whole matrix"),
                           (W / rows**2, "divide by ‖W_l‖, not by ‖W_l‖²")],
                 ratios={-1.0: "−W_l/‖W_l‖ MINIMISES the activation; the maximiser is +W_l/‖W_l‖"})
        return "each row is W_l/‖W_l‖, the unit-norm input that maximises a_l = W_l x."
    return _run("max-activating input", body)


# ================================================================================ 7.5 sparse


def _kl_inputs() -> tuple[float, np.ndarray]:
    return 0.1, np.array([0.02, 0.08, 0.15, 0.3, 0.6])


def check_kl_penalty(kl_penalty: Callable[..., Any]) -> bool:
    """``kl_penalty(rho, rho_hat) -> float``: Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_scalar(_call(kl_penalty, rho, rho_hat.copy()), "the KL penalty", per_unit=k)
        swapped = np.sum(rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho)))
        _compare(got, R.sparsity_penalty(rho, rho_hat), "the KL penalty",
                 hint="Ω = Σ_l [ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))]",
                 mistakes=[(swapped, "the arguments are swapped: the penalty is KL(ρ ‖ ρ̂_l) = "
                                     "ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)), with ρ (the target) in front"),
                           (np.sum(rho * np.log(rho / rho_hat)), "the second term is missing: "
                                                                 "+ (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))")],
                 ratios={1.0 / k: f"sum over the k = {k} hidden units, don't average",
                         1 / math.log(2): "use the natural log (np.log), not log2",
                         -1.0: "the logs are upside down: ρ log(ρ/ρ̂_l), so that the penalty is ≥ 0"})
        return "Σ_l KL(ρ ‖ ρ̂_l), zero only when every ρ̂_l = ρ."
    return _run("KL sparsity penalty", body)


def check_kl_gradient(kl_gradient: Callable[..., Any]) -> bool:
    """``kl_gradient(rho, rho_hat) -> (k,)``: ∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_array(_call(kl_gradient, rho, rho_hat.copy()), "∂Ω/∂ρ̂", (k,), "one value per hidden unit")
        _compare(got, _penalties.sparsity_grad(rho, rho_hat), "∂Ω/∂ρ̂",
                 hint="differentiate each term: d/dρ̂ [ρ log(ρ/ρ̂)] = −ρ/ρ̂ and d/dρ̂ [(1 − ρ) log((1 − ρ)/(1 − ρ̂))] "
                      "= (1 − ρ)/(1 − ρ̂)",
                 mistakes=[(np.log(rho_hat / rho) - np.log((1 - rho_hat) / (1 - rho)),
                            "that is the gradient of the swapped KL(ρ̂ ‖ ρ); the penalty is KL(ρ ‖ ρ̂)"),
                           (-rho / rho_hat, "the second term also depends on ρ̂: add (1 − ρ)/(1 − ρ̂_l)"),
                           (-rho / rho_hat - (1 - rho) / (1 - rho_hat),
                            "sign of the second term: d/dρ̂ of −log(1 − ρ̂) is +1/(1 − ρ̂)")],
                 ratios={1.0 / k: f"no averaging over the k = {k} units: each unit's derivative stands alone"})
        return "∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."
    return _run("gradient of the KL penalty wrt ρ̂", body)


def check_kl_gradient_h(kl_gradient_h: Callable[..., Any]) -> bool:
    """``kl_gradient_h(rho, H) -> (m, k)``: ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l with ρ̂ = H.mean(axis=0)."""
    def body() -> str:
        rho = 0.1
        H = np.random.default_rng(121).uniform(0.02, 0.6, (_M, _K))
        H_in = H.copy()
        got = _to_numpy(_call(kl_gradient_h, rho, H_in))
        if np.shape(got) == (_K,):
            raise _Failure("every example gets a gradient: return an (m, k) array, each row (1/m) ∂Ω/∂ρ̂",
                           expected=f"shape {(_M, _K)}", got=f"shape {(_K,)}")
        got = _as_array(got, "∂Ω/∂H", (_M, _K), "one row per example")
        _unchanged({"H": H}, {"H": H_in})
        g = _penalties.sparsity_grad(rho, H.mean(axis=0))
        _compare(got, np.tile(g / _M, (_M, 1)), "∂Ω/∂H",
                 hint="ρ̂_l = (1/m) Σ_i h_il, so ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l: the same row for every example",
                 mistakes=[(_penalties.sparsity_grad(rho, H) / _M, "ρ̂ is the mean over the batch, "
                            "H.mean(axis=0), not each example's own activation")],
                 ratios={float(_M): f"the factor 1/m is missing: ρ̂ = (1/m) Σ_i h_i, so each of the m = {_M} "
                                    "examples receives 1/m of ∂Ω/∂ρ̂"})
        return "∂Ω/∂h_il = (1/m)(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)) for every example i."
    return _run("gradient of the KL penalty wrt h", body)


# =========================================================================== 7.6 contractive


def check_contractive_penalty(contractive_penalty: Callable[..., Any]) -> bool:
    """``contractive_penalty(params, X) -> float``: (1/m) Σ_i Σ_l (h_il(1 − h_il))² Σ_j W_lj²."""
    def body() -> str:
        params, X = _params(131), _batch(132)
        got = _as_scalar(_call(contractive_penalty, _copy(params), X.copy()), "the contractive penalty",
                         per_example=_M)
        W, b = params["W"], params["b"]
        H = _sigmoid(X @ W.T + b)
        d = H * (1 - H)
        s = np.sum(W * W, axis=1)
        _compare(got, R.contractive_penalty(params, X, R.Config()), "the contractive penalty",
                 hint="‖J(x_i)‖²_F = Σ_l (h_il(1 − h_il))² Σ_j W_lj², averaged over the m examples",
                 mistakes=[(np.mean(d @ s), "square the sigmoid's derivative: (h_l(1 − h_l))², since J_lj = "
                                            "h_l(1 − h_l) W_lj is squared"),
                           (np.mean((d * d) @ np.sum(np.abs(W), axis=1)), "square the weights: Σ_j W_lj²"),
                           (np.mean((H * H) @ s), "the derivative of the sigmoid is h(1 − h), not h")],
                 ratios={float(_M): f"the Jacobian penalty is summed over the batch: take the mean over the "
                                    f"m = {_M} examples",
                         1.0 / _K: f"sum over the k = {_K} hidden units, don't average",
                         1.0 / _N: f"sum over the n = {_N} inputs, don't average"})
        return "the mean over the batch of ‖J‖²_F = Σ_l (h_l(1 − h_l))² ‖W_l‖²."
    return _run("contractive penalty (closed form)", body)


def check_numerical_jacobian(numerical_jacobian: Callable[..., Any]) -> bool:
    """``numerical_jacobian(encode, x, eps=1e-5) -> (k, n)``: J_lj ≈ ∂h_l/∂x_j by central differences."""
    def body() -> str:
        params = _params(141)
        W, b = params["W"], params["b"]
        x = np.random.default_rng(142).random(_N)

        def encode(v: Any) -> np.ndarray:
            v = np.asarray(v, dtype=np.float64)
            if v.shape != (_N,):
                raise ValueError(f"encode takes one example x of shape ({_N},); got shape {v.shape}")
            return _sigmoid(W @ v + b)

        x_in = x.copy()
        result = _to_numpy(_call(numerical_jacobian, encode, x_in))
        if np.shape(result) == (_N, _K):
            raise _Failure("row l of the Jacobian holds ∂h_l/∂x: J has shape (k, n); you built its transpose",
                           expected=f"shape {(_K, _N)}", got=f"shape {(_N, _K)}")
        got = _as_array(result, "the Jacobian", (_K, _N), "J_lj = ∂h_l/∂x_j")
        if not np.allclose(x_in, x, rtol=0, atol=1e-12):
            raise _Failure("restore x[j] after perturbing it (or perturb a copy): your function changed x",
                           expected="x unchanged", got="x modified")
        h = encode(x)
        _compare(got, (h * (1 - h))[:, None] * W, "the Jacobian",
                 hint="column j is (encode(x + ε e_j) − encode(x − ε e_j)) / (2ε)", rtol=1e-4,
                 ratios={2.0: "central differences divide by 2ε, not by ε", 0.5: "divide by 2ε, not by 4ε"})
        return "the central differences agree with h(1 − h) W to 1e-4."
    return _run("finite-difference Jacobian", body)


# ============================================================================== 7.7 capstone

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
    from . import nn

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
        from .data import load_digits

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
        expected, with_penalty, plain_trained_denoiser = _capstone_expected(X_train, X_test, **kw)
        for name in names:
            row = _to_numpy(table[name])
            if not isinstance(row, Mapping):
                raise _Failure(f"each value of the table is a dict with the keys {list(_CAPSTONE_KEYS)}",
                               expected=f"table[{name!r}]: a dict", got=f"a {type(row).__name__}")
            for key in _CAPSTONE_KEYS:
                if key not in row:
                    raise _Failure(f"table[{name!r}] needs the key {key!r}",
                                   expected=f"keys {list(_CAPSTONE_KEYS)}", got=f"keys {sorted(map(str, row))}")
                value = _as_scalar(row[key], f"table[{name!r}][{key!r}]")
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
