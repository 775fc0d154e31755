"""The command line: ``python -m course_ae train ...`` and ``python -m course_ae exercises``.

``train`` fits one autoencoder variant to a data set and writes into ``--out``:

    reconstructions.png   originals (top) and their reconstructions (bottom)
    filters.png           the max-activating input W_l/‖W_l‖ of each hidden unit
    training_curve.png    the objective per epoch (train, and validation)
    history.json          the same numbers, with the options used
    model.pt              the trained weights (``course_ae.nn.load`` reads them;
                          ``course_ae.nn_deep.load_deep`` with ``--layers``)

``--layers 64,32,8,32,64`` trains a deep autoencoder (``course_ae.nn.DeepAutoencoder``)
with those widths instead of the one-layer model (``--model`` vanilla, linear or denoising).

Errors are one line on stderr, ``python -m course_ae <command>: error: <what and what
is expected>``, never a traceback: exit status 2 for a bad command line (checked
before any training starts: the options, the device, the data folder, the output
folder), 1 for a failure while running (MNIST unobtainable, a diverging run, no
memory, a disk error), 130 for Ctrl-C. The outputs are written into a temporary
folder beside ``--out`` and renamed into place at the end, so ``--out`` holds either
the previous run's files or the new run's, never a mix, whenever the run stops.

Each subcommand is one ``add_<name>_parser`` function (its options) and one
``<name>_command(args) -> int`` function (its work); ``main`` dispatches.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from . import options

MODELS = ("vanilla", "linear", "denoising", "sparse", "contractive")
DATASETS = ("digits", "mnist")
OUTPUTS = ("reconstructions.png", "filters.png", "training_curve.png", "history.json", "model.pt")
EXIT_USAGE, EXIT_FAILURE, EXIT_INTERRUPTED = options.EXIT_USAGE, 1, 130


class CommandError(Exception):
    """A failure to report as one line and an exit status (2: usage, 1: run time)."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


def usage_error(message: str) -> CommandError:
    return CommandError(message, EXIT_USAGE)


# ----------------------------------------------------------------------------- the parser
# Option types and the one-line-error parser: course_ae.options (shared with `grade`).


def _layers(text: str) -> list[int]:
    """``--layers 64,32,8,32,64``: the widths of a deep autoencoder, checked."""
    from .reference.deep import check_layers

    try:
        widths = [int(w) for w in text.split(",")]
        if min(widths) < 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated whole numbers ≥ 1 such as 64,32,8,32,64, got {text!r}") from None
    try:
        return list(check_layers(widths))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


DEEP_MODELS = ("vanilla", "linear", "denoising")  # the variants --layers supports


def _check_deep_args(args: argparse.Namespace) -> None:
    """--layers goes with --model vanilla, linear or denoising, without --tied (usage errors)."""
    if args.layers is None:
        return
    if args.model not in DEEP_MODELS or args.tied:
        raise usage_error(f"argument --layers: trains --model {', '.join(DEEP_MODELS)} without "
                          f"--tied; got --model {args.model}" + (" --tied" if args.tied else ""))


def _deep_model(args: argparse.Namespace, n_pixels: int):
    """The DeepAutoencoder of ``--layers`` (its first width checked against the data)."""
    from .nn_deep import DeepAutoencoder

    if args.layers[0] != n_pixels:
        raise usage_error(f"argument --layers: starts with {args.layers[0]}, but the {args.data} "
                          f"images have {n_pixels} pixels; start and end --layers with {n_pixels}")
    kind = "linear" if args.model == "linear" else "sigmoid"
    loss = "squared_error" if args.model == "linear" else "cross_entropy"
    return DeepAutoencoder(args.layers, kind, loss=loss, weight_decay=args.weight_decay,
                           device=args.device, seed=args.seed)


def _size(args: argparse.Namespace) -> str:
    """The model's size as the outputs name it: k=32, or the widths of --layers."""
    return f"k={args.hidden}" if args.layers is None else "layers " + ",".join(map(str, args.layers))


def add_train_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    t = sub.add_parser(
        "train",
        help="train one autoencoder variant and write its figures, history and weights",
        description="Train one autoencoder variant (course_ae.nn) on a data set and write "
        "reconstructions.png, filters.png, training_curve.png, history.json and model.pt "
        "into --out. Exit status: 0 done, 2 bad command line, 1 failed while running, "
        "130 interrupted (Ctrl-C; --out is then left as it was).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    t.add_argument("--model", choices=MODELS, default="vanilla",
                   help="vanilla: sigmoid encoder/decoder, cross-entropy; linear: linear encoder and "
                   "decoder, squared error (the PCA case); denoising: vanilla trained on masked inputs; "
                   "sparse: vanilla + KL sparsity penalty; contractive: vanilla + Jacobian penalty")
    t.add_argument("--data", choices=DATASETS, default="digits",
                   help="digits: scikit-learn's 8x8 digits (no download); mnist: the MNIST test set "
                   "(from --data-dir, COURSE_AE_DATA, or the user cache, downloaded when missing)")
    t.add_argument("--data-dir", type=Path, default=None,
                   help="an existing folder holding the MNIST IDX files (with --data mnist)")
    t.add_argument("--hidden", type=options.positive_int, default=32, metavar="K", help="hidden units k")
    t.add_argument("--layers", type=_layers, default=None, metavar="N,N1,...,N",
                   help="train a deep autoencoder with these widths, input first and last, e.g. "
                   "64,32,8,32,64 (sigmoid layers, cross-entropy; linear layers for --model linear); "
                   "replaces --hidden")
    t.add_argument("--epochs", type=options.positive_int, default=30, help="passes over the data")
    t.add_argument("--batch-size", type=options.positive_int, default=64, help="examples per minibatch")
    t.add_argument("--lr", type=options.positive, default=1e-2, help="learning rate")
    t.add_argument("--optimizer", choices=("adam", "sgd"), default="adam", help="torch.optim optimizer")
    t.add_argument("--n-images", type=options.positive_int, default=None,
                   help="train on a random subset of this many images (default: all)")
    t.add_argument("--val-fraction", type=options.fraction, default=0.2,
                   help="fraction of the images held out for validation, in (0, 1)")
    t.add_argument("--noise-level", type=options.nonnegative, default=0.25,
                   help="denoising: the masking probability q in [0, 1] (entries set to 0, no rescaling)")
    t.add_argument("--weight-decay", type=options.nonnegative, default=0.0, help="λ of the weight decay")
    t.add_argument("--tied", action="store_true", help="tie the decoder to the encoder: W* = Wᵀ")
    t.add_argument("--sparsity-target", type=options.fraction, default=0.05, help="sparse: ρ")
    t.add_argument("--sparsity-weight", type=options.nonnegative, default=0.1, help="sparse: β")
    t.add_argument("--contractive-weight", type=options.nonnegative, default=0.1, help="contractive: λ_c")
    t.add_argument("--seed", type=options.seed, default=0,
                   help=f"seed of the initialisation, shuffling and noise (0 to {options.SEED_MAX})")
    t.add_argument("--device", default=None,
                   help="torch device: cpu, cuda, cuda:1, ... (default: cuda when available, else cpu)")
    t.add_argument("--out", type=Path, default=None,
                   help="output folder: new, empty, or holding an earlier run's files, which are "
                   "replaced (default: out/<model>-<data>)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(run=train_command)
    return t


def add_exercises_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    e = sub.add_parser("exercises", help="generate exercises/ from solutions/ (see course_ae.exercises)",
                       add_help=False)
    e.add_argument("rest", nargs=argparse.REMAINDER)
    e.set_defaults(run=exercises_command)
    return e


def build_parser() -> argparse.ArgumentParser:
    parser = options.OneLineParser(
        prog="python -m course_ae",
        description=("The course-ae command line: train an autoencoder, generate the exercises, "
                     "or grade submitted exercise notebooks."),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,exercises,grade}")
    add_train_parser(sub)
    add_exercises_parser(sub)
    sub.add_parser("grade", help="grade submitted exercise notebooks (see course_ae.grading)",
                   add_help=False)
    return parser


# ----------------------------------------------------------------------------- train


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


def _out_folder(args: argparse.Namespace) -> Path:
    """``--out``, checked: a new folder, an empty one, or one holding only our outputs."""
    out = args.out if args.out is not None else Path("out") / f"{args.model}-{args.data}"
    if out.name in ("", ".", ".."):
        raise usage_error(f"argument --out: {str(out)!r} names no folder of its own; name a new folder "
                          "such as out/run1")
    if out.is_symlink():
        raise usage_error(f"argument --out: {out} is a symbolic link; name the folder itself "
                          f"({out.resolve()}) or a new one")
    if out.exists():
        if not out.is_dir():
            raise usage_error(f"argument --out: {out} exists and is not a folder; name a new folder "
                              "(or one from an earlier run)")
        try:
            foreign = sorted(p.name for p in out.iterdir() if p.name not in OUTPUTS)
        except OSError as exc:
            raise usage_error(f"argument --out: cannot list {out}: {exc.strerror or exc}") from None
        if foreign:
            shown = ", ".join(foreign[:3]) + (f", and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise usage_error(
                f"argument --out: {out} holds files this command did not write ({shown}); it "
                "replaces the whole folder, so name a new folder, an empty one, or one from an "
                "earlier run"
            )
    for parent in out.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise usage_error(f"argument --out: {out} lies under {parent}, which is a file")
            break
    return out


def _check_train_args(args: argparse.Namespace) -> Path:
    """Everything that can be checked before loading data and training; returns --out."""
    if args.model == "denoising" and not args.noise_level <= 1:
        raise usage_error(f"argument --noise-level: the masking probability q must lie in [0, 1] for "
                          f"--model denoising, got {args.noise_level:g}")
    if args.data_dir is not None:
        if args.data != "mnist":
            raise usage_error("argument --data-dir: only used with --data mnist (the digits are "
                              "embedded); drop it or add --data mnist")
        if not args.data_dir.is_dir():
            state = "is not a folder" if args.data_dir.exists() else "does not exist"
            raise usage_error(f"argument --data-dir: {args.data_dir} {state}; expected the folder "
                              "holding t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz")
    _check_deep_args(args)
    out = _out_folder(args)
    args.device = _check_device(args.device)
    return out


def _check_device(device: str | None):
    import torch

    from .nn import default_device

    if device is None:
        return default_device()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise usage_error(f"argument --device: {device!r} is not a torch device; expected cpu, cuda, "
                          "cuda:0, ... (or leave it out: cuda when available, else cpu)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise usage_error(f"argument --device: {device!r} asks for CUDA, but no CUDA device is "
                              "available on this machine; use --device cpu (or leave it out)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise usage_error(f"argument --device: {device!r}, but this machine has "
                              f"{torch.cuda.device_count()} CUDA device(s), cuda:0 to "
                              f"cuda:{torch.cuda.device_count() - 1}")
    elif dev.type != "cpu":
        try:
            if dev.type == "meta":  # tensors without data: nothing could be trained or plotted
                raise RuntimeError("meta")
            torch.empty(1, device=dev)
        except Exception:
            raise usage_error(f"argument --device: {device!r} is not available on this machine; "
                              "use --device cpu or cuda") from None
    return dev


def _load(args: argparse.Namespace):
    from . import data

    if args.data == "digits":
        X, _ = data.load_digits()
        return X, (8, 8)
    try:
        X, _ = data.load_mnist(args.data_dir)
    except data.MnistError as exc:
        raise CommandError(
            f"the MNIST data set is not available.\n{exc}\n"
            "On the command line: --data-dir FOLDER names the folder with the IDX files. "
            "Or train on the embedded digits: --data digits"
        ) from None
    except ValueError as exc:  # COURSE_AE_DATA naming a missing folder
        raise usage_error(str(exc)) from None
    return X, (28, 28)


def _split(args: argparse.Namespace, n_total: int):
    import numpy as np

    rng = np.random.default_rng(args.seed)
    order = rng.permutation(n_total)
    if args.n_images is not None:
        if args.n_images > n_total:
            raise usage_error(f"argument --n-images: {args.n_images} is more than the {n_total} "
                              f"images of {args.data}")
        order = order[: args.n_images]
    n_val = int(round(args.val_fraction * len(order)))
    if n_val == 0 or n_val == len(order):
        what = "no image for validation" if n_val == 0 else "no image for training"
        raise usage_error(f"argument --val-fraction: {args.val_fraction:g} of {len(order)} images "
                          f"leaves {what}; choose a fraction between 1/{len(order)} and "
                          f"1 - 1/{len(order)}")
    return order[n_val:], order[:n_val]


def _write_outputs(folder: Path, args, model, config, history, X_train, X_val, image_shape) -> None:
    import matplotlib.pyplot as plt
    import torch

    from . import nn, plotting

    shown = X_val[:10]
    with torch.no_grad():
        recon = model(shown).cpu().numpy()
    fig = plotting.reconstruction_grid(shown, [recon], image_shape,
                                       row_labels=[f"{args.model}, {_size(args)}"])
    fig.savefig(folder / "reconstructions.png", dpi=100)
    plt.close(fig)
    W = model.to_reference()["W" if args.layers is None else "W1"]
    fig = plotting.filter_grid(W[:min(len(W), 100)], image_shape, ncols=10,
                               title=f"max-activating inputs W_l/‖W_l‖ ({args.model})")
    fig.savefig(folder / "filters.png", dpi=100)
    plt.close(fig)
    curves = {"train": history.train}
    if history.val:
        curves["validation"] = history.val
    fig = plotting.plot_curves(curves, title=f"{args.model} autoencoder on {args.data}")
    fig.savefig(folder / "training_curve.png", dpi=100)
    plt.close(fig)
    options = {k: (str(v) if isinstance(v, Path) or k == "device" else v)
               for k, v in vars(args).items() if k not in ("command", "run")}
    if args.layers is None:
        described = {"config": config.to_dict()}
    else:
        from dataclasses import asdict

        described = {"model": {"layers": list(model.layers), **asdict(model.config)}}
    (folder / "history.json").write_text(json.dumps(
        {"options": options, **described, "history": history.to_dict()}, indent=2) + "\n")
    if args.layers is None:
        nn.save(model, folder / "model.pt")
    else:
        from .nn_deep import save_deep

        save_deep(model, folder / "model.pt")


def _replace_folder(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` at ``out``: two renames, with Ctrl-C ignored for
    the moment they take (a Ctrl-C then is dropped: the run has finished anyway)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals cannot reach this code anyway
        previous = None
    try:
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
            try:
                os.replace(out, old)  # onto the empty folder just made: atomic
            except BaseException:
                old.rmdir()
                raise
            try:
                os.replace(new, out)
            except BaseException:
                os.replace(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(new, out)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def train_command(args: argparse.Namespace) -> int:
    out = _check_train_args(args)  # usage errors, before any data is loaded or trained on

    import matplotlib

    matplotlib.use("Agg")

    from . import nn

    X, image_shape = _load(args)
    train_idx, val_idx = _split(args, len(X))
    X_train, X_val = X[train_idx], X[val_idx]
    config = _config(args)

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
    except OSError as exc:
        raise CommandError(f"cannot write the outputs beside {out}: {exc.strerror or exc}") from None
    try:
        try:
            if args.layers is not None:
                model = _deep_model(args, X.shape[1])
            else:
                model = nn.Autoencoder(X.shape[1], args.hidden, config, device=args.device,
                                       seed=args.seed)
        except MemoryError:
            option = (("--hidden", args.hidden) if args.layers is None
                      else ("--layers", ",".join(map(str, args.layers))))
            raise CommandError(f"not enough memory for a model with {option[0]} {option[1]} on "
                               f"{args.device}; choose a smaller {option[0]}") from None
        noise = "masking" if args.model == "denoising" else None
        print(f"training {args.model} ({_size(args)}) on {len(X_train)} {args.data} images for "
              f"{args.epochs} epochs on {args.device}", flush=True)
        try:
            history = nn.train(model, X_train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                               optimizer=args.optimizer, noise=noise,
                               noise_level=args.noise_level if noise else 0.0, seed=args.seed,
                               X_val=X_val, progress=not args.quiet)
        except FloatingPointError as exc:
            raise CommandError(f"{exc} Nothing was written to {out}.") from None
        except MemoryError:
            raise CommandError(f"ran out of memory while training; choose a smaller --hidden or "
                               f"--batch-size. Nothing was written to {out}.") from None
        try:
            _write_outputs(work, args, model, config, history, X_train, X_val, image_shape)
            _replace_folder(work, out)
        except OSError as exc:
            raise CommandError(f"cannot write the outputs to {out}: {exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gone already when the run succeeded

    last = f"train {history.train[-1]:.4g}" + (f", validation {history.val[-1]:.4g}" if history.val else "")
    print(f"trained {args.model} ({_size(args)}) on {len(X_train)} {args.data} images for "
          f"{args.epochs} epochs: final objective {last}")
    print(f"wrote {', '.join(OUTPUTS)} to {out}")
    return 0


# ----------------------------------------------------------------------------- exercises


def exercises_command(args: argparse.Namespace) -> int:
    from . import exercises

    return exercises.main(args.rest)


def grade_command(argv: Sequence[str]) -> int:
    """``python -m course_ae grade SUBMISSIONS_DIR --out grades.csv``: see course_ae.grading."""
    from . import grading

    return grading.main(list(argv))


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = "python -m course_ae" + (f" {argv[0]}" if argv[:1] and not argv[0].startswith("-") else "")
    try:
        if argv[:1] == ["exercises"]:  # its own options, parsed by course_ae.exercises
            return exercises_command(argparse.Namespace(rest=argv[1:]))
        if argv[:1] == ["grade"]:  # its own options, parsed by course_ae.grading
            return grade_command(argv[1:])
        args = build_parser().parse_args(argv)
        return args.run(args)
    except CommandError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        left = "; the output folder was left as it was" if argv[:1] == ["train"] else ""
        print(f"\n{prog}: interrupted (Ctrl-C){left}", file=sys.stderr)
        return EXIT_INTERRUPTED
