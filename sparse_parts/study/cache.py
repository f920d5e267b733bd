"""The model cache of a study run: fitted models stored under a hash of what made them.

A cached model is found by :func:`cache_key` (the estimator's class and parameters,
the package version, a digest of the package's source code and the training images),
so a model pickled by other code is never loaded, and stored as one file: a header line
with the sha256 of the pickled payload, then the payload. The checksum is verified
before unpickling; an entry that fails it, or does not unpickle, is fitted again.
"""

import functools
import hashlib
import json
import os
import pickle
import time

import numpy as np

from .. import __version__
from ._console import say
from .files import atomic_write

__all__ = ["cache_key", "code_digest", "fit_or_load_estimator", "fit_transform_or_load"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Parameters that change neither the fitted model nor its numbers. ``callbacks`` is
# hashed: a learning-rate schedule changes the model (the study's progress bar is set
# after the key is taken).
_UNHASHED = ("verbose",)

# The first line of a cache entry: this prefix, the payload's sha256 in hex, "\n".
_HEADER = b"sparse-parts model cache, sha256 "


@functools.cache
def code_digest():
    """sha256 (hex) of the package's source: every ``.py`` file under the package
    directory, in sorted order of their relative paths, each path and content hashed.

    Any change of the code changes the cache key, so a pickle written by other code
    (whose classes may have other attributes) is never loaded.
    """
    digest = hashlib.sha256()
    paths = []
    for root, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths.extend(os.path.join(root, f) for f in files if f.endswith(".py"))
    for path in sorted(paths, key=lambda p: os.path.relpath(p, _PACKAGE_DIR)):
        digest.update(os.path.relpath(path, _PACKAGE_DIR).replace(os.sep, "/").encode())
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def cache_key(estimator, X):
    """Hex digest of the estimator's class and parameters, the package version, the
    package's code (:func:`code_digest`) and ``X``.

    Parameters
    ----------
    estimator : estimator
        Its parameters, all but ``verbose``, enter the key (``callbacks`` too, by
        their ``repr``).
    X : ndarray
        The training images.

    Returns
    -------
    key : str
        24 hex digits.
    """
    params = {k: repr(v) for k, v in sorted(estimator.get_params(deep=False).items())
              if k not in _UNHASHED}
    description = json.dumps({"class": type(estimator).__qualname__,
                              "module": type(estimator).__module__,
                              "params": params, "version": __version__,
                              "code": code_digest(),
                              "shape": X.shape, "dtype": str(X.dtype)}, sort_keys=True)
    digest = hashlib.sha256(description.encode())
    digest.update(np.ascontiguousarray(X).tobytes())
    return digest.hexdigest()[:24]


def _store(path, entry):
    payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n"

    def write(f):
        f.write(header)
        f.write(payload)

    atomic_write(path, write, binary=True)


def _load(path):
    """The entry stored at ``path``, or None (with a notice) if it cannot be trusted."""
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError as exc:
        say(f"  cache entry {path} unreadable ({exc.strerror}); fitting again")
        return None
    header, _, payload = content.partition(b"\n")
    expected = _HEADER + hashlib.sha256(payload).hexdigest().encode()
    # Unpickling runs code: nothing is unpickled before its checksum matches.
    if header != expected:
        say(f"  cache entry {path} does not match its checksum; fitting again")
        return None
    try:
        entry = pickle.loads(payload)
        return entry["estimator"], entry["fit_seconds"], entry.get("codes")
    except Exception as exc:  # an entry written by an incompatible version
        say(f"  cache entry {path} unreadable ({exc!r}); fitting again")
        return None


def fit_or_load_estimator(estimator, name, X_train, cache_dir, *, epochs=None,
                          progress=False):
    """Fit ``estimator`` on ``X_train``, or load its fitted twin from ``cache_dir``.

    The entry's file is ``<name>-<cache_key>.pkl``: the key covers the estimator's
    class, parameters, the package version and code, and ``X_train``.

    Parameters
    ----------
    estimator : estimator
        Unfitted.
    name : str
        Names the entry (and the progress bar).
    X_train : ndarray
    cache_dir : str
    epochs : int, default=None
        The length of the progress bar.
    progress : bool, default=False
        Draw a bar over the epochs of the training (auto-encoders only: the estimator
        takes skorch ``callbacks``).

    Returns
    -------
    estimator : estimator
        Fitted.
    fit_seconds : float
        The time of the original fit (stored with the model).
    cached : bool
        Whether the model came from the cache.

    Raises
    ------
    KeyboardInterrupt
        If training was cut short by Ctrl-C, which skorch ends quietly (the model
        then says so in ``fit_interrupted_``): such a model is neither cached nor
        returned.
    """
    path = os.path.join(cache_dir, f"{name}-{cache_key(estimator, X_train)}.pkl")
    if os.path.exists(path):
        entry = _load(path)
        if entry is not None:
            return *entry[:2], True
    if progress:
        from ..autoencoders import EpochProgressBar

        estimator.set_params(callbacks=[EpochProgressBar(epochs, name)])
    start = time.perf_counter()
    estimator.fit(X_train)
    seconds = time.perf_counter() - start
    if getattr(estimator, "fit_interrupted_", False):
        raise KeyboardInterrupt
    if progress:
        estimator.set_params(callbacks=None)  # the parameters as they were given
    _store(path, {"estimator": estimator, "fit_seconds": seconds})
    return estimator, seconds, False


def fit_transform_or_load(estimator, name, X, cache_dir):
    """Fit ``estimator`` on ``X`` and keep the codes of that fit, or load both from the cache.

    The report fitted its NMF on the test images and measured the codes of that fit
    (transductive: no transform step); this is that fit, cached like any other.

    Returns
    -------
    estimator : estimator
    codes : ndarray of shape (n_samples, n_components)
        ``estimator.fit_transform(X)``.
    fit_seconds : float
    cached : bool
    """
    path = os.path.join(cache_dir, f"{name}-{cache_key(estimator, X)}.pkl")
    if os.path.exists(path):
        entry = _load(path)
        if entry is not None and entry[2] is not None:
            return *entry, True
    start = time.perf_counter()
    codes = estimator.fit_transform(X)
    seconds = time.perf_counter() - start
    if getattr(estimator, "fit_interrupted_", False):
        raise KeyboardInterrupt
    _store(path, {"estimator": estimator, "fit_seconds": seconds, "codes": codes})
    return estimator, codes, seconds, False
