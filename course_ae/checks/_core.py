"""The machinery every check shares: calling the student's function safely, turning
what it returns into arrays, comparing with the reference, and the fixed inputs."""

from __future__ import annotations

import copy
import json
import math
import os
import signal
import sys
import threading
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


# Each check names the hints for the exceptions its own task can raise (``_run(..., hints=)``);
# the defaults below say only what is true for every task.
_GENERIC_HINTS: dict[str, str] = {
    "matmul": "a matrix product has mismatched shapes: print the shapes of its two operands (x.shape) and "
              "check which one should be transposed",
    "broadcast": "two arrays could not be broadcast together: print the shapes the message names and check "
                 "which one is not what the task says",
    "key": "a dict key is missing: read the KeyError's message for the key that was asked for",
    "index": "an index is out of range: print the shapes of the arrays you index",
    "name": "a name is not defined: run the cells above this one first (Run > Run All Above Selected Cell)",
    "other": "your function raised an exception: read the message and the line it points to",
}
_TASK_HINTS: list[Mapping[str, str]] = []  # the running check's own hints (a stack: checks may nest)


def _exception_kind(exc: BaseException) -> str:
    msg = str(exc)
    if isinstance(exc, (ValueError, TypeError)) and ("matmul" in msg or ("shapes" in msg and "aligned" in msg)):
        return "matmul"
    if "could not be broadcast" in msg:
        return "broadcast"
    if isinstance(exc, KeyError):
        return "key"
    if isinstance(exc, IndexError):
        return "index"
    if isinstance(exc, NameError):
        return "name"
    return "other"


def _exception_hint(exc: BaseException) -> str:
    kind = _exception_kind(exc)
    task = _TASK_HINTS[-1] if _TASK_HINTS else {}
    return task.get(kind) or _GENERIC_HINTS[kind]


class _Interrupted(Exception):
    """A real Ctrl-C (SIGINT) arrived while the student's code ran: FAIL, then re-raise."""


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's function; turn anything it raises into a FAIL (never a traceback).

    ``BaseException`` is caught too: ``sys.exit()``/``SystemExit`` and a ``KeyboardInterrupt``
    raised by the student's own code are a FAIL like any error. A real interrupt (SIGINT,
    the notebook's stop button) is told apart by a temporary SIGINT handler: the check
    prints FAIL and then lets the ``KeyboardInterrupt`` go on.
    """
    if not callable(fn):
        raise _Failure(f"pass the function itself (without calling it), e.g. check(my_function); "
                       f"got a {type(fn).__name__}", expected="a function", got=type(fn).__name__)
    name = getattr(fn, "__name__", "your function")
    real_interrupt: list[bool] = []
    previous = None
    if threading.current_thread() is threading.main_thread():
        try:
            previous = signal.getsignal(signal.SIGINT)

            def on_sigint(signum: int, frame: Any) -> None:
                if previous is signal.SIG_IGN:
                    return
                real_interrupt.append(True)
                if callable(previous):  # Python's default_int_handler raises KeyboardInterrupt
                    previous(signum, frame)
                    return
                raise KeyboardInterrupt

            signal.signal(signal.SIGINT, on_sigint)
        except (ValueError, OSError, TypeError):  # not the main interpreter thread, or no signals here
            previous = None
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError as exc:
        frames = _student_frames(exc.__traceback__)
        raise _NotImplemented(frames[-1].name if frames else name) from None
    except KeyboardInterrupt:
        if real_interrupt:
            raise _Interrupted() from None
        raise _Failure("your function raised KeyboardInterrupt itself; remove that `raise` and return the "
                       "result", expected=f"`{name}` to return a result", got="KeyboardInterrupt") from None
    except SystemExit as exc:
        code = "" if exc.code is None else repr(exc.code)
        raise _Failure("your function called sys.exit() (or raised SystemExit), which would stop the "
                       "notebook's kernel: return the result instead",
                       expected=f"`{name}` to return a result", got=f"SystemExit({code})") from None
    except BaseException as exc:  # the student's code failed: report it in one line
        frames = _student_frames(exc.__traceback__)
        where = ""
        if frames:
            fr = frames[-1]
            code = f": {fr.line.strip()}" if fr.line else ""
            where = f" (in `{fr.name}`, line {fr.lineno}{code})"
        raise _Failure(_exception_hint(exc), expected=f"`{name}` to return a result",
                       got=_one_line(f"{type(exc).__name__}: {_safe_str(exc)}") + where) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if result is None:
        raise _Failure("your function returned None: did you forget the `return` statement?",
                       expected=f"`{name}` to return a result", got="None")
    return result


def _safe_str(obj: Any) -> str:
    try:
        return str(obj)
    except Exception:  # an exception whose __str__ fails
        return f"<{type(obj).__name__}>"


#: When set (by ``python -m course_ae grade``), every check appends one JSON line to this file:
#: {"check": "check_normalize", "task": ..., "passed": true, "text": <what it printed>}.
GRADING_LOG_ENV = "COURSE_AE_GRADING_LOG"


def _record(check: str, task: str, passed: bool, text: str) -> None:
    path = os.environ.get(GRADING_LOG_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"check": check, "task": task, "passed": passed, "text": text}) + "\n")
    except Exception:  # grading bookkeeping must never break a check
        pass


def _run(task: str, body: Callable[[], str], hints: Mapping[str, str] | None = None) -> bool:
    """Run one check; print PASS or FAIL; return True or False. Never raises, except
    that a real Ctrl-C is passed on after its FAIL has been printed."""
    check = sys._getframe(1).f_code.co_name  # the public check_* function that called us
    _TASK_HINTS.append(dict(hints or {}))
    interrupted = False
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text, passed = f"PASS: {task} — {body()}", True
    except _NotImplemented as exc:
        text, passed = (f"FAIL: {task} — not implemented yet\n"
                        f"  hint: replace the `raise NotImplementedError(...)` line in `{exc.name}` with "
                        "your code, then run this cell again."), False
    except _Interrupted:
        text, passed = (f"FAIL: {task} — interrupted\n"
                        "  expected: your function to return a result\n"
                        "  got: interrupted (Ctrl-C or the stop button) before it returned\n"
                        "  hint: run the check again once your function finishes in reasonable time."), False
        interrupted = True
    except _Failure as f:
        lines = [f"FAIL: {task}"]
        if f.expected is not None:
            lines.append(f"  expected: {f.expected}")
        if f.got is not None:
            lines.append(f"  got: {f.got}")
        lines.append(f"  hint: {f.hint}")
        text, passed = "\n".join(lines), False
    except Exception as exc:  # a problem in the check itself: still no traceback
        text, passed = (f"FAIL: {task}\n  the check could not run: "
                        f"{_one_line(f'{type(exc).__name__}: {_safe_str(exc)}')}\n"
                        "  hint: this looks like a problem with the check, not with your answer; restart the "
                        "kernel and run all cells, and report it if it persists."), False
    finally:
        _TASK_HINTS.pop()
    print(text)
    _record(check, task, passed, text)
    if interrupted:
        raise KeyboardInterrupt
    return passed


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
    try:
        mod = type(got).__module__ or ""
        if mod.startswith("torch") and hasattr(got, "detach"):
            return got.detach().cpu().numpy()
    except Exception:  # an odd object: leave it to the conversion, which names it
        pass
    return got


def _shape(got: Any) -> tuple[int, ...] | None:
    """The shape of what the student returned, or None where it has none (ragged, odd objects)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tuple(np.shape(_to_numpy(got)))
    except Exception:
        return None


def _numbers(got: Any, what: str, exp_desc: str, form: str = "one NumPy array") -> np.ndarray:
    """``got`` as a float64 array of any shape, or a FAIL that says what it is instead.

    Strings, dicts, functions, ragged lists, complex numbers and objects whose conversion
    raises each get their own message; nothing here can raise anything but ``_Failure``.
    """
    got = _to_numpy(got)
    if got is None:
        raise _Failure("your function returned None: did you forget the `return` statement?",
                       expected=exp_desc, got="None")
    kind = type(got).__name__
    if isinstance(got, (str, bytes)):
        raise _Failure(f"return {what} as numbers (a float or a NumPy array), not a {kind} (text)",
                       expected=exp_desc, got=f"a {kind}: {_one_line(repr(got), 40)}")
    if isinstance(got, (Mapping, set, frozenset)) or callable(got):
        raise _Failure(f"return {what} as numbers (a float or a NumPy array), not a {kind}",
                       expected=exp_desc, got=f"a {kind}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(got)
    except ValueError as exc:
        if "inhomogeneous" in str(exc) or "sequence" in str(exc):
            raise _Failure(f"the rows of what you returned have different lengths (a ragged list): return "
                           f"{what} as {form}", expected=exp_desc,
                           got=f"a {kind} whose rows have different lengths") from None
        raise _Failure(f"{what} could not be read as numbers: return a NumPy array", expected=exp_desc,
                       got=_one_line(f"a {kind} (ValueError: {_safe_str(exc)})")) from None
    except Exception as exc:
        raise _Failure(f"{what} could not be read as numbers (converting it to an array raised "
                       f"{type(exc).__name__}): return a float or a NumPy array", expected=exp_desc,
                       got=_one_line(f"a {kind} ({type(exc).__name__}: {_safe_str(exc)})")) from None
    if arr.dtype.kind == "c":
        raise _Failure(f"{what} has complex numbers: a square root or log of a negative number, or np.fft/"
                       "np.linalg.eig on a non-symmetric matrix? The answer is real", expected=exp_desc,
                       got=f"complex values, e.g. {_one_line(repr(arr.ravel()[:1].tolist()), 60)}")
    if arr.dtype.kind in "USa":
        raise _Failure(f"return {what} as numbers, not text (a str array)", expected=exp_desc,
                       got=f"an array of {arr.dtype}")
    if arr.dtype.kind == "O":
        items = arr.ravel().tolist()
        lengths = set()
        for item in items[:50]:
            try:
                lengths.add(len(item))
            except Exception:
                lengths.add(None)
        if len(lengths) > 1:
            raise _Failure(f"the rows of what you returned have different lengths (a ragged list): return "
                           f"{what} as {form}", expected=exp_desc,
                           got=f"a {kind} whose rows have different lengths")
    if arr.dtype.kind == "b":
        raise _Failure(f"return {what} as numbers, not True/False values", expected=exp_desc,
                       got=f"booleans ({_describe(arr.astype(np.float64))})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return arr.astype(np.float64)
    except Exception as exc:
        raise _Failure(f"{what} could not be read as numbers: return a float or a NumPy array of floats",
                       expected=exp_desc, got=_one_line(f"a {kind} ({type(exc).__name__}: "
                                                        f"{_safe_str(exc)})")) from None


def _as_array(got: Any, what: str, shape: tuple[int, ...], meaning: str = "",
              nan_hint: str = "", shape_hints: Mapping[tuple[int, ...], str] | None = None) -> np.ndarray:
    """``got`` as a float array of ``shape``, or a FAIL naming the problem (type, shape, NaN).

    ``shape_hints`` maps a wrong shape that a typical mistake produces to its hint."""
    got = _to_numpy(got)
    exp_desc = f"{what}: array of shape {shape}" + (f" ({meaning})" if meaning else "")
    arr = _numbers(got, what, exp_desc)
    if not isinstance(got, np.ndarray) and not np.isscalar(got) and arr.shape == shape:
        raise _Failure(f"return a NumPy array (np.array(...)), not a {type(got).__name__}",
                       expected=exp_desc, got=f"a {type(got).__name__} of shape {arr.shape}")
    if arr.shape != shape:
        if shape_hints and arr.shape in shape_hints:
            hint = shape_hints[arr.shape]
        elif len(shape) == 2 and arr.shape == shape[::-1] and shape[0] != shape[1]:
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
               nan_hint: str = "", shape_hints: Mapping[tuple[int, ...], str] | None = None) -> float:
    """``got`` as a float, or a FAIL (an array of per-example values gets its own hint)."""
    got = _to_numpy(got)
    exp_desc = f"{what}: a single number"
    if isinstance(got, (bool, np.bool_)):
        raise _Failure(f"return {what} as a float, not True/False", expected=exp_desc, got=f"a {type(got).__name__}")
    arr = _numbers(got, what, exp_desc, form="one number (a float)")
    if arr.size != 1:
        if shape_hints and arr.shape in shape_hints:
            hint = shape_hints[arr.shape]
        elif per_example is not None and arr.shape == (per_example,):
            hint = (f"you returned one value per example; {what} is the mean over the "
                    f"{per_example} examples (np.mean), one number")
        elif per_unit is not None and arr.shape == (per_unit,):
            hint = f"you returned one value per hidden unit; {what} is their sum (np.sum), one number"
        else:
            hint = f"return {what} as one number (a float), not an array: sum over every entry it adds up"
        raise _Failure(hint, expected=exp_desc, got=f"an array of shape {arr.shape}")
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise _Failure(nan_hint or "NaN or inf: a division by zero, the log of 0, or an overflow?",
                       expected=f"{what}: a finite number", got=f"{value} (NaN or inf)")
    return value


# A factor that every check recognises (each check adds its own: m, 1/m, n, k, λ, ...).
_DEFAULT_RATIOS: dict[float, str] = {
    2.0: "yours is exactly twice the expected value: a factor 2 too many",
    0.5: "yours is exactly half the expected value: a factor 2 is missing",
    -1.0: "the sign is flipped",
}


def _compare(got: Any, expected: np.ndarray, what: str, *, hint: str,
             mistakes: Iterable[tuple[Any, str]] = (), ratios: Mapping[float, str] | None = None,
             rtol: float = _RTOL) -> None:
    """FAIL unless ``got`` ≈ ``expected``; name the mistake whose value ``got`` matches.

    ``mistakes`` pairs the value a typical mistake gives with its hint; ``ratios`` maps a
    constant factor (got = r · expected) to its hint (e.g. 0.5: a missing factor 2). A factor
    is blamed only when it is one of those known constants (or, for an array, when every
    entry is off by the same factor); any other wrong answer gets the task's ``hint``.
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
    if not np.any(g) and np.any(e):
        raise _Failure(f"your answer is all zeros: {hint}", exp_desc, got_desc)
    ev, gv = e.ravel(), g.ravel()
    denom = float(ev @ ev)
    if denom > 0:
        r = float(gv @ ev) / denom
        if relative_error(gv, r * ev) <= 1e-6:
            known = {**_DEFAULT_RATIOS, **(ratios or {})}
            for factor, factor_hint in known.items():
                if abs(r - factor) <= 1e-6 * max(1.0, abs(factor)):
                    got_desc += f" — {_num(r)} times the expected value"
                    if factor in _DEFAULT_RATIOS and factor not in (ratios or {}):
                        factor_hint = f"{factor_hint}. {hint}"
                    raise _Failure(factor_hint, exp_desc, got_desc)
            if g.size > 1:  # every entry off by the same unknown factor: that much is certain
                got_desc += f" — {_num(r)} times the expected value"
                raise _Failure(f"every entry is off by the same factor ({_num(r)}): look for a wrong "
                               f"constant. {hint}", exp_desc, got_desc)
    raise _Failure(hint, exp_desc, got_desc)


def _get(result: Any, key: str, what: str, keys: tuple[str, ...]) -> Any:
    result = _to_numpy(result)
    if not isinstance(result, Mapping):
        raise _Failure(f"return a dict with the keys {list(keys)}",
                       expected=f"{what}: a dict with keys {list(keys)}", got=f"a {type(result).__name__}")
    try:
        present = key in result
        names = sorted(map(str, result))
    except Exception:
        present, names = False, ["(unreadable)"]
    if not present:
        raise _Failure(f"the dict you return needs the key {key!r} (keys are case-sensitive)",
                       expected=f"{what}: keys {list(keys)}", got=f"keys {names}")
    try:
        return result[key]
    except Exception as exc:
        raise _Failure(f"reading {key!r} from the dict you return raised {type(exc).__name__}",
                       expected=f"{what}: keys {list(keys)}", got=_one_line(_safe_str(exc))) from None


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
    if m is not None and n is not None:
        out[float(m) / n] = (f"summed over the examples (axis=0) and averaged over the features: {what} sums "
                             "each example's loss over the features (axis=1) and averages over the examples "
                             "(axis=0)")
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


def _sigmoid_prime(Y: np.ndarray, how: Any = True) -> Any:
    """The sigmoid's derivative from its output Y: Y(1 − Y) (True), σ(Y)(1 − σ(Y)) ("sig": σ
    applied a second time, the typical mistake), or left out (False)."""
    if how == "sig":
        return _sigmoid(Y) * (1 - _sigmoid(Y))
    return Y * (1 - Y) if how else 1.0


#: The hint for σ'(a) computed as σ(y)(1 − σ(y)) from the unit's output y = σ(a).
# The ★★★ projects: a student's training run must end within 5 % of R.gradient_descent's.
GD_REACH = 1.05


def _reaches(final: float, reference: float) -> bool:
    """Whether a trained objective ``final`` came within GD_REACH of gradient descent's."""
    return final <= GD_REACH * reference


def _reach_expected(reference: float) -> str:
    return f"objective ≤ {GD_REACH * reference:.4g} (within 5 % of gradient descent)"


SIGMA_AGAIN = ("the sigmoid's derivative is written with its OUTPUT: σ'(a) = h(1 − h) where h = σ(a) is "
               "already the unit's value; σ(h)(1 − σ(h)) applies the sigmoid a second time")


def _deltas(params: Mapping[str, np.ndarray], X: np.ndarray, delta2: np.ndarray,
            d_enc: Any = True, through: str = "W_star") -> dict[str, np.ndarray]:
    """All four gradients from a given ∂J/∂a2 (used to build the typical mistakes)."""
    W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
    H = _sigmoid(X @ W.T + b)
    dJ_dh = delta2 @ (Ws if through == "W_star" else W.T)
    delta1 = dJ_dh * _sigmoid_prime(H, d_enc)
    return {"W_star": delta2.T @ H, "c": delta2.sum(axis=0), "W": delta1.T @ X, "b": delta1.sum(axis=0)}
