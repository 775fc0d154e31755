"""course_ae.sliders.FrameSlider: the markup the book's slider script reads, its static
fallback, and clear errors for frames, labels and options it cannot show."""

from __future__ import annotations

import html.parser
import io

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from course_ae.sliders import FrameSlider  # noqa: E402


def _figure(value: float):
    fig, ax = plt.subplots(figsize=(2.0, 1.5))
    ax.plot([0, 1], [0, value])
    ax.set_title(f"value {value}")
    return fig


class _Markup(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images, self.inputs, self.outputs, self.roots = [], [], [], []
        self._in_output = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "output":
            self._in_output = True
            self.outputs.append("")
        elif tag == "div" and "course-ae-slider" in (attrs.get("class") or "").split():
            self.roots.append(attrs)

    def handle_endtag(self, tag):
        if tag == "output":
            self._in_output = False

    def handle_data(self, data):
        if self._in_output:
            self.outputs[-1] += data


def _parse(slider: FrameSlider) -> _Markup:
    markup = _Markup()
    markup.feed(slider._repr_html_())
    return markup


def test_markup_has_one_visible_frame_per_value_and_a_range_over_them():
    slider = FrameSlider.from_function(_figure, [0.1, 0.2, 0.3], label="q", format="q = {}",
                                       alt="a line at {}", initial=1)
    markup = _parse(slider)
    assert len(markup.roots) == 1
    assert [img["data-index"] for img in markup.images] == ["0", "1", "2"]
    assert ["hidden" in img for img in markup.images] == [True, False, True]
    assert [img["alt"] for img in markup.images] == [
        "a line at q = 0.1", "a line at q = 0.2", "a line at q = 0.3"]
    assert all(img["src"].startswith("data:image/png;base64,") for img in markup.images)
    (slider_input,) = markup.inputs
    assert (slider_input["type"], slider_input["min"], slider_input["max"],
            slider_input["value"]) == ("range", "0", "2", "1")
    assert markup.outputs == ["q = 0.2"]
    # The script reads the labels from data-labels (a Python list repr).
    assert markup.roots[0]["data-labels"] == repr(["q = 0.1", "q = 0.2", "q = 0.3"])


def test_frames_are_distinct_pngs_and_the_static_fallback_is_the_initial_one():
    open_before = set(plt.get_fignums())   # other tests of the session may leave some open
    slider = FrameSlider.from_function(_figure, [0.0, 1.0], label="v", alt="{}", initial=1)
    assert slider.frames[0] != slider.frames[1]
    assert slider._repr_png_() == slider.frames[1]
    assert Image.open(io.BytesIO(slider._repr_png_())).format == "PNG"
    assert set(plt.get_fignums()) == open_before   # every frame's figure closed once saved


def test_frames_given_as_png_bytes_are_kept_as_they_are():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "white").save(buffer, format="PNG")
    png = buffer.getvalue()
    slider = FrameSlider([png, png], ["a", "b"], label="x", alt="{}")
    assert slider.frames == [png, png]


def test_labels_and_alt_are_escaped_in_the_markup():
    slider = FrameSlider.from_function(_figure, [1.0], label='<b>"k"</b>', alt="x < {}",
                                       format="k = {} & more")
    text = slider._repr_html_()
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert _parse(slider).images[0]["alt"] == "x < k = 1.0 & more"


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(frames=[], labels=[]), ValueError, "at least one frame"),
    (dict(labels=["a"]), ValueError, "2 frames and 1 labels"),
    (dict(label=" "), ValueError, "label (the parameter the slider moves) must be a non-empty"),
    (dict(alt=""), ValueError, "alt (what the frames show"),
    (dict(initial=2), ValueError, "initial must be an index from 0 to 1; got 2"),
    (dict(initial=True), ValueError, "initial must be an index"),
    (dict(frames=[b"GIF89a", b"GIF89a"]), ValueError, "must be a PNG image"),
    (dict(frames=["a.png", "b.png"]), TypeError, "a matplotlib Figure or PNG bytes; got str"),
])
def test_bad_frames_labels_and_options_are_refused_with_a_reason(kwargs, error, message):
    args = dict(frames=None, labels=["a", "b"], label="x", alt="{}")
    args.update(kwargs)
    if args["frames"] is None:
        args["frames"] = [_figure(0.0), _figure(1.0)]
    frames = args.pop("frames")
    labels = args.pop("labels")
    with pytest.raises(error, match=None) as exc:
        FrameSlider(frames, labels, **args)
    assert message in str(exc.value)
    plt.close("all")
