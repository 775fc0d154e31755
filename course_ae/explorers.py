"""Interactive explorers for the notebooks: one slider, one figure, instant updates.

Each explorer is a small object with

``slider``   the ipywidgets slider (move it, or set ``slider.value`` from code);
``output``   an ``ipywidgets.Output`` holding the current figure as a PNG;
``widget``   ``VBox([slider, output])``, what a notebook displays (the explorer itself
             displays as its widget, so ending a cell with it is enough);
``state``    a dict of what is shown now: the slider value and the arrays drawn;
``update(value)``  move the slider to ``value`` (validated) and redraw; returns ``state``.

Everything that is expensive (an SVD, a few small trainings) happens once, in the
constructor; moving the slider only looks up or recomputes cheap arrays and draws one
matplotlib figure, which is rendered to PNG and closed at once (no figure leaks, and
the Agg backend is enough). Each slider value is drawn once and cached (up to 64
values), so going back to a value is instant. The figure is written straight into the ``Output`` widget's
outputs, so the explorers work the same in JupyterLab and in a plain Python session
(tests), where there is no kernel to capture ``display`` calls.

The explorers, in the order of the chapters:

BottleneckExplorer   k → reconstructions with a k-unit bottleneck (PCA, or trained models)
NoiseExplorer        q (masking) or σ (Gaussian) → the corrupted inputs
SparsityExplorer     ρ → the KL penalty Ω(ρ̂) against ρ̂, minimum 0 at ρ̂ = ρ
ContractionExplorer  λ_c → the encoder's Jacobian at the data: singular values, and the
                     ellipse that a small circle of inputs is mapped to
"""

from __future__ import annotations

import base64
import io
import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import reference as R
from ._validation import as_batch, check_positive_int

__all__ = ["BottleneckExplorer", "NoiseExplorer", "SparsityExplorer", "ContractionExplorer", "line_data"]


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _figure_output(fig: Any, *, dpi: int = 90) -> dict[str, Any]:
    """Render ``fig`` to a PNG display-data output (nbformat dict) and close it."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        _pyplot().close(fig)
    return {
        "output_type": "display_data",
        "data": {
            "image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
            "text/plain": "<Figure>",
        },
        "metadata": {},
    }


def _as_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def _image_shape(n: int, image_shape: Any) -> tuple[int, int]:
    if image_shape is None:
        side = int(round(np.sqrt(n)))
        if side * side != n:
            raise ValueError(
                f"cannot guess a square image shape for rows of {n} pixels; pass image_shape=(h, w)"
            )
        return side, side
    try:
        h, w = (int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be a pair (h, w); got {image_shape!r}") from None
    if h < 1 or w < 1 or h * w != n:
        raise ValueError(f"image_shape {image_shape!r} holds {h * w} pixels; the rows of X have {n}")
    return h, w


def _n_images(n_images: Any, m: int) -> int:
    n_images = check_positive_int(n_images, "n_images")
    if n_images > m:
        raise ValueError(f"n_images must be at most the number of rows of X ({m}); got {n_images}")
    return n_images


def _principal_directions(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Leading k principal directions V (n, k) of ``normalize(X)``, their variances (k,)
    and the total variance, from the eigendecomposition of the covariance XᵀX (n × n).

    Same subspace as ``reference.linear_autoencoder_solution(X, k)["W_star"]`` (which
    takes the SVD of the m × n matrix): the right singular vectors of X are the
    eigenvectors of XᵀX, and σ² its eigenvalues.
    """
    Xn = R.normalize(X)
    C = Xn.T @ Xn
    eigenvalues, vectors = np.linalg.eigh(C)  # ascending
    order = np.argsort(eigenvalues)[::-1][:k]
    return vectors[:, order], np.clip(eigenvalues[order], 0.0, None), float(np.trace(C))


def _montage(rows: Sequence[np.ndarray], image_shape: tuple[int, int], gap: int = 1) -> np.ndarray:
    """Tile rows of images into one 2-D array: ``rows[r][i]`` (n,) at row r, column i.

    One ``imshow`` of the montage draws much faster than one axes per image, which
    keeps the slider responsive. Gaps are NaN (drawn as the background).
    """
    h, w = image_shape
    m = rows[0].shape[0]
    out = np.full((len(rows) * (h + gap) - gap, m * (w + gap) - gap), np.nan)
    for r, batch in enumerate(rows):
        for i in range(m):
            out[r * (h + gap): r * (h + gap) + h, i * (w + gap): i * (w + gap) + w] = batch[i].reshape(h, w)
    return out


def _image_rows_figure(rows: Sequence[np.ndarray], labels: Sequence[str], image_shape: tuple[int, int],
                       title: str) -> Any:
    """Rows of images (each (m, n), clipped to [0, 1]) in one axes, labelled at the left."""
    plt = _pyplot()
    m = rows[0].shape[0]
    fig, ax = plt.subplots(figsize=(0.85 * m + 1.4, 0.85 * len(rows) + 0.5))
    cmap = plt.get_cmap("gray").with_extremes(bad="white")
    montage = _montage([np.clip(r, 0.0, 1.0) for r in rows], image_shape)
    ax.imshow(montage, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    h = image_shape[0]
    ax.set_yticks([r * (h + 1) + (h - 1) / 2 for r in range(len(rows))], labels, fontsize=9)
    ax.set_xticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, fontsize=9)
    fig.subplots_adjust(left=1.2 / (0.85 * m + 1.4), right=0.99, bottom=0.02, top=0.85)
    return fig


class _Explorer:
    """The slider/output/state plumbing shared by the explorers (not public)."""

    slider: Any
    output: Any
    widget: Any
    state: dict[str, Any]

    _CACHE_SIZE = 64

    def _build(self, slider: Any) -> None:
        import ipywidgets as widgets

        self._cache: dict[Any, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.slider = slider
        self.output = widgets.Output()
        self.widget = widgets.VBox([self.slider, self.output])
        self.state = {}
        self.slider.observe(self._on_change, names="value")
        self._render(self.slider.value)

    def _check_value(self, value: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _draw(self, value: Any) -> tuple[dict[str, Any], Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _on_change(self, change: Mapping[str, Any]) -> None:
        self._render(change["new"])

    def _render(self, value: Any) -> None:
        # Each value is drawn once; going back to it is instant (figures are immutable).
        if value not in self._cache:
            if len(self._cache) >= self._CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            state, fig = self._draw(value)
            self._cache[value] = (state, _figure_output(fig))
        state, output = self._cache[value]
        self.output.outputs = (output,)
        self.state = state

    def update(self, value: Any) -> dict[str, Any]:
        """Move the slider to ``value`` (validated: ``ValueError`` if out of range) and redraw.

        Returns the new ``state``. Setting ``slider.value`` directly does the same.
        """
        value = self._check_value(value)
        if self.slider.value == value:
            self._render(value)  # the observer only fires on a change
        else:
            self.slider.value = value  # the observer redraws
        return self.state

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {self.slider.description} {self.slider.value!r}>"


# ---------------------------------------------------------------------------------------
# 1. Bottleneck size


def _reconstruct(model: Any, X: np.ndarray) -> np.ndarray:
    """X̂ (m, n) from a trained model: a course_ae.nn.Autoencoder (or anything with a
    ``forward``) or a plain callable X -> X̂."""
    if callable(getattr(model, "forward", None)):
        torch = sys.modules.get("torch")
        if torch is not None:
            with torch.no_grad():
                out = model.forward(X)
        else:
            out = model.forward(X)
    elif callable(model):
        out = model(X)
    else:
        raise ValueError(
            "each model must be a trained course_ae.nn.Autoencoder (or have a .forward(X) "
            f"method, or be a callable X -> X_hat); got {type(model).__name__}"
        )
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    out = np.asarray(out, dtype=np.float64)
    if out.shape != X.shape:
        raise ValueError(f"a model returned reconstructions of shape {out.shape} for inputs of shape {X.shape}")
    return out


class BottleneckExplorer(_Explorer):
    """Slide the bottleneck size k and see the reconstructions it allows.

    Parameters
    ----------
    X : array (m, n)
        Images, one a row, values in [0, 1]. The first ``n_images`` rows are shown.
        Without ``models`` the whole of ``X`` is used to fit the optimal linear
        autoencoder (PCA, :func:`course_ae.reference.linear_autoencoder_solution`), so
        m of a few thousand rows gives components close to those of the full data set.
    ks : sequence of int, optional
        The bottleneck sizes on the slider, each in 1..min(m, n) for PCA. Default
        (1, 2, 4, 8, 16, 32, 64), keeping those ≤ min(m, n); with ``models`` default
        every key of ``models``.
    models : mapping {k: model}, optional
        Trained models (e.g. ``course_ae.nn.Autoencoder`` with k hidden units, or any
        callable X -> X̂) to show instead of PCA.
    image_shape : (h, w), optional
        The shape of one image; guessed for square images.
    n_images : int
        How many images to show (default 8).

    The linear reconstruction of x is x̂ = μ + (x − μ) V≤k V≤kᵀ with V≤k (n, k) the
    leading principal directions of ``normalize(X)``: the decoder ``W_star`` of
    :func:`course_ae.reference.linear_autoencoder_solution` (the 1/√m of the
    normalisation cancels in the projection). They are computed once, here, as
    eigenvectors of the covariance XᵀX (n × n), which for m ≫ n is much cheaper than
    the SVD of X and gives the same subspace.

    ``state`` keys: ``k``; ``originals`` and ``reconstructions`` (n_images, n), as drawn
    (reconstructions before clipping to [0, 1]); ``errors`` (n_images,), the squared
    error (x̂ − x)ᵀ(x̂ − x) of each image; ``mean_error``; and for PCA
    ``variance_explained``, the fraction of the variance of X that k components keep.
    """

    DEFAULT_KS = (1, 2, 4, 8, 16, 32, 64)

    def __init__(self, X: Any, ks: Sequence[int] | None = None, *, models: Mapping[int, Any] | None = None,
                 image_shape: tuple[int, int] | None = None, n_images: int = 8) -> None:
        import ipywidgets as widgets

        X = as_batch(X, "X")
        m, n = X.shape
        self.image_shape = _image_shape(n, image_shape)
        n_images = _n_images(n_images, m)
        self.originals = X[:n_images].copy()

        if models is not None:
            if not isinstance(models, Mapping) or not models:
                raise ValueError("models must be a non-empty dict {k: trained model}")
            keys = [check_positive_int(k, "each key of models (a bottleneck size k)") for k in models]
            ks = sorted(keys) if ks is None else self._check_ks(ks, limit=None)
            missing = [k for k in ks if k not in models]
            if missing:
                raise ValueError(f"ks {missing} have no model in models (keys {sorted(keys)})")
            self.method = "trained models"
            self.reconstructions = {k: _reconstruct(models[k], self.originals) for k in ks}
            self.variance_explained = None
        else:
            limit = min(m, n)
            if ks is None:
                ks = [k for k in self.DEFAULT_KS if k <= limit]
            ks = self._check_ks(ks, limit=limit)
            self.method = "linear autoencoder (PCA)"
            V, var, total = _principal_directions(X, max(ks))
            mean = X.mean(axis=0)
            centred = self.originals - mean
            self.reconstructions = {k: mean + (centred @ V[:, :k]) @ V[:, :k].T for k in ks}
            self.variance_explained = {k: float(var[:k].sum() / total) if total > 0 else 1.0 for k in ks}
        self.ks = tuple(ks)
        start = self.ks[len(self.ks) // 2]
        slider = widgets.SelectionSlider(options=list(self.ks), value=start, description="k",
                                         continuous_update=True)
        self._build(slider)

    @staticmethod
    def _check_ks(ks: Any, limit: int | None) -> list[int]:
        if isinstance(ks, np.ndarray) and ks.ndim == 1:
            ks = ks.tolist()
        if isinstance(ks, (str, bytes)) or not isinstance(ks, Sequence) or len(ks) == 0:
            raise ValueError(f"ks must be a non-empty sequence of bottleneck sizes; got {ks!r}")
        ks = [check_positive_int(k, "each k in ks") for k in ks]
        if len(set(ks)) != len(ks):
            raise ValueError(f"ks must not repeat a value; got {ks}")
        if limit is not None and max(ks) > limit:
            raise ValueError(
                f"each k must be at most min(m, n) = {limit} for PCA on X; got k={max(ks)}"
            )
        return sorted(ks)

    def _check_value(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) not in self.ks:
            raise ValueError(f"k must be one of the precomputed bottleneck sizes {list(self.ks)}; got {value!r}")
        return int(value)

    def _draw(self, k: int) -> tuple[dict[str, Any], Any]:
        recon = self.reconstructions[k]
        errors = np.sum((recon - self.originals) ** 2, axis=1)
        title = f"{self.method}, k = {k}: mean squared error {errors.mean():.2f} per image"
        state = {"k": k, "originals": self.originals, "reconstructions": recon,
                 "errors": errors, "mean_error": float(errors.mean()), "title": title}
        if self.variance_explained is not None:
            state["variance_explained"] = self.variance_explained[k]
            title += f", {100 * self.variance_explained[k]:.0f}% of the variance kept"
            state["title"] = title
        fig = _image_rows_figure([self.originals, recon], ["original", f"k = {k}"], self.image_shape, title)
        return state, fig


# ---------------------------------------------------------------------------------------
# 2. Corruption


class NoiseExplorer(_Explorer):
    """Slide the noise level and see the corrupted inputs a denoising autoencoder gets.

    Parameters
    ----------
    X : array (m, n)
        Images, one a row; the first ``n_images`` rows are corrupted and shown.
    kind : "masking" or "gaussian"
        Masking noise (:func:`course_ae.reference.masking_noise`: each entry set to 0
        with probability q, the rest *not* rescaled), or Gaussian noise
        (:func:`course_ae.reference.gaussian_noise`: x̃ = x + ε, ε ~ N(0, σ²)).
    level : float
        The starting q in [0, 1], or σ in [0, max_sigma].
    max_sigma : float
        The right end of the σ slider (Gaussian only).
    seed : int
        The noise is drawn with this seed at every level, so the draws are the same
        uniforms (or normals) each time: a larger q masks a superset of the entries
        masked by a smaller one, and a larger σ scales the same ε.

    ``state`` keys: ``kind``; ``level`` (q or σ); ``originals`` and ``corrupted``
    (n_images, n); for masking ``mask`` (bool, n_images × n, True where the noise set
    the entry to 0, whatever its value was) and ``fraction_masked`` (≈ q); for Gaussian
    ``noise`` (= corrupted − originals) and ``noise_std`` (≈ σ).
    """

    KINDS = ("masking", "gaussian")

    def __init__(self, X: Any, *, kind: str = "masking", level: float = 0.25, max_sigma: float = 1.0,
                 image_shape: tuple[int, int] | None = None, n_images: int = 8, seed: int = 0) -> None:
        import ipywidgets as widgets

        if kind not in self.KINDS:
            raise ValueError(f"kind must be 'masking' or 'gaussian'; got {kind!r}")
        X = as_batch(X, "X")
        self.kind = kind
        self.image_shape = _image_shape(X.shape[1], image_shape)
        self.originals = X[:_n_images(n_images, X.shape[0])].copy()
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a whole number ≥ 0; got {seed!r}")
        self.seed = int(seed)
        if kind == "masking":
            self.max_level = 1.0
            name = "q"
        else:
            self.max_level = _as_number(max_sigma, "max_sigma")
            if self.max_level <= 0:
                raise ValueError(f"max_sigma must be > 0; got {max_sigma!r}")
            name = "σ"
        self.name = name
        level = self._check_value(level)
        slider = widgets.FloatSlider(value=level, min=0.0, max=self.max_level, step=0.05,
                                     description=name, readout_format=".2f", continuous_update=True)
        self._build(slider)

    def _check_value(self, value: Any) -> float:
        what = "q (the masking probability)" if self.kind == "masking" else "sigma (the noise standard deviation)"
        value = _as_number(value, what)
        if not 0.0 <= value <= self.max_level:
            raise ValueError(f"{what} must lie in [0, {self.max_level:g}]; got {value!r}")
        return value

    def _draw(self, level: float) -> tuple[dict[str, Any], Any]:
        X = self.originals
        state: dict[str, Any] = {"kind": self.kind, "level": level, "originals": X}
        if self.kind == "masking":
            corrupted = R.masking_noise(X, level, self.seed)
            # The same seed draws the same uniforms: masking a batch of ones shows which
            # entries were dropped, also where the image was already 0.
            mask = R.masking_noise(np.ones_like(X), level, self.seed) == 0
            state.update(corrupted=corrupted, mask=mask, fraction_masked=float(mask.mean()))
            title = (f"masking noise, q = {level:.2f}: {100 * mask.mean():.1f}% of the pixels set to 0 "
                     "(the rest unchanged)")
        else:
            corrupted = R.gaussian_noise(X, level, self.seed)
            noise = corrupted - X
            state.update(corrupted=corrupted, noise=noise, noise_std=float(noise.std()))
            title = f"Gaussian noise, σ = {level:.2f} (shown clipped to [0, 1])"
        state["title"] = title
        fig = _image_rows_figure([X, corrupted], ["original", f"{self.name} = {level:.2f}"],
                                 self.image_shape, title)
        return state, fig


# ---------------------------------------------------------------------------------------
# 3. Sparsity


class SparsityExplorer(_Explorer):
    """Slide the target ρ and see the KL penalty Ω(ρ̂) of one hidden unit against ρ̂.

    Ω(ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)), computed with
    :func:`course_ae.reference.sparsity_penalty`, is 0 at ρ̂ = ρ and positive
    elsewhere; the figure marks the minimum.

    Parameters
    ----------
    rho : float
        The starting target, in [0.01, 0.99] (the slider's range, step 0.01).
    rho_hat : array (k,), optional
        Mean activations of a trained model's hidden units, drawn as points on the
        curve; ``state["penalty"]`` is then their summed penalty for the current ρ.
    n_points : int
        Grid size on ρ̂ ∈ [0.001, 0.999] (default 999, spacing 0.001).

    ``state`` keys: ``rho``; ``rho_hat_grid`` (n_points,) and ``omega`` (n_points,),
    the curve drawn; ``argmin``, the grid point where it is smallest (within one grid
    step of ρ); ``minimum``, Ω(ρ) (= 0); and with ``rho_hat``, ``rho_hat`` (k,),
    ``unit_penalties`` (k,) and ``penalty`` (their sum).
    """

    def __init__(self, rho: float = 0.05, *, rho_hat: Any = None, n_points: int = 999) -> None:
        import ipywidgets as widgets

        n_points = check_positive_int(n_points, "n_points")
        if n_points < 3:
            raise ValueError(f"n_points must be at least 3 to draw a curve; got {n_points}")
        self.grid = np.linspace(0.001, 0.999, n_points)
        if rho_hat is not None:
            rho_hat = np.asarray(rho_hat, dtype=np.float64)
            if rho_hat.ndim != 1 or rho_hat.size == 0:
                raise ValueError(f"rho_hat must be a vector of mean activations, shape (k,); got shape {rho_hat.shape}")
            if not np.all((rho_hat > 0) & (rho_hat < 1)):
                raise ValueError(
                    "rho_hat (mean activations) must lie strictly in (0, 1); got values in "
                    f"[{np.nanmin(rho_hat):g}, {np.nanmax(rho_hat):g}]"
                )
        self.rho_hat = rho_hat
        rho = self._check_value(rho)
        slider = widgets.FloatSlider(value=rho, min=0.01, max=0.99, step=0.01, description="ρ",
                                     readout_format=".2f", continuous_update=True)
        self._build(slider)

    def _check_value(self, value: Any) -> float:
        value = _as_number(value, "rho (the sparsity target)")
        if not 0.01 <= value <= 0.99:
            raise ValueError(f"rho (the sparsity target) must lie in [0.01, 0.99]; got {value!r}")
        return value

    def _draw(self, rho: float) -> tuple[dict[str, Any], Any]:
        omega = np.array([R.sparsity_penalty(rho, [r]) for r in self.grid])
        i = int(np.argmin(omega))
        minimum = R.sparsity_penalty(rho, [rho])
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        ax.plot(self.grid, omega, color="C0", label=r"$\Omega(\hat\rho)$")
        ax.plot([rho], [minimum], "o", color="C3", label=rf"minimum at $\hat\rho = \rho = {rho:.2f}$")
        ax.axvline(rho, color="C3", lw=0.8, ls=":")
        state: dict[str, Any] = {"rho": rho, "rho_hat_grid": self.grid, "omega": omega,
                                 "argmin": float(self.grid[i]), "minimum": minimum}
        if self.rho_hat is not None:
            units = np.array([R.sparsity_penalty(rho, [r]) for r in self.rho_hat])
            state.update(rho_hat=self.rho_hat, unit_penalties=units, penalty=float(units.sum()))
            ax.plot(self.rho_hat, units, "x", color="C2", label=f"hidden units (sum {units.sum():.3g})")
        top = float(np.max(omega[(self.grid >= 0.02) & (self.grid <= 0.98)]))
        ax.set_ylim(-0.05 * top, 1.05 * top)
        ax.set_xlim(0, 1)
        ax.set_xlabel(r"mean activation $\hat\rho$")
        ax.set_ylabel(r"KL penalty $\Omega$")
        ax.set_title(rf"KL sparsity penalty for the target $\rho = {rho:.2f}$", fontsize=10)
        ax.legend(fontsize=8)
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9)
        return state, fig


# ---------------------------------------------------------------------------------------
# 4. Contraction


def line_data(m: int = 100, *, angle_deg: float = 30.0, spread: float = 0.05, seed: int = 0) -> np.ndarray:
    """2-D points close to a line through the origin: x = t u1 + e u2, shape (m, 2).

    u1 = (cos α, sin α) is the line's direction, u2 ⊥ u1; t ~ U(−1, 1) and
    e ~ N(0, spread²), so the data vary along u1 and hardly at all across it.
    """
    m = check_positive_int(m, "m")
    alpha = np.deg2rad(_as_number(angle_deg, "angle_deg"))
    spread = _as_number(spread, "spread")
    if spread < 0:
        raise ValueError(f"spread must be ≥ 0; got {spread!r}")
    rng = np.random.default_rng(seed)
    u1 = np.array([np.cos(alpha), np.sin(alpha)])
    u2 = np.array([-u1[1], u1[0]])
    t = rng.uniform(-1.0, 1.0, m)
    e = spread * rng.standard_normal(m)
    return t[:, None] * u1 + e[:, None] * u2


class ContractionExplorer(_Explorer):
    """Slide the contractive weight λ_c and see how the encoder's Jacobian contracts.

    For each λ_c on the slider a small contractive autoencoder (2 inputs, ``n_hidden``
    sigmoid units, linear decoder, squared error, ``Config(contractive_weight=λ_c)``) is
    trained here, from the same initial weights, on 2-D data close to a line, by
    gradient descent with momentum on the reference's hand-derived gradients.

    The figure shows, at the data's mean x₀, the Jacobian J = ∂h/∂x (k, 2) with
    J_lj = h_l(1 − h_l) W_lj: on the left the data, a small circle of inputs around x₀,
    and the right singular vectors v₁, v₂ of J drawn with lengths proportional to the
    singular values s₁ ≥ s₂; on the right the image J·(circle), an ellipse with
    semi-axes r·s₁ and r·s₂ (in the basis of J's left singular vectors), with the
    λ_c = first-slider-value ellipse dashed for comparison. As λ_c grows both singular
    values shrink, s₂ (across the line) much faster than s₁ (along it): the encoder
    stays sensitive only along the data.

    Parameters
    ----------
    lambdas : sequence of float ≥ 0
        The λ_c values on the slider (at least 2, distinct).
    X : array (m, 2), optional
        The training data; default ``line_data()`` (100 points along 30°).
    n_hidden : int ≥ 2
        Hidden units k.
    epochs, lr, seed
        Training: full-batch steps, learning rate, seed of the initial weights.
    radius : float
        Radius r of the circle of inputs (default 0.25).

    ``state`` keys: ``lambda_c``; ``jacobian`` (k, 2) at x₀; ``singular_values`` (2,);
    ``directions`` (2, 2), rows v₁, v₂ (input directions); ``alignment`` = |v₁·u₁| with u₁
    the data's principal direction; ``ellipse`` (n_theta, 2), the image of the circle;
    ``penalty``, the mean ‖J‖²_F over X; ``reconstruction_error``, the mean squared error.
    """

    DEFAULT_LAMBDAS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)

    def __init__(self, lambdas: Sequence[float] = DEFAULT_LAMBDAS, *, X: Any = None, n_hidden: int = 2,
                 epochs: int = 300, lr: float = 0.1, seed: int = 0, radius: float = 0.25) -> None:
        import ipywidgets as widgets

        if isinstance(lambdas, np.ndarray) and lambdas.ndim == 1:
            lambdas = lambdas.tolist()
        if isinstance(lambdas, (str, bytes)) or not isinstance(lambdas, Sequence) or len(lambdas) < 2:
            raise ValueError(f"lambdas must be a sequence of at least 2 values of λ_c; got {lambdas!r}")
        lambdas = sorted(_as_number(v, "each λ_c in lambdas") for v in lambdas)
        if lambdas[0] < 0:
            raise ValueError(f"each λ_c in lambdas must be ≥ 0; got {lambdas[0]!r}")
        if len(set(lambdas)) != len(lambdas):
            raise ValueError(f"lambdas must not repeat a value; got {lambdas}")
        self.lambdas = tuple(lambdas)
        self.X = line_data() if X is None else as_batch(X, "X", 2)
        if self.X.shape[0] < 2:
            raise ValueError(f"X must hold at least 2 points; got shape {self.X.shape}")
        n_hidden = check_positive_int(n_hidden, "n_hidden")
        if n_hidden < 2:
            raise ValueError(f"n_hidden must be at least 2 so that J has two singular values; got {n_hidden}")
        epochs = check_positive_int(epochs, "epochs")
        lr = _as_number(lr, "lr")
        if lr <= 0:
            raise ValueError(f"lr (the learning rate) must be > 0; got {lr!r}")
        self.radius = _as_number(radius, "radius")
        if self.radius <= 0:
            raise ValueError(f"radius must be > 0; got {radius!r}")

        self.x0 = self.X.mean(axis=0)
        self.u1 = R.pca(self.X, 1)[0][:, 0]
        init = R.init_params(2, n_hidden, seed=seed)
        self.models = {lam: self._fit(init, self._config(lam), epochs, lr) for lam in self.lambdas}
        self._svd = {lam: self._jacobian_svd(lam) for lam in self.lambdas}
        self._s_max = max(s[0] for _, s, _ in self._svd.values())
        theta = np.linspace(0.0, 2.0 * np.pi, 73)
        self.circle = self.radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (73, 2)
        self.theta = theta
        slider = widgets.SelectionSlider(options=[(f"{lam:g}", lam) for lam in self.lambdas],
                                         value=self.lambdas[0], description="λ_c", continuous_update=True)
        self._build(slider)

    @staticmethod
    def _config(lam: float) -> R.Config:
        return R.Config(encoder="sigmoid", decoder="linear", loss="squared_error", contractive_weight=lam)

    def _fit(self, init: Mapping[str, np.ndarray], config: R.Config, epochs: int, lr: float,
             momentum: float = 0.9) -> dict[str, np.ndarray]:
        params = {key: value.copy() for key, value in init.items()}
        velocity = {key: np.zeros_like(value) for key, value in params.items()}
        for _ in range(epochs):
            _, grads = R.loss_and_gradients(params, self.X, config)
            for key in params:
                velocity[key] = momentum * velocity[key] - lr * grads[key]
                params[key] += velocity[key]
        return params

    def _jacobian_svd(self, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        params = self.models[lam]
        fw = R.forward(params, self.x0[None, :], self._config(lam))
        h = fw.h1[0]
        J = (h * (1.0 - h))[:, None] * params["W"]  # (k, 2)
        U, S, Vt = np.linalg.svd(J, full_matrices=False)
        return J, S, Vt

    def _check_value(self, value: Any) -> float:
        value = _as_number(value, "lambda_c")
        if value not in self.lambdas:
            raise ValueError(f"lambda_c must be one of the trained values {list(self.lambdas)}; got {value!r}")
        return value

    def _draw(self, lam: float) -> tuple[dict[str, Any], Any]:
        J, S, Vt = self._svd[lam]
        ellipse = (self.circle @ Vt.T) * S  # coordinates along J's left singular vectors
        config = self._config(lam)
        params = self.models[lam]
        penalty = R.contractive_penalty(params, self.X, config)
        recon = R.objective(params, self.X, self._config(0.0))
        alignment = float(abs(Vt[0] @ self.u1))
        state = {"lambda_c": lam, "jacobian": J, "singular_values": S, "directions": Vt,
                 "alignment": alignment, "ellipse": ellipse, "penalty": penalty,
                 "reconstruction_error": recon}

        plt = _pyplot()
        fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.9))
        colours = plt.get_cmap("hsv")(self.theta / (2 * np.pi))
        left.scatter(self.X[:, 0], self.X[:, 1], s=6, color="0.6", label="data")
        pts = self.x0 + self.circle
        left.scatter(pts[:, 0], pts[:, 1], s=8, c=colours)
        for i, style in enumerate(("C3", "C0")):
            d = Vt[i] * self.radius * 1.6 * S[i] / self._s_max
            left.annotate("", xy=self.x0 + d, xytext=self.x0,
                          arrowprops={"arrowstyle": "->", "color": style, "lw": 2})
            left.plot([], [], color=style, lw=2, label=f"v{i + 1}, length ∝ s{i + 1} = {S[i]:.3f}")
        left.set_aspect("equal")
        left.tick_params(labelsize=7)
        right.tick_params(labelsize=7)
        left.set_title("input space: data, a circle around x₀, J's directions", fontsize=9)
        left.legend(fontsize=7, loc="lower right")

        _, S0, Vt0 = self._svd[self.lambdas[0]]
        ref = (self.circle @ Vt0.T) * S0
        right.plot(ref[:, 0], ref[:, 1], ls="--", color="0.6", lw=1, label=f"λ_c = {self.lambdas[0]:g}")
        right.scatter(ellipse[:, 0], ellipse[:, 1], s=8, c=colours)
        right.plot([], [], "o", ms=3, color="0.2", label=f"λ_c = {lam:g} (colours: the input circle's)")
        lim = 1.15 * self.radius * self._s_max
        right.set_xlim(-lim, lim)
        right.set_ylim(-lim, lim)
        right.set_aspect("equal")
        right.set_xlabel("along J's 1st left singular vector")
        right.set_ylabel("along the 2nd")
        right.set_title(f"hidden space: J·(circle); s₁ = {S[0]:.3f}, s₂ = {S[1]:.4f}", fontsize=9)
        right.legend(fontsize=7, loc="upper right")
        fig.suptitle(f"λ_c = {lam:g}: mean ‖J‖²_F = {penalty:.4f}, reconstruction error = {recon:.4f}",
                     fontsize=10)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.85, wspace=0.3)
        return state, fig
