"""The elastic-net penalty on the weights and its subgradient (course_ae.reference)."""

import numpy as np
import pytest

from course_ae import reference as R
from course_ae._validation import InputTypeError
from course_ae.gradcheck import numerical_gradient, relative_error


def _weights_away_from_zero(shape, seed, gap=0.05):
    """Random weights with |w| ≥ gap, so that central differences never cross the kink."""
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(gap, 1.0, size=shape)
    return magnitude * rng.choice([-1.0, 1.0], size=shape)


def test_penalty_is_l1_plus_half_squared_l2_summed_over_the_arrays():
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    W_star = np.array([[-0.5], [4.0]])
    l1, l2 = 0.3, 0.2
    expected = (l1 * (1 + 2 + 0 + 3 + 0.5 + 4)
                + 0.5 * l2 * (1 + 4 + 0 + 9 + 0.25 + 16))
    assert R.elastic_net_penalty({"W": W, "W_star": W_star}, l1, l2) == pytest.approx(
        expected, rel=1e-15)
    assert R.elastic_net_penalty(W, l1, l2) == pytest.approx(
        l1 * 6 + 0.5 * l2 * 14, rel=1e-15)


def test_special_cases_are_weight_decay_and_the_lasso():
    W, W_star = _weights_away_from_zero((4, 6), 0), _weights_away_from_zero((6, 4), 1)
    assert R.elastic_net_penalty({"W": W, "W_star": W_star}, 0.0, 0.7) == pytest.approx(
        R.penalties.weight_decay(W, W_star, 0.7), rel=1e-14)
    assert R.elastic_net_penalty(W, 0.4, 0.0) == pytest.approx(0.4 * np.abs(W).sum(), rel=1e-14)


@pytest.mark.parametrize("l1, l2", [(0.3, 0.0), (0.0, 0.5), (0.3, 0.5), (2.0, 1e-3)])
def test_gradient_matches_finite_differences_away_from_zero(l1, l2):
    weights = {"W": _weights_away_from_zero((5, 7), 2), "W_star": _weights_away_from_zero((7, 5), 3)}
    grads = R.elastic_net_gradient(weights, l1, l2)
    assert set(grads) == {"W", "W_star"}
    for name in weights:
        def f(A, name=name):
            return R.elastic_net_penalty({**weights, name: A}, l1, l2)

        num = numerical_gradient(f, weights[name].copy(), eps=1e-6)
        assert grads[name].shape == weights[name].shape
        assert relative_error(grads[name], num) < 1e-8


def test_gradient_of_a_single_array_is_an_array():
    W = _weights_away_from_zero((3, 4), 4)
    g = R.elastic_net_gradient(W, 0.2, 0.1)
    assert isinstance(g, np.ndarray) and g.shape == W.shape
    np.testing.assert_allclose(g, 0.2 * np.sign(W) + 0.1 * W, rtol=1e-15)


def test_at_zero_the_subgradient_is_zero_and_lies_between_the_one_sided_derivatives():
    W = _weights_away_from_zero((3, 3), 5)
    W[1, 2] = 0.0
    l1, l2, h = 0.25, 0.5, 1e-7
    g = R.elastic_net_gradient(W, l1, l2)
    assert g[1, 2] == 0.0
    base = R.elastic_net_penalty(W, l1, l2)
    up, down = W.copy(), W.copy()
    up[1, 2], down[1, 2] = h, -h
    right = (R.elastic_net_penalty(up, l1, l2) - base) / h       # → +λ1
    left = (base - R.elastic_net_penalty(down, l1, l2)) / h      # → −λ1
    assert right == pytest.approx(l1, rel=1e-5) and left == pytest.approx(-l1, rel=1e-5)
    assert left < g[1, 2] < right
    # the other entries are the ordinary gradient
    mask = np.ones_like(W, dtype=bool)
    mask[1, 2] = False
    np.testing.assert_allclose(g[mask], (l1 * np.sign(W) + l2 * W)[mask], rtol=1e-15)


def test_does_not_modify_its_input():
    W = _weights_away_from_zero((3, 3), 6)
    before = W.copy()
    R.elastic_net_penalty(W, 0.1, 0.1)
    R.elastic_net_gradient(W, 0.1, 0.1)
    np.testing.assert_array_equal(W, before)


@pytest.mark.parametrize("l1, l2, match", [
    (-0.1, 0.1, "l1"), (0.1, -0.1, "l2"), (np.nan, 0.1, "l1"), (0.1, np.inf, "l2"),
])
def test_bad_weights_lambda_are_refused(l1, l2, match):
    for fn in (R.elastic_net_penalty, R.elastic_net_gradient):
        with pytest.raises(ValueError, match=match):
            fn(np.ones((2, 2)), l1, l2)


@pytest.mark.parametrize("l1, l2", [("0.1", 0.1), (0.1, True), (0.1 + 0j, 0.1)])
def test_lambda_of_the_wrong_kind_is_refused(l1, l2):
    with pytest.raises(InputTypeError):
        R.elastic_net_penalty(np.ones((2, 2)), l1, l2)


@pytest.mark.parametrize("weights, match", [
    ({}, "non-empty mapping"),
    (np.zeros((0, 3)), "at least one weight"),
    (np.array([[1.0, np.nan]]), "NaN or inf"),
    ({"W": np.ones((2, 2)), "W_star": np.array([np.inf])}, r"weights\['W_star'\].*NaN or inf"),
    ([["a", "b"]], "numeric array"),
])
def test_bad_weights_are_refused_with_a_clear_message(weights, match):
    for fn in (R.elastic_net_penalty, R.elastic_net_gradient):
        with pytest.raises(ValueError, match=match):
            fn(weights, 0.1, 0.1)


@pytest.mark.parametrize("weights", [np.ones((2, 2), dtype=complex), np.ones((2, 2), dtype=bool)])
def test_complex_or_boolean_weights_are_refused(weights):
    with pytest.raises(InputTypeError):
        R.elastic_net_gradient(weights, 0.1, 0.1)
