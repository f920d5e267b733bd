"""The images of a study run: a seeded train / test split of Fashion-MNIST or the digits."""

import numpy as np

__all__ = ["fashion_mnist_on_disk", "load_data"]


def fashion_mnist_on_disk():
    """Whether the Fashion-MNIST files can be read without downloading them."""
    from ..datasets import DatasetNotFoundError, fetch_fashion_mnist

    try:
        fetch_fashion_mnist("test", download_if_missing=False, return_X_y=True)
    except (DatasetNotFoundError, OSError):
        return False
    return True


def _subsample(X, y, n, rng):
    if n >= X.shape[0]:
        return X, y
    index = np.sort(rng.permutation(X.shape[0])[:n])
    return X[index], y[index]


def load_data(settings):
    """The images of ``settings``: the split and the subsets are seeded by its seed.

    Parameters
    ----------
    settings : Settings

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        The images as C-contiguous float32 rows, and their labels.
    """
    rng = np.random.RandomState(settings.seed)
    if settings.dataset == "fashion-mnist":
        from ..datasets import fetch_fashion_mnist

        X_train, y_train = fetch_fashion_mnist("train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist("test", return_X_y=True)
    else:
        from sklearn.model_selection import train_test_split

        from ..datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=1 / 3, stratify=y, random_state=settings.seed)
    X_train, y_train = _subsample(X_train, y_train, settings.n_train, rng)
    X_test, y_test = _subsample(X_test, y_test, settings.n_test, rng)
    return (np.ascontiguousarray(X_train, dtype=np.float32), y_train,
            np.ascontiguousarray(X_test, dtype=np.float32), y_test)
