"""Data sets of the course: the 8×8 digits (embedded) and MNIST (IDX files).

Every loader returns ``(X, y)`` in the book's notation: ``X`` has shape ``(m, n)``,
one image a row, as float64 in [0, 1]; ``y`` has shape ``(m,)``, int64 labels 0–9.

``load_digits()``
    scikit-learn's 8×8 digits (1,797 images, n = 64). Ships with scikit-learn, so it
    needs no network and no files.
``load_mnist(directory=None, *, split="test", download=True, url=None)``
    MNIST from the standard IDX files. Where the files are looked for, first match wins:

    1. the ``directory`` argument;
    2. the ``COURSE_AE_DATA`` environment variable;
    3. the user cache, ``$XDG_CACHE_HOME/course_ae/mnist`` or ``~/.cache/course_ae/mnist``.

    A file that is missing is downloaded into that folder (unless ``download=False``)
    from the mirrors in ``MNIST_MIRRORS``, or from ``url=`` / ``COURSE_AE_MNIST_URL``
    when given. Every file is read once and checked against its published MD5; the
    bytes parsed are the bytes checked. A download is written to a temporary ``.part``
    file beside its destination and renamed onto it only once its MD5 is right, so an
    interrupted or bad download never leaves a wrong file; ``timeout`` bounds each
    network operation and ``deadline`` the whole download. A corrupt file in the cache
    is replaced by a fresh download (by one process at a time: the folder is locked
    with ``flock`` meanwhile, and a verified file is never deleted); a corrupt file in
    a folder you named is refused (it is yours, so it is not deleted).
``load_course_data(n=None, *, seed=0)``
    What the chapters use: the MNIST test set when it can be had, otherwise the digits,
    with a printed note saying so (also when the cache folder cannot be created).

Errors: ``MnistUnavailable`` (files missing and not obtainable: offline, unreachable
mirrors, a mirror serving a wrong file, ``download=False``) and ``MnistCorrupt`` (a
file on disk that fails its MD5 or is not valid IDX) are both ``MnistError``, a
``RuntimeError``. Bad arguments raise ``ValueError``.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_ae._validation import check_positive_int

__all__ = [
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "CourseData",
    "MnistCorrupt",
    "MnistError",
    "MnistUnavailable",
    "default_cache_dir",
    "load_course_data",
    "load_digits",
    "load_mnist",
    "read_idx",
]

#: Base URLs tried in order when a file has to be downloaded.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


@dataclass(frozen=True)
class _MnistFile:
    name: str
    md5: str
    size: int  # bytes of the .gz file


#: The official files, per split: ``(images, labels)``, with their MD5 and size.
MNIST_FILES: dict[str, tuple[_MnistFile, _MnistFile]] = {
    "test": (
        _MnistFile("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", 1_648_877),
        _MnistFile("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", 4_542),
    ),
    "train": (
        _MnistFile("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9_912_422),
        _MnistFile("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", 28_881),
    ),
}

_N_IMAGES = {"test": 10_000, "train": 60_000}
_IMAGE_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (m, 28, 28)
_LABEL_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (m,)
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CHUNK = 1 << 16

DATA_ENV = "COURSE_AE_DATA"
URL_ENV = "COURSE_AE_MNIST_URL"


class MnistError(RuntimeError):
    """Base class of the MNIST loading errors."""


class MnistUnavailable(MnistError):
    """The MNIST files are not on disk and could not be downloaded.

    ``summary`` is a one-line reason (used in the book's fallback note); the full
    message also lists every URL tried and how to provide the files by hand.
    """

    def __init__(self, message: str, *, summary: str | None = None) -> None:
        super().__init__(message)
        self.summary = summary or message.splitlines()[0]


class MnistCorrupt(MnistError):
    """A file on disk is not the expected one: wrong MD5, or not valid IDX data."""


# --------------------------------------------------------------------------- digits


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits, scaled to [0, 1].

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        One 8×8 image a row (row-major, ``X[i].reshape(8, 8)`` is the picture); the
        original grey levels 0–16 divided by 16.
    y : ndarray of int64, shape (1797,)
        The digit shown, 0–9.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = np.ascontiguousarray(bunch.data, dtype=np.float64) / 16.0
    y = np.ascontiguousarray(bunch.target, dtype=np.int64)
    return X, y


# --------------------------------------------------------------------------- IDX


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (gzip-compressed when its name ends in ``.gz``).

    The header is checked: two zero bytes, a known type code, the number of
    dimensions, the size of each, and that the data holds exactly the number of bytes
    they announce.

    Returns
    -------
    ndarray of the shape given by the header (``(m, 28, 28)`` for MNIST images,
    ``(m,)`` for labels), in the file's element type (uint8 for MNIST).

    Raises
    ------
    MnistCorrupt
        When the file is not valid IDX data (with the reason).
    """
    return _parse_idx(Path(path))[1]


def _parse_idx(path: Path) -> tuple[int, np.ndarray]:
    """Return ``(magic number, array)`` of an IDX file; see :func:`read_idx`."""
    return _parse_idx_bytes(path.read_bytes(), path)


def _parse_idx_bytes(raw: bytes, path: Path) -> tuple[int, np.ndarray]:
    """Parse the bytes of an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    ``path`` only decides whether to decompress and names the file in messages: the
    bytes parsed are the bytes given, so a caller that hashed ``raw`` parses exactly
    what it verified.
    """
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise MnistCorrupt(
                f"{path} is not a complete gzip file ({exc}); it is probably truncated or "
                "damaged. Delete it and download it again."
            ) from None
    if len(raw) < 4:
        raise MnistCorrupt(f"{path} is too short to be an IDX file ({len(raw)} bytes)")
    magic = int.from_bytes(raw[0:4], "big")
    zero, code, ndim = magic >> 16, raw[2], raw[3]
    if zero != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise MnistCorrupt(
            f"{path} is not an IDX file: its magic number is {magic} (0x{magic:08X}); "
            f"an IDX file starts with 0x0000, a type code in "
            f"{{{', '.join(f'0x{c:02X}' for c in _IDX_DTYPES)}}} and the number of dimensions"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistCorrupt(
            f"{path}: the header announces {ndim} dimensions but the file ends after "
            f"{len(raw)} bytes, before the {header}-byte header is complete"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow on a crafted header
    got = len(raw) - header
    if got != expected:
        raise MnistCorrupt(
            f"{path}: the header announces shape {shape} of {dtype.name} "
            f"({expected:,} bytes of data) but the file holds {got:,} bytes of data"
            + ("; it is truncated" if got < expected else "")
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return magic, arr.astype(dtype.newbyteorder("="))


def _check_mnist_idx(path: Path, parsed: tuple[int, np.ndarray], magic: int,
                     shape: tuple[int, ...]) -> np.ndarray:
    """The MNIST checks on a parsed IDX file: the magic number and the exact shape."""
    got_magic, arr = parsed
    if got_magic != magic:
        what = "images" if magic == _IMAGE_MAGIC else "labels"
        raise MnistCorrupt(
            f"{path} is not an MNIST {what} file: its magic number is {got_magic}, "
            f"expected {magic}"
        )
    if arr.shape != shape:
        raise MnistCorrupt(f"{path} holds an array of shape {arr.shape}; expected {shape}")
    return arr


def _read_mnist_idx(path: Path, magic: int, shape: tuple[int, ...]) -> np.ndarray:
    """``read_idx`` plus the MNIST checks: the magic number and the exact shape."""
    return _check_mnist_idx(path, _parse_idx(path), magic, shape)


# --------------------------------------------------------------------------- files


def default_cache_dir() -> Path:
    """The user cache folder for MNIST: ``$XDG_CACHE_HOME/course_ae/mnist``, or
    ``~/.cache/course_ae/mnist`` when ``XDG_CACHE_HOME`` is unset or not absolute."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "course_ae" / "mnist"


def _md5_of(raw: bytes) -> str:
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def _read_file(path: Path, source: str, split: str) -> bytes | None:
    """The bytes of ``path``, read once; ``None`` when there is no such file."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None  # not there (a path through a file included): to be downloaded
    except OSError as exc:  # unreadable: permissions, I/O error, a path through a file
        raise MnistUnavailable(
            f"cannot read {path} (from {source}): {exc}.\n" + _how_to_provide(split),
            summary=f"cannot read {path}: {exc.strerror or exc}",
        ) from None


def _make_cache_dir(folder: Path, split: str) -> None:
    """Create the user cache folder, or say why it cannot be (``MnistUnavailable``)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():  # pragma: no cover - mkdir(exist_ok=True) raises for a file
            raise NotADirectoryError(f"{folder} is not a directory")
    except OSError as exc:  # NotADirectoryError, FileExistsError, PermissionError, read-only fs
        raise MnistUnavailable(
            f"cannot create the MNIST cache folder {folder}: {type(exc).__name__}: {exc}.\n"
            "Set XDG_CACHE_HOME to a writable folder. " + _how_to_provide(split),
            summary=f"cannot create the cache folder {folder} ({exc.strerror or exc})",
        ) from None


@contextmanager
def _folder_lock(folder: Path, until: float) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``folder`` itself (no lock file is left behind).

    Waits until the monotonic time ``until`` at most; yields whether the lock is held.
    Without the lock (no ``fcntl``, a folder that cannot be opened, or the wait ran out)
    the caller still works safely, since every write is a rename onto the final name;
    it only skips what needs exclusivity (removing files).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux/macOS
        yield False
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        locked = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= until:
                    break
                time.sleep(0.05)
            except OSError:  # pragma: no cover - a file system without flock
                break
        try:
            yield locked
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _part_files(folder: Path, names: Sequence[str]) -> list[Path]:
    """The temporary ``.<name>.*.part`` files of downloads into ``folder``."""
    try:
        return [p for name in names for p in folder.glob(f".{name}.*.part")]
    except OSError:  # pragma: no cover - an unreadable folder
        return []


def _remove_stale_parts(folder: Path, names: Sequence[str]) -> None:
    """Remove the ``.part`` files a killed process left. Call only while holding the
    folder's lock: every live download holds it, so any ``.part`` file then is stale."""
    for part in _part_files(folder, names):
        try:
            part.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - not ours to remove after all
            pass


def _resolve_directory(directory: str | os.PathLike[str] | None) -> tuple[Path, bool, str]:
    """Return ``(folder, is_cache, where_from)``; refuse a named folder that does not exist."""
    if directory is not None:
        source = "the directory argument"
        folder = Path(directory).expanduser()
    elif os.environ.get(DATA_ENV, "").strip():
        source = f"the {DATA_ENV} environment variable"
        folder = Path(os.environ[DATA_ENV].strip()).expanduser()
    else:
        try:
            return default_cache_dir(), True, "the user cache"
        except (RuntimeError, KeyError, OSError) as exc:  # no home directory to be found
            raise MnistUnavailable(
                f"there is no user cache folder for MNIST: {exc}. Set XDG_CACHE_HOME to a "
                f"writable folder, or {DATA_ENV} to a folder holding the MNIST files.",
                summary=f"no user cache folder ({exc})",
            ) from None
    if not folder.is_dir():
        state = "is not a directory" if folder.exists() else "does not exist"
        raise ValueError(
            f"{folder} (from {source}) {state}; expected an existing folder holding the "
            f"MNIST files ({', '.join(f.name for s in MNIST_FILES.values() for f in s)}), "
            f"or leave it unset to use the user cache ({default_cache_dir()})"
        )
    return folder, False, source


def _mirrors(url: str | Sequence[str] | None) -> list[str]:
    if url is None:
        env = os.environ.get(URL_ENV, "").strip()
        bases: Sequence[str] = env.replace(",", " ").split() if env else MNIST_MIRRORS
    elif isinstance(url, str):
        bases = [url]
    else:
        bases = list(url)
    if not bases or not all(isinstance(b, str) and b.strip() for b in bases):
        raise ValueError(
            f"url must be a base URL (a string such as {MNIST_MIRRORS[0]!r}) or a list of "
            f"them; got {url!r}"
        )
    return [b.strip().rstrip("/") + "/" for b in bases]


def _how_to_provide(split: str) -> str:
    names = " and ".join(f.name for f in MNIST_FILES[split])
    return (
        f"To use MNIST without a download, put {names} in a folder and pass it as "
        f"load_mnist(directory=...) or set {DATA_ENV} to it; to use another mirror, pass "
        f"url=... or set {URL_ENV}."
    )


class _WrongFile(Exception):
    """A mirror served bytes that are not the expected file."""


class _OutOfTime(Exception):
    """The total deadline of the download passed."""


def _download(spec: _MnistFile, folder: Path, bases: list[str], timeout: float,
              until: float, deadline: float, split: str) -> bytes:
    """Download ``spec`` into ``folder`` from the first mirror that serves the right bytes,
    and return those bytes (the caller parses the very bytes that were verified).

    The bytes go to a temporary file in ``folder``; it is checked against the MD5 and
    only then renamed onto ``folder / spec.name`` (``os.replace``, atomic: a reader sees
    the old file or the new one, never a part). Nothing is ever deleted but the
    temporary file. ``timeout`` bounds each network operation, the monotonic time
    ``until`` the whole download (a mirror trickling bytes is cut off there).
    """
    target = folder / spec.name
    failures: list[str] = []
    for base in bases:
        src = base + spec.name
        left = until - time.monotonic()
        if left <= 0:
            failures.append(f"{src}: not tried, the total deadline of {deadline:g} s had passed")
            continue
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise MnistUnavailable(
                f"cannot write the MNIST files into {folder}: {exc}.\n" + _how_to_provide(split),
                summary=f"{folder} is not writable",
            ) from None
        tmp = Path(tmp_name)
        try:
            print(f"course_ae: downloading {src} to {folder}", flush=True)
            h = hashlib.md5(usedforsecurity=False)
            chunks: list[bytes] = []
            n_bytes = 0
            with os.fdopen(fd, "wb") as out, \
                    urllib.request.urlopen(src, timeout=min(timeout, left)) as resp:
                read = getattr(resp, "read1", resp.read)  # read1: what has arrived, no waiting for more
                while chunk := read(_CHUNK):
                    n_bytes += len(chunk)
                    if n_bytes > spec.size:
                        raise _WrongFile(f"larger than the {spec.size:,} bytes expected")
                    h.update(chunk)
                    chunks.append(chunk)
                    out.write(chunk)
                    if time.monotonic() > until:
                        raise _OutOfTime(
                            f"stopped after the total deadline of {deadline:g} s with "
                            f"{n_bytes:,} of {spec.size:,} bytes (a very slow mirror?)"
                        )
            if h.hexdigest() != spec.md5:
                raise _WrongFile(
                    f"MD5 mismatch: expected {spec.md5}, got {h.hexdigest()} ({n_bytes:,} bytes)"
                )
            os.chmod(tmp, 0o644)  # mkstemp makes it 0o600; a data file is readable by all
            os.replace(tmp, target)
            return b"".join(chunks)
        except _WrongFile as exc:
            failures.append(f"{src}: refused, {exc}")
        except _OutOfTime as exc:
            failures.append(f"{src}: {exc}")
        except urllib.error.HTTPError as exc:
            failures.append(f"{src}: HTTP {exc.code} {exc.reason}")
        except urllib.error.URLError as exc:
            failures.append(f"{src}: {exc.reason}")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"{src}: {type(exc).__name__}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    refused = any(": refused," in f for f in failures)
    late = any("total deadline" in f for f in failures)
    if refused:
        summary = f"no mirror served a correct {spec.name}: wrong checksum"
    elif late:
        summary = f"could not download {spec.name} within the deadline of {deadline:g} s"
    else:
        summary = f"could not download {spec.name}: offline or mirrors unreachable"
    raise MnistUnavailable(
        f"{summary}.\nTried:\n" + "\n".join(f"  {f}" for f in failures) + "\n"
        + _how_to_provide(split),
        summary=summary,
    )


def _check_seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{name} must be a finite number of seconds > 0; got {value!r}")
    return float(value)


def load_mnist(
    directory: str | os.PathLike[str] | None = None,
    *,
    split: str = "test",
    download: bool = True,
    url: str | Sequence[str] | None = None,
    timeout: float = 30.0,
    deadline: float = 600.0,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST from the standard IDX files, verified by MD5.

    Parameters
    ----------
    directory : folder holding the ``.gz`` files. Default: ``$COURSE_AE_DATA`` when set,
        else the user cache (:func:`default_cache_dir`). A named folder must exist.
    split : ``"test"`` (10,000 images, ``t10k-*``; what the course uses) or
        ``"train"`` (60,000 images, ``train-*``).
    download : fetch missing files into the folder. ``False`` never touches the network.
    url : a mirror's base URL, or a list tried in order. Default: ``$COURSE_AE_MNIST_URL``
        (one or more, separated by spaces or commas) when set, else ``MNIST_MIRRORS``.
    timeout : seconds to wait on each network operation (connecting, each read).
    deadline : seconds the downloads of this call may take in all, however the bytes
        trickle in; a mirror still sending at that point is cut off (and the next one
        is not tried).

    Each file is read once: the MD5 is computed on the bytes read and the same bytes
    are parsed. Several processes may load (and repair) the same folder at once: the
    one that downloads holds an ``flock`` on the folder while it does, the others wait
    for it and then use its file; every write is a rename onto the final name, and a
    verified file is never deleted. ``.part`` files left by a killed download are
    removed by the next call that can take the lock.

    Returns
    -------
    X : ndarray of float64, shape (m, 784)
        One 28×28 image a row (row-major), grey levels 0–255 divided by 255.
    y : ndarray of int64, shape (m,)
        The digit shown, 0–9. ``m`` is 10,000 for ``"test"``, 60,000 for ``"train"``.

    Raises
    ------
    ValueError
        Unknown split, a named folder that does not exist, or a bad url/timeout/deadline.
    MnistUnavailable
        A file is missing and could not be downloaded (or ``download=False``), or the
        user cache folder cannot be created (its path runs through a file, no permission).
    MnistCorrupt
        A file in a folder you named fails its MD5 or is not valid MNIST IDX data.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"split must be one of {sorted(MNIST_FILES)}; got {split!r}")
    folder, is_cache, source = _resolve_directory(directory)
    if download:
        bases = _mirrors(url)  # validate url= even when nothing has to be downloaded
        timeout = _check_seconds(timeout, "timeout")
        deadline = _check_seconds(deadline, "deadline")
    until = time.monotonic() + (deadline if download else 5.0)
    names = [spec.name for spec in MNIST_FILES[split]]

    raws: list[bytes] = []
    for spec in MNIST_FILES[split]:
        path = folder / spec.name
        raw = _read_file(path, source, split)
        if raw is not None and _md5_of(raw) == spec.md5:
            raws.append(raw)
            continue
        if raw is not None and not is_cache:
            raise MnistCorrupt(
                f"{path} (from {source}) is corrupt or not the official file: its MD5 is "
                f"{_md5_of(raw)}, expected {spec.md5} ({len(raw):,} bytes, expected "
                f"{spec.size:,}). Replace it with the official {spec.name} (delete it and "
                f"load_mnist will download it into this folder), or point {DATA_ENV} / "
                f"directory= elsewhere."
            )
        if raw is None and not download:
            raise MnistUnavailable(
                f"{spec.name} is not in {folder} (from {source}), and download=False.\n"
                + _how_to_provide(split),
                summary=f"{spec.name} not found in {folder}",
            )
        if is_cache:
            _make_cache_dir(folder, split)
        # Missing, or corrupt in the cache: repair it under the folder's lock. Whoever
        # waited for the lock first looks again: another process may have repaired it.
        with _folder_lock(folder, until) as locked:
            if locked:
                _remove_stale_parts(folder, names)
                raw = _read_file(path, source, split)
                if raw is not None and _md5_of(raw) == spec.md5:
                    raws.append(raw)
                    continue
            removed = ""
            if raw is not None:
                print(
                    f"course_ae: {path} is corrupt (MD5 {_md5_of(raw)}, expected {spec.md5}); "
                    + ("replacing it with a fresh download" if download else "deleting it"),
                    flush=True,
                )
                if not download and locked:  # nobody else writes while we hold the lock
                    path.unlink(missing_ok=True)
                    removed = " (a corrupt copy was found there and deleted)"
            if not download:
                raise MnistUnavailable(
                    f"{spec.name} is not in {folder} (from {source}){removed}, and "
                    "download=False.\n" + _how_to_provide(split),
                    summary=f"{spec.name} not found in {folder}",
                )
            raws.append(_download(spec, folder, bases, timeout, until, deadline, split))

    if _part_files(folder, names):  # left by a killed download: tidy up when nobody is busy
        with _folder_lock(folder, time.monotonic()) as locked:
            if locked:
                _remove_stale_parts(folder, names)

    m = _N_IMAGES[split]
    paths = [folder / name for name in names]
    images = _check_mnist_idx(paths[0], _parse_idx_bytes(raws[0], paths[0]), _IMAGE_MAGIC, (m, 28, 28))
    labels = _check_mnist_idx(paths[1], _parse_idx_bytes(raws[1], paths[1]), _LABEL_MAGIC, (m,))
    if labels.max() > 9:
        raise MnistCorrupt(f"{paths[1]} holds labels up to {labels.max()}; expected 0–9")
    X = images.reshape(m, 28 * 28).astype(np.float64) / 255.0
    y = labels.astype(np.int64)
    return X, y


# --------------------------------------------------------------------------- book


@dataclass(frozen=True, eq=False, repr=False)
class CourseData:
    """The data a chapter works on.

    Attributes
    ----------
    X : ndarray of float64, shape (m, n), in [0, 1]; n = 784 (MNIST) or 64 (digits).
    y : ndarray of int64, shape (m,), labels 0–9.
    name : ``"mnist"`` or ``"digits"``.
    image_shape : ``(28, 28)`` or ``(8, 8)``; ``X[i].reshape(image_shape)`` is image i.
    note : empty for MNIST; for the digits fallback, the note that was printed.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    image_shape: tuple[int, int]
    note: str = field(default="")

    def __repr__(self) -> str:
        return (
            f"CourseData(name={self.name!r}, X: {self.X.shape} {self.X.dtype}, "
            f"y: {self.y.shape} {self.y.dtype}, image_shape={self.image_shape}, "
            f"note={self.note!r})"
        )


def load_course_data(n: int | None = None, *, seed: int = 0, timeout: float = 10.0,
                     deadline: float = 120.0) -> CourseData:
    """The chapters' data: the MNIST test set, or the 8×8 digits when MNIST cannot be had.

    MNIST is loaded with :func:`load_mnist` (``COURSE_AE_DATA``, else the user cache,
    downloading into it with a short ``timeout`` and ``deadline`` when missing). When
    that raises :class:`MnistUnavailable` (offline, unreachable or too slow mirrors, a
    cache folder that cannot be created or read), the digits are used instead and a
    note saying so is printed and stored in ``.note``. A corrupt file in a folder you named is an error,
    not a reason to fall back (see :class:`MnistCorrupt`).

    Parameters
    ----------
    n : take a random subset of ``n`` images (without replacement, kept in the data
        set's order); ``None`` for all. Must be between 1 and the number available
        (10,000 for MNIST). In the digits fallback, an ``n`` above 1,797 takes all
        1,797 digits and the note says so.
    seed : seed of the subset's random choice.
    timeout : seconds to wait on each network operation of a download.
    deadline : seconds the whole download may take (see :func:`load_mnist`).

    Returns
    -------
    CourseData with ``X`` (m, 784) or (m, 64) float64 in [0, 1] and ``y`` (m,) int64.
    """
    if n is not None:
        n = check_positive_int(n, "n")
    try:
        X, y = load_mnist(split="test", download=True, timeout=timeout, deadline=deadline)
        name, shape, note = "mnist", (28, 28), ""
    except MnistUnavailable as exc:
        X, y = load_digits()
        name, shape = "digits", (8, 8)
        note = (
            f"Note: MNIST could not be loaded ({exc.summary}); this page uses the 8×8 "
            f"digits instead. Set {DATA_ENV} to a folder holding the MNIST files to use "
            "MNIST."
        )
        if n is not None and n > len(X):
            note += f" (n={n} asked for; all {len(X):,} digits are used.)"
            n = None
        print(note, flush=True)
    if n is not None:
        if n > len(X):
            raise ValueError(f"n must be between 1 and {len(X):,} (the {name} images available); got {n}")
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(X), size=n, replace=False))
        X, y = X[idx], y[idx]
    return CourseData(X=X, y=y, name=name, image_shape=shape, note=note)
