"""The architecture diagram draws the model in the book's notation and marks penalties."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from course_ae.diagrams import PENALTIES, architecture_diagram


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _joined(fig):
    return "\n".join(_texts(fig))


def test_plain_diagram_names_every_quantity_of_the_notation():
    fig = architecture_diagram()
    text = _joined(fig)
    for label in [r"\mathbf{a}_1 = W\mathbf{x} + \mathbf{b}", r"\mathbf{h}_1 = g(\mathbf{a}_1)",
                  r"\mathbf{a}_2 = W^{*}\mathbf{h}_1 + \mathbf{c}", r"\mathbf{h}_2 = f(\mathbf{a}_2)",
                  r"\hat{\mathbf{x}} = \mathbf{h}_2", r"$W,\ \mathbf{b}$", r"$W^{*},\ \mathbf{c}$",
                  r"L(\hat{\mathbf{x}}, \mathbf{x})", r"input $\mathbf{x}$"]:
        assert label in text, f"{label!r} missing from the diagram's labels:\n{text}"
    assert "penalty" not in text            # nothing marked on the plain model
    ax = fig.axes[0]
    assert len(ax.patches) >= 6 + 3 + 6      # the units of the three layers are drawn
    fig.canvas.draw()                        # every mathtext label parses and renders
    plt.close(fig)


@pytest.mark.parametrize("penalty, mark", [
    ("weight decay", r"\|W\|_F^2 + \|W^{*}\|_F^2"),
    ("tied", r"W^{*} = W^{\top}"),
    ("sparsity", r"\hat{\rho}_l"),
    ("contractive", r"\partial \mathbf{h} / \partial \mathbf{x}"),
    ("noise", r"\tilde{\mathbf{x}}"),
])
def test_each_penalty_is_marked_with_its_formula(penalty, mark):
    fig = architecture_diagram(penalty)
    texts = _texts(fig)
    assert "penalty: " + penalty in texts
    assert any(mark in t for t in texts), f"{mark!r} not among {texts}"
    assert mark not in _joined(architecture_diagram())   # only drawn when asked for
    fig.canvas.draw()
    plt.close("all")


def test_weight_decay_colours_both_weight_bundles_and_sparsity_the_code():
    def colours(fig):
        return {matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].lines}

    assert colours(architecture_diagram()) == {matplotlib.colors.to_hex("0.72")}
    assert colours(architecture_diagram("weight decay")) == {"#c0392b"}
    assert len(colours(architecture_diagram("tied"))) == 2   # only the decoder's W* marked
    sparse = architecture_diagram("sparsity").axes[0]
    marked = [p for p in sparse.patches
              if matplotlib.colors.to_hex(p.get_edgecolor()) == "#c0392b"]
    assert len(marked) == 3                                  # the k = 3 code units drawn
    plt.close("all")


def test_draws_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    assert architecture_diagram("noise", ax=right) is fig
    assert not left.texts and right.texts
    plt.close(fig)


@pytest.mark.parametrize("bad", ["dropout", "Weight Decay", "", 3])
def test_unknown_penalty_is_refused_with_the_valid_names(bad):
    with pytest.raises(ValueError) as info:
        architecture_diagram(bad)
    message = str(info.value)
    assert repr(bad) in message
    for name in PENALTIES:
        assert repr(name) in message
