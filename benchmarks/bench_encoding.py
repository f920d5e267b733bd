"""Encoding speed: ``transform`` of the held-out test images, ours against the peers.

The measurement behind the goal "a shipped auto-encoder encodes the 10,000
Fashion-MNIST test images at least 10x faster than the fastest peer's ``transform``
on this CPU, at the same thread count, measured in one run".

Every model is a point of ``sparse-parts front``'s grid
(:data:`sparse_parts.study.catalog.GRID`, built by
:func:`~sparse_parts.study.estimators.make_estimator` with the front's settings, k and
budgets), so a peer encodes exactly as in the front: scikit-learn's ``NMF`` and
``MiniBatchNMF`` solve for the codes with the fitted atoms held fixed, the dictionary
learners run their positive lasso (``lasso_cd``) per image. How long that takes
depends on the atoms, so the peers are fitted with the front's full budget. With
``--cache DIR [DIR ...]`` the models of front runs whose output folders are the
``DIR`` are loaded from their ``DIR/cache`` (same key as the front's); models found in
none are fitted and stored in the first ``DIR/cache`` (so a folder of one's own can be
named first, and a running front's folder is only read), or with ``--only-cached``
left out.

For each thread count of ``--threads`` (BLAS / OpenMP pools and torch limited
together), every model encodes the test images once to warm up, then ``--repeats``
times, the models taking turns (round-robin) so that the load of a shared machine
hits them alike. The table gives the median and the fastest call, images per second
and the speed-up over the fastest peer at the same thread count (the peer's median
time over the model's).

An auto-encoder's encoder is a fixed sequence of dense or convolutional layers,
BatchNorm with running statistics, LeakyReLU and a sigmoid (denormals flushed): its
cost does not depend on the trained weights. ``--ae-epochs N`` therefore trains the
auto-encoders the cache lacks for only N epochs (an asymmetric one needs more than
30 minutes for the front's 20 epochs on a 2-core CPU); the timing stays that of the
front's model. (Not so with ``code_projection``, whose projection iterates: keep
such configurations at their full budget.)

Run (from the repository root)::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_encoding.py --dataset digits
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_encoding.py \\
        --dataset fashion-mnist --cache front_out --ae-epochs 1 --threads 1 2
"""

import argparse
import functools
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sparse_parts.study.cache import cache_key, fit_or_load_estimator  # noqa: E402
from sparse_parts.study.catalog import GRID  # noqa: E402
from sparse_parts.study.data import load_data  # noqa: E402
from sparse_parts.study.estimators import budget_of, make_estimator  # noqa: E402
from sparse_parts.study.peers import PEERS  # noqa: E402
from sparse_parts.study.settings import complete_settings, resolve_settings  # noqa: E402
from sparse_parts.study.threads import thread_limits  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001 - logs are read while running

_AUTOENCODERS = ("shallow", "asym")

#: One configuration of every peer family (no regularisation, or the front's quick
#: point for the dictionary learners), our shallow and asymmetric auto-encoders at the
#: study's p = 0.05, beta = 0.001, and SparseNMF at the study's S_h = 0.6 for reference.
DEFAULT_CONFIGS = (
    "sklearn-nmf/cd-alpha0-l1r1",
    "sklearn-nmf/mu-alpha0-l1r1",
    "sklearn-minibatch-nmf/alpha0-l1r1",
    "sklearn-minibatch-dict/alpha0.1",
    "sklearn-dict/alpha0.1",
    "nmf/component-0.6",
    "shallow/kl-p0.05-beta0.001",
    "asym/kl-p0.05-beta0.001",
)


def select(names):
    """The grid's configurations named ``family/name``, or all of a ``family``."""
    by_key = {f"{c.family}/{c.name}": c for c in GRID}
    families = {c.family for c in GRID}
    chosen = []
    for name in names:
        if name in families:
            chosen += [c for c in GRID if c.family == name]
        elif name in by_key:
            chosen.append(by_key[name])
        else:
            raise SystemExit(f"bench_encoding: unknown configuration {name!r}; give "
                             f"family/name as in sparse_parts.study.catalog.GRID, or a "
                             f"family among {', '.join(sorted(families))}.")
    # Once each, in the order given (a Config holds a dict: not hashable).
    return list({f"{c.family}/{c.name}": c for c in chosen}.values())


def kind(config):
    """'peer', 'ae' (a shipped auto-encoder) or 'ref' (SparseNMF)."""
    if config.family in PEERS:
        return "peer"
    return "ae" if config.family in _AUTOENCODERS else "ref"


def _cache_holding(estimator, name, X_train, cache_dirs):
    """The first of ``cache_dirs`` that holds the fitted ``estimator``, or None."""
    key = cache_key(estimator, X_train)
    return next((d for d in cache_dirs if os.path.exists(os.path.join(d, f"{name}-{key}.pkl"))),
                None)


def obtain(config, settings, X_train, cache_dirs, ae_epochs, threads, only_cached=False):
    """``(fitted model or None, description)``: loaded from a cache or fitted here.

    A model fitted here is stored in ``cache_dirs[0]`` (kept in memory only when
    ``cache_dirs`` is empty). None, with the reason, for a model no cache holds when
    ``only_cached`` (an auto-encoder is then trained for ``ae_epochs`` when given).
    """
    estimator = make_estimator(config, settings)
    name = f"front-{config.family}-{config.name}"
    budget, unit = budget_of(config, settings)
    note = f"{budget} {unit}"
    holder = _cache_holding(estimator, name, X_train, cache_dirs)
    shortened = config.family in _AUTOENCODERS and ae_epochs is not None
    if only_cached and holder is None and not shortened:
        return None, "not in the cache: left out"
    if shortened and holder is None:
        # The encoder's cost does not depend on its weights (module docstring).
        estimator.set_params(max_epochs=ae_epochs)
        note = f"{ae_epochs} epoch(s) instead of {budget}: encoder cost independent of weights"
        holder = _cache_holding(estimator, name, X_train, cache_dirs)
    with thread_limits(threads, torch=True):
        if not cache_dirs:
            start = time.perf_counter()
            estimator.fit(X_train)
            seconds, cached = time.perf_counter() - start, False
        else:
            estimator, seconds, cached = fit_or_load_estimator(
                estimator, name, X_train, holder or cache_dirs[0], epochs=budget)
    source = f"from {holder}" if cached else "fitted here"
    return estimator, f"{note}, {source} (fit {seconds:.1f} s)"


def timed_transform(entry, X):
    """``(seconds, codes)`` of one ``transform(X)`` of ``entry["model"]``.

    Its warnings are not printed but kept in ``entry``: convergence warnings counted,
    the others' messages collected (said once each at the end).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        codes = entry["model"].transform(X)
        seconds = time.perf_counter() - start
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            entry["convergence"] += 1
        else:
            entry["other"].add(f"{w.category.__name__}: {w.message}")
    return seconds, codes


def measure(models, X_test, n_threads, repeats):
    """{key: [seconds]} of ``repeats`` round-robin calls per model, after one warm-up each.

    A peer that cannot encode (scikit-learn refuses all-zero atoms) is dropped with
    its reason; one whose codes are all zero is marked ``entry["zero"]``.
    """
    times = {}
    with thread_limits(n_threads, torch=True):
        for key, entry in list(models.items()):
            try:
                _, codes = timed_transform(entry, X_test)
            except ValueError as exc:
                print(f"  {key}: transform failed ({exc}); left out")
                del models[key]
                continue
            entry["zero"] = not np.any(codes)
            times[key] = []
        for _ in range(repeats):
            for key in times:
                times[key].append(timed_transform(models[key], X_test)[0])
    return times


def report(models, times, n_threads, n_images):
    """Print the table rows of one thread count; return its verdict line."""
    medians = {key: float(np.median(t)) for key, t in times.items()}
    # A peer regularised into all-zero codes encodes nothing: not a competitor.
    peers = [key for key in times if models[key]["kind"] == "peer" and not models[key]["zero"]]
    ours = [key for key in times if models[key]["kind"] == "ae"]
    fastest_peer = min(peers, key=medians.get) if peers else None
    for key, t in times.items():
        ratio = ("" if fastest_peer is None
                 else f"{medians[fastest_peer] / medians[key]:.1f}x")
        if models[key]["zero"]:
            ratio += " (all-zero codes)"
        print(f"| {key} | {n_threads} | {medians[key]:.4f} | {min(t):.4f} | "
              f"{n_images / medians[key]:,.0f} | {ratio} |")
    if fastest_peer is None or not ours:
        return f"{n_threads} thread(s): no peer or no auto-encoder measured, no verdict"
    best = min(ours, key=medians.get)
    ratio = medians[fastest_peer] / medians[best]
    return (f"{n_threads} thread(s): fastest peer {fastest_peer} {medians[fastest_peer]:.4f} s, "
            f"fastest shipped auto-encoder {best} {medians[best]:.4f} s: {ratio:.1f}x "
            f"-> {'>= 10x: goal met' if ratio >= 10 else '< 10x: goal NOT met'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("fashion-mnist", "digits"),
                        default="fashion-mnist")
    parser.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS),
                        metavar="FAMILY/NAME",
                        help="front configurations, or whole families (default: one per "
                             "peer family, shallow and asymmetric AE, SparseNMF)")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", nargs="+", default=[], metavar="DIR",
                        help="front runs' output folders: models in their DIR/cache are "
                             "loaded, new fits stored in the first")
    parser.add_argument("--ae-epochs", type=int, metavar="N",
                        help="train the auto-encoders the cache lacks for N epochs only")
    parser.add_argument("--only-cached", action="store_true",
                        help="leave out the models no DIR/cache holds instead of fitting them "
                             "(auto-encoders excepted under --ae-epochs)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.repeats < 1 or min(args.threads) < 1:
        parser.error("--repeats and --threads take positive integers.")
    if args.ae_epochs is not None and args.ae_epochs < 1:
        parser.error("--ae-epochs takes a positive integer.")
    if args.only_cached and not args.cache:
        parser.error("--only-cached goes with --cache DIR.")
    configs = select(args.configs)

    import sklearn
    import torch

    settings = resolve_settings(args.dataset, seed=args.seed)
    X_train, _, X_test, _, image_shape = load_data(settings)
    settings = complete_settings(settings, X_train.shape[0], X_test.shape[0], image_shape)
    cache_dirs = [os.path.join(folder, "cache") for folder in args.cache]
    print(f"{settings.dataset}: {X_train.shape[0]} training, {X_test.shape[0]} test images "
          f"{image_shape}, k = {settings.n_components}; torch {torch.__version__}, "
          f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"{os.cpu_count()} CPUs; caches {', '.join(cache_dirs) or 'none'}")
    if args.ae_epochs is not None:
        print(f"--ae-epochs {args.ae_epochs}: an auto-encoder missing from the cache trains "
              f"for {args.ae_epochs} epoch(s) only. Its encoder (dense or convolutional "
              "layers, BatchNorm with running statistics, LeakyReLU, sigmoid) costs the "
              "same whatever its trained weights, so its encoding time stands for the "
              "front's model.")

    models = {}
    for config in configs:
        key = f"{config.family}/{config.name}"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                model, note = obtain(config, settings, X_train, cache_dirs, args.ae_epochs,
                                     max(args.threads), args.only_cached)
            except ValueError as exc:
                if kind(config) != "peer":
                    raise
                print(f"  {key}: fit failed ({exc}); left out")
                continue
        fit_warnings = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        print(f"  {key}: {note}" + (f", {fit_warnings} convergence warning(s) in fitting"
                                    if fit_warnings else ""))
        if model is None:
            continue
        models[key] = {"model": model, "kind": kind(config), "convergence": 0, "other": set()}

    verdicts = []
    print(f"\ntransform of {X_test.shape[0]} test images: one warm-up, then median and "
          f"min of {args.repeats} round-robin calls (wall clock); speed-up = the fastest "
          "peer's median over the model's\n")
    print("| model | threads | median s | min s | images/s | speed-up vs fastest peer |")
    print("|---|---|---|---|---|---|")
    for n_threads in args.threads:
        times = measure(models, X_test, n_threads, args.repeats)
        verdicts.append(report(models, times, n_threads, X_test.shape[0]))
    print()
    for key, entry in models.items():
        if entry["convergence"]:
            print(f"{key}: {entry['convergence']} convergence warning(s) while encoding "
                  "(its solver stopped at its iteration limit)")
        for message in sorted(entry["other"]):
            print(f"{key}: while encoding, {message}")
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
