"""The finite-difference tools themselves: exact on known functions, sensitive to errors."""

import numpy as np
import pytest

from course_ae import reference as R
from course_ae.gradcheck import check_gradients, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic_and_restores_x():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    before = x.copy()
    g = numerical_gradient(lambda v: 0.5 * v @ A @ v, x)
    np.testing.assert_allclose(g, A @ before, rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])
    with pytest.raises(ZeroDivisionError):
        numerical_gradient(lambda v: 1 / 0, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_refuses_integer_arrays():
    with pytest.raises(ValueError, match="float numpy array"):
        numerical_gradient(lambda v: float(v.sum()), np.array([1, 2]))


def test_relative_error_definition():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0, 3.0], [1.0, 3.3]) == pytest.approx(0.3 / 6.3)
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_check_gradients_catches_a_missing_factor_two():
    config = R.Config()
    params = R.init_params(4, 3, seed=0)
    X = np.random.default_rng(0).random((5, 4))

    def halved(p, *args, **kw):
        value, grads = R.loss_and_gradients(p, *args, **kw)
        return value, {key: g / 2 for key, g in grads.items()}

    good = check_gradients(params, R.loss_and_gradients, X, config)
    bad = check_gradients(params, halved, X, config)
    assert good.passed and good.max_error < 1e-8
    assert not bad.passed and bad.max_error > 0.3
    assert "WRONG" in str(bad) and "WRONG" not in str(good)


def test_check_gradients_leaves_the_callers_params_alone():
    params = R.init_params(3, 2, seed=0)
    copy = {key: v.copy() for key, v in params.items()}
    check_gradients(params, R.loss_and_gradients, np.ones((2, 3)) * 0.5, R.Config())
    for key in params:
        np.testing.assert_array_equal(params[key], copy[key])
