"""The ``sparse-parts`` command: argument parsing and ``main``.

``sparse-parts compare`` fits the models of Tables 1 and 2 of the reference study (B.
Ponchon's 2018 internship report, :mod:`sparse_parts.study.references`) on
Fashion-MNIST, the digits or the user's own images (``--data``) and measures them on
held-out test images (:func:`sparse_parts.study.compare`); ``sparse-parts front``
measures a grid of configurations and scikit-learn's peers on the same protocol
(:func:`sparse_parts.study.front.front`). This module turns options into their
settings and their outcome into an exit status: 0 when done, 2 for bad options or
unusable ``--data`` / ``--labels`` files, 130 after Ctrl-C (what was finished is kept).
"""

import argparse
import dataclasses
import os
import sys

from . import __version__
from .study import (
    DATASETS,
    FAMILIES,
    GRID,
    MODELS,
    CompareOptions,
    FrontOptions,
    StudyError,
    compare,
    front,
    resolve_settings,
)
from .study.figures import FORMATS
from .study.files import prepare_output_folder
from .study.settings import BUDGETS, SVM_PROTOCOLS

__all__ = ["main", "build_parser"]

#: The exit status after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130

#: The flag of each parameter of the study package: its errors name parameters, the
#: command line speaks of flags (the only place that does).
FLAGS = {"data": "--data", "dataset": "--dataset", "labels": "--labels",
         "image_shape": "--image-shape", "n_train": "--n-train", "n_test": "--n-test",
         "n_components": "--n-components", "epochs": "--epochs", "seed": "--seed",
         "device": "--device", "models": "--models", "families": "--families",
         "quick": "--quick", "out": "--out", "budget": "--budget",
         "svm_protocol": "--svm-protocol", "figure_format": "--format", "dpi": "--dpi",
         "image_cmap": "--image-cmap"}


def _message(exc):
    """The one-line message of an error, with the study's parameters spelt as flags."""
    if isinstance(exc, StudyError):
        return exc.describe(FLAGS)
    message = str(exc)
    if "image_shape" in message:  # the library's name for the option
        message += " On the command line: --image-shape HEIGHT WIDTH [CHANNELS]."
    return message


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


def _name_list(choices, kind):
    """An argparse type: comma-separated names, each one of ``choices``."""
    def parse(text):
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} {', '.join(map(repr, unknown)) or repr(text)}; "
                f"choose from {', '.join(choices)}")
        return names
    return parse


def _add_data_options(parser):
    """The images a run works on: a built-in data set or the user's (both commands)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=DATASETS, default=None,
                        help="default: fashion-mnist if its files are on disk (no "
                             "download), else digits")
    source.add_argument("--data", metavar="PATH", default=None,
                        help="your own images instead: a .npy/.npz array of shape "
                             "(n, height, width), (n, height, width, channels) for colour, "
                             "or (n, height*width*channels) with --image-shape, or a folder "
                             "of PNG/JPEG files of one size; colour is kept (see --grey). A "
                             "third is held out (seeded by --seed, stratified by --labels)")
    parser.add_argument("--labels", metavar="PATH", default=None,
                        help="one integer class per image of --data (.npy, .txt or .csv; "
                             "folder images in the order of their names); without it the "
                             "SVM accuracy is left out")
    parser.add_argument("--image-shape", type=_image_side, nargs="+", default=None,
                        metavar="SIDE",
                        help="HEIGHT WIDTH [CHANNELS]: the image shape of a --data array "
                             "of shape (n, height*width*channels), channels last; one may "
                             "be -1")
    parser.add_argument("--grey", action="store_true",
                        help="convert colour images to grey (luma) instead of keeping the "
                             "colour: the --data images, or --dataset photo-patches")


def _add_run_options(parser, out, jobs_help):
    """Where and how a run works: the same options for both commands."""
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="where the auto-encoders train (default: auto)")
    parser.add_argument("--budget", choices=BUDGETS, default="fast",
                        help="training budget: fast (this package's defaults) or study "
                             "(the report's: auto-encoders 500 epochs of Adadelta, lr 1.0, "
                             "batch 128; sparse NMF fitted on the test images themselves, "
                             "as the report did); default: fast")
    parser.add_argument("--svm-protocol", choices=SVM_PROTOCOLS, default="linear",
                        help="how the SVM accuracy is measured: linear (the report's "
                             "linear SVM and C grid on all test codes, C chosen on half, "
                             "accuracy by repeated stratified 5-fold x 4 on the other "
                             "half), report (the report's exact procedure: 25 scores on "
                             "100 codes each, to show its spread) or rbf (a tuned RBF SVM "
                             "on a subset); default: linear")
    parser.add_argument("--quick", action="store_true",
                        help="fewer models, epochs, samples and SVM splits: a few minutes "
                             "on a laptop CPU")
    parser.add_argument("--out", default=out, help=f"output folder (default: {out})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--threads", type=_positive_int, default=1,
                        help="CPU threads for torch and BLAS per process (default: 1; on a "
                             "shared 2-core machine two threads made the small "
                             "auto-encoders up to 16x slower)")
    parser.add_argument("--jobs", type=_positive_int, default=1, help=jobs_help)
    parser.add_argument("--no-figures", action="store_true", help="skip the figures")
    parser.add_argument("--format", dest="figure_format", choices=FORMATS, default="png",
                        help="file format of every figure (default: png)")
    parser.add_argument("--dpi", type=_positive_int, default=150,
                        help="resolution of the figures, dots per inch (default: 150)")
    parser.add_argument("--image-cmap", choices=("auto", "gray_r", "gray"), default="auto",
                        help="grey scale of the images: gray_r inverted (white 0, ink on "
                             "paper), gray natural (black 0, photographs); auto: inverted "
                             "for fashion-mnist and digits, natural for --data "
                             "(default: auto)")


def build_parser():
    """The argument parser of the ``sparse-parts`` command."""
    parser = argparse.ArgumentParser(
        prog="sparse-parts",
        description="Part-based image representations: sparse NMF and sparse non-negative "
                    "auto-encoders.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    compare = commands.add_parser(
        "compare", help="fit the study's models and compare them with its Tables 1 and 2",
        description="Fit the models of Tables 1 and 2 of the reference study (B. Ponchon, "
                    "'Morphological Multi-scale Decompositions and efficient "
                    "representations with Auto-Encoders', internship report, Center for "
                    "Mathematical Morphology, MINES ParisTech, 2018; followed by Ponchon "
                    "et al., ISMM 2019, arXiv:1904.00763), measure them on held-out test "
                    "images and write results.csv, results.md and the figures into --out. "
                    "Fitted models are cached in --out/cache.")
    _add_data_options(compare)
    compare.add_argument("--models", type=_name_list(MODELS, "model"), nargs="+", default=None,
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
    compare.add_argument("--max-iter", type=_positive_int, default=None,
                         help="iterations of sparse NMF at most (default: 200; --quick on "
                              "Fashion-MNIST: 50)")
    _add_run_options(compare, "compare_out",
                     "rows fitted and measured in parallel worker processes (default: 1). "
                     "Each worker uses --threads threads; on a GPU several small models "
                     "share the device, which one model leaves mostly idle")
    _add_front_parser(commands)
    return parser


def _add_front_parser(commands):
    front = commands.add_parser(
        "front", help="measure a grid of configurations and peers: the trade-off fronts",
        description="Fit a grid of sparse NMF and auto-encoder configurations and "
                    "scikit-learn's NMF and dictionary learners on the compare protocol "
                    "(default: Fashion-MNIST, k = 100); write front.csv, front.md and "
                    "front.png into --out. Fitted models are cached in --out/cache.")
    _add_data_options(front)
    front.add_argument("--families", type=_name_list(FAMILIES, "family"), nargs="+",
                       default=None, metavar="FAMILY",
                       help=f"subset of {', '.join(FAMILIES)} (space or comma separated; "
                            "default: all)")
    front.add_argument("--configs", type=_config_list, nargs="+", default=None,
                       metavar="FAMILY/NAME",
                       help="only these configurations of the grid, named as in front.md "
                            "(e.g. nmf/code-l1-0.02; space or comma separated); measured "
                            "even where --quick's subset leaves them out")
    _add_run_options(front, "front_out",
                     "configurations measured in parallel worker processes (default: 1)")


def _config_list(text):
    """An argparse type: comma-separated ``family/name`` of configurations of the grid."""
    import difflib

    known = {f"{c.family}/{c.name}" for c in GRID}
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names or [text]:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else (
                "; the names are family/config as in the front's report, e.g. "
                "nmf/code-l1-0.02")
            raise argparse.ArgumentTypeError(f"unknown configuration {name!r}{hint}")
    return names


def _error(parser, command, exc):
    """Exit 2 with the one line of a bad option or unusable file (before any fit)."""
    parser.exit(2, f"sparse-parts {command}: error: {_message(exc)}\n")


def _figure_options(args):
    return dict(figures=not args.no_figures, figure_format=args.figure_format, dpi=args.dpi,
                image_cmap=args.image_cmap)


def _front(parser, args, command):
    families = None if args.families is None else [f for group in args.families for f in group]
    grid = None
    if args.configs is not None:
        named = {name for group in args.configs for name in group}
        # Named configurations are measured whatever --quick's subset says.
        grid = [dataclasses.replace(c, quick=True) for c in GRID
                if f"{c.family}/{c.name}" in named]
        families = sorted({c.family for c in grid} & set(families or FAMILIES))
        if not families:
            parser.exit(2, "sparse-parts front: error: none of the --configs is in the "
                           "--families given.\n")
    autoencoders = families is None or bool({"shallow", "asym"} & set(families))
    try:
        # The device is resolved (loading torch) only when an auto-encoder is measured.
        settings = resolve_settings(args.dataset, quick=args.quick, device=args.device,
                                    seed=args.seed, models=None if autoencoders else ["nmf"],
                                    data_path=args.data, labels=args.labels,
                                    image_shape=args.image_shape, grey=args.grey,
                                    budget=args.budget, svm_protocol=args.svm_protocol)
        prepare_output_folder(args.out)
    except ValueError as exc:
        _error(parser, "front", exc)
    options = FrontOptions(out=args.out, families=families, grid=grid, quick=args.quick,
                           jobs=args.jobs, threads=args.threads, command=command,
                           **_figure_options(args))
    try:
        front(settings, options)
    except StudyError as exc:
        _error(parser, "front", exc)
    except KeyboardInterrupt as interrupt:
        print(f"sparse-parts front: interrupted; {getattr(interrupt, 'rows_kept', 0)} "
              f"configuration(s) kept in {os.path.join(args.out, 'front.csv')}",
              file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    return 0


def _compare(parser, args, command):
    models = None if args.models is None else [m for group in args.models for m in group]
    try:
        settings = resolve_settings(
            args.dataset, quick=args.quick, n_train=args.n_train, n_test=args.n_test,
            n_components=args.n_components, epochs=args.epochs, device=args.device,
            seed=args.seed, models=models, data_path=args.data, labels=args.labels,
            image_shape=args.image_shape, grey=args.grey, budget=args.budget,
            svm_protocol=args.svm_protocol)
    except ValueError as exc:
        _error(parser, "compare", exc)
    if args.max_iter is not None:
        settings = dataclasses.replace(settings, nmf_max_iter=args.max_iter)
    try:
        prepare_output_folder(args.out)
    except ValueError as exc:
        parser.exit(2, f"sparse-parts compare: error: --out: {exc}\n")
    options = CompareOptions(out=args.out, models=models, quick=args.quick, jobs=args.jobs,
                             threads=args.threads, command=command, **_figure_options(args))
    try:
        compare(settings, options)
    except StudyError as exc:
        _error(parser, "compare", exc)
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
    if args.command == "front":
        return _front(parser, args, command)
    return 0
