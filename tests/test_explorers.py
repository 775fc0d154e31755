"""The interactive explorers, driven through the ipywidgets API in a plain Python session.

Setting ``explorer.slider.value`` must fire the observer and change what is shown
(``explorer.state`` and the PNG in ``explorer.output``); the shown arrays must be the
course's quantities (PCA reconstructions, masking/Gaussian corruption, the KL penalty,
the encoder Jacobian); bad arguments raise ``ValueError`` with a message.
"""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_ae import reference as R  # noqa: E402
from course_ae.data import load_digits  # noqa: E402
from course_ae.explorers import (  # noqa: E402
    BottleneckExplorer,
    ContractionExplorer,
    NoiseExplorer,
    SparsityExplorer,
    line_data,
)
from course_ae.gradcheck import numerical_gradient, relative_error  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_open_figures():
    """Start each test with no figure open, so assert_widget sees only the explorer's own."""
    plt.close("all")


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_digits()[0][:400]


@pytest.fixture(scope="module")
def contraction() -> ContractionExplorer:
    return ContractionExplorer()


def shown_png(explorer) -> bytes:
    """The PNG the explorer's Output widget holds now (exactly one output)."""
    outputs = explorer.output.outputs
    assert len(outputs) == 1
    assert outputs[0]["output_type"] == "display_data"
    png = base64.b64decode(outputs[0]["data"]["image/png"])
    assert png.startswith(PNG_MAGIC)
    return png


def assert_widget(explorer) -> None:
    assert explorer.widget.children == (explorer.slider, explorer.output)
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert plt.get_fignums() == [], "an explorer left a matplotlib figure open"


# --------------------------------------------------------------------------- bottleneck


def test_bottleneck_slider_changes_reconstructions(digits):
    ex = BottleneckExplorer(digits, image_shape=(8, 8), n_images=6)
    assert ex.ks == (1, 2, 4, 8, 16, 32, 64)
    assert ex.slider.options == ex.ks
    assert ex.state["k"] == ex.slider.value
    assert_widget(ex)

    shown, errors, pngs = {}, {}, set()
    for k in ex.ks:
        ex.slider.value = k  # the observer redraws
        assert ex.state["k"] == k
        assert ex.state["reconstructions"].shape == (6, 64)
        np.testing.assert_array_equal(ex.state["originals"], digits[:6])
        shown[k] = ex.state["reconstructions"].copy()
        errors[k] = ex.state["mean_error"]
        pngs.add(shown_png(ex))
    assert len(pngs) == len(ex.ks), "the figure did not change with k"
    assert not np.allclose(shown[1], shown[2])
    # More components never reconstruct worse; all 64 reconstruct exactly.
    values = [errors[k] for k in ex.ks]
    assert all(a >= b - 1e-9 for a, b in zip(values, values[1:])), values
    np.testing.assert_allclose(shown[64], digits[:6], atol=1e-9)
    kept = [ex.variance_explained[k] for k in ex.ks]
    assert all(a < b for a, b in zip(kept, kept[1:])) and abs(kept[-1] - 1) < 1e-9


def test_bottleneck_matches_linear_autoencoder_solution(digits):
    ex = BottleneckExplorer(digits, [3, 10], n_images=5)
    mean = digits.mean(axis=0)
    for k in (3, 10):
        solution = R.linear_autoencoder_solution(digits, k)
        expected = mean + (digits[:5] - mean) @ solution["W"].T @ solution["W_star"].T
        state = ex.update(k)
        assert state["k"] == k and ex.slider.value == k
        assert relative_error(state["reconstructions"], expected) < 1e-8
        assert np.allclose(state["errors"], np.sum((expected - digits[:5]) ** 2, axis=1))


def test_bottleneck_with_trained_models(digits):
    torch = pytest.importorskip("torch")
    from course_ae import nn

    models = {k: nn.Autoencoder(64, k, seed=k, device="cpu") for k in (2, 4)}
    models[8] = lambda X: np.clip(X + 0.1, 0, 1)  # any callable X -> X_hat also works
    ex = BottleneckExplorer(digits, models=models, n_images=4)
    assert ex.ks == (2, 4, 8) and ex.variance_explained is None
    for k in (2, 4):
        ex.slider.value = k
        with torch.no_grad():
            expected = models[k].forward(digits[:4]).numpy()
        np.testing.assert_allclose(ex.state["reconstructions"], expected, rtol=1e-6)
    ex.slider.value = 8
    np.testing.assert_allclose(ex.state["reconstructions"], np.clip(digits[:4] + 0.1, 0, 1))
    assert "variance_explained" not in ex.state
    assert_widget(ex)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros(64),), {}, "2-D"),
        ((np.zeros((10, 63)),), {}, "square image shape"),
        ((np.zeros((10, 64)),), {"image_shape": (4, 4)}, "holds 16 pixels"),
        ((np.zeros((10, 64)), []), {}, "non-empty sequence"),
        ((np.zeros((10, 64)), [0, 2]), {}, "≥ 1"),
        ((np.zeros((10, 64)), [2, 2]), {}, "repeat"),
        ((np.zeros((10, 64)), [2, 11]), {}, "at most min"),
        ((np.zeros((10, 64)), [2.5]), {}, "whole number"),
        ((np.zeros((10, 64)),), {"n_images": 11}, "n_images"),
        ((np.zeros((10, 64)),), {"models": {}}, "non-empty dict"),
        ((np.zeros((10, 64)), [2, 4]), {"models": {2: lambda X: X}}, "no model"),
        ((np.zeros((10, 64)),), {"models": {2: "not a model"}}, "must be a trained"),
        ((np.zeros((10, 64)),), {"models": {2: lambda X: X[:, :3]}}, "shape"),
    ],
)
def test_bottleneck_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        BottleneckExplorer(*args, **kwargs)


def test_bottleneck_bad_update(digits):
    ex = BottleneckExplorer(digits, [1, 2, 4])
    for bad in (3, 2.0, "2", True):
        with pytest.raises(ValueError, match="one of the precomputed"):
            ex.update(bad)
    assert ex.state["k"] == 2  # unchanged


# --------------------------------------------------------------------------------- noise


def test_masking_explorer_zeroes_about_q_of_the_pixels(digits):
    ex = NoiseExplorer(digits, n_images=50, seed=3)
    assert ex.slider.description == "q" and ex.state["level"] == 0.25
    N = 50 * 64
    previous_mask = np.zeros((50, 64), dtype=bool)
    pngs = set()
    for q in (0.0, 0.1, 0.3, 0.5, 0.9, 1.0):
        ex.slider.value = q
        state = ex.state
        assert state["level"] == q and state["kind"] == "masking"
        mask, corrupted = state["mask"], state["corrupted"]
        tolerance = 4 * np.sqrt(q * (1 - q) / N) + 1e-12
        assert abs(mask.sum() - q * N) <= tolerance * N, (q, mask.sum() / N)
        assert state["fraction_masked"] == mask.mean()
        # Masked entries are 0; the others are the originals, not rescaled by 1/(1 - q).
        np.testing.assert_array_equal(corrupted, np.where(mask, 0.0, digits[:50]))
        np.testing.assert_array_equal(corrupted, R.masking_noise(digits[:50], q, 3))
        # Same seed at every level: a larger q masks a superset.
        assert np.all(mask >= previous_mask)
        previous_mask = mask
        pngs.add(shown_png(ex))
    assert len(pngs) == 6
    assert_widget(ex)


def test_gaussian_explorer(digits):
    ex = NoiseExplorer(digits, kind="gaussian", level=0.0, n_images=50, seed=1)
    assert ex.slider.description == "σ" and ex.slider.max == 1.0
    np.testing.assert_array_equal(ex.state["corrupted"], digits[:50])
    ex.slider.value = 0.2
    noise_02 = ex.state["noise"].copy()
    assert abs(ex.state["noise_std"] - 0.2) < 0.02
    ex.update(0.6)
    assert ex.slider.value == 0.6 and abs(ex.state["noise_std"] - 0.6) < 0.06
    np.testing.assert_allclose(ex.state["noise"], 3 * noise_02, atol=1e-12)  # same ε, scaled
    np.testing.assert_array_equal(ex.state["corrupted"], R.gaussian_noise(digits[:50], 0.6, 1))
    assert_widget(ex)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "salt"}, "kind must be"),
        ({"level": 1.5}, r"must lie in \[0, 1\]"),
        ({"level": -0.1}, r"must lie in \[0, 1\]"),
        ({"level": "a"}, "must be a number"),
        ({"kind": "gaussian", "level": 3.0}, r"sigma .* must lie in \[0, 1\]"),
        ({"kind": "gaussian", "max_sigma": 0}, "max_sigma must be > 0"),
        ({"seed": -1}, "seed"),
        ({"n_images": 0}, "n_images"),
    ],
)
def test_noise_bad_arguments(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        NoiseExplorer(digits, **kwargs)


def test_noise_bad_update(digits):
    ex = NoiseExplorer(digits)
    with pytest.raises(ValueError, match=r"q \(the masking probability\) must lie"):
        ex.update(1.2)
    assert ex.state["level"] == 0.25


# ------------------------------------------------------------------------------ sparsity


def test_sparsity_minimum_follows_rho():
    ex = SparsityExplorer(0.05)
    grid = ex.state["rho_hat_grid"]
    curves = []
    for rho in (0.05, 0.2, 0.5, 0.9):
        ex.slider.value = rho
        state = ex.state
        assert state["rho"] == rho
        assert abs(state["argmin"] - rho) <= 0.0011
        assert state["minimum"] == 0.0
        omega = state["omega"]
        assert np.all(omega >= -1e-15)
        expected = rho * np.log(rho / grid) + (1 - rho) * np.log((1 - rho) / (1 - grid))
        np.testing.assert_allclose(omega, expected, rtol=1e-12, atol=1e-15)
        curves.append(omega.copy())
        shown_png(ex)
    assert not np.allclose(curves[0], curves[1])
    ex.slider.value = 0.05  # back to a value drawn before: the same curve again
    np.testing.assert_array_equal(ex.state["omega"], curves[0])
    assert ex.state["rho"] == 0.05
    assert_widget(ex)


def test_sparsity_with_hidden_units():
    rho_hat = np.array([0.02, 0.1, 0.3])
    ex = SparsityExplorer(0.1, rho_hat=rho_hat)
    assert ex.state["penalty"] == pytest.approx(R.sparsity_penalty(0.1, rho_hat), rel=1e-12)
    assert ex.state["unit_penalties"][1] == 0.0
    ex.slider.value = 0.3
    assert ex.state["penalty"] == pytest.approx(R.sparsity_penalty(0.3, rho_hat), rel=1e-12)
    assert ex.state["unit_penalties"][2] == 0.0


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((0.0,), {}, r"\[0.01, 0.99\]"),
        ((1.0,), {}, r"\[0.01, 0.99\]"),
        (("0.1",), {}, "must be a number"),
        ((0.1,), {"rho_hat": [0.0, 0.5]}, "strictly in"),
        ((0.1,), {"rho_hat": [[0.5]]}, "shape"),
        ((0.1,), {"n_points": 2}, "at least 3"),
    ],
)
def test_sparsity_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SparsityExplorer(*args, **kwargs)


# --------------------------------------------------------------------------- contraction


def test_contraction_singular_values_decrease_with_lambda(contraction):
    ex = contraction
    assert ex.slider.value == ex.lambdas[0] == 0.0
    singular, penalties, pngs = [], [], set()
    for lam in ex.lambdas:
        ex.slider.value = lam
        state = ex.state
        assert state["lambda_c"] == lam
        s = state["singular_values"]
        assert s.shape == (2,) and s[0] >= s[1] > 0
        singular.append(s)
        penalties.append(state["penalty"])
        # The ellipse is the circle's image: semi-axes r·s1 and r·s2.
        np.testing.assert_allclose(np.abs(state["ellipse"]).max(axis=0), ex.radius * s, rtol=0.01)
        pngs.add(shown_png(ex))
    singular = np.array(singular)
    assert np.all(np.diff(singular[:, 0]) < 0), singular
    assert np.all(np.diff(singular[:, 1]) < 0), singular
    assert np.all(np.diff(penalties) < 0), penalties
    assert len(pngs) == len(ex.lambdas)
    # Strong contraction keeps the encoder sensitive along the data's line only.
    ex.slider.value = ex.lambdas[-1]
    assert ex.state["singular_values"][1] < 0.01 * ex.state["singular_values"][0]
    assert ex.state["alignment"] > 0.99
    ex.slider.value = ex.lambdas[0]
    assert ex.state["singular_values"][1] > 0.2 * ex.state["singular_values"][0]
    assert_widget(ex)


def test_contraction_jacobian_is_the_encoder_derivative(contraction):
    ex = contraction
    lam = ex.lambdas[2]
    ex.update(lam)
    params, config = ex.models[lam], ex._config(lam)
    x0 = ex.x0.copy()
    J = np.stack([
        numerical_gradient(lambda x: R.forward(params, x[None, :], config).h1[0, l], x0)
        for l in range(params["W"].shape[0])
    ])
    assert relative_error(ex.state["jacobian"], J) < 1e-7
    # The shown penalty is the reference's mean ‖J‖²_F over the data.
    assert ex.state["penalty"] == R.contractive_penalty(params, ex.X, config)


def test_contraction_bad_arguments_and_update(contraction):
    with pytest.raises(ValueError, match="one of the trained values"):
        contraction.update(0.5)
    for kwargs, message in [
        ({"lambdas": [0.1]}, "at least 2"),
        ({"lambdas": [0.0, -0.1]}, "≥ 0"),
        ({"lambdas": [0.1, 0.1]}, "repeat"),
        ({"lambdas": "01"}, "sequence"),
        ({"n_hidden": 1}, "at least 2"),
        ({"X": np.zeros((5, 3))}, "2 columns"),
        ({"lr": 0.0}, "> 0"),
        ({"radius": -1.0}, "> 0"),
        ({"epochs": 0}, "≥ 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            ContractionExplorer(**kwargs)


def test_line_data():
    X = line_data(200, angle_deg=90.0, spread=0.0)
    assert X.shape == (200, 2)
    np.testing.assert_allclose(X[:, 0], 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="spread"):
        line_data(spread=-1.0)
