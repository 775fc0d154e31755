"""course_ae.measures against closed forms and constructed cases."""

import numpy as np
import pytest

import course_ae.reference as R
from course_ae import measures as M


def test_mean_logit_inverts_the_sigmoid_of_the_mean_image():
    X = np.random.default_rng(0).random((50, 12))
    c = M.mean_logit(X)
    assert np.allclose(R.sigmoid(c), X.mean(axis=0), atol=1e-12)


def test_mean_logit_clips_constant_pixels_and_refuses_values_outside_01():
    X = np.zeros((4, 3))
    assert np.allclose(R.sigmoid(M.mean_logit(X)), 1e-3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        M.mean_logit(X + 2)


def test_start_params_sets_only_the_decoder_bias():
    X = np.random.default_rng(1).random((20, 9))
    p, q = M.start_params(X, 4, seed=3), R.init_params(9, 4, seed=3)
    assert np.array_equal(p["W"], q["W"]) and np.array_equal(p["W_star"], q["W_star"])
    assert np.allclose(p["c"], M.mean_logit(X))


def test_stuck_units_finds_constant_columns_only():
    rng = np.random.default_rng(0)
    H = rng.random((100, 5))
    H[:, 1] = 0.999
    H[:, 3] = 1e-4 + 1e-4 * rng.random(100)
    assert M.stuck_units(H).tolist() == [1, 3]


def test_locality_of_a_point_a_uniform_and_a_blob_filter():
    h = w = 10
    point = np.zeros(h * w)
    point[44] = 1.0
    uniform = np.ones(h * w)
    yy, xx = np.mgrid[:h, :w]
    blob = np.exp(-((yy - 5) ** 2 + (xx - 5) ** 2) / 4.0).ravel()
    loc = M.locality(np.stack([point, uniform, blob]), (h, w))
    assert loc[0] == pytest.approx(1 - 2 / 100)      # one pixel holds all of it
    assert abs(loc[1]) <= 0.02                       # half the pixels for half the energy
    assert loc[1] < loc[2] < loc[0]


def test_locality_does_not_depend_on_sign_or_scale():
    W = np.random.default_rng(0).normal(size=(3, 64))
    assert np.allclose(M.locality(W, (8, 8)), M.locality(-5 * W, (8, 8)))


def test_locality_refuses_zero_filters_and_wrong_shapes():
    with pytest.raises(ValueError, match="all zeros"):
        M.locality(np.zeros((2, 16)), (4, 4))
    with pytest.raises(ValueError, match="pixels"):
        M.locality(np.ones((2, 16)), (3, 4))


def _half_energy_area_by_definition(W, shape):
    """Every centre, every pixel count: the definition, without the cut-off."""
    h, w = shape
    ys, xs = np.divmod(np.arange(h * w), w)
    d2 = (ys[:, None] - ys[None, :]) ** 2 + (xs[:, None] - xs[None, :]) ** 2
    order = np.argsort(d2, axis=1, kind="stable")
    out = []
    for row in np.asarray(W, float) ** 2:
        filled = np.cumsum(row[order], axis=1)
        out.append((np.argmax(filled >= 0.5 * row.sum(), axis=1) + 1).min() / (h * w))
    return np.array(out)


def test_half_energy_area_equals_the_definition_also_when_the_centroid_is_a_poor_centre():
    rng = np.random.default_rng(0)
    for h, w in [(28, 28), (8, 8), (3, 5), (1, 7)]:
        n = h * w
        ys, xs = np.divmod(np.arange(n), w)
        W = list(rng.normal(size=(20, n)))                        # spread filters
        for _ in range(10):                                       # one blob each
            cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0.5, 4)
            W.append(rng.normal(size=n) * np.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / r ** 2))
        two = np.zeros(n)                                          # two blobs: the centroid
        two[0], two[-1] = 3.0, 1.0                                 # lies between them
        ring = ((ys - h / 2) ** 2 + (xs - w / 2) ** 2 > (min(h, w) / 3) ** 2) * 1.0
        W += [two, ring + 1e-3, np.ones(n)]
        W = np.array(W)
        assert np.array_equal(M.half_energy_area(W, (h, w)),
                              _half_energy_area_by_definition(W, (h, w)))


def _half_energy_area_by_full_cumsum(W, shape):
    """The plain algorithm (one cumulative sum over every pixel, for every centre)."""
    order = M._disc_orders(*shape)
    energy = W ** 2
    total = energy.sum(axis=1)
    return np.array([(np.argmax(np.cumsum(e[order], axis=1) >= 0.5 * t, axis=1) + 1).min()
                     for e, t in zip(energy, total)]) / (shape[0] * shape[1])


def test_half_energy_area_equals_the_full_cumulative_sum_exactly():
    # The blockwise early exit must give bit-identical areas to the plain algorithm, for
    # spread, local and single-pixel filters, on square and non-square images.
    rng = np.random.default_rng(0)
    for shape in [(28, 28), (8, 8), (5, 13)]:
        n = shape[0] * shape[1]
        spread = rng.normal(size=(6, n))
        local = spread * (rng.random((6, n)) < 0.03)
        local[:, 0] += 1e-3                      # no all-zero filter
        point = np.zeros((1, n))
        point[0, n // 2] = 2.0
        W = np.vstack([spread, local, point])
        np.testing.assert_array_equal(M.half_energy_area(W, shape),
                                      _half_energy_area_by_full_cumsum(W, shape))
