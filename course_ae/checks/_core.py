"""The machinery every check shares: calling the student's function safely, turning
what it returns into arrays, comparing with the reference, and the fixed inputs."""

from __future__ import annotations

import copy
import math
import os
import traceback
import warnings
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from .. import reference as R
from ..gradcheck import relative_error


# The course_ae folder: frames from there are the package's, any other is the student's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
