"""Quality of the auto-encoders on Fashion-MNIST: the rows of the study's Tables 1 and 2.

Trains on the 60,000 training images, measures on the 10,000 test images (k = 100,
KL sparsity penalty, non-negativity by projection) and prints, per row:
reconstruction MSE, Hoyer sparsity of the codes, max-approximation error to the
dilation by a disk of radius 1 (against the dilated originals), training time and
epochs, next to the study's figures.

    python benchmarks/bench_autoencoders.py                       # all rows, 30 epochs
    python benchmarks/bench_autoencoders.py --rows shallow --epochs 50
    python benchmarks/bench_autoencoders.py --rows asym-p0.05 --epochs 5 --threads 2
    python benchmarks/bench_autoencoders.py --quick               # 6,000 / 1,000 images, 2 epochs
"""

import argparse
import json
import time

import numpy as np
import torch
from skorch.callbacks import Callback

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.datasets import fetch_fashion_mnist
from sparse_parts.metrics import hoyer_sparsity, max_approximation_error, reconstruction_error

UNCONSTRAINED = dict(sparsity_penalty=None, nonnegativity=None)

# name: (estimator, parameters, the study's (MSE, Hoyer, max-approximation))
ROWS = {
    "shallow-unconstrained": (SparseNonNegAutoEncoder, UNCONSTRAINED, (0.00697, 0.0678, 18.24)),
    "shallow-p0.05-b0.001": (SparseNonNegAutoEncoder,
                             dict(sparsity_target=0.05, sparsity_weight=0.001),
                             (0.0164, 0.505, 0.182)),
    "shallow-p0.01-b0.01": (SparseNonNegAutoEncoder,
                            dict(sparsity_target=0.01, sparsity_weight=0.01),
                            None),  # the study's nearest shallow row is beta=0.005
    "asym-unconstrained": (AsymmetricAutoEncoder, UNCONSTRAINED, (0.00646, 0.0956, 14.31)),
    "asym-p0.05-b0.001": (AsymmetricAutoEncoder,
                          dict(sparsity_target=0.05, sparsity_weight=0.001),
                          (0.0115, 0.565, 0.202)),
    "asym-p0.01-b0.01": (AsymmetricAutoEncoder,
                         dict(sparsity_target=0.01, sparsity_weight=0.01),
                         (0.0212, 0.826, 0.0297)),
}


class EpochLine(Callback):
    """Print one line per epoch: the row, the epoch, the training loss and its time."""

    def __init__(self, row):
        self.row = row

    def on_epoch_end(self, net, **kwargs):
        last = net.history[-1]
        print(f"   [{self.row}] epoch {last['epoch']}: train_loss {last['train_loss']:.5f}, "
              f"{last['dur']:.0f} s", flush=True)


def select_rows(spec):
    if spec in (None, "all"):
        return list(ROWS)
    names = []
    for part in spec.split(","):
        matched = [name for name in ROWS if name.startswith(part) or name == part]
        if not matched:
            raise SystemExit(f"--rows: no row matches {part!r}; rows are {list(ROWS)}")
        names.extend(n for n in matched if n not in names)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="all",
                        help="comma-separated row names or prefixes (shallow, asym, "
                             "asym-p0.05...); default all")
    parser.add_argument("--epochs", type=int, default=30, help="epochs for every row")
    parser.add_argument("--asym-epochs", type=int, default=None,
                        help="epochs for the asymmetric rows (default --epochs)")
    parser.add_argument("--quick", action="store_true",
                        help="6,000 training and 1,000 test images, 2 epochs")
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--n-components", type=int, default=100)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="append one JSON line per row here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    X_train, _ = fetch_fashion_mnist(subset="train", return_X_y=True)
    X_test, _ = fetch_fashion_mnist(subset="test", return_X_y=True)
    epochs, asym_epochs = args.epochs, args.asym_epochs or args.epochs
    if args.quick:
        X_train, X_test, epochs, asym_epochs = X_train[:6000], X_test[:1000], 2, 2
    if args.n_train:
        X_train = X_train[:args.n_train]
    print(f"train {X_train.shape}, test {X_test.shape}, torch threads "
          f"{torch.get_num_threads()}, device {args.device}", flush=True)

    header = (f"{'row':24s} {'MSE':>8s} {'Hoyer':>7s} {'MaxApx':>8s} {'time_s':>8s} "
              f"{'epochs':>6s}   study (MSE / Hoyer / MaxApx)")
    print(header, flush=True)
    for name in select_rows(args.rows):
        Estimator, params, study = ROWS[name]
        n_epochs = asym_epochs if Estimator is AsymmetricAutoEncoder else epochs
        model = Estimator(n_components=args.n_components, max_epochs=n_epochs, lr=args.lr,
                          batch_size=args.batch_size, device=args.device,
                          random_state=args.seed, callbacks=[EpochLine(name)], **params)
        start = time.perf_counter()
        model.fit(X_train)
        train_time = time.perf_counter() - start
        codes = model.transform(X_test)
        mse = reconstruction_error(X_test, model.inverse_transform(codes))
        sparsity = hoyer_sparsity(codes)
        max_apx = max_approximation_error(model, X_test, operator="dilation", radius=1)
        reference = "-" if study is None else " / ".join(f"{v:g}" for v in study)
        print(f"{name:24s} {mse:8.5f} {sparsity:7.4f} {max_apx:8.4f} {train_time:8.1f} "
              f"{model.n_iter_:6d}   {reference}", flush=True)
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps(dict(
                    row=name, mse=mse, hoyer=sparsity, max_approximation=max_apx,
                    train_time_s=train_time, epochs=model.n_iter_, n_train=len(X_train),
                    n_test=len(X_test), device=str(model.net_.device),
                    threads=torch.get_num_threads(), lr=args.lr,
                    final_train_loss=float(model.net_.history[-1, "train_loss"]),
                    min_atom=float(np.min(model.components_)))) + "\n")


if __name__ == "__main__":
    main()
