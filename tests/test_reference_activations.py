"""The reference's sigmoid and its derivative against mpmath, over the whole float64 range."""

import mpmath
import numpy as np
import pytest

from course_ae.reference import derivative, sigmoid
from course_ae.reference.activations import second_derivative

mpmath.mp.dps = 50
EPS = np.finfo(np.float64).eps
# Below −708 σ(a) ≈ e^a is subnormal: float64 itself holds fewer digits there.
GRID = np.linspace(-708.0, 745.0, 4001)


def _exact(fn, a):
    return np.array([float(fn(mpmath.mpf(float(x)))) for x in a])


def _ulps(got, want):
    keep = np.abs(want) > np.finfo(np.float64).tiny
    return np.max(np.abs(got[keep] - want[keep]) / np.abs(want[keep])) / EPS


def test_sigmoid_exact_to_a_few_ulp_over_the_float64_range():
    want = _exact(lambda x: 1 / (1 + mpmath.exp(-x)), GRID)
    assert _ulps(sigmoid(GRID), want) < 4


def test_sigmoid_far_left_tail_is_not_zero():
    # The old (1 + tanh(a/2))/2 gave exactly 0 here, and 4 % off at −36.
    assert sigmoid(np.array([-40.0]))[0] == pytest.approx(4.248354255291589e-18, rel=1e-14)
    assert sigmoid(np.array([-36.0]))[0] == pytest.approx(float(1 / (1 + mpmath.exp(36))), rel=1e-14)
    assert sigmoid(np.array([-745.0]))[0] > 0


def test_sigmoid_derivative_h_times_one_minus_h_is_exact_in_both_tails():
    a = GRID.copy()
    want = _exact(lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2, GRID)
    got = derivative("sigmoid", a, sigmoid(GRID))
    assert _ulps(got, want) < 6
    assert derivative("sigmoid", np.array([40.0]), sigmoid(np.array([40.0])))[0] > 0


def test_sigmoid_second_derivative_matches_mpmath():
    a = np.linspace(-700.0, 700.0, 1401)
    s = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    want = _exact(lambda x: s(x) * s(-x) * (1 - 2 * s(x)), a)
    got = second_derivative("sigmoid", a, sigmoid(a))
    assert _ulps(got, want) < 16


def test_sigmoid_second_derivative_is_exact_near_zero():
    # 1 − 2h computed as such loses its digits at small a (relative error ~1e-16/|a|);
    # −tanh(a/2) does not.
    a = np.array([1e-12, -3e-9, 1e-6, 2e-4, 0.0])
    s = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    want = _exact(lambda x: s(x) * s(-x) * (1 - 2 * s(x)), a)
    got = second_derivative("sigmoid", a, sigmoid(a))
    assert got[-1] == 0.0
    assert _ulps(got[:-1], want[:-1]) < 8


def test_sigmoid_keeps_shape_and_scalars():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(np.zeros((3, 2))).shape == (3, 2)


def test_tanh_derivatives_keep_their_tails():
    # 1 − h² is 0 in float64 for |a| > 19; sech²(a) = 4e^(−2|a|)/(1 + e^(−2|a|))² is not.
    a = np.linspace(-350.0, 350.0, 1401)
    sech2 = lambda x: 1 / mpmath.cosh(x) ** 2  # noqa: E731
    want = _exact(sech2, a)
    h = np.tanh(a)
    assert _ulps(derivative("tanh", a.copy(), h), want) < 8
    want2 = _exact(lambda x: -2 * mpmath.tanh(x) * sech2(x), a)
    assert _ulps(second_derivative("tanh", a, h), want2) < 16
    out = a.copy()
    assert derivative("tanh", out, h, out=out) is out and _ulps(out, want) < 8   # in place
