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
    when given. Every file is checked against its published MD5 before it is used; a
    download is written to a temporary file beside its destination and moved into
    place only once its MD5 is right, so an interrupted or bad download never leaves a
    file behind. A corrupt file in the cache is deleted and downloaded again; a corrupt
    file in a folder you named is refused (it is yours, so it is not deleted).
``load_course_data(n=None, *, seed=0)``
    What the chapters use: the MNIST test set when it can be had, otherwise the digits,
    with a printed note saying so.

Errors: ``MnistUnavailable`` (files missing and not obtainable: offline, unreachable
mirrors, a mirror serving a wrong file, ``download=False``) and ``MnistCorrupt`` (a
file on disk that fails its MD5 or is not valid IDX) are both ``MnistError``, a
``RuntimeError``. Bad arguments raise ``ValueError``.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
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
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
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
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        raise MnistCorrupt(
            f"{path}: the header announces shape {shape} of {dtype.name} "
            f"({expected:,} bytes of data) but the file holds {got:,} bytes of data"
            + ("; it is truncated" if got < expected else "")
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return magic, arr.astype(dtype.newbyteorder("="))


def _read_mnist_idx(path: Path, magic: int, shape: tuple[int, ...]) -> np.ndarray:
    """``read_idx`` plus the MNIST checks: the magic number and the exact shape."""
    got_magic, arr = _parse_idx(path)
    if got_magic != magic:
        what = "images" if magic == _IMAGE_MAGIC else "labels"
        raise MnistCorrupt(
            f"{path} is not an MNIST {what} file: its magic number is {got_magic}, "
            f"expected {magic}"
        )
    if arr.shape != shape:
        raise MnistCorrupt(f"{path} holds an array of shape {arr.shape}; expected {shape}")
    return arr


# --------------------------------------------------------------------------- files


def default_cache_dir() -> Path:
    """The user cache folder for MNIST: ``$XDG_CACHE_HOME/course_ae/mnist``, or
    ``~/.cache/course_ae/mnist`` when ``XDG_CACHE_HOME`` is unset or not absolute."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "course_ae" / "mnist"


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _resolve_directory(directory: str | os.PathLike[str] | None) -> tuple[Path, bool, str]:
    """Return ``(folder, is_cache, where_from)``; refuse a named folder that does not exist."""
    if directory is not None:
        source = "the directory argument"
        folder = Path(directory).expanduser()
    elif os.environ.get(DATA_ENV, "").strip():
        source = f"the {DATA_ENV} environment variable"
        folder = Path(os.environ[DATA_ENV].strip()).expanduser()
    else:
        return default_cache_dir(), True, "the user cache"
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


def _download(spec: _MnistFile, folder: Path, bases: list[str], timeout: float, split: str) -> None:
    """Download ``spec`` into ``folder`` from the first mirror that serves the right bytes.

    The bytes go to a temporary file in ``folder``; it is checked against the MD5 and
    only then renamed onto ``folder / spec.name`` (``os.replace``, atomic). Whatever
    fails, no temporary file is left behind.
    """
    target = folder / spec.name
    failures: list[str] = []
    for base in bases:
        src = base + spec.name
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
            n_bytes = 0
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(src, timeout=timeout) as resp:
                while chunk := resp.read(_CHUNK):
                    n_bytes += len(chunk)
                    if n_bytes > spec.size:
                        raise _WrongFile(f"larger than the {spec.size:,} bytes expected")
                    h.update(chunk)
                    out.write(chunk)
            if h.hexdigest() != spec.md5:
                raise _WrongFile(
                    f"MD5 mismatch: expected {spec.md5}, got {h.hexdigest()} ({n_bytes:,} bytes)"
                )
            os.chmod(tmp, 0o644)  # mkstemp makes it 0o600; a data file is readable by all
            os.replace(tmp, target)
            return
        except _WrongFile as exc:
            failures.append(f"{src}: refused, {exc}")
        except urllib.error.HTTPError as exc:
            failures.append(f"{src}: HTTP {exc.code} {exc.reason}")
        except urllib.error.URLError as exc:
            failures.append(f"{src}: {exc.reason}")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"{src}: {type(exc).__name__}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    refused = any(": refused," in f for f in failures)
    summary = (
        f"no mirror served a correct {spec.name}: wrong checksum"
        if refused
        else f"could not download {spec.name}: offline or mirrors unreachable"
    )
    raise MnistUnavailable(
        f"{summary}.\nTried:\n" + "\n".join(f"  {f}" for f in failures) + "\n"
        + _how_to_provide(split),
        summary=summary,
    )


def load_mnist(
    directory: str | os.PathLike[str] | None = None,
    *,
    split: str = "test",
    download: bool = True,
    url: str | Sequence[str] | None = None,
    timeout: float = 30.0,
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
    timeout : seconds to wait on each network operation.

    Returns
    -------
    X : ndarray of float64, shape (m, 784)
        One 28×28 image a row (row-major), grey levels 0–255 divided by 255.
    y : ndarray of int64, shape (m,)
        The digit shown, 0–9. ``m`` is 10,000 for ``"test"``, 60,000 for ``"train"``.

    Raises
    ------
    ValueError
        Unknown split, or a named folder that does not exist.
    MnistUnavailable
        A file is missing and could not be downloaded (or ``download=False``).
    MnistCorrupt
        A file in a folder you named fails its MD5 or is not valid MNIST IDX data.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"split must be one of {sorted(MNIST_FILES)}; got {split!r}")
    folder, is_cache, source = _resolve_directory(directory)
    if download:
        bases = _mirrors(url)  # validate url= even when nothing has to be downloaded
        if not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"timeout must be a number of seconds > 0; got {timeout!r}")

    paths: list[Path] = []
    for spec in MNIST_FILES[split]:
        path = folder / spec.name
        removed = ""
        if path.is_file():
            got = _md5(path)
            if got == spec.md5:
                paths.append(path)
                continue
            if not is_cache:
                raise MnistCorrupt(
                    f"{path} (from {source}) is corrupt or not the official file: its MD5 is "
                    f"{got}, expected {spec.md5} ({path.stat().st_size:,} bytes, expected "
                    f"{spec.size:,}). Replace it with the official {spec.name} (delete it and "
                    f"load_mnist will download it into this folder), or point {DATA_ENV} / "
                    f"directory= elsewhere."
                )
            print(
                f"course_ae: {path} is corrupt (MD5 {got}, expected {spec.md5}); "
                "deleting it" + (" and downloading it again" if download else ""),
                flush=True,
            )
            path.unlink(missing_ok=True)  # another process may have done it already
            removed = " (a corrupt copy was found there and deleted)"
        if not download:
            raise MnistUnavailable(
                f"{spec.name} is not in {folder} (from {source}){removed}, and download=False.\n"
                + _how_to_provide(split),
                summary=f"{spec.name} not found in {folder}",
            )
        if is_cache:
            folder.mkdir(parents=True, exist_ok=True)
        _download(spec, folder, bases, float(timeout), split)
        paths.append(path)

    m = _N_IMAGES[split]
    images = _read_mnist_idx(paths[0], _IMAGE_MAGIC, (m, 28, 28))
    labels = _read_mnist_idx(paths[1], _LABEL_MAGIC, (m,))
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


def load_course_data(n: int | None = None, *, seed: int = 0, timeout: float = 10.0) -> CourseData:
    """The chapters' data: the MNIST test set, or the 8×8 digits when MNIST cannot be had.

    MNIST is loaded with :func:`load_mnist` (``COURSE_AE_DATA``, else the user cache,
    downloading into it with a short ``timeout`` when missing). When that raises
    :class:`MnistUnavailable`, the digits are used instead and a note saying so is
    printed and stored in ``.note``. A corrupt file in a folder you named is an error,
    not a reason to fall back (see :class:`MnistCorrupt`).

    Parameters
    ----------
    n : take a random subset of ``n`` images (without replacement, kept in the data
        set's order); ``None`` for all. Must be between 1 and the number available
        (10,000 for MNIST). In the digits fallback, an ``n`` above 1,797 takes all
        1,797 digits and the note says so.
    seed : seed of the subset's random choice.
    timeout : seconds to wait on each network operation of a download.

    Returns
    -------
    CourseData with ``X`` (m, 784) or (m, 64) float64 in [0, 1] and ``y`` (m,) int64.
    """
    if n is not None:
        n = check_positive_int(n, "n")
    try:
        X, y = load_mnist(split="test", download=True, timeout=timeout)
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
