"""Figures a reader can move in the static HTML book, without a kernel.

A :class:`FrameSlider` holds frames computed when the chapter executes (one picture per
value of a parameter: the bottleneck k, the masking level q, …) and shows them with a
range slider. In the HTML book it is plain markup — every frame an ``<img>`` (a PNG in a
``data:`` URL), one of them visible — and ``course-ae-slider.js``, served from the build
(book/_theme), switches the visible frame as the slider moves: no CDN, no widget
JavaScript, no kernel. Where HTML is not shown (the PDF, a plain terminal) the initial
frame is the static fallback (``_repr_png_``).

>>> import matplotlib; matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> def draw(q):
...     fig, ax = plt.subplots(figsize=(2, 2)); ax.set_title(f"q = {q}"); return fig
>>> s = FrameSlider.from_function(draw, [0.0, 0.25, 0.5], label="q", alt="filters at q = {}")
>>> len(s.frames), s.labels
(3, ['0.0', '0.25', '0.5'])
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any, Callable, Sequence

__all__ = ["FrameSlider"]

_PNG = b"\x89PNG\r\n\x1a\n"


def _png(frame: Any, dpi: int) -> bytes:
    """PNG bytes of a matplotlib Figure (closed afterwards), or PNG bytes as they are."""
    if isinstance(frame, (bytes, bytearray)):
        if not bytes(frame).startswith(_PNG):
            raise ValueError("a frame given as bytes must be a PNG image (it does not start "
                             "with the PNG signature)")
        return bytes(frame)
    savefig = getattr(frame, "savefig", None)
    if savefig is None:
        raise TypeError(f"a frame must be a matplotlib Figure or PNG bytes; got {type(frame).__name__}")
    buffer = io.BytesIO()
    savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(frame)
    return buffer.getvalue()


class FrameSlider:
    """Precomputed frames behind a slider.

    ``frames``: matplotlib Figures or PNG bytes, one per slider position; ``labels``: what
    the slider shows for each (e.g. ``"k = 32"``); ``label``: the parameter's name;
    ``alt``: the alt text of the frames, with ``{}`` standing for a frame's label;
    ``initial``: the index shown first (and the static fallback). Figures are saved at
    ``dpi`` and closed.
    """

    def __init__(self, frames: Sequence[Any], labels: Sequence[Any], *, label: str, alt: str,
                 initial: int = 0, dpi: int = 100) -> None:
        frames, labels = list(frames), [str(x) for x in labels]
        if not frames:
            raise ValueError("a slider needs at least one frame")
        if len(frames) != len(labels):
            raise ValueError(f"got {len(frames)} frames and {len(labels)} labels; one label per frame")
        if not isinstance(label, str) or not label.strip():
            raise ValueError("label (the parameter the slider moves) must be a non-empty string")
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt (what the frames show, for readers who cannot see them) must be "
                             "a non-empty string")
        if isinstance(initial, bool) or not isinstance(initial, int) or not 0 <= initial < len(frames):
            raise ValueError(f"initial must be an index from 0 to {len(frames) - 1}; got {initial!r}")
        self.frames = [_png(frame, dpi) for frame in frames]
        self.labels, self.label, self.alt, self.initial = labels, label, alt, initial

    @classmethod
    def from_function(cls, draw: Callable[[Any], Any], values: Sequence[Any], *, label: str,
                      alt: str, initial: int = 0, dpi: int = 100,
                      format: str = "{}") -> "FrameSlider":  # noqa: A002
        """One frame per value: ``draw(value)`` returns a Figure; labels are ``format.format(value)``."""
        values = list(values)
        return cls([draw(v) for v in values], [format.format(v) for v in values], label=label,
                   alt=alt, initial=initial, dpi=dpi)

    def _repr_html_(self) -> str:
        imgs = []
        for i, (png, text) in enumerate(zip(self.frames, self.labels)):
            data = base64.b64encode(png).decode("ascii")
            hidden = "" if i == self.initial else " hidden"
            alt = html.escape(self.alt.format(text), quote=True)
            imgs.append(f'<img class="course-ae-slider-frame" data-index="{i}" alt="{alt}" '
                        f'src="data:image/png;base64,{data}"{hidden}>')
        name = html.escape(self.label)
        last = len(self.frames) - 1
        return (
            f'<div class="course-ae-slider" data-labels="{html.escape(repr(self.labels), quote=True)}">'
            f'<div class="course-ae-slider-frames">{"".join(imgs)}</div>'
            f'<label class="course-ae-slider-control">{name} '
            f'<input type="range" min="0" max="{last}" step="1" value="{self.initial}" '
            f'aria-label="{name}"> '
            f'<output>{html.escape(self.labels[self.initial])}</output></label>'
            f'<noscript>(JavaScript is off: the slider cannot move; shown: '
            f'{html.escape(self.labels[self.initial])})</noscript></div>'
        )

    def _repr_png_(self) -> bytes:
        return self.frames[self.initial]

    def __repr__(self) -> str:
        return (f"FrameSlider({self.label}: {len(self.frames)} frames {self.labels}, "
                f"showing {self.labels[self.initial]})")
