"""SparseNMF's code_l1 path against scikit-learn's positive dictionary learning and NMF.

On three image sets that ship with the installed packages, held out:

- ``digits``: scikit-learn's 8x8 digits (1,297 train / 500 held out), k = 24;
- ``photos``: 12x12 patches of scikit-image's bundled photographs, in grey, pixels in
  [0, 1]: 4,000 training patches from twelve of them, 1,000 held-out patches from two
  others (``camera``, ``coffee``), k = 36;
- ``fashion``: Fashion-MNIST, 5,000 training / 2,000 held-out test images, k = 36.

Per set it prints: the path (``sparse_nmf_path``, default grid of 16 strengths, warm
points stopping on its ``path_tol``, at most 25 iterations each; and with ``--refine
N`` up to N points inserted into the front's widest gaps) with held-out MSE, Hoyer
sparsity of the codes (atoms at unit norm),
max-approximation error to dilation (disk(1)), the mean number and fraction of zero
codes and their evenness ``|h|_1 / (|h|_2 sqrt(L0))`` (Hoyer falls with L0 fixed
when the evenness rises); cold ``SparseNMF`` fits at every ``--cold-every``-th
strength (their monotonicity, and the path's cost as a multiple of one cold fit and
against separate fits); scikit-learn's ``MiniBatchDictionaryLearning(positive_code=
True, positive_dict=True)`` over ``alpha`` and ``NMF`` over ``alpha_W``
(``l1_ratio=1``), strengths scaled to the data's median sample norm so that the same
grid is fair on every set. For each peer point: whether the sweep, the refined path,
and the cold fits dominate it in (MSE, Hoyer), the path also with the
max-approximation, and if not, why (beyond the path's range, above its front, or in a
gap between two neighbours). Then the presets: ``balanced`` and ``morphological`` as
tuned on Fashion-MNIST and carried over to the set (``make_preset(name, k, X=X)``),
``online`` carried over (its budget in optimiser steps), each with the path points
and peers that dominate it or that it dominates. Times are process CPU seconds on one
BLAS thread.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_path.py \\
        [--sets digits photos fashion] [--cold-every 3] [--refine 8] [--refine-gap 0.05]
        [--path-tol 0]
"""

import argparse
import inspect
import os
import time
import warnings

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from sklearn.decomposition import NMF, MiniBatchDictionaryLearning  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sparse_parts import SparseNMF  # noqa: E402
from sparse_parts.metrics import hoyer_sparsity, reconstruction_error  # noqa: E402
from sparse_parts.morphology import apply_operator  # noqa: E402
from sparse_parts.path import sparse_nmf_path  # noqa: E402
from sparse_parts.presets import make_preset  # noqa: E402

STRENGTHS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)  # times the median sample norm


def load(name):
    """``(X_train, X_test, image_shape, k)`` of a set."""
    if name == "digits":
        from sklearn.datasets import load_digits

        X = load_digits().data / 16.0
        return X[:1297], X[1297:], (8, 8), 24
    if name == "photos":
        import skimage.data
        from skimage.color import rgb2gray
        from sklearn.feature_extraction.image import extract_patches_2d

        names = ["coins", "moon", "page", "text", "brick", "grass", "gravel", "clock",
                 "cell", "astronaut", "chelsea", "rocket", "camera", "coffee"]
        rng = np.random.RandomState(0)

        def patches(image_names, count):
            out = []
            for n in image_names:
                image = getattr(skimage.data, n)()
                image = rgb2gray(image) if image.ndim == 3 else image / 255.0
                out.append(extract_patches_2d(image, (12, 12), max_patches=count,
                                              random_state=rng).reshape(count, -1))
            return np.concatenate(out)

        train = patches(names[:12], 4000 // 12 + 1)[:4000]
        test = patches(names[12:], 500)
        return train, test, (12, 12), 36
    if name == "fashion":
        from sparse_parts.datasets import fetch_fashion_mnist

        X_train = fetch_fashion_mnist("train", download_if_missing=False).data[:5000]
        X_test = fetch_fashion_mnist("test", download_if_missing=False).data[:2000]
        return X_train.astype(np.float64), X_test.astype(np.float64), (28, 28), 36
    raise ValueError(name)


def code_counts(codes):
    """Mean non-zeros ``m`` and evenness ``e`` of the codes: Hoyer = (sqrt(k) - e sqrt(m))
    / (sqrt(k) - 1), ``e = |h|_1 / (|h|_2 sqrt(m))`` in (0, 1], 1 when the non-zeros are
    equal; so Hoyer can fall while ``m`` falls, if ``e`` rises."""
    m = np.count_nonzero(codes, axis=1)
    l1, l2 = np.abs(codes).sum(axis=1), np.linalg.norm(codes, axis=1)
    used = m > 0
    return float(m.mean()), float(np.mean(l1[used] / (l2[used] * np.sqrt(m[used]))))


def measure(codes, atoms, X_test, shape):
    mse = reconstruction_error(X_test, codes @ atoms)
    sparsity = hoyer_sparsity(codes, atoms)  # codes of unit-norm atoms
    dilated = apply_operator(atoms, "dilation", 1, image_shape=shape)
    target = apply_operator(X_test, "dilation", 1, image_shape=shape)
    return mse, sparsity, reconstruction_error(target, codes @ dilated)


def timed(fit):
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = fit()
    return model, time.process_time() - start


def peers(X, X_test, shape, k):
    scale = float(np.median(np.linalg.norm(X, axis=1)))
    rows = []
    for q in STRENGTHS:
        model, seconds = timed(lambda q=q: MiniBatchDictionaryLearning(
            k, alpha=q * scale, fit_algorithm="cd", positive_code=True, positive_dict=True,
            transform_algorithm="lasso_cd", transform_alpha=q * scale, batch_size=256,
            max_iter=10, random_state=0).fit(X))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            codes = model.transform(X_test)
        rows.append((f"MBDL alpha={q:g}*norm", *measure(codes, model.components_, X_test,
                                                        shape), seconds))
    for q in (0.0, *STRENGTHS):
        model, seconds = timed(lambda q=q: NMF(
            k, alpha_W=q * scale / X.shape[1], l1_ratio=1.0, init="nndsvda", max_iter=300,
            random_state=0).fit(X))
        codes = model.transform(X_test)
        rows.append((f"NMF alpha_W={q:g}*norm/N", *measure(codes, model.components_,
                                                           X_test, shape), seconds))
    return rows


def dominance(point, path_points):
    """``(dominated 2-D, dominated 3-D, why)`` of a peer point against the path."""
    mse, sparsity, approx = point
    P = np.asarray(path_points)
    two = np.any((P[:, 0] <= mse) & (P[:, 1] >= sparsity))
    three = np.any((P[:, 0] <= mse) & (P[:, 1] >= sparsity) & (P[:, 2] <= approx))
    if two:
        why = ""
    elif mse < P[:, 0].min():
        why = "lower MSE than the path's densest point"
    elif sparsity > P[:, 1].max():
        why = "sparser than the path's sparsest point"
    else:
        # Between the neighbours whose MSEs bracket it: the path's sparsity there.
        order = np.argsort(P[:, 0])
        interp = np.interp(mse, P[order, 0], P[order, 1])
        why = (f"above the path's front (path at this MSE: Hoyer {interp:.3f})"
               if sparsity > interp else f"in a gap (path at this MSE: Hoyer {interp:.3f})")
    return two, three, why


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v)
                                for v in row) + " |")
    print()


def run(name, n_points, path_max_iter, eps, cold_every, refine, path_tol, restart=False,
        refine_gap=0.05):
    X, X_test, shape, k = load(name)
    print(f"## {name}: {X.shape[0]} train / {X_test.shape[0]} held out, "
          f"{X.shape[1]} pixels, k = {k}\n")
    start = time.process_time()
    path = sparse_nmf_path(X, X_test=X_test, n_components=k, random_state=0,
                           image_shape=shape, n_points=n_points,
                           path_max_iter=path_max_iter, eps=eps, refine=refine,
                           refine_gap=refine_gap,
                           path_tol=path_tol, restart_on_drop=restart)
    path_seconds = time.process_time() - start
    codes = [m.transform(X_test) for m in path.models]
    points = [measure(c, m.components_, X_test, shape)
              for c, m in zip(codes, path.models, strict=True)]
    on_front = set(path.pareto.tolist())
    table(["code_l1", "MSE", "Hoyer", "max-approx", "non-zeros", "zero fraction",
           "evenness", "iterations", "Pareto", "inserted", "cold restart"],
          [(float(c), *p, float(z), float(f), code_counts(h)[1], int(n),
            "yes" if i in on_front else "", "yes" if r else "", "yes" if b else "")
           for i, (c, p, z, f, h, n, r, b) in enumerate(zip(
               path.code_l1s, points, path.nonzeros, path.zero_fraction, codes,
               path.n_iter, path.inserted, path.restarted, strict=True))])
    print(f"{int(path.restarted.sum())} points kept a cold restart after a drop "
          "(restart_on_drop).")
    sweep = ~path.inserted
    drops = path.sparsity_drops
    print(f"Hoyer drops along the path at {len(drops)} points; at "
          f"{int(np.sum(np.diff(path.zero_fraction)[drops - 1] < 0))} of them the zero "
          "fraction fell too (more atoms per code), at the others the evenness rose.")

    cold_rows, cold_seconds = [], 0.0
    cold_at = path.code_l1s[::cold_every]
    for c in cold_at:
        model, seconds = timed(lambda c=c: SparseNMF(k, code_l1=float(c), random_state=0,
                                                     image_shape=shape).fit(X))
        cold_seconds += seconds
        codes = model.transform(X_test)
        nonzeros, evenness = code_counts(codes)
        cold_rows.append((float(c), *measure(codes, model.components_, X_test, shape),
                          nonzeros, 1 - nonzeros / k, evenness, model.n_iter_, seconds))
    table(["cold code_l1", "MSE", "Hoyer", "max-approx", "non-zeros", "zero fraction",
           "evenness", "iterations", "s"], cold_rows)
    cold_sparsity = np.array([r[2] for r in cold_rows])
    # Cold fits at every cold_every-th strength: their cost scaled to all the points.
    n_sweep = int(sweep.sum())
    cold_all = cold_seconds * n_sweep / len(cold_at)
    one_cold = cold_seconds / len(cold_at)  # one cold fit at the default settings
    sweep_fit, refine_fit = path.fit_time[sweep].sum(), path.fit_time[~sweep].sum()
    print(f"path: {path_seconds:.1f} s in all, measurement included; fitting "
          f"{sweep_fit:.1f} s for the {n_sweep} sweep points ({path.n_iter[sweep].sum()} "
          f"iterations) + {refine_fit:.1f} s for {int((~sweep).sum())} inserted "
          f"({path.n_iter[~sweep].sum()} iterations). One cold fit (mean of "
          f"{len(cold_rows)}): {one_cold:.1f} s, so the sweep costs "
          f"{sweep_fit / one_cold:.1f} cold fits and the refined path "
          f"{(sweep_fit + refine_fit) / one_cold:.1f}; {n_sweep} separate cold fits "
          f"estimated {cold_all:.1f} s (sweep/cold = {sweep_fit / cold_all:.2f}).")
    print(f"sparsity decreases along the sweep: "
          f"{int(np.sum(np.diff(path.sparsity[sweep]) < 0))}, the refined path: "
          f"{len(drops)}; along the cold fits: {int(np.sum(np.diff(cold_sparsity) < 0))} "
          f"(largest drop {max(0.0, -np.diff(cold_sparsity, prepend=0).min()):.3f}).\n")

    sweep_points = [p for p, r in zip(points, path.inserted, strict=True) if not r]
    peer_points = peers(X, X_test, shape, k)
    cold_points = [r[1:4] for r in cold_rows]
    rows, counts = [], np.zeros(4, dtype=int)
    for label, mse, sparsity, approx, seconds in peer_points:
        by_sweep = dominance((mse, sparsity, approx), sweep_points)[0]
        two, three, why = dominance((mse, sparsity, approx), points)
        by_cold = dominance((mse, sparsity, approx), cold_points)[0]
        counts += (by_sweep, two, three, by_cold)
        rows.append((label, mse, sparsity, approx, seconds, "yes" if by_sweep else "no",
                     "yes" if two else "no", "yes" if three else "no",
                     "yes" if by_cold else "no", why))
    table(["peer", "MSE", "Hoyer", "max-approx", "s", "dominated by the sweep",
           "dominated (MSE, Hoyer)", "dominated (+ max-approx)",
           "dominated by the cold fits", "why not"], rows)
    print(f"the sweep dominates {counts[0]} of {len(rows)} peer points in (MSE, Hoyer); "
          f"the refined path {counts[1]} of {len(rows)}, {counts[2]} with "
          f"max-approximation too; the {len(cold_rows)} cold fits {counts[3]}.\n")

    def beats(a, b):  # a dominates b in (MSE, Hoyer)
        return a[0] <= b[0] and a[1] >= b[1] and (a[0] < b[0] or a[1] > b[1])

    preset_rows = []
    for preset, data in (("balanced", None), ("balanced", X), ("morphological", None),
                         ("morphological", X), ("online", X)):
        # SparseNMF presets as tuned on Fashion-MNIST and carried over to X; the
        # auto-encoder carried over only (its budget is in optimiser steps).
        model, seconds = timed(lambda p=preset, data=data: make_preset(
            p, k, X=data, random_state=0, image_shape=shape).fit(X))
        point = measure(model.transform(X_test), model.components_, X_test, shape)
        two, _, why = dominance(point, points)
        strength = getattr(model, "code_l1", None) or model.sparsity_weight
        label = preset if data is None else f"{preset}, X=X"
        preset_rows.append((
            label, float(strength), *point, seconds,
            sum(beats(p, point) for p in points), sum(beats(point, p) for p in points),
            ", ".join(r[0] for r in peer_points if beats(r[1:3], point)) or "-",
            ", ".join(r[0] for r in peer_points if beats(point, r[1:3])) or "-",
            why or "dominated by the path"))
    table(["preset", "code_l1 / sparsity_weight", "MSE", "Hoyer", "max-approx", "s",
           "path points dominating it", "path points it dominates",
           "peers dominating it", "peers it dominates", "place"], preset_rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["digits", "photos", "fashion"],
                        choices=["digits", "photos", "fashion"])
    parser.add_argument("--n-points", type=int, default=16)
    parser.add_argument("--path-max-iter", type=int, default=25)
    parser.add_argument("--eps", type=float, default=1e-2)
    parser.add_argument("--cold-every", type=int, default=1,
                        help="cold fits at every n-th strength of the path only")
    parser.add_argument("--refine-gap", type=float, default=0.05,
                        help="the refinement's refine_gap: the smallest gap it fills")
    parser.add_argument("--refine", type=int, default=0,
                        help="points the path's refinement may insert into its gaps")
    parser.add_argument("--path-tol", type=float,
                        default=inspect.signature(sparse_nmf_path).parameters[
                            "path_tol"].default,
                        help="tolerance that stops a warm point (default: the path's; "
                             "0 runs every warm point's --path-max-iter iterations)")
    parser.add_argument("--restart-on-drop", action="store_true",
                        help="restart_on_drop=True: a cold fit where the sparsity drops, "
                             "the lower objective kept")
    args = parser.parse_args()
    print(f"path: n_points={args.n_points}, path_max_iter={args.path_max_iter}, "
          f"eps={args.eps}, refine={args.refine}, refine_gap={args.refine_gap}, "
          f"path_tol={args.path_tol}, restart_on_drop={args.restart_on_drop}\n")
    for name in args.sets:
        start = time.perf_counter()
        run(name, args.n_points, args.path_max_iter, args.eps, args.cold_every,
            args.refine, args.path_tol, restart=args.restart_on_drop,
            refine_gap=args.refine_gap)
        print(f"({name}: {time.perf_counter() - start:.0f} s wall)\n")


if __name__ == "__main__":
    main()
