"""Image data sets: Fashion-MNIST, the bundled digits, and the user's own images.

:func:`fetch_fashion_mnist` follows scikit-learn's ``fetch_*`` conventions. It reads
the four standard IDX files of the Fashion-MNIST release (gzipped or not) from, in
order, the ``data_home`` given by the caller, the directory of the Debian/Ubuntu
package ``dataset-fashion-mnist`` (:data:`FASHION_MNIST_DEBIAN_DIR`), the default
download directory, and only then downloads them with
:func:`sklearn.datasets.fetch_file`. Wherever a file comes from, its content is
checked against the official release (item count and SHA-256 of the decompressed
data), so a modified or cut copy is an error, never data.

:func:`load_digits_images` wraps scikit-learn's bundled 8x8 digits: the small data
set that is always available offline.

:func:`load_photo_patches` cuts colour (or grey) patches out of the photographs
bundled with scikit-image: the colour data set that is always available offline.

:func:`load_images` reads the user's own images (a ``.npy``/``.npz`` array or a
folder of PNG/JPEG files) and :func:`load_labels` their class labels; they live in
``sparse_parts._user_images``.
"""

import gzip
import hashlib
import http.client
import os
import tempfile
import time
import urllib.request
import zlib

import numpy as np
from sklearn.datasets import get_data_home, load_digits
from sklearn.utils import Bunch

from ._photo_patches import PHOTOS, load_photo_patches
from ._user_images import _user_path, load_images, load_labels

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_DIR",
    "FASHION_MNIST_URLS",
    "DatasetNotFoundError",
    "fetch_fashion_mnist",
    "load_digits_images",
    "load_images",
    "load_labels",
    "load_photo_patches",
    "PHOTOS",
]

#: Where the Debian/Ubuntu package ``dataset-fashion-mnist`` installs the files.
FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

#: Base URLs of the official release, tried in order: the location given in the
#: Fashion-MNIST README, then the files committed to the project's repository.
FASHION_MNIST_URLS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
)

# SHA-256 of the gzipped release files, computed with ``sha256sum`` from the files of
# the Debian package dataset-fashion-mnist (which ships the unmodified release files).
_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"
    ),
    "train-labels-idx1-ubyte.gz": (
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"
    ),
}

# SHA-256 of the decompressed IDX files (header and data), the same whether a copy is
# stored gzipped or not, so a re-compressed or gunzipped official file passes and a
# modified one fails. Obtained once with ``gunzip -c NAME.gz | sha256sum`` from the
# files of the Debian package dataset-fashion-mnist, whose gzipped files match
# _SHA256 above, the checksums of the release itself.
_CONTENT_SHA256 = {
    "train-images-idx3-ubyte": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
    ),
    "train-labels-idx1-ubyte": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
    ),
    "t10k-images-idx3-ubyte": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
    ),
    "t10k-labels-idx1-ubyte": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
    ),
}

# _fetch_file retries a failed download once, a second later, before the next URL;
# a server silent for _DOWNLOAD_TIMEOUT seconds counts as failed.
_DOWNLOAD_TIMEOUT = 60
_DOWNLOAD_RETRIES = 1
_RETRY_DELAY = 1

# subset -> (images file, labels file, number of samples in the official release)
_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
}
_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}

# IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte), the
# number of dimensions.
_IMAGES_MAGIC = b"\x00\x00\x08\x03"
_LABELS_MAGIC = b"\x00\x00\x08\x01"
_IMAGE_SIDE = 28

#: The class names of Fashion-MNIST, indexed by label.
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_INSTALL_HINT = (
    "Install the Debian/Ubuntu package (sudo apt-get install dataset-fashion-mnist), "
    "pass data_home=<a directory holding the four IDX files "
    "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
    "t10k-labels-idx1-ubyte, optionally .gz)>, or allow downloading "
    "(download_if_missing=True) on a machine with network access."
)

_FASHION_MNIST_DESCR = """\
Fashion-MNIST
-------------

Zalando's article images: 70,000 grey 28x28 images of clothing in 10 classes,
split into 60,000 training and 10,000 test images (7,000 per class overall).

:Number of instances: 60,000 (subset="train"), 10,000 ("test"), 70,000 ("all",
                      training images first)
:Number of attributes: 784 pixels, row-major, scaled to [0, 1] (value / 255)
:Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
          6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot
:License: MIT
:Source: https://github.com/zalandoresearch/fashion-mnist

It was made as a drop-in replacement of MNIST that is harder to classify.

References
----------
Han Xiao, Kashif Rasul and Roland Vollgraf (2017). Fashion-MNIST: a Novel Image
Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747.
"""


class DatasetNotFoundError(OSError):
    """The data set files are neither on disk nor downloadable.

    The message lists the places searched and how to install the data.
    """


def _advice(path):
    """What to do about a corrupt file ``path``, depending on where it lives."""
    debian_dir = os.path.abspath(FASHION_MNIST_DEBIAN_DIR)
    if os.path.abspath(os.path.dirname(path)) == debian_dir:
        return (
            "Reinstall the package: sudo apt-get install --reinstall dataset-fashion-mnist, "
            "or pass data_home=<a directory holding the official files>."
        )
    return (
        "Delete it, so that fetch_fashion_mnist finds another copy or downloads it "
        "again, replace it with the file from the official release, or pass "
        "data_home=<another directory holding the official files>."
    )


def _corrupt(path, problem):
    return ValueError(
        f"{path} is not a valid Fashion-MNIST IDX file: {problem}. {_advice(path)}"
    )


def _read_bytes(path):
    """Return the content of ``path``, decompressed when its name ends in ``.gz``."""
    if not path.endswith(".gz"):
        with open(path, "rb") as file:
            return file.read()
    try:
        with gzip.open(path, "rb") as file:
            return file.read()
    except (OSError, EOFError, zlib.error) as error:
        raise _corrupt(path, f"it could not be decompressed ({error})") from error


def _parse_idx(path, magic, item_shape):
    """Parse an IDX file of unsigned bytes into an array ``(n, *item_shape)``.

    The magic number, the dimensions and the payload length are checked exactly, so
    a truncated or padded file is an error and never a silently short array. Returns
    the array and the SHA-256 of the decompressed content (0.04 s for the 47 MB of
    the training images, a seventh of the time gunzip takes, so it is not cached).
    """
    content = _read_bytes(path)
    ndim = 1 + len(item_shape)
    header_size = 4 + 4 * ndim
    if len(content) >= 4 and content[:4] != magic:
        raise _corrupt(
            path,
            f"its magic number is 0x{content[:4].hex()}, expected 0x{magic.hex()} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})",
        )
    if len(content) < header_size:
        raise _corrupt(
            path, f"it holds {len(content)} bytes, fewer than its {header_size}-byte header"
        )
    dims = tuple(int(d) for d in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
    if dims[1:] != tuple(item_shape):
        raise _corrupt(
            path, f"its items have shape {dims[1:]}, expected {tuple(item_shape)}"
        )
    expected = int(np.prod(dims))
    payload = len(content) - header_size
    if payload != expected:
        raise _corrupt(
            path,
            f"its header announces {dims[0]} items ({expected} bytes of data) but it "
            f"holds {payload} bytes of data (truncated or corrupt)",
        )
    pixels = np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(dims)
    return pixels, hashlib.sha256(content).hexdigest()


def _check_release(path, name, n_items, n_official, digest):
    """Raise unless the parsed file ``path`` is the release's file ``name``."""
    if n_items != n_official:
        raise _corrupt(
            path, f"it holds {n_items} items, but the official {name} holds {n_official}"
        )
    if digest != _CONTENT_SHA256[name]:
        raise _corrupt(
            path,
            f"its decompressed content differs from the official {name} (SHA-256 "
            f"{digest}, expected {_CONTENT_SHA256[name]}): it was modified or damaged",
        )


def _find_file(name, directories):
    """Return the first of ``name``, ``name.gz`` found in ``directories``, or None."""
    for directory in directories:
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.isfile(path):
                return path
    return None


def _fetch_file(url, *, folder, local_filename, sha256, n_retries, delay, timeout):
    """Download ``url`` to ``folder/local_filename`` if its SHA-256 is ``sha256``.

    The bytes go to a temporary file in ``folder``, renamed only once the checksum
    matches, so an interrupted or corrupted download never leaves a file under the
    final name. ``timeout`` (seconds) bounds every blocking socket operation of this
    request only: the process-wide default socket timeout is never touched (setting
    it is not thread-safe). A failed request is tried ``n_retries`` more times,
    ``delay`` seconds apart; a checksum mismatch is not retried.
    """
    final = os.path.join(folder, local_filename)
    for attempt in range(n_retries + 1):
        handle, temporary = tempfile.mkstemp(prefix=local_filename + ".", suffix=".part",
                                             dir=folder)
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out, \
                    urllib.request.urlopen(url, timeout=timeout) as response:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise OSError(
                    f"The SHA256 checksum of {local_filename} ({digest.hexdigest()}) "
                    f"differs from the expected one ({sha256}): the download is damaged "
                    "or not the official file.")
            os.replace(temporary, final)
            return final
        except (OSError, http.client.HTTPException) as error:
            if os.path.exists(temporary):
                os.remove(temporary)
            checksum = "SHA256 checksum" in str(error)
            if checksum or attempt == n_retries:
                raise
            time.sleep(delay)


def _download(filename, directory):
    """Download ``filename`` into ``directory`` with its checksum verified
    (:func:`_fetch_file`). Each base URL of
    :data:`FASHION_MNIST_URLS` is tried in turn. Returns ``(path, None)`` on success,
    ``(None, reasons)`` when every URL failed.
    """
    os.makedirs(directory, exist_ok=True)
    reasons = []
    for base_url in FASHION_MNIST_URLS:
        url = base_url + filename
        try:
            path = _fetch_file(
                url, folder=directory, local_filename=filename, sha256=_SHA256[filename],
                n_retries=_DOWNLOAD_RETRIES, delay=_RETRY_DELAY, timeout=_DOWNLOAD_TIMEOUT,
            )
            return os.fspath(path), None
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts...
            reasons.append(f"{url}: {error}")
    return None, reasons


def _locate(filename, search_dirs, download_dir, download_if_missing):
    """Return the path of ``filename`` (plain or gzipped), downloading it if needed."""
    path = _find_file(filename, search_dirs)
    if path is not None:
        return path
    searched = "\n".join(
        f"  - {os.path.join(d, filename)}[.gz]" for d in search_dirs
    )
    if not download_if_missing:
        raise DatasetNotFoundError(
            f"Fashion-MNIST file {filename} not found. Searched:\n{searched}\n"
            f"Downloading is disabled (download_if_missing=False). {_INSTALL_HINT}"
        )
    path, reasons = _download(filename + ".gz", download_dir)
    if path is None:
        failures = "\n".join(f"  - {reason}" for reason in reasons)
        raise DatasetNotFoundError(
            f"Fashion-MNIST file {filename} not found and could not be downloaded into "
            f"{download_dir}. Searched:\n{searched}\nDownload attempts:\n{failures}\n"
            f"{_INSTALL_HINT}"
        )
    return path


def _load_split(split, search_dirs, download_dir, download_if_missing):
    images_name, labels_name, n_official = _SPLITS[split]
    images_path = _locate(images_name, search_dirs, download_dir, download_if_missing)
    labels_path = _locate(labels_name, search_dirs, download_dir, download_if_missing)
    images, images_digest = _parse_idx(images_path, _IMAGES_MAGIC, (_IMAGE_SIDE, _IMAGE_SIDE))
    labels, labels_digest = _parse_idx(labels_path, _LABELS_MAGIC, ())
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; the two files do not belong together. Delete the "
            "wrong one (or reinstall: sudo apt-get install --reinstall "
            "dataset-fashion-mnist) so that a matching pair is found."
        )
    if labels.size and labels.max() >= len(FASHION_MNIST_CLASSES):
        raise _corrupt(
            labels_path, f"it holds the label {int(labels.max())}, but labels are 0 to 9"
        )
    # The structural checks above name the precise fault; these catch a copy that is
    # well formed but not the release's (cut consistently, or with altered pixels).
    _check_release(images_path, images_name, len(images), n_official, images_digest)
    _check_release(labels_path, labels_name, len(labels), n_official, labels_digest)
    return images, labels


def fetch_fashion_mnist(
    subset="train", *, data_home=None, download_if_missing=True, return_X_y=False
):
    """Load the Fashion-MNIST images, from local files or by downloading them.

    The four IDX files of the release (``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
    ``t10k-labels-idx1-ubyte``, each plain or gzipped with a ``.gz`` suffix) are
    looked for, in order, in:

    1. ``data_home``, when given;
    2. :data:`FASHION_MNIST_DEBIAN_DIR`, where the Debian/Ubuntu package
       ``dataset-fashion-mnist`` installs them;
    3. ``sklearn.datasets.get_data_home() / "fashion_mnist"``, when ``data_home``
       is not given.

    A file found nowhere is downloaded from the official release
    (:data:`FASHION_MNIST_URLS`) into ``data_home`` (or the directory of step 3)
    with :func:`sklearn.datasets.fetch_file`, and kept only if its SHA-256 checksum
    matches the release's. Every file used, wherever it was found, must hold the
    release's number of items (60,000 or 10,000) and the release's content: the
    SHA-256 of its decompressed data is checked, so an official file gunzipped or
    re-compressed is accepted and a modified one is an error.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or all 70,000
        (training images first).
    data_home : str or path-like, default=None
        A directory that holds (or will receive) the IDX files themselves.
        ``None`` means ``get_data_home()/fashion_mnist``, searched after the Debian
        package directory.
    download_if_missing : bool, default=True
        If False, raise :class:`DatasetNotFoundError` instead of downloading.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 784), float32
            The images flattened row-major, scaled to [0, 1] (pixel / 255). A view
            of ``images``: they share memory.
        target : ndarray of shape (n_samples,), int64
            The class labels, 0 to 9.
        images : ndarray of shape (n_samples, 28, 28), float32
            The images.
        target_names : ndarray of shape (10,), str
            The class names, ``target_names[target]`` names each image's class.
        DESCR : str
            A description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    DatasetNotFoundError
        (an ``OSError``) A file is nowhere on disk and could not be downloaded or
        downloading is disabled; the message lists the places searched.
    ValueError
        A file found is truncated or corrupt (bad gzip stream, magic number,
        dimensions or length), the images and labels counts differ, or a file is
        not the release's (other item count or content); the message names the file
        and what to do.

    See Also
    --------
    load_digits_images : Small 8x8 digits, always available offline.

    References
    ----------
    Han Xiao, Kashif Rasul and Roland Vollgraf (2017). Fashion-MNIST: a Novel Image
    Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747.

    Examples
    --------
    >>> from sparse_parts.datasets import fetch_fashion_mnist
    >>> bunch = fetch_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> bunch.data.shape, bunch.data.dtype  # doctest: +SKIP
    ((10000, 784), dtype('float32'))
    >>> bunch.target_names[bunch.target[0]]  # doctest: +SKIP
    np.str_('Ankle boot')
    """
    if subset not in _SUBSETS:
        raise ValueError(
            f"subset must be one of {', '.join(map(repr, _SUBSETS))}, got {subset!r}."
        )
    if data_home is not None:
        data_home = _user_path(data_home, "data_home")
        search_dirs = [data_home, FASHION_MNIST_DEBIAN_DIR]
        download_dir = data_home
    else:
        download_dir = os.path.join(get_data_home(), "fashion_mnist")
        search_dirs = [FASHION_MNIST_DEBIAN_DIR, download_dir]

    parts = [
        _load_split(split, search_dirs, download_dir, download_if_missing)
        for split in _SUBSETS[subset]
    ]
    if len(parts) == 1:
        pixels, labels = parts[0]
    else:
        pixels = np.concatenate([images for images, _ in parts])
        labels = np.concatenate([labels for _, labels in parts])

    images = pixels.astype(np.float32)
    images /= np.float32(255)
    data = images.reshape(len(images), -1)
    target = labels.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        target_names=np.asarray(FASHION_MNIST_CLASSES),
        DESCR=_FASHION_MNIST_DESCR,
    )


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's bundled 8x8 handwritten digits, scaled to [0, 1].

    The embedded default data set: no file or network access is needed.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (1797, 64), float32
            The images flattened row-major, scaled to [0, 1] (pixel / 16). A view
            of ``images``: they share memory.
        target : ndarray of shape (1797,), int64
            The digit, 0 to 9.
        images : ndarray of shape (1797, 8, 8), float32
            The images.
        target_names : ndarray of shape (10,)
            The digits 0 to 9.
        DESCR : str
            A description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    See Also
    --------
    sklearn.datasets.load_digits : The raw data (integers 0 to 16).
    fetch_fashion_mnist : Fashion-MNIST, the 28x28 data set of the report.

    Examples
    --------
    >>> from sparse_parts.datasets import load_digits_images
    >>> digits = load_digits_images()
    >>> digits.data.shape, digits.data.dtype, float(digits.data.max())
    ((1797, 64), dtype('float32'), 1.0)
    """
    digits = load_digits()
    images = digits.images.astype(np.float32)
    images /= np.float32(16)
    data = images.reshape(len(images), -1)
    target = digits.target.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        target_names=np.asarray(digits.target_names),
        DESCR=(
            "Pixels scaled to [0, 1] (value / 16), float32, by "
            "sparse_parts.datasets.load_digits_images.\n\n" + digits.DESCR
        ),
    )

