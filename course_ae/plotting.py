"""Figures the chapters, exercises and command line share.

Every function draws with matplotlib and returns the ``Figure`` (or draws into
the ``ax`` it is given), so a notebook shows it and a script can ``savefig`` it.
Images are rows of a batch: an array (m, n) with n = height × width.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

import numpy as np

from ._validation import as_batch


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _shape(n: int, image_shape: tuple[int, int] | None) -> tuple[int, int]:
    if image_shape is None:
        side = int(round(np.sqrt(n)))
        if side * side != n:
            raise ValueError(f"cannot guess a square image shape for {n} pixels; pass image_shape=(h, w)")
        return side, side
    if image_shape[0] * image_shape[1] != n:
        raise ValueError(f"image_shape {tuple(image_shape)} holds {image_shape[0] * image_shape[1]} pixels; rows have {n}")
    return tuple(image_shape)


def image_grid(images: Any, image_shape: tuple[int, int] | None = None, *, ncols: int = 10,
               titles: Sequence[str] | None = None, cmap: str = "gray", scale: str = "fixed",
               figsize_per_image: float = 0.9, suptitle: str | None = None) -> matplotlib.figure.Figure:
    """Show each row of ``images`` (m, n) as a small image, ``ncols`` to a row.

    ``scale="fixed"`` shows pixel values on [0, 1]; ``scale="each"`` stretches
    each image to its own range; ``scale="symmetric"`` centres each image's colour
    scale on zero, ±(99th percentile of |value|), so that with a diverging colour
    map white is 0 (for filters, whose sign matters and whose range is not fixed).
    """
    if scale not in ("fixed", "each", "symmetric"):
        raise ValueError(f"scale must be 'fixed', 'each' or 'symmetric'; got {scale!r}")
    imgs = as_batch(images, "images")
    h, w = _shape(imgs.shape[1], image_shape)
    m = imgs.shape[0]
    ncols = min(ncols, m)
    nrows = int(np.ceil(m / ncols))
    plt = _pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(figsize_per_image * ncols, figsize_per_image * nrows + 0.3 * bool(titles)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= m:
            continue
        kw = {}
        if scale == "fixed":
            kw = {"vmin": 0.0, "vmax": 1.0}
        elif scale == "symmetric":
            a = float(np.percentile(np.abs(imgs[i]), 99)) or 1.0
            kw = {"vmin": -a, "vmax": a}
        ax.imshow(imgs[i].reshape(h, w), cmap=cmap, interpolation="nearest", **kw)
        if titles is not None:
            ax.set_title(titles[i], fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def reconstruction_grid(originals: Any, reconstructions: Sequence[Any] | Any,
                        image_shape: tuple[int, int] | None = None, *,
                        row_labels: Sequence[str] | None = None,
                        figsize_per_image: float = 0.8, label_size: float = 11) -> matplotlib.figure.Figure:
    """Originals in the top row, each set of reconstructions in a row below.

    ``originals`` is (m, n); ``reconstructions`` is one (m, n) array or a list of
    them (for instance one per bottleneck size), labelled by ``row_labels``.
    """
    top = as_batch(originals, "originals")
    rows = [reconstructions] if np.ndim(reconstructions) == 2 else list(reconstructions)
    rows = [as_batch(r, "reconstructions") for r in rows]
    for r in rows:
        if r.shape != top.shape:
            raise ValueError(f"each reconstruction must have the originals' shape {top.shape}; got {r.shape}")
    labels = ["original"] + list(row_labels if row_labels is not None else ["reconstruction"] * len(rows))
    if len(labels) != len(rows) + 1:
        raise ValueError(f"got {len(labels) - 1} row labels for {len(rows)} rows of reconstructions")
    h, w = _shape(top.shape[1], image_shape)
    m = top.shape[0]
    plt = _pyplot()
    fig, axes = plt.subplots(len(rows) + 1, m, figsize=(figsize_per_image * m + 1.2, figsize_per_image * (len(rows) + 1)),
                             squeeze=False)
    for r, batch in enumerate([top] + rows):
        for i in range(m):
            ax = axes[r, i]
            ax.imshow(np.clip(batch[i], 0, 1).reshape(h, w), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(labels[r], rotation=0, ha="right", va="center", fontsize=label_size)
    fig.tight_layout()
    return fig


def _filter_scale(filters: np.ndarray, clip_percentile: float) -> float:
    """The half-range of a shared colour scale: that percentile of |value| over all filters."""
    if not 0 < clip_percentile <= 100:
        raise ValueError(f"clip_percentile must lie in (0, 100]; got {clip_percentile!r}")
    return float(np.percentile(np.abs(filters), clip_percentile)) or 1.0


def filter_grid(W: Any, image_shape: tuple[int, int] | None = None, *, ncols: int = 10,
                title: str | None = None, figsize_per_image: float = 0.9,
                shared_scale: bool = False, clip_percentile: float = 99.0,
                colorbar: bool = False) -> matplotlib.figure.Figure:
    """Each row of ``W`` (k, n) normalised to W_l/‖W_l‖ (the max-activating input) as an image.

    Red is positive, blue negative, white zero. By default each filter has its own colour
    scale centred on 0; ``shared_scale=True`` gives all filters one scale, ±(the
    ``clip_percentile``-th percentile of |value| over all of them), so that a few large
    border weights do not wash out the rest; ``colorbar=True`` adds its colour bar.
    """
    return filter_panels({"": W}, image_shape, ncols=ncols, title=title,
                         figsize_per_image=figsize_per_image, shared_scale=shared_scale,
                         clip_percentile=clip_percentile, colorbar=colorbar)


def filter_panels(panels: dict[str, Any], image_shape: tuple[int, int] | None = None, *,
                  ncols: int = 10, notes: dict[str, str] | None = None, title: str | None = None,
                  figsize_per_image: float = 0.9, shared_scale: bool = True,
                  clip_percentile: float = 99.0, colorbar: bool = True,
                  stack: str = "columns") -> matplotlib.figure.Figure:
    """Several filter banks side by side in one figure, for comparing models.

    ``panels`` maps a panel title to a (k, n) weight matrix W; each row is shown as
    W_l/‖W_l‖, ``ncols`` filters to a row. ``notes`` maps a panel title to a line of text
    printed under that panel (a measure such as the mean locality). With
    ``shared_scale=True`` (the default) every filter of every panel uses one colour scale,
    clipped at the ``clip_percentile``-th percentile of |value|, and one colour bar.
    ``stack="columns"`` puts the panels side by side, ``stack="rows"`` one above another
    (wider filters at the same figure width).
    """
    from .reference import max_activating_inputs

    if not panels:
        raise ValueError("panels must hold at least one weight matrix")
    if stack not in ("columns", "rows"):
        raise ValueError(f"stack must be 'columns' or 'rows'; got {stack!r}")
    banks = {name: max_activating_inputs(as_batch(W, f"panels[{name!r}]")) for name, W in panels.items()}
    n = {b.shape[1] for b in banks.values()}
    if len(n) != 1:
        raise ValueError(f"every panel's filters must have the same number of pixels; got {sorted(n)}")
    h, w = _shape(n.pop(), image_shape)
    vmax = _filter_scale(np.concatenate(list(banks.values())), clip_percentile) if shared_scale else None
    plt = _pyplot()
    k_max = max(len(b) for b in banks.values())
    ncols = min(ncols, k_max)
    nrows = int(np.ceil(k_max / ncols))
    note_h = 0.35 if notes else 0.0
    title_h = 0.35 if any(banks) else 0.0
    panel_w = figsize_per_image * ncols
    panel_h = figsize_per_image * nrows + note_h + title_h
    bar_w = 0.9 if colorbar else 0.0
    across = len(banks) if stack == "columns" else 1
    down = 1 if stack == "columns" else len(banks)
    fig = plt.figure(figsize=(panel_w * across + bar_w, panel_h * down + 0.3 * bool(title)),
                     layout="constrained")
    outer = fig.subfigures(1, 2, width_ratios=[panel_w * across, bar_w]) if colorbar else [fig]
    subs = np.atleast_1d(outer[0].subfigures(down, across)).ravel()
    image = None
    for sub, (name, bank) in zip(subs, banks.items()):
        axes = np.atleast_1d(sub.subplots(nrows, ncols, squeeze=False)).ravel()
        for i, ax in enumerate(axes):
            ax.set_axis_off()
            if i >= len(bank):
                continue
            a = vmax if vmax is not None else _filter_scale(bank[i], clip_percentile)
            image = ax.imshow(bank[i].reshape(h, w), cmap="RdBu_r", vmin=-a, vmax=a,
                              interpolation="nearest")
        if name:
            sub.suptitle(name, fontsize=12)
        if notes and name in notes:
            sub.supxlabel(notes[name], fontsize=11)
    if colorbar and image is not None:
        cax = outer[1].add_axes([0.1, 0.15, 0.2, 0.7])
        fig.colorbar(image, cax=cax, label="value" if shared_scale else "each filter's own scale")
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def plot_curves(curves: dict[str, Sequence[float]], *, xlabel: str = "epoch", ylabel: str = "objective",
                ax: Any = None, logy: bool = False, title: str | None = None) -> matplotlib.figure.Figure:
    """One line per named curve (e.g. ``{"train": history.train, "val": history.val}``)."""
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    for label, values in curves.items():
        values = list(values)
        if values:
            ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def book_style() -> None:
    """The book's figure defaults; each chapter calls it once, after its imports.

    Fonts of at least 10 pt, a default size of 6.4 × 4 inches (the book's column is
    about 8 inches wide, so a figure is shown near its natural size and its labels stay
    legible), tight bounding boxes, and — inside IPython — PNGs at twice the resolution
    ("retina"), which stay sharp on high-density screens.
    """
    matplotlib.rcParams.update({
        "figure.figsize": (6.4, 4.0), "figure.dpi": 100, "savefig.bbox": "tight",
        "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11,
        "legend.fontsize": 10, "xtick.labelsize": 10, "ytick.labelsize": 10,
    })
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
