"""The ``sparse-parts`` command: argument parsing and ``main``.

``sparse-parts compare`` fits the models of Tables 1 and 2 of the reference study
(sparse NMF with S_h = 0.6; the shallow and the asymmetric auto-encoders,
unconstrained and with the sparse non-negative (p, beta) rows) on Fashion-MNIST, the
digits or the user's own images (``--data``, ``--labels``, ``--image-shape``),
measures on held-out test images the reconstruction MSE, the Hoyer sparsity of the codes, the
max-approximation error to dilation by disk(1) and the accuracy of an RBF SVM on the
codes, prints the table and writes ``results.csv``, ``results.md`` (the study's
numbers beside ours) and PNG figures into ``--out``. The work itself is
:func:`sparse_parts.study.compare`; this module turns options into its settings and
its outcome into an exit status: 0 when done, 2 for bad options or unusable
``--data`` / ``--labels`` files, 130 after Ctrl-C (the rows already finished are
kept).
"""

import argparse
import os
import sys

from .study import DATASETS, MODELS, CompareOptions, DataError, compare, resolve_settings
from .study.files import prepare_output_folder

__all__ = ["main", "build_parser"]

#: The exit status after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _image_side(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1 and value != -1:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer (or -1 for one side), got {text!r}")
    return value


def _model_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model {', '.join(map(repr, unknown)) or repr(text)}; "
            f"choose from {', '.join(MODELS)}")
    return names


def build_parser():
    """The argument parser of the ``sparse-parts`` command."""
    parser = argparse.ArgumentParser(
        prog="sparse-parts",
        description="Part-based image representations: sparse NMF and sparse non-negative "
                    "auto-encoders.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    compare = commands.add_parser(
        "compare", help="fit the study's models and compare them with its Tables 1 and 2",
        description="Fit the reference study's models (Tables 1 and 2), measure them on "
                    "held-out test images and write results.csv, results.md and PNG "
                    "figures into --out. Fitted models are cached in --out/cache.")
    source = compare.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=DATASETS, default=None,
                        help="default: fashion-mnist if its files are on disk (no "
                             "download), else digits")
    source.add_argument("--data", metavar="PATH", default=None,
                        help="your own grey images instead: a .npy/.npz array of shape "
                             "(n, height, width), or (n, height*width) with --image-shape, "
                             "or a folder of PNG/JPEG files of one size. A third is held out "
                             "(seeded by --seed, stratified by --labels)")
    compare.add_argument("--labels", metavar="PATH", default=None,
                         help="one integer class per image of --data (.npy, .txt or .csv; "
                              "folder images in the order of their names); without it the "
                              "SVM accuracy is left out")
    compare.add_argument("--image-shape", type=_image_side, nargs=2, default=None,
                         metavar=("HEIGHT", "WIDTH"),
                         help="the image size of a --data array of shape (n, height*width); "
                              "one side may be -1")
    compare.add_argument("--models", type=_model_list, nargs="+", default=None,
                         metavar="MODEL",
                         help=f"subset of {', '.join(MODELS)} (space or comma separated; "
                              "default: all)")
    compare.add_argument("--epochs", type=_positive_int, default=None,
                         help="training epochs of the auto-encoders (default: 20 on "
                              "Fashion-MNIST, 300 on the digits; --quick: 5 / 100; on --data "
                              "about 3,000 steps of 128 images, 20 to 300 epochs)")
    compare.add_argument("--n-train", type=_positive_int, default=None,
                         help="number of training images (default: all; --quick: 5000 on "
                              "Fashion-MNIST)")
    compare.add_argument("--n-test", type=_positive_int, default=None,
                         help="number of held-out test images (default: 10000 on "
                              "Fashion-MNIST, 599 on the digits; --quick: 2000 / 599)")
    compare.add_argument("--n-components", type=_positive_int, default=None,
                         help="atoms per model (default: 100 on Fashion-MNIST, 36 on the "
                              "8x8 digits, min(100, pixels // 2, training images // 2) on "
                              "--data)")
    compare.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                         help="where the auto-encoders train (default: auto)")
    compare.add_argument("--quick", action="store_true",
                         help="fewer rows, epochs, samples and SVM splits: a few minutes "
                              "on a laptop CPU")
    compare.add_argument("--out", default="compare_out",
                         help="output folder (default: compare_out)")
    compare.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    compare.add_argument("--threads", type=_positive_int, default=1,
                         help="CPU threads for torch and BLAS (default: 1; on a shared "
                              "2-core machine two threads made the small auto-encoders up "
                              "to 16x slower)")
    compare.add_argument("--jobs", type=_positive_int, default=1,
                         help="rows fitted and measured in parallel worker processes "
                              "(default: 1). Each worker uses --threads threads; on a GPU "
                              "several small models share the device, which one model "
                              "leaves mostly idle")
    compare.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return parser


def _compare(parser, args, command):
    models = None if args.models is None else [m for group in args.models for m in group]
    try:
        settings = resolve_settings(
            args.dataset, quick=args.quick, n_train=args.n_train, n_test=args.n_test,
            n_components=args.n_components, epochs=args.epochs, device=args.device,
            seed=args.seed, models=models, data_path=args.data, labels=args.labels,
            image_shape=args.image_shape)
    except ValueError as exc:
        parser.exit(2, f"sparse-parts compare: error: {exc}\n")
    try:
        prepare_output_folder(args.out)
    except ValueError as exc:
        parser.exit(2, f"sparse-parts compare: error: --out: {exc}\n")
    options = CompareOptions(out=args.out, models=models, quick=args.quick, jobs=args.jobs,
                             threads=args.threads, figures=not args.no_figures,
                             command=command)
    try:
        compare(settings, options)
    except DataError as exc:  # raised while loading, before anything is fitted
        message = str(exc)
        if "image_shape" in message:  # the library's name for the option
            message += " On the command line: --image-shape HEIGHT WIDTH."
        parser.exit(2, f"sparse-parts compare: error: {message}\n")
    except KeyboardInterrupt as interrupt:
        kept = getattr(interrupt, "rows_kept", 0)
        if kept:
            message = (f"interrupted: the {kept} finished row(s) are kept in "
                       f"{interrupt.results_path}, their models in "
                       f"{os.path.join(args.out, 'cache')}")
        else:
            message = f"interrupted before the first row was finished; no results in {args.out}"
        print(f"sparse-parts compare: {message}", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    return 0


def main(argv=None):
    """Entry point of the ``sparse-parts`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the command name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 when done, 130 when interrupted by Ctrl-C. Bad options, and ``--data`` or
        ``--labels`` files that cannot be used, exit with status 2 (``SystemExit``),
        with a one-line message on stderr.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    command = "sparse-parts " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.command == "compare":
        return _compare(parser, args, command)
    return 0
