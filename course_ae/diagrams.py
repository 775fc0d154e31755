"""Pictures of the model, drawn by code so that every chapter can show the same one.

:func:`architecture_diagram` draws the one-hidden-layer autoencoder of the course with
the names of the book's notation (DESIGN §2) on it: the input x, the encoder's W and b,
the pre-activation a1 and the code h1 = g(a1), the decoder's W* and c, the
pre-activation a2 and the reconstruction h2 = f(a2) = x̂, and the loss that compares
x̂ with the target x. With ``penalty=`` it also marks, in a second colour, where a
regularizer acts, so the chapters on regularization reuse the same picture:

>>> import matplotlib; matplotlib.use("Agg")
>>> fig = architecture_diagram(penalty="sparsity")    # the KL penalty on the code h
>>> sorted(PENALTIES)
['contractive', 'noise', 'sparsity', 'tied', 'weight decay']
"""

from __future__ import annotations

from typing import Any

import matplotlib

__all__ = ["PENALTIES", "architecture_diagram"]

#: The regularizers the diagram can mark, and what each one is attached to.
PENALTIES: dict[str, str] = {
    "weight decay": "the weights W and W* (weight_decay = λ)",
    "tied": "the decoder's weights, W* = Wᵀ (tied=True)",
    "sparsity": "the code h, through the mean activations ρ̂ (sparsity_target, sparsity_weight)",
    "contractive": "the encoder's Jacobian ∂h/∂x (contractive_weight = λ_c)",
    "noise": "the input: x is corrupted to x̃, the target stays x (denoising)",
}

_INK = "0.15"        # nodes, arrows and labels of the model
_EDGE = "0.72"       # the many weight lines
_MARK = "#c0392b"    # where the chosen penalty acts
_FONT = 12           # the column is about 8 in wide: 12 pt stays legible at page size

# x positions of the three layers and of the loss; the layers' unit counts (drawn, not n/k).
_X_IN, _X_HID, _X_OUT, _X_LOSS = 0.0, 3.0, 6.0, 8.1
_N_IN, _N_HID = 6, 3


def _column(x: float, count: int, gap: float = 0.62) -> list[tuple[float, float]]:
    """``count`` unit centres stacked symmetrically around y = 0 at abscissa ``x``."""
    top = gap * (count - 1) / 2
    return [(x, top - i * gap) for i in range(count)]


def architecture_diagram(penalty: str | None = None, ax: Any = None) -> matplotlib.figure.Figure:
    """Draw x → (W, b) → h → (W*, c) → x̂ → L(x̂, x), labelled in the course's notation.

    Parameters
    ----------
    penalty : ``None`` for the plain model, or one of :data:`PENALTIES`:
        ``"weight decay"`` (marks W and W*), ``"tied"`` (marks W* = Wᵀ), ``"sparsity"``
        (marks the code h and its mean activations ρ̂), ``"contractive"`` (marks the
        Jacobian ∂h/∂x between input and code), ``"noise"`` (the input becomes x̃; the
        target of the loss stays the clean x). The mark is drawn in red with the
        penalty's formula.
    ax : a matplotlib ``Axes`` to draw into; by default a new figure of 7.6 × 3.9 inches.

    Returns
    -------
    The ``Figure`` that holds the drawing. Every label is a text artist of ``ax``
    (``[t.get_text() for t in ax.texts]``), written in matplotlib's mathtext.
    """
    if penalty is not None and (not isinstance(penalty, str) or penalty not in PENALTIES):
        raise ValueError(
            f"unknown penalty {penalty!r}; expected None (the plain model) or one of "
            + ", ".join(repr(p) for p in PENALTIES)
        )
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7.6, 3.9))
    fig = ax.figure
    ax.set_xlim(-1.25, 9.3)
    ax.set_ylim(-2.75, 2.5)
    ax.set_aspect("equal")
    ax.set_axis_off()

    inputs = _column(_X_IN, _N_IN)
    hidden = _column(_X_HID, _N_HID, gap=0.8)
    outputs = _column(_X_OUT, _N_IN)
    r = 0.2

    def lines(left, right, colour, width, z):
        for (x0, y0) in left:
            for (x1, y1) in right:
                ax.plot([x0 + r, x1 - r], [y0, y1], color=colour, lw=width, zorder=z)

    decay = penalty == "weight decay"
    lines(inputs, hidden, _MARK if decay else _EDGE, 1.3 if decay else 0.8, 1)
    lines(hidden, outputs, _MARK if penalty in ("weight decay", "tied") else _EDGE,
          1.3 if penalty in ("weight decay", "tied") else 0.8, 1)

    def units(centres, face, edge):
        for (x, y) in centres:
            ax.add_patch(Circle((x, y), r, facecolor=face, edgecolor=edge, lw=1.5, zorder=3))

    noisy = penalty == "noise"
    units(inputs, "#fdecea" if noisy else "white", _MARK if noisy else _INK)
    sparse = penalty == "sparsity"
    units(hidden, "#fdecea" if sparse else "#e8eef7", _MARK if sparse else _INK)
    units(outputs, "#eef6ea", _INK)

    def text(x, y, s, *, colour=_INK, size=_FONT, **kw):
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        ax.text(x, y, s, color=colour, fontsize=size, zorder=5, **kw)

    # Layer names above, the lecture's intermediate values below.
    top = 2.2
    text(_X_IN, top, r"$\tilde{\mathbf{x}}$ (corrupted $\mathbf{x}$)" if noisy else r"input $\mathbf{x}$",
         colour=_MARK if noisy else _INK)
    text(_X_HID, top, r"code $\mathbf{h} = \mathbf{h}_1$")
    text(_X_OUT, top, r"output $\hat{\mathbf{x}} = \mathbf{h}_2$")
    text(_X_IN, -2.05, r"$n$ inputs", size=11)
    text(_X_HID, -1.45, r"$\mathbf{a}_1 = W\mathbf{x} + \mathbf{b}$", size=11)
    text(_X_HID, -1.95, r"$\mathbf{h}_1 = g(\mathbf{a}_1)$, $k$ units", size=11)
    text(_X_OUT, -2.05, r"$\mathbf{a}_2 = W^{*}\mathbf{h}_1 + \mathbf{c}$", size=11)
    text(_X_OUT, -2.55, r"$\mathbf{h}_2 = f(\mathbf{a}_2)$", size=11)

    # The weights, on white boxes in the middle of each bundle of lines.
    box = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none"}
    text((_X_IN + _X_HID) / 2, 1.7, r"$W,\ \mathbf{b}$", colour=_MARK if decay else _INK,
         bbox=box)
    text((_X_HID + _X_OUT) / 2, 1.7,
         r"$W^{*} = W^{\top},\ \mathbf{c}$" if penalty == "tied" else r"$W^{*},\ \mathbf{c}$",
         colour=_MARK if penalty in ("weight decay", "tied") else _INK, bbox=box)
    text((_X_IN + _X_HID) / 2, 0.0, "encoder", size=11, bbox=box)
    text((_X_HID + _X_OUT) / 2, 0.0, "decoder", size=11, bbox=box)

    # The loss compares the reconstruction with the clean input (the target).
    loss_box = FancyBboxPatch((_X_LOSS - 0.75, -0.35), 1.5, 0.7, boxstyle="round,pad=0.05",
                              facecolor="#fff7e0", edgecolor=_INK, lw=1.3, zorder=3)
    ax.add_patch(loss_box)
    text(_X_LOSS, 0.0, r"$L(\hat{\mathbf{x}}, \mathbf{x})$")
    ax.add_patch(FancyArrowPatch((_X_OUT + r + 0.1, 0.0), (_X_LOSS - 0.8, 0.0),
                                 arrowstyle="-|>", mutation_scale=14, color=_INK, lw=1.3))
    text(_X_LOSS, -0.7, r"target: the clean $\mathbf{x}$" if noisy else r"target: $\mathbf{x}$ itself",
         size=10, colour="0.3")

    # The penalty's mark and formula.
    if penalty is not None:
        note = {
            "weight decay": r"$\Omega = \frac{\lambda}{2}(\|W\|_F^2 + \|W^{*}\|_F^2)$",
            "tied": r"one matrix: $W^{*} = W^{\top}$",
            "sparsity": r"$\Omega = \beta \sum_l \mathrm{KL}(\rho \,\|\, \hat{\rho}_l)$",
            "contractive": r"$\Omega = \lambda_c \|\partial \mathbf{h} / \partial \mathbf{x}\|_F^2$",
            "noise": r"$\tilde{\mathbf{x}} \sim$ noise($\mathbf{x}$), target $\mathbf{x}$",
        }[penalty]
        if penalty == "contractive":
            ax.add_patch(FancyArrowPatch((_X_IN + 0.35, -1.45), (_X_HID - 0.35, -0.95),
                                         connectionstyle="arc3,rad=0.25", arrowstyle="<|-|>",
                                         mutation_scale=14, color=_MARK, lw=1.8, zorder=4))
            text((_X_IN + _X_HID) / 2 - 0.1, -1.2, r"$\partial \mathbf{h} / \partial \mathbf{x}$",
                 colour=_MARK, bbox=box)
        if penalty == "sparsity":
            text(_X_HID + 0.3, 1.15, r"$\hat{\rho}_l$", colour=_MARK, ha="left")
        text(_X_LOSS, 1.4, "penalty: " + penalty, colour=_MARK, size=11)
        text(_X_LOSS, 0.85, note, colour=_MARK, size=11)
    return fig
