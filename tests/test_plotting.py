"""The shared figures draw what they are given, and refuse shapes that do not fit."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_ae import plotting


def test_image_grid_draws_one_image_per_row():
    images = np.random.default_rng(0).random((12, 64))
    fig = plotting.image_grid(images, ncols=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12
    np.testing.assert_array_equal(shown[3].images[0].get_array(), images[3].reshape(8, 8))


def test_reconstruction_grid_puts_originals_on_top():
    rng = np.random.default_rng(1)
    originals, recon = rng.random((4, 16)), rng.random((4, 16))
    fig = plotting.reconstruction_grid(originals, [recon, recon * 0.5], row_labels=["k=8", "k=2"])
    assert len(fig.axes) == 12
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), originals[0].reshape(4, 4))
    assert fig.axes[4].get_ylabel() == "k=8"


def test_filter_grid_shows_unit_norm_filters():
    W = np.random.default_rng(2).normal(size=(6, 784))
    fig = plotting.filter_grid(W, (28, 28), ncols=3)
    shown = np.asarray(fig.axes[0].images[0].get_array()).ravel()
    np.testing.assert_allclose(shown, W[0] / np.linalg.norm(W[0]))
    vmin, vmax = fig.axes[0].images[0].get_clim()
    assert vmin == pytest.approx(-vmax)  # white is zero


def test_plot_curves_and_bad_shapes():
    fig = plotting.plot_curves({"train": [3, 2, 1], "val": [3.5, 2.5, 2]})
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="square image shape"):
        plotting.image_grid(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="must have the originals' shape"):
        plotting.reconstruction_grid(np.zeros((2, 4)), np.zeros((3, 4)))


def test_filter_panels_share_one_clipped_colour_scale():
    import numpy as np
    from course_ae.plotting import filter_panels

    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 16))
    W[0, 0] = 1e3                                   # one huge border weight
    fig = filter_panels({"a": W, "b": 2 * W}, (4, 4), ncols=3, notes={"a": "x", "b": "y"})
    images = [im for ax in fig.get_axes() for im in ax.get_images()]
    assert len(images) == 12
    limits = {im.get_clim() for im in images}
    assert len(limits) == 1                         # one scale for every filter
    vmax = limits.pop()[1]
    assert vmax < 0.99                              # clipped: the outlier (≈ 1 after W_l/‖W_l‖) does not set it


def test_filter_panels_refuse_bad_arguments():
    import numpy as np
    import pytest
    from course_ae.plotting import filter_panels

    with pytest.raises(ValueError, match="same number of pixels"):
        filter_panels({"a": np.ones((2, 16)), "b": np.ones((2, 9))})
    with pytest.raises(ValueError, match="stack"):
        filter_panels({"a": np.ones((2, 16))}, stack="diagonal")
    with pytest.raises(ValueError, match="clip_percentile"):
        filter_panels({"a": np.ones((2, 16))}, clip_percentile=0)
