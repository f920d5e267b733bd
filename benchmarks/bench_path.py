"""SparseNMF's code_l1 path against scikit-learn's positive dictionary learning and NMF.

On three image sets that ship with the installed packages, held out:

- ``digits``: scikit-learn's 8x8 digits (1,297 train / 500 held out), k = 24;
- ``photos``: 12x12 patches of scikit-image's bundled photographs, in grey, pixels in
  [0, 1]: 4,000 training patches from twelve of them, 1,000 held-out patches from two
  others (``camera``, ``coffee``), k = 36;
- ``fashion``: Fashion-MNIST, 5,000 training / 2,000 held-out test images, k = 36.

Per set it prints: the path (``sparse_nmf_path``, default grid of 16 strengths, 25
iterations each) with held-out MSE, Hoyer sparsity of the codes (atoms at unit norm)
and max-approximation error to dilation (disk(1)); cold ``SparseNMF`` fits at the same
strengths (their monotonicity and their cost against the path's); scikit-learn's
``MiniBatchDictionaryLearning(positive_code=True, positive_dict=True)`` over ``alpha``
and ``NMF`` over ``alpha_W`` (``l1_ratio=1``), strengths scaled to the data's median
sample norm so that the same grid is fair on every set; and the presets. For each peer
point: whether a path point dominates it in (MSE, Hoyer) and in (MSE, Hoyer,
max-approximation), and if not, why (beyond the path's range, or between two of its
neighbours). Times are process CPU seconds on one BLAS thread.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_path.py \\
        [--sets digits photos fashion] [--cold-every 3]
"""

import argparse
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


def run(name, n_points, path_max_iter, eps, cold_every):
    X, X_test, shape, k = load(name)
    print(f"## {name}: {X.shape[0]} train / {X_test.shape[0]} held out, "
          f"{X.shape[1]} pixels, k = {k}\n")
    start = time.process_time()
    path = sparse_nmf_path(X, X_test=X_test, n_components=k, random_state=0,
                           image_shape=shape, n_points=n_points,
                           path_max_iter=path_max_iter, eps=eps)
    path_seconds = time.process_time() - start
    points = [measure(m.transform(X_test), m.components_, X_test, shape)
              for m in path.models]
    on_front = set(path.pareto.tolist())
    table(["code_l1", "MSE", "Hoyer", "max-approx", "non-zeros", "iterations", "Pareto"],
          [(float(c), *p, float(z), int(n), "yes" if i in on_front else "")
           for i, (c, p, z, n) in enumerate(zip(path.code_l1s, points, path.nonzeros,
                                                path.n_iter, strict=True))])

    cold_rows, cold_seconds = [], 0.0
    cold_at = path.code_l1s[::cold_every]
    for c in cold_at:
        model, seconds = timed(lambda c=c: SparseNMF(k, code_l1=float(c), random_state=0,
                                                     image_shape=shape).fit(X))
        cold_seconds += seconds
        codes = model.transform(X_test)
        cold_rows.append((float(c), *measure(codes, model.components_, X_test, shape),
                          float(np.mean(np.count_nonzero(codes, axis=1))), model.n_iter_,
                          seconds))
    table(["cold code_l1", "MSE", "Hoyer", "max-approx", "non-zeros", "iterations", "s"],
          cold_rows)
    cold_sparsity = np.array([r[2] for r in cold_rows])
    # Cold fits at every cold_every-th strength: their cost scaled to all the points.
    cold_all = cold_seconds * len(path.code_l1s) / len(cold_at)
    print(f"path: {path_seconds:.1f} s for {len(path.code_l1s)} points "
          f"({path.n_iter.sum()} iterations; the first cold fit "
          f"{path.fit_time[0]:.1f} s) = {path_seconds / cold_rows[0][-1]:.1f} first cold "
          f"fits; {len(cold_rows)} separate cold fits: {cold_seconds:.1f} s, "
          f"{len(path.code_l1s)} estimated {cold_all:.1f} s "
          f"(path/cold = {path_seconds / cold_all:.2f}).")
    print(f"sparsity decreases along the path: {int(np.sum(np.diff(path.sparsity) < 0))}; "
          f"along the cold fits: {int(np.sum(np.diff(cold_sparsity) < 0))} "
          f"(largest drop {max(0.0, -np.diff(cold_sparsity, prepend=0).min()):.3f}).\n")

    rows, n2, n3 = [], 0, 0
    for label, mse, sparsity, approx, seconds in peers(X, X_test, shape, k):
        two, three, why = dominance((mse, sparsity, approx), points)
        n2, n3 = n2 + two, n3 + three
        rows.append((label, mse, sparsity, approx, seconds, "yes" if two else "no",
                     "yes" if three else "no", why))
    table(["peer", "MSE", "Hoyer", "max-approx", "s", "dominated (MSE, Hoyer)",
           "dominated (+ max-approx)", "why not"], rows)
    print(f"path dominates {n2} of {len(rows)} peer points in (MSE, Hoyer), {n3} of "
          f"{len(rows)} with max-approximation too.\n")

    preset_rows = []
    for preset in ("balanced", "morphological"):
        for data in (None, X):  # as tuned on Fashion-MNIST, and carried over to X
            model, seconds = timed(lambda p=preset, data=data: make_preset(
                p, k, X=data, random_state=0, image_shape=shape).fit(X))
            point = measure(model.transform(X_test), model.components_, X_test, shape)
            two, three, why = dominance(point, points)
            label = preset if data is None else f"{preset}, X=X"
            preset_rows.append((label, model.code_l1, *point, seconds,
                                "yes" if two else "no", why or "on or behind the path"))
    table(["preset", "code_l1", "MSE", "Hoyer", "max-approx", "s",
           "dominated by the path", "place"], preset_rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["digits", "photos", "fashion"],
                        choices=["digits", "photos", "fashion"])
    parser.add_argument("--n-points", type=int, default=16)
    parser.add_argument("--path-max-iter", type=int, default=25)
    parser.add_argument("--eps", type=float, default=1e-2)
    parser.add_argument("--cold-every", type=int, default=1,
                        help="cold fits at every n-th strength of the path only")
    args = parser.parse_args()
    print(f"path: n_points={args.n_points}, path_max_iter={args.path_max_iter}, "
          f"eps={args.eps}\n")
    for name in args.sets:
        start = time.perf_counter()
        run(name, args.n_points, args.path_max_iter, args.eps, args.cold_every)
        print(f"({name}: {time.perf_counter() - start:.0f} s wall)\n")


if __name__ == "__main__":
    main()
