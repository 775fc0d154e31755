"""The command line: ``python -m course_ae train ...`` and ``python -m course_ae exercises``.

``train`` fits one autoencoder variant to a data set and writes into ``--out``:

    reconstructions.png   originals (top) and their reconstructions (bottom)
    filters.png           the max-activating input W_l/‖W_l‖ of each hidden unit
    training_curve.png    the objective per epoch (train, and validation)
    history.json          the same numbers, with the options used
    model.pt              the trained weights (``course_ae.nn.load`` reads them)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

MODELS = ("vanilla", "linear", "denoising", "sparse", "contractive")
DATASETS = ("digits", "mnist")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {value}")
    return value


def _nonnegative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number ≥ 0, got {text}")
    return value


def _positive(text: str) -> float:
    value = _nonnegative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number > 0, got 0")
    return value


def _fraction(text: str) -> float:
    value = _nonnegative(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_ae",
        description="The course-ae command line: train an autoencoder, or generate the exercises.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,exercises}")

    t = sub.add_parser(
        "train",
        help="train one autoencoder variant and write its figures, history and weights",
        description="Train one autoencoder variant (course_ae.nn) on a data set and write "
        "reconstructions.png, filters.png, training_curve.png, history.json and model.pt "
        "into --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    t.add_argument("--model", choices=MODELS, default="vanilla",
                   help="vanilla: sigmoid encoder/decoder, cross-entropy; linear: linear encoder and "
                   "decoder, squared error (the PCA case); denoising: vanilla trained on masked inputs; "
                   "sparse: vanilla + KL sparsity penalty; contractive: vanilla + Jacobian penalty")
    t.add_argument("--data", choices=DATASETS, default="digits",
                   help="digits: scikit-learn's 8x8 digits (no download); mnist: the MNIST test set "
                   "(from --data-dir, COURSE_AE_DATA, or the user cache, downloaded when missing)")
    t.add_argument("--data-dir", default=None, help="folder holding the MNIST IDX files")
    t.add_argument("--hidden", type=_positive_int, default=32, metavar="K", help="hidden units k")
    t.add_argument("--epochs", type=_positive_int, default=30, help="passes over the data")
    t.add_argument("--batch-size", type=_positive_int, default=64, help="examples per minibatch")
    t.add_argument("--lr", type=_positive, default=1e-2, help="learning rate")
    t.add_argument("--optimizer", choices=("adam", "sgd"), default="adam", help="torch.optim optimizer")
    t.add_argument("--n-images", type=_positive_int, default=None,
                   help="train on a random subset of this many images (default: all)")
    t.add_argument("--val-fraction", type=_nonnegative, default=0.2,
                   help="fraction of the images held out for validation (0 for none)")
    t.add_argument("--noise-level", type=_nonnegative, default=0.25,
                   help="denoising: the masking probability q (entries set to 0, no rescaling)")
    t.add_argument("--weight-decay", type=_nonnegative, default=0.0, help="λ of the weight decay")
    t.add_argument("--tied", action="store_true", help="tie the decoder to the encoder: W* = Wᵀ")
    t.add_argument("--sparsity-target", type=_fraction, default=0.05, help="sparse: ρ")
    t.add_argument("--sparsity-weight", type=_nonnegative, default=0.1, help="sparse: β")
    t.add_argument("--contractive-weight", type=_nonnegative, default=0.1, help="contractive: λ_c")
    t.add_argument("--seed", type=int, default=0, help="seed of the initialisation, shuffling and noise")
    t.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    t.add_argument("--out", type=Path, default=None,
                   help="output folder (default: out/<model>-<data>)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("exercises", help="generate exercises/ from solutions/ (see course_ae.exercises)",
                       add_help=False)
    e.add_argument("rest", nargs=argparse.REMAINDER)
    sub.add_parser("grade", help="grade submitted exercise notebooks (see course_ae.grading)", add_help=False)
    return parser


def _config(args: argparse.Namespace):
    from .reference import Config

    common = {"weight_decay": args.weight_decay, "tied": args.tied}
    if args.model == "linear":
        return Config(encoder="linear", decoder="linear", loss="squared_error", **common)
    if args.model == "sparse":
        return Config(loss="cross_entropy", sparsity_target=args.sparsity_target,
                      sparsity_weight=args.sparsity_weight, **common)
    if args.model == "contractive":
        return Config(loss="cross_entropy", contractive_weight=args.contractive_weight, **common)
    return Config(loss="cross_entropy", **common)


def _load(args: argparse.Namespace):
    from . import data

    if args.data == "digits":
        X, _ = data.load_digits()
        return X, (8, 8)
    X, _ = data.load_mnist(args.data_dir)
    return X, (28, 28)


def train_command(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from . import data, nn, plotting

    try:
        X, image_shape = _load(args)
    except data.MnistError as exc:
        print(f"error: the MNIST data set is not available.\n{exc}\n"
              "On the command line: --data-dir FOLDER names the folder with the IDX files. "
              "Or train on the embedded digits: --data digits", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(X))
    if args.n_images is not None:
        if args.n_images > len(X):
            print(f"error: --n-images {args.n_images} is more than the {len(X)} images of {args.data}",
                  file=sys.stderr)
            return 2
        order = order[: args.n_images]
    n_val = int(round(args.val_fraction * len(order))) if args.val_fraction < 1 else 0
    X_train, X_val = X[order[n_val:]], (X[order[:n_val]] if n_val else None)
    if len(X_train) == 0:
        print("error: no training images left; lower --val-fraction", file=sys.stderr)
        return 2

    config = _config(args)
    model = nn.Autoencoder(X.shape[1], args.hidden, config, device=args.device, seed=args.seed)
    noise = "masking" if args.model == "denoising" else None
    history = nn.train(model, X_train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       optimizer=args.optimizer, noise=noise,
                       noise_level=args.noise_level if noise else 0.0, seed=args.seed,
                       X_val=X_val, progress=not args.quiet)

    out = args.out or Path("out") / f"{args.model}-{args.data}"
    out.mkdir(parents=True, exist_ok=True)
    shown = (X_val if X_val is not None else X_train)[:10]
    import torch

    with torch.no_grad():
        recon = model(shown).cpu().numpy()
    fig = plotting.reconstruction_grid(shown, [recon], image_shape, row_labels=[f"{args.model}, k={args.hidden}"])
    fig.savefig(out / "reconstructions.png", dpi=100)
    plt.close(fig)
    W = model.to_reference()["W"]
    fig = plotting.filter_grid(W[:min(len(W), 100)], image_shape, ncols=10,
                               title=f"max-activating inputs W_l/‖W_l‖ ({args.model})")
    fig.savefig(out / "filters.png", dpi=100)
    plt.close(fig)
    curves = {"train": history.train}
    if history.val:
        curves["validation"] = history.val
    fig = plotting.plot_curves(curves, title=f"{args.model} autoencoder on {args.data}")
    fig.savefig(out / "training_curve.png", dpi=100)
    plt.close(fig)
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "command"}
    (out / "history.json").write_text(json.dumps(
        {"options": options, "config": config.to_dict(), "history": history.to_dict()}, indent=2) + "\n")
    nn.save(model, out / "model.pt")
    last = f"train {history.train[-1]:.4g}" + (f", validation {history.val[-1]:.4g}" if history.val else "")
    print(f"trained {args.model} (k={args.hidden}) on {len(X_train)} {args.data} images for "
          f"{args.epochs} epochs: final objective {last}")
    print(f"wrote reconstructions.png, filters.png, training_curve.png, history.json, model.pt to {out}")
    return 0


def grade_command(argv: Sequence[str]) -> int:
    """``python -m course_ae grade SUBMISSIONS_DIR --out grades.csv``: see course_ae.grading."""
    from . import grading

    return grading.main(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["exercises"]:
        from . import exercises

        return exercises.main(argv[1:])
    if argv[:1] == ["grade"]:
        return grade_command(argv[1:])
    args = build_parser().parse_args(argv)
    return train_command(args)
