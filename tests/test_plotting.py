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
