"""Tests of course_ae.data: the digits, MNIST from IDX files, downloads, the book helper.

Downloads are tested against a local HTTP server on 127.0.0.1 serving the shared MNIST
test files (../shared/data/mnist beside the repository); no other host is contacted:
an autouse fixture points every default at 127.0.0.1 and makes any other URL fail.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from course_ae import data
from course_ae.data import (
    CourseData,
    MnistCorrupt,
    MnistUnavailable,
    load_course_data,
    load_digits,
    load_mnist,
    read_idx,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mnist_server import closed_port_url, load_in_process, serve_directory  # noqa: E402

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
if not SHARED_MNIST.is_dir() and os.environ.get("COURSE_AE_DATA"):  # e.g. run from a git worktree
    SHARED_MNIST = Path(os.environ["COURSE_AE_DATA"])  # read at import, before any fixture unsets it
IMAGES, LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
MD5 = {IMAGES: "9fb629c4189551a2d022fa330f9573f3", LABELS: "ec29112dd5afa0611ce80d1b7f02629c"}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[str]:
    """Every entry of ``folder`` (hidden temporary files included), sorted."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh, empty user cache; no COURSE_AE_DATA; mirrors pointed at a closed local
    port; proxies off; and any URL whose host is not 127.0.0.1 refused outright."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("COURSE_AE_DATA", raising=False)
    monkeypatch.setenv("COURSE_AE_MNIST_URL", closed_port_url())
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    real_urlopen = urllib.request.urlopen

    def local_only(url, *args, **kwargs):
        host = urllib.parse.urlsplit(url if isinstance(url, str) else url.full_url).hostname
        assert host == "127.0.0.1", f"a test tried to contact {url!r}"
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", local_only)
    return tmp_path / "xdg-cache" / "course_ae" / "mnist"


@pytest.fixture
def cache_dir(_isolated: Path) -> Path:
    """Where load_mnist caches MNIST in these tests (inside tmp_path)."""
    return _isolated


@pytest.fixture(scope="session")
def shared_mnist() -> Path:
    if not (SHARED_MNIST / IMAGES).is_file() or not (SHARED_MNIST / LABELS).is_file():
        pytest.skip(f"the shared MNIST test files are not in {SHARED_MNIST} (see DESIGN.md §6)")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def mnist_arrays(shared_mnist: Path) -> tuple[np.ndarray, np.ndarray]:
    """The shared test set, loaded once (to compare other loads against)."""
    return load_mnist(shared_mnist, download=False)


def _damaged_copy(src: Path, dst_dir: Path, how: str, which: str = IMAGES) -> Path:
    """Copy both MNIST test files into ``dst_dir``, damaging ``which``."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    for name in (IMAGES, LABELS):
        shutil.copyfile(src / name, dst_dir / name)
    raw = bytearray((src / which).read_bytes())
    if how == "corrupted":
        raw[len(raw) // 2] ^= 0xFF
    elif how == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        raise AssertionError(how)
    (dst_dir / which).write_bytes(bytes(raw))
    return dst_dir


def _write_idx(path: Path, magic: int, shape: tuple[int, ...], payload: bytes) -> Path:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + payload)
    return path


# --------------------------------------------------------------------------- digits


def test_load_digits_shapes_range_labels() -> None:
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))


# --------------------------------------------------------------------------- MNIST files


def test_load_mnist_shared_files(mnist_arrays: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = mnist_arrays
    assert X.shape == (10_000, 784) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (10_000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.all(np.isin(y, np.arange(10)))
    assert np.all(np.bincount(y, minlength=10) > 0)
    assert list(y[:5]) == [7, 2, 1, 0, 4]  # the well-known first test labels


def test_load_mnist_from_env_var(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, mnist_arrays, cache_dir: Path
) -> None:
    monkeypatch.setenv("COURSE_AE_DATA", str(shared_mnist))
    X, y = load_mnist(download=False)
    np.testing.assert_array_equal(X, mnist_arrays[0])
    np.testing.assert_array_equal(y, mnist_arrays[1])
    assert not cache_dir.exists()  # the cache was not touched


@pytest.mark.parametrize("which", [IMAGES, LABELS])
@pytest.mark.parametrize("how", ["corrupted", "truncated"])
def test_damaged_file_in_named_directory_is_refused(
    shared_mnist: Path, tmp_path: Path, how: str, which: str
) -> None:
    folder = _damaged_copy(shared_mnist, tmp_path / "mine", how, which)
    bad_md5 = _md5(folder / which)
    with pytest.raises(MnistCorrupt) as info:
        load_mnist(folder)  # download=True: still refused, never replaced
    msg = str(info.value)
    assert str(folder / which) in msg
    assert MD5[which] in msg and bad_md5 in msg  # expected vs got
    assert "delete it" in msg and "COURSE_AE_DATA" in msg  # what to do
    assert _md5(folder / which) == bad_md5  # the user's file is left alone


def test_read_idx_checks_format(tmp_path: Path) -> None:
    good = _write_idx(tmp_path / "ok-idx3.gz", 2051, (2, 3, 4), bytes(range(24)))
    arr = read_idx(good)
    assert arr.shape == (2, 3, 4) and arr.dtype == np.uint8 and arr[1, 2, 3] == 23

    with pytest.raises(MnistCorrupt, match="magic number is 305419896"):
        read_idx(_write_idx(tmp_path / "magic.gz", 0x12345678, (3,), b"abc"))
    with pytest.raises(MnistCorrupt, match=r"announces shape \(2, 3, 4\).*holds 20 bytes.*truncated"):
        read_idx(_write_idx(tmp_path / "short.gz", 2051, (2, 3, 4), bytes(20)))
    with pytest.raises(MnistCorrupt, match=r"holds 25 bytes"):
        read_idx(_write_idx(tmp_path / "long.gz", 2051, (2, 3, 4), bytes(25)))
    (tmp_path / "header.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x03\x00\x00"))
    with pytest.raises(MnistCorrupt, match="before the 16-byte header is complete"):
        read_idx(tmp_path / "header.gz")
    (tmp_path / "cut.gz").write_bytes(good.read_bytes()[:-6])
    with pytest.raises(MnistCorrupt, match="not a complete gzip file"):
        read_idx(tmp_path / "cut.gz")


def test_mnist_specific_checks(tmp_path: Path, shared_mnist: Path) -> None:
    # a valid IDX file of the wrong kind or dimensions is refused by the MNIST reader
    images = _write_idx(tmp_path / "img.gz", 2051, (5, 28, 28), bytes(5 * 784))
    with pytest.raises(MnistCorrupt, match=r"shape \(5, 28, 28\); expected \(10000, 28, 28\)"):
        data._read_mnist_idx(images, 2051, (10_000, 28, 28))
    with pytest.raises(MnistCorrupt, match="not an MNIST labels file.*2051, expected 2049"):
        data._read_mnist_idx(images, 2049, (5,))


# --------------------------------------------------------------------------- downloads


def test_download_into_cache(shared_mnist: Path, cache_dir: Path, mnist_arrays) -> None:
    with serve_directory(shared_mnist) as server:
        X, y = load_mnist(url=server.url)
        assert sorted(server.requested) == sorted(["/" + IMAGES, "/" + LABELS])
        assert _files(cache_dir) == sorted([IMAGES, LABELS])  # nothing else left behind
        assert all(_md5(cache_dir / n) == MD5[n] for n in (IMAGES, LABELS))
        np.testing.assert_array_equal(X, mnist_arrays[0])
        np.testing.assert_array_equal(y, mnist_arrays[1])
        load_mnist(url=server.url)  # second time: from the cache, no request
        assert len(server.requested) == 2


def test_download_url_from_env_and_into_named_directory(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, tmp_path: Path, cache_dir: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    with serve_directory(shared_mnist) as server:
        monkeypatch.setenv("COURSE_AE_MNIST_URL", server.url.rstrip("/"))  # no slash is fine
        X, y = load_mnist(folder)
    assert X.shape == (10_000, 784) and y.shape == (10_000,)
    assert _files(folder) == sorted([IMAGES, LABELS])
    assert not cache_dir.exists()


def test_corrupted_download_is_refused_and_leaves_nothing(
    shared_mnist: Path, tmp_path: Path, cache_dir: Path
) -> None:
    bad = _damaged_copy(shared_mnist, tmp_path / "bad-mirror", "corrupted")
    with serve_directory(bad) as server, pytest.raises(MnistUnavailable) as info:
        load_mnist(url=server.url)
    msg = str(info.value)
    assert "MD5 mismatch" in msg and MD5[IMAGES] in msg and server.url + IMAGES in msg
    assert "COURSE_AE_DATA" in msg
    assert _files(cache_dir) == []  # no partial or temporary file


def test_next_mirror_is_tried(shared_mnist: Path, tmp_path: Path, cache_dir: Path) -> None:
    bad = _damaged_copy(shared_mnist, tmp_path / "bad-mirror", "truncated")
    with serve_directory(bad) as bad_server, serve_directory(shared_mnist) as good_server:
        X, _ = load_mnist(url=[closed_port_url(), bad_server.url, good_server.url])
    assert X.shape == (10_000, 784)
    assert _files(cache_dir) == sorted([IMAGES, LABELS])


def test_corrupt_file_in_cache_is_replaced(
    shared_mnist: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir.mkdir(parents=True)
    shutil.copyfile(shared_mnist / LABELS, cache_dir / LABELS)
    (cache_dir / IMAGES).write_bytes(b"not mnist at all")
    with serve_directory(shared_mnist) as server:
        X, _ = load_mnist(url=server.url)
        assert server.requested == ["/" + IMAGES]  # the good labels file is kept
    assert X.shape == (10_000, 784)
    assert _md5(cache_dir / IMAGES) == MD5[IMAGES]
    assert "is corrupt" in capsys.readouterr().out


def test_unreachable_mirror_gives_clear_error(cache_dir: Path) -> None:
    url = closed_port_url()
    with pytest.raises(MnistUnavailable) as info:
        load_mnist(url=url, timeout=5)
    msg = str(info.value)
    assert url + IMAGES in msg  # the URL tried
    assert "COURSE_AE_DATA" in msg and "directory=" in msg  # how to provide the files
    assert "offline" in info.value.summary
    assert _files(cache_dir) == []


@pytest.mark.parametrize("corrupt_in_cache", [False, True])
def test_download_false_never_touches_network(
    monkeypatch: pytest.MonkeyPatch, cache_dir: Path, corrupt_in_cache: bool
) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("download=False must not touch the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    if corrupt_in_cache:
        cache_dir.mkdir(parents=True)
        (cache_dir / IMAGES).write_bytes(b"junk")
    with pytest.raises(MnistUnavailable, match=f"{IMAGES} is not in .*download=False") as info:
        load_mnist(download=False)
    assert "COURSE_AE_DATA" in str(info.value)
    if corrupt_in_cache:
        assert "corrupt copy was found there and deleted" in str(info.value)
        assert _files(cache_dir) == []


# --------------------------------------------------------------------------- validation


def test_bad_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"split must be one of \['test', 'train'\]; got 'valid'"):
        load_mnist(split="valid")
    with pytest.raises(ValueError, match="does not exist; expected an existing folder"):
        load_mnist(tmp_path / "nope")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match="is not a directory"):
        load_mnist(tmp_path / "afile")
    with pytest.raises(ValueError, match="url must be a base URL"):
        load_mnist(tmp_path, url=[])
    with pytest.raises(ValueError, match="timeout must be"):
        load_mnist(tmp_path, timeout=0)
    monkeypatch.setenv("COURSE_AE_DATA", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="from the COURSE_AE_DATA environment variable"):
        load_mnist()
    for n in (0, -3, 2.5, "10", True):
        with pytest.raises(ValueError, match="n must be"):
            load_course_data(n)


# --------------------------------------------------------------------------- book helper


def test_course_data_falls_back_to_digits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("COURSE_AE_DATA", str(empty))
    monkeypatch.setenv("COURSE_AE_MNIST_URL", closed_port_url())
    d = load_course_data()
    assert isinstance(d, CourseData)
    assert d.name == "digits" and d.image_shape == (8, 8)
    assert d.X.shape == (1797, 64) and d.y.shape == (1797,)
    out = capsys.readouterr().out
    assert "Note: MNIST could not be loaded" in out and "8×8 digits instead" in out
    assert d.note in out and d.note.startswith("Note: MNIST could not be loaded")
    assert _files(empty) == []

    small = load_course_data(100, seed=1)
    assert small.X.shape == (100, 64) and small.name == "digits"
    big = load_course_data(5000)  # more than the digits have: all of them, said in the note
    assert big.X.shape == (1797, 64) and "n=5000" in big.note


def test_course_data_uses_mnist(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, mnist_arrays, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COURSE_AE_DATA", str(shared_mnist))
    d = load_course_data(500, seed=3)
    assert d.name == "mnist" and d.image_shape == (28, 28) and d.note == ""
    assert d.X.shape == (500, 784) and d.y.shape == (500,) and d.y.dtype == np.int64
    assert "Note" not in capsys.readouterr().out
    # a subset without replacement of the real rows, reproducible from the seed
    X, y = mnist_arrays
    rows = {row.tobytes(): i for i, row in enumerate(X)}
    idx = [rows[r.tobytes()] for r in d.X]
    assert len(set(idx)) == 500
    np.testing.assert_array_equal(y[idx], d.y)
    np.testing.assert_array_equal(load_course_data(500, seed=3).X, d.X)
    assert not np.array_equal(load_course_data(500, seed=4).X, d.X)
    assert load_course_data().X.shape == (10_000, 784)
    with pytest.raises(ValueError, match="n must be between 1 and 10,000"):
        load_course_data(10_001)
    assert "mnist" in repr(d) and "(500, 784)" in repr(d)


# --------------------------------------------------------------------------- reliability


def test_each_file_is_read_once_so_the_parsed_bytes_are_the_verified_ones(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, mnist_arrays
) -> None:
    # Hashing one read and parsing another would let a file that changes in between
    # (another process repairing it) be parsed unverified: each file is opened once.
    import builtins
    import io

    opened: list[str] = []
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).name in MD5:
            opened.append(Path(file).name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    X, y = load_mnist(shared_mnist, download=False)
    assert sorted(opened) == sorted([IMAGES, LABELS])
    np.testing.assert_array_equal(X, mnist_arrays[0])


@pytest.mark.parametrize("n_processes", [2, 4])
def test_processes_repairing_one_corrupt_cache_do_not_break_each_other(
    shared_mnist: Path, cache_dir: Path, mnist_arrays, n_processes: int
) -> None:
    import multiprocessing

    cache_dir.mkdir(parents=True)
    (cache_dir / IMAGES).write_bytes(b"corrupt images")
    (cache_dir / LABELS).write_bytes(b"corrupt labels")
    expected = hashlib.md5(mnist_arrays[0].tobytes() + mnist_arrays[1].tobytes()).hexdigest()
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters, as separate runs would be
    barrier, results = ctx.Barrier(n_processes), ctx.Queue()
    # Each download takes about 0.3 s, so the processes overlap while they repair.
    with serve_directory(shared_mnist, chunk=1 << 16, pause=0.01) as server:
        procs = [ctx.Process(target=load_in_process, args=(server.url, barrier, results, i, 0.05 * i))
                 for i in range(n_processes)]
        for p in procs:
            p.start()
        outcomes = dict(results.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(timeout=30)
        requested = list(server.requested)
    assert outcomes == {i: ("ok", expected) for i in range(n_processes)}, outcomes
    assert all(p.exitcode == 0 for p in procs)
    # One process repaired each file under the folder's lock; the others used its file.
    assert sorted(requested) == sorted(["/" + IMAGES, "/" + LABELS])
    assert _files(cache_dir) == sorted([IMAGES, LABELS])
    assert all(_md5(cache_dir / n) == MD5[n] for n in (IMAGES, LABELS))


def test_repair_renames_over_the_corrupt_file_and_never_deletes_a_verified_one(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, cache_dir: Path
) -> None:
    cache_dir.mkdir(parents=True)
    shutil.copyfile(shared_mnist / LABELS, cache_dir / LABELS)
    (cache_dir / IMAGES).write_bytes(b"corrupt")
    removed: list[str] = []
    real_unlink = Path.unlink

    def spy(self: Path, missing_ok: bool = False) -> None:
        removed.append(self.name)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", spy)
    with serve_directory(shared_mnist) as server:
        load_mnist(url=server.url)
    # Only the download's own temporary file is ever removed; the final name is only
    # ever replaced by a rename (so another reader sees the old file or the new one).
    assert all(name.endswith(".part") for name in removed), removed
    assert _md5(cache_dir / IMAGES) == MD5[IMAGES]


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path / "a-file" / "cache"


@pytest.mark.parametrize("how", ["under a file", "is a file", "no permission"])
def test_cache_folder_that_cannot_be_created_falls_back_to_digits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    if how == "under a file":  # mkdir raises NotADirectoryError (also as root)
        monkeypatch.setenv("XDG_CACHE_HOME", str(_under_a_file(tmp_path)))
        error = "NotADirectoryError"
    elif how == "is a file":  # the cache folder's own path is a regular file
        (tmp_path / "xdg" / "course_ae").mkdir(parents=True)
        (tmp_path / "xdg" / "course_ae" / "mnist").write_text("a file where the folder should be")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        error = "FileExistsError"
    else:  # a read-only home; root ignores permission bits, so the refusal is simulated
        def refuse(self, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "mkdir", refuse)
        error = "PermissionError"
    with pytest.raises(MnistUnavailable, match=f"cannot create the MNIST cache folder .*{error}") as info:
        load_mnist()
    assert "XDG_CACHE_HOME" in str(info.value) and "COURSE_AE_DATA" in str(info.value)
    assert "cannot create the cache folder" in info.value.summary
    capsys.readouterr()
    d = load_course_data()
    assert d.name == "digits" and d.X.shape == (1797, 64)
    out = capsys.readouterr().out
    assert "Note: MNIST could not be loaded (cannot create the cache folder" in out


def test_unreadable_cache_file_falls_back_to_digits(
    monkeypatch: pytest.MonkeyPatch, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir.mkdir(parents=True)
    (cache_dir / IMAGES).write_bytes(b"x")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == IMAGES:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(MnistUnavailable, match="cannot read .*Permission denied"):
        load_mnist()
    assert load_course_data().name == "digits"
    assert "Note: MNIST could not be loaded (cannot read" in capsys.readouterr().out


def test_a_trickling_mirror_is_cut_off_at_the_total_deadline(
    shared_mnist: Path, cache_dir: Path
) -> None:
    # 1 byte every 0.1 s: each read returns well within the per-read timeout, so only
    # a total deadline stops it (the whole file would take two days).
    start = time.monotonic()
    with serve_directory(shared_mnist, chunk=1, pause=0.1) as server, \
            pytest.raises(MnistUnavailable) as info:
        load_mnist(url=[server.url, server.url], timeout=5, deadline=1.5)
    elapsed = time.monotonic() - start
    assert elapsed < 4, f"took {elapsed:.1f} s with a deadline of 1.5 s"
    msg = str(info.value)
    assert "within the deadline of 1.5 s" in info.value.summary
    assert "stopped after the total deadline of 1.5 s" in msg and "bytes" in msg
    assert "not tried, the total deadline of 1.5 s had passed" in msg  # the second mirror
    assert _files(cache_dir) == []  # no .part left behind


def test_course_data_falls_back_when_the_mirror_is_too_slow(
    monkeypatch: pytest.MonkeyPatch, shared_mnist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_directory(shared_mnist, chunk=1, pause=0.1) as server:
        monkeypatch.setenv("COURSE_AE_MNIST_URL", server.url)
        d = load_course_data(deadline=1.0)
    assert d.name == "digits"
    assert "within the deadline of 1 s" in capsys.readouterr().out


def test_stale_part_files_of_a_killed_download_are_removed(
    shared_mnist: Path, cache_dir: Path, tmp_path: Path
) -> None:
    cache_dir.mkdir(parents=True)
    stale = [cache_dir / f".{IMAGES}.k1l2l3.part", cache_dir / f".{LABELS}.x9y8z7.part"]
    for p in stale:
        p.write_bytes(b"half a download")
    (cache_dir / "notes.part").write_text("not ours")  # a name load_mnist never writes: kept
    with serve_directory(shared_mnist) as server:
        load_mnist(url=server.url)  # downloads: the stale parts go
    assert _files(cache_dir) == sorted([IMAGES, LABELS, "notes.part"])
    # With both files already there (no download), stale parts still go.
    stale[0].write_bytes(b"again")
    load_mnist(download=False)
    assert _files(cache_dir) == sorted([IMAGES, LABELS, "notes.part"])
    # In a folder you named, only load_mnist's own .part files are removed too.
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in (IMAGES, LABELS):
        shutil.copyfile(shared_mnist / name, mine / name)
    (mine / f".{IMAGES}.abcdef.part").write_bytes(b"x")
    load_mnist(mine, download=False)
    assert _files(mine) == sorted([IMAGES, LABELS])


def test_a_part_file_of_a_live_download_is_left_alone(
    shared_mnist: Path, cache_dir: Path
) -> None:
    import fcntl

    cache_dir.mkdir(parents=True)
    for name in (IMAGES, LABELS):
        shutil.copyfile(shared_mnist / name, cache_dir / name)
    live = cache_dir / f".{IMAGES}.live01.part"
    live.write_bytes(b"in progress")
    fd = os.open(cache_dir, os.O_RDONLY)  # another process, downloading: it holds the lock
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        load_mnist(download=False)
        assert live.exists()
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    load_mnist(download=False)
    assert not live.exists()


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), True, "10"])
def test_deadline_must_be_a_positive_number_of_seconds(tmp_path: Path, value) -> None:
    with pytest.raises(ValueError, match="deadline must be a finite number of seconds > 0"):
        load_mnist(tmp_path, deadline=value)
