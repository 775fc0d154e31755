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
    with pytest.raises(ValueError, match="float64 numpy array"):
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


# ----------------------------------------------------------------------------- non-finite values


def _with(grads_fn):
    """A loss_and_gradients whose analytic gradients are replaced by ``grads_fn(p)``."""
    def fn(p, X, config):
        value, grads = R.loss_and_gradients(p, X, config)
        return value, grads_fn(p, grads)
    return fn


def _problem():
    return R.init_params(4, 3, seed=0), np.random.default_rng(0).random((5, 4)), R.Config()


def test_a_nan_in_a_later_parameter_fails_and_is_located():
    # Python's max() skips a NaN that is not the first element: max(0.0, nan) == 0.0.
    params, X, config = _problem()

    def poison(p, grads):
        grads["c"] = grads["c"].copy()
        grads["c"][2] = np.nan
        return grads

    report = check_gradients(params, _with(poison), X, config)
    assert not report.passed
    assert np.isnan(report.max_error)
    assert report.nonfinite == {"c": "analytic gradient: NaN at index 2"}
    assert "WRONG: analytic gradient: NaN at index 2" in str(report)


def test_an_inf_in_the_analytic_gradient_fails_and_names_the_index():
    params, X, config = _problem()

    def poison(p, grads):
        grads["W"] = grads["W"].copy()
        grads["W"][1, 3] = -np.inf
        grads["W"][2, 0] = np.nan
        return grads

    report = check_gradients(params, _with(poison), X, config)
    assert not report.passed
    assert report.nonfinite["W"] == "analytic gradient: -inf at index (1, 3) (2 non-finite entries in all)"
    assert set(report.nonfinite) == {"W"}


def test_a_nan_objective_fails_through_the_numerical_gradient():
    # The analytic gradient is finite but the objective is NaN away from the point.
    params, X, config = _problem()

    def fn(p, X, config):
        value, grads = R.loss_and_gradients(p, X, config)
        return (np.nan if p["b"][1] > params["b"][1] else value), grads

    report = check_gradients(params, fn, X, config)
    assert not report.passed
    assert report.nonfinite == {"b": "numerical gradient: NaN at index 1"}


def test_relative_error_is_nan_for_non_finite_input():
    assert np.isnan(relative_error([1.0, np.nan], [1.0, 1.0]))
    assert np.isnan(relative_error([np.inf], [np.inf]))
    assert not relative_error([0.0, np.nan], [0.0, 0.0]) <= 1e-6


def test_numerical_gradient_refuses_float32_and_float16():
    # Before the refusal, on this f: relative errors 3.2e-3 (float32) and 1.0 (float16).
    for dtype in (np.float32, np.float16):
        x = np.linspace(0.1, 1.0, 5).astype(dtype)
        with pytest.raises(ValueError, match=f"float64 array; got dtype {np.dtype(dtype)}"):
            numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)


def test_check_gradients_computes_in_float64_whatever_the_params_dtype():
    params, X, config = _problem()
    params32 = {key: value.astype(np.float32) for key, value in params.items()}
    report = check_gradients(params32, R.loss_and_gradients, X, config)
    assert report.passed and report.max_error < 1e-8


@pytest.mark.parametrize("bias", [-25.0, -40.0, 25.0, 40.0])
def test_check_gradients_passes_on_the_sparse_model_with_saturated_units(bias):
    # Two of the four units nearly off (or on) for every example. The old sigmoid
    # (1 + tanh(a/2))/2 lost most digits of σ at a = −25 (and gave 0 at −40), so the
    # check failed on the reference's own gradients; 1 − ρ̂ computed as 1 − mean(h)
    # rounded to 0 at b = +40. (Not all four units: then every entry of ∂J/∂W* is
    # ~1e-11, below what central differences of an O(1) objective can resolve.)
    config = R.Config(sparsity_target=0.05, sparsity_weight=3.0)
    params = R.init_params(6, 4, seed=1)
    params["b"][:2] = bias
    X = np.random.default_rng(2).random((8, 6))
    report = check_gradients(params, R.loss_and_gradients, X, config)
    assert report.passed, str(report)
    assert report.max_error < 1e-6
