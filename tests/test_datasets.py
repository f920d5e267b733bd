"""Tests for sparse_parts.datasets: IDX parsing, search order, release checks,
download, digits, and the user's own images and labels."""

import functools
import gzip
import hashlib
import os
import re
import struct
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest
from PIL import Image

from sparse_parts import datasets
from sparse_parts.datasets import (
    FASHION_MNIST_CLASSES,
    DatasetNotFoundError,
    fetch_fashion_mnist,
    load_digits_images,
    load_images,
    load_labels,
)

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"


def needs_fashion_mnist(test):
    """The real files: the ``fashion_mnist`` marker, skipped without the package."""
    skip = pytest.mark.skipif(
        not os.path.isdir(DEBIAN_DIR),
        reason="Debian package dataset-fashion-mnist not installed",
    )
    return pytest.mark.fashion_mnist(skip(test))


def _images_idx(pixels):
    pixels = np.asarray(pixels, dtype=np.uint8)
    header = struct.pack(">4BIII", 0, 0, 8, 3, *pixels.shape)
    return header + pixels.tobytes()


def _labels_idx(labels):
    labels = np.asarray(labels, dtype=np.uint8)
    return struct.pack(">4BI", 0, 0, 8, 1, len(labels)) + labels.tobytes()


def _write(directory, name, content, *, gz):
    path = directory / (name + ".gz" if gz else name)
    # Level 1: fast on the real files, and other bytes than the release's .gz.
    path.write_bytes(gzip.compress(content, compresslevel=1) if gz else content)
    return path


def _fake_split(n, seed):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    pixels[0, 0, 0], pixels[0, 0, 1] = 0, 255  # the range ends are present
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return pixels, labels


def _declare_official(monkeypatch, split, pixels, labels):
    """Make the release checks take these synthetic arrays for the official files."""
    images_name, labels_name, _ = datasets._SPLITS[split]
    monkeypatch.setitem(datasets._SPLITS, split, (images_name, labels_name, len(pixels)))
    for name, content in [(images_name, _images_idx(pixels)), (labels_name, _labels_idx(labels))]:
        monkeypatch.setitem(datasets._CONTENT_SHA256, name, hashlib.sha256(content).hexdigest())


def _write_dataset(directory, *, gz, n_train=7, n_test=3, monkeypatch=None):
    """Synthetic IDX files; with ``monkeypatch``, declared the official release."""
    train = _fake_split(n_train, seed=0)
    test = _fake_split(n_test, seed=1)
    _write(directory, TRAIN_IMAGES, _images_idx(train[0]), gz=gz)
    _write(directory, TRAIN_LABELS, _labels_idx(train[1]), gz=gz)
    _write(directory, TEST_IMAGES, _images_idx(test[0]), gz=gz)
    _write(directory, TEST_LABELS, _labels_idx(test[1]), gz=gz)
    if monkeypatch is not None:
        _declare_official(monkeypatch, "train", *train)
        _declare_official(monkeypatch, "test", *test)
    return train, test


# The download itself, before any test replaces it.
_REAL_FETCH_FILE = datasets._fetch_file


@pytest.fixture
def no_system_copy(tmp_path, monkeypatch):
    """No Debian package, and any network access fails the test."""
    empty = tmp_path / "debian_empty"
    empty.mkdir()
    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(empty))

    def no_network(url, **kwargs):
        raise AssertionError(f"unexpected download of {url}")

    monkeypatch.setattr(datasets, "_fetch_file", no_network)
    return empty


@pytest.fixture
def any_release(monkeypatch):
    """Skip the release checks: for tests that need two different synthetic data
    sets at once, which cannot both be the official one."""
    monkeypatch.setattr(datasets, "_check_release", lambda *args: None)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_reads_synthetic_idx_files(tmp_path, monkeypatch, no_system_copy, gz):
    home = tmp_path / "home"
    home.mkdir()
    (train_pixels, train_labels), (test_pixels, test_labels) = _write_dataset(
        home, gz=gz, monkeypatch=monkeypatch
    )

    bunch = fetch_fashion_mnist("train", data_home=home)
    assert bunch.data.shape == (7, 784)
    assert bunch.images.shape == (7, 28, 28)
    assert bunch.data.dtype == bunch.images.dtype == np.float32
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.images * 255, train_pixels)
    np.testing.assert_array_equal(bunch.data, bunch.images.reshape(7, 784))
    np.testing.assert_array_equal(bunch.target, train_labels)
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    assert list(bunch.target_names) == list(FASHION_MNIST_CLASSES)
    assert bunch.target_names[9] == "Ankle boot"
    assert "Fashion-MNIST" in bunch.DESCR

    X, y = fetch_fashion_mnist("test", data_home=str(home), return_X_y=True)
    np.testing.assert_array_equal(X, test_pixels.reshape(3, 784) / np.float32(255))
    np.testing.assert_array_equal(y, test_labels)

    X_all, y_all = fetch_fashion_mnist("all", data_home=home, return_X_y=True)
    assert X_all.shape == (10, 784)
    np.testing.assert_array_equal(y_all, np.concatenate([train_labels, test_labels]))
    np.testing.assert_array_equal(X_all[7:], X)


def test_data_home_comes_before_debian_dir(tmp_path, monkeypatch, no_system_copy,
                                           any_release):
    home, debian = tmp_path / "home", tmp_path / "debian"
    home.mkdir()
    debian.mkdir()
    _write_dataset(debian, gz=True, n_test=4)
    _write_dataset(home, gz=False, n_test=2)
    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(debian))
    assert fetch_fashion_mnist("test", data_home=home).data.shape == (2, 784)
    # A data_home without the files falls back to the package directory.
    other = tmp_path / "other"
    other.mkdir()
    assert fetch_fashion_mnist("test", data_home=other).data.shape == (4, 784)
    # No data_home: the package directory, before the default download directory.
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(home))
    assert fetch_fashion_mnist("test").data.shape == (4, 784)


def test_default_download_directory_is_searched(tmp_path, monkeypatch, no_system_copy):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sk"))
    cache = tmp_path / "sk" / "fashion_mnist"
    cache.mkdir(parents=True)
    _write_dataset(cache, gz=True, n_test=5, monkeypatch=monkeypatch)
    assert fetch_fashion_mnist("test").data.shape == (5, 784)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("missing", [1, 100, 784 + 5])
def test_truncated_images_file(tmp_path, no_system_copy, gz, missing):
    pixels, labels = _fake_split(3, seed=0)
    path = _write(tmp_path, TEST_IMAGES, _images_idx(pixels)[:-missing], gz=gz)
    _write(tmp_path, TEST_LABELS, _labels_idx(labels), gz=gz)
    with pytest.raises(ValueError, match=rf"{path.name}.*announces 3 items.*Delete it"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_trailing_bytes_are_an_error(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    _write(tmp_path, TEST_IMAGES, _images_idx(pixels), gz=False)
    path = _write(tmp_path, TEST_LABELS, _labels_idx(labels) + b"\x00", gz=False)
    with pytest.raises(ValueError, match=rf"{path.name}.*holds 4 bytes of data"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_header_shorter_than_its_size(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    _write(tmp_path, TEST_IMAGES, _images_idx(pixels)[:10], gz=False)
    _write(tmp_path, TEST_LABELS, _labels_idx(labels), gz=False)
    with pytest.raises(ValueError, match="fewer than its 16-byte header"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_truncated_gzip_stream(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    compressed = gzip.compress(_images_idx(pixels))
    (tmp_path / (TEST_IMAGES + ".gz")).write_bytes(compressed[: len(compressed) // 2])
    _write(tmp_path, TEST_LABELS, _labels_idx(labels), gz=True)
    with pytest.raises(ValueError, match=rf"{TEST_IMAGES}\.gz.*could not be decompressed"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_not_a_gzip_file(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    (tmp_path / (TEST_IMAGES + ".gz")).write_bytes(_images_idx(pixels))
    _write(tmp_path, TEST_LABELS, _labels_idx(labels), gz=True)
    with pytest.raises(ValueError, match="could not be decompressed"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_bad_magic(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    # Labels and images swapped: each file has the other's magic number.
    _write(tmp_path, TEST_IMAGES, _labels_idx(labels), gz=False)
    _write(tmp_path, TEST_LABELS, _images_idx(pixels), gz=False)
    with pytest.raises(ValueError, match=r"magic number is 0x00000801, expected 0x00000803"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_wrong_image_size(tmp_path, no_system_copy):
    _write(tmp_path, TEST_IMAGES, _images_idx(np.zeros((3, 8, 8))), gz=False)
    _write(tmp_path, TEST_LABELS, _labels_idx([0, 1, 2]), gz=False)
    with pytest.raises(ValueError, match=r"items have shape \(8, 8\), expected \(28, 28\)"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_images_labels_count_mismatch(tmp_path, no_system_copy):
    pixels, labels = _fake_split(3, seed=0)
    _write(tmp_path, TEST_IMAGES, _images_idx(pixels), gz=False)
    _write(tmp_path, TEST_LABELS, _labels_idx(labels[:2]), gz=False)
    with pytest.raises(ValueError, match="holds 3 images but .* holds 2 labels"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_label_out_of_range(tmp_path, no_system_copy):
    pixels, _ = _fake_split(3, seed=0)
    _write(tmp_path, TEST_IMAGES, _images_idx(pixels), gz=False)
    _write(tmp_path, TEST_LABELS, _labels_idx([0, 12, 3]), gz=False)
    with pytest.raises(ValueError, match="label 12, but labels are 0 to 9"):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_corrupt_file_in_debian_dir_says_reinstall(tmp_path, monkeypatch, no_system_copy):
    debian = tmp_path / "debian"
    debian.mkdir()
    pixels, labels = _fake_split(3, seed=0)
    _write(debian, TEST_IMAGES, _images_idx(pixels)[:-1], gz=True)
    _write(debian, TEST_LABELS, _labels_idx(labels), gz=True)
    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(debian))
    with pytest.raises(ValueError, match="apt-get install --reinstall dataset-fashion-mnist"):
        fetch_fashion_mnist("test", data_home=tmp_path / "nothing_here")


def test_unknown_subset():
    with pytest.raises(ValueError, match="subset must be one of 'train', 'test', 'all'"):
        fetch_fashion_mnist("validation")


# -- download ----------------------------------------------------------------


def _serve(tmp_path, monkeypatch, files, calls, *, first_mirror_down=False):
    """Serve ``files`` (name -> bytes) at file:// URLs, downloaded by the package's
    own _fetch_file (no network); ``calls`` records the URLs asked for. The other
    mirror is a folder that does not exist: its URLs fail like a 404."""
    served, down = tmp_path / "served", tmp_path / "down"
    served.mkdir()
    for name, content in files.items():
        (served / name).write_bytes(content)
    urls = [f"file://localhost{urllib.request.pathname2url(str(d))}/" for d in (served, down)]
    monkeypatch.setattr(
        datasets, "FASHION_MNIST_URLS", tuple(urls[::-1] if first_mirror_down else urls)
    )
    monkeypatch.setattr(datasets, "_RETRY_DELAY", 0)

    def recording_fetch_file(url, **kwargs):
        calls.append(url)
        return _REAL_FETCH_FILE(url, **kwargs)

    monkeypatch.setattr(datasets, "_fetch_file", recording_fetch_file)


def _released(tmp_path, monkeypatch):
    """Synthetic release files whose checksums are declared the official ones."""
    pixels, labels = _fake_split(4, seed=3)
    files = {
        TEST_IMAGES + ".gz": gzip.compress(_images_idx(pixels)),
        TEST_LABELS + ".gz": gzip.compress(_labels_idx(labels)),
    }
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setitem(datasets._SHA256, TEST_IMAGES + ".gz", checksums[TEST_IMAGES + ".gz"])
    monkeypatch.setitem(datasets._SHA256, TEST_LABELS + ".gz", checksums[TEST_LABELS + ".gz"])
    _declare_official(monkeypatch, "test", pixels, labels)
    return files, pixels, labels


def test_download_into_data_home(tmp_path, monkeypatch, no_system_copy):
    files, pixels, labels = _released(tmp_path, monkeypatch)
    calls = []
    _serve(tmp_path, monkeypatch, files, calls)
    home = tmp_path / "new" / "home"
    X, y = fetch_fashion_mnist("test", data_home=home, return_X_y=True)
    np.testing.assert_array_equal(X * 255, pixels.reshape(4, 784))
    np.testing.assert_array_equal(y, labels)
    assert calls == [datasets.FASHION_MNIST_URLS[0] + name for name in files]
    assert sorted(os.listdir(home)) == sorted(files)  # no temporary file left behind
    # The second call reads the downloaded files without touching the network.
    calls.clear()
    fetch_fashion_mnist("test", data_home=home)
    assert calls == []


def test_download_defaults_to_sklearn_data_home(tmp_path, monkeypatch, no_system_copy):
    files, _, _ = _released(tmp_path, monkeypatch)
    _serve(tmp_path, monkeypatch, files, [])
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sk"))
    assert fetch_fashion_mnist("test").data.shape == (4, 784)
    assert sorted(os.listdir(tmp_path / "sk" / "fashion_mnist")) == sorted(files)


def test_download_falls_back_to_the_next_url(tmp_path, monkeypatch, no_system_copy):
    files, _, _ = _released(tmp_path, monkeypatch)
    calls = []
    _serve(tmp_path, monkeypatch, files, calls, first_mirror_down=True)
    # The dead mirror is tried (and retried once, _RETRY_DELAY = 0 here), then the next.
    assert fetch_fashion_mnist("test", data_home=tmp_path / "h").data.shape == (4, 784)
    assert len(calls) == 4 and all("/down/" in url for url in calls[::2])


def test_checksum_mismatch_is_an_error_and_nothing_is_kept(tmp_path, monkeypatch,
                                                             no_system_copy):
    files, _, _ = _released(tmp_path, monkeypatch)
    tampered = dict(files)
    good = files[TEST_IMAGES + ".gz"]
    middle = len(good) // 2
    tampered[TEST_IMAGES + ".gz"] = good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1:]
    _serve(tmp_path, monkeypatch, tampered, [])
    home = tmp_path / "home"
    message = rf"SHA256 checksum of {TEST_IMAGES}\.gz"
    with pytest.raises(DatasetNotFoundError, match=message) as info:
        fetch_fashion_mnist("test", data_home=home)
    assert "apt-get install dataset-fashion-mnist" in str(info.value)
    assert os.listdir(home) == []  # neither the bad file nor a temporary one


def test_offline_and_absent(tmp_path, monkeypatch, no_system_copy):
    def offline(url, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(datasets, "_fetch_file", offline)
    home = tmp_path / "home"
    with pytest.raises(DatasetNotFoundError) as info:
        fetch_fashion_mnist("train", data_home=home)
    message = str(info.value)
    assert isinstance(info.value, OSError)
    assert os.path.join(str(home), TRAIN_IMAGES) in message
    assert os.path.join(str(no_system_copy), TRAIN_IMAGES) in message
    assert "name resolution" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "data_home" in message
    assert os.listdir(home) == []


def test_download_disabled(tmp_path, no_system_copy):
    with pytest.raises(DatasetNotFoundError, match="download_if_missing=False") as info:
        fetch_fashion_mnist("test", data_home=tmp_path, download_if_missing=False)
    assert str(no_system_copy) in str(info.value)
    assert "apt-get install dataset-fashion-mnist" in str(info.value)


@needs_fashion_mnist
def test_release_checksums_match_debian_package():
    # The package ships the release's gzipped files (the checksums of the download),
    # and their decompressed content is what every copy is checked against.
    for name, expected in datasets._SHA256.items():
        with open(os.path.join(DEBIAN_DIR, name), "rb") as file:
            compressed = file.read()
        assert hashlib.sha256(compressed).hexdigest() == expected, name
        content = gzip.decompress(compressed)
        assert hashlib.sha256(content).hexdigest() == datasets._CONTENT_SHA256[name[:-3]], name


# -- digits ------------------------------------------------------------------


def test_load_digits_images():
    bunch = load_digits_images()
    assert bunch.data.shape == (1797, 64)
    assert bunch.images.shape == (1797, 8, 8)
    assert bunch.data.dtype == bunch.images.dtype == np.float32
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    assert bunch.target.shape == (1797,)
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target_names, np.arange(10))
    np.testing.assert_array_equal(np.unique(bunch.target), np.arange(10))
    np.testing.assert_array_equal(bunch.data, bunch.images.reshape(1797, 64))
    assert "digits" in bunch.DESCR
    X, y = load_digits_images(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)
    # pixel / 16: every value is a multiple of 1/16.
    np.testing.assert_array_equal(X * 16, np.round(X * 16))


# -- the real data -----------------------------------------------------------


@functools.lru_cache
def _official(name):
    """The decompressed content of the release's file ``name``."""
    with gzip.open(os.path.join(DEBIAN_DIR, name + ".gz"), "rb") as file:
        return file.read()


@needs_fashion_mnist
def test_real_fashion_mnist_test_set(tmp_path):
    X, y = fetch_fashion_mnist(
        "test", data_home=tmp_path, download_if_missing=False, return_X_y=True
    )
    assert X.shape == (10000, 784)
    assert X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 1000))


@needs_fashion_mnist
def test_debian_package_passes_the_release_checks(tmp_path):
    for split, n_items in [("train", 60000), ("test", 10000)]:
        images, labels = datasets._load_split(split, [DEBIAN_DIR], str(tmp_path), False)
        assert images.shape == (n_items, 28, 28) and labels.shape == (n_items,)


@needs_fashion_mnist
def test_official_files_load_gzipped_or_not(tmp_path, no_system_copy):
    plain, gz = tmp_path / "plain", tmp_path / "gz"
    plain.mkdir()
    gz.mkdir()
    for name in (TEST_IMAGES, TEST_LABELS):
        _write(plain, name, _official(name), gz=False)
        # Compressed anew: other bytes than the release's .gz, the same content.
        _write(gz, name, _official(name), gz=True)
    X_plain, y_plain = fetch_fashion_mnist("test", data_home=plain, return_X_y=True)
    X_gz, y_gz = fetch_fashion_mnist("test", data_home=gz, return_X_y=True)
    assert X_plain.shape == (10000, 784)
    np.testing.assert_array_equal(X_plain, X_gz)
    np.testing.assert_array_equal(y_plain, y_gz)


@needs_fashion_mnist
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_official_file_with_flipped_pixels_is_an_error(tmp_path, no_system_copy, gz):
    content = bytearray(_official(TEST_IMAGES))
    rng = np.random.default_rng(0)
    for index in rng.choice(np.arange(16, len(content)), size=1000, replace=False):
        content[index] ^= 0xFF
    path = _write(tmp_path, TEST_IMAGES, bytes(content), gz=gz)
    _write(tmp_path, TEST_LABELS, _official(TEST_LABELS), gz=gz)
    message = rf"{re.escape(str(path))}.*differs from the official"
    with pytest.raises(ValueError, match=message) as info:
        fetch_fashion_mnist("test", data_home=tmp_path)
    assert "Delete it" in str(info.value) and "data_home=" in str(info.value)


@needs_fashion_mnist
def test_consistently_cut_official_pair_is_an_error(tmp_path, no_system_copy):
    # 5,000 items of each file behind headers rewritten to say 5,000: well formed,
    # and images and labels agree, but it is not the release.
    images = _official(TEST_IMAGES)
    pixels = np.frombuffer(images, np.uint8, offset=16).reshape(10000, 28, 28)[:5000]
    labels = np.frombuffer(_official(TEST_LABELS), np.uint8, offset=8)[:5000]
    path = _write(tmp_path, TEST_IMAGES, _images_idx(pixels), gz=True)
    _write(tmp_path, TEST_LABELS, _labels_idx(labels), gz=True)
    message = (
        rf"{re.escape(str(path))}.*holds 5000 items, but the official {TEST_IMAGES} holds 10000"
    )
    with pytest.raises(ValueError, match=message):
        fetch_fashion_mnist("test", data_home=tmp_path)


def test_modified_copy_in_debian_dir_says_reinstall(tmp_path, monkeypatch, no_system_copy):
    debian = tmp_path / "debian"
    debian.mkdir()
    _, (pixels, labels) = _write_dataset(debian, gz=True, monkeypatch=monkeypatch)
    pixels[0, 0, 0] ^= 1
    path = _write(debian, TEST_IMAGES, _images_idx(pixels), gz=True)
    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(debian))
    message = rf"{re.escape(str(path))}.*differs.*--reinstall dataset-fashion-mnist"
    with pytest.raises(ValueError, match=message):
        fetch_fashion_mnist("test", data_home=tmp_path / "nothing_here")


# -- the user's own images ---------------------------------------------------

HEIGHT, WIDTH = 12, 9  # non-square, so rows and columns cannot be swapped unseen


def _grey(seed, shape=(HEIGHT, WIDTH)):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def test_folder_of_pngs_sorted_by_name(tmp_path):
    pixels = {name: _grey(seed) for seed, name in enumerate(["b.png", "a.png", "c.PNG"])}
    for name, values in pixels.items():
        Image.fromarray(values).save(tmp_path / name)
    (tmp_path / ".DS_Store").write_bytes(b"\0")  # hidden: skipped silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bunch = load_images(tmp_path)
    order = ["a.png", "b.png", "c.PNG"]
    assert bunch.filenames == [str(tmp_path / name) for name in order]
    assert bunch.images.shape == (3, HEIGHT, WIDTH) and bunch.image_shape == (HEIGHT, WIDTH)
    assert bunch.data.shape == (3, HEIGHT * WIDTH)
    assert bunch.data.dtype == bunch.images.dtype == np.float32
    expected = np.stack([pixels[name] for name in order]) / np.float32(255)
    np.testing.assert_array_equal(bunch.images, expected)
    assert np.shares_memory(bunch.data, bunch.images)
    assert "target" not in bunch and str(tmp_path) in bunch.DESCR


def test_folder_colour_to_grey_with_grey_true(tmp_path):
    # Colour is kept by default (tests/test_colour.py); grey=True converts it.
    Image.fromarray(_grey(0)).save(tmp_path / "1_grey.png")
    stored_as_rgb = np.repeat(_grey(1)[..., None], 3, axis=2)
    Image.fromarray(stored_as_rgb).save(tmp_path / "2_grey_as_rgb.png")
    colour = np.random.default_rng(2).integers(0, 256, size=(HEIGHT, WIDTH, 3), dtype=np.uint8)
    Image.fromarray(colour).save(tmp_path / "3_colour.png")
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.warns(UserWarning) as record:
        bunch = load_images(tmp_path, grey=True)
    messages = [str(w.message) for w in record]
    assert bunch.image_shape == (HEIGHT, WIDTH)
    assert any("1 of the 3 images" in m and "3_colour.png" in m and "converted to grey" in m
               for m in messages), messages
    assert any("skipped" in m and "notes.txt" in m for m in messages), messages
    assert all(w.filename == __file__ for w in record)  # the warnings point at the caller
    np.testing.assert_array_equal(bunch.images[1], _grey(1) / np.float32(255))
    luma = np.asarray(Image.fromarray(colour).convert("L")) / np.float32(255)
    np.testing.assert_array_equal(bunch.images[2], luma)


def test_folder_jpeg_and_16_bit_png(tmp_path):
    Image.fromarray(_grey(0)).save(tmp_path / "a.jpg", quality=95)
    deep = np.random.default_rng(1).integers(0, 65536, size=(HEIGHT, WIDTH), dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "b.png")
    bunch = load_images(tmp_path)
    assert bunch.images.shape == (2, HEIGHT, WIDTH)
    np.testing.assert_allclose(bunch.images[0], _grey(0) / 255, atol=0.1)  # lossy JPEG
    np.testing.assert_allclose(bunch.images[1], deep / 65535, rtol=1e-6)


def test_folder_image_of_another_size_is_named(tmp_path):
    for index in range(4):
        Image.fromarray(_grey(index)).save(tmp_path / f"img_{index}.png")
    # Sorted first: the odd one is found by the majority size, not by coming first.
    Image.fromarray(_grey(9, shape=(WIDTH, HEIGHT))).save(tmp_path / "img_!odd.png")
    message = (
        rf"{re.escape(str(tmp_path / 'img_!odd.png'))} is 9x12 \(height x width\), but 4 "
        r"of the 5 images .* are 12x9"
    )
    with pytest.raises(ValueError, match=message):
        load_images(tmp_path)


def test_folder_without_images(tmp_path):
    with pytest.raises(ValueError, match=r"holds no PNG or JPEG image.*it is empty"):
        load_images(tmp_path)
    (tmp_path / "labels.csv").write_text("1\n")
    with pytest.raises(ValueError, match=r"holds no PNG or JPEG image.*'labels\.csv'"):
        load_images(tmp_path)


def test_folder_unreadable_image_is_named(tmp_path):
    Image.fromarray(_grey(0)).save(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes(b"not a png at all")
    with pytest.raises(ValueError, match=r"b\.png could not be read as an image"):
        load_images(tmp_path)


def test_npy_stack_of_images(tmp_path):
    images = np.random.default_rng(0).random((5, HEIGHT, WIDTH))
    np.save(tmp_path / "x.npy", images)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # in [0, 1]: kept as is, without a notice
        bunch = load_images(tmp_path / "x.npy")
    assert bunch.image_shape == (HEIGHT, WIDTH) and bunch.filenames is None
    np.testing.assert_array_equal(bunch.images, images.astype(np.float32))
    np.testing.assert_array_equal(bunch.data, images.reshape(5, -1).astype(np.float32))
    # image_shape is checked against a 3-D array, never used to reshape it.
    assert load_images(tmp_path / "x.npy", image_shape=(HEIGHT, -1)).image_shape == (12, 9)
    with pytest.raises(ValueError, match=r"images of 12x9 .* but image_shape=\(9, 12\)"):
        load_images(tmp_path / "x.npy", image_shape=(WIDTH, HEIGHT))


@pytest.mark.parametrize("image_shape", [(HEIGHT, WIDTH), (-1, WIDTH), [HEIGHT, -1]])
def test_npy_flat_images_with_image_shape(tmp_path, image_shape):
    images = np.random.default_rng(0).random((5, HEIGHT, WIDTH)).astype(np.float32)
    np.save(tmp_path / "x.npy", images.reshape(5, -1))
    bunch = load_images(str(tmp_path / "x.npy"), image_shape=image_shape)
    assert bunch.image_shape == (HEIGHT, WIDTH)
    np.testing.assert_array_equal(bunch.images, images)


def test_npy_flat_non_square_needs_image_shape(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((5, HEIGHT * WIDTH)))
    with pytest.raises(ValueError, match=r"x\.npy holds an array of shape \(5, 108\).*"
                       r"not a perfect square.*image_shape"):
        load_images(tmp_path / "x.npy")
    with pytest.raises(ValueError, match="holds 100 pixels but the data has n_features=108"):
        load_images(tmp_path / "x.npy", image_shape=(10, 10))


def test_npz_array_choice(tmp_path):
    images = np.random.default_rng(0).random((4, HEIGHT, WIDTH))
    np.savez(tmp_path / "one.npz", anything=images)
    np.testing.assert_array_equal(load_images(tmp_path / "one.npz").images, images.astype("f4"))
    np.savez(tmp_path / "named.npz", labels=np.arange(4), images=images)
    assert load_images(tmp_path / "named.npz").images.shape == (4, HEIGHT, WIDTH)
    np.savez(tmp_path / "two.npz", first=images, second=images[:2])
    with pytest.raises(ValueError, match=r"holds the arrays \['first', 'second'\]; pass key="):
        load_images(tmp_path / "two.npz")
    assert load_images(tmp_path / "two.npz", key="second").images.shape == (2, HEIGHT, WIDTH)
    with pytest.raises(ValueError, match="holds the arrays"):
        load_images(tmp_path / "two.npz", key="third")
    np.save(tmp_path / "x.npy", images)
    with pytest.raises(ValueError, match="is not one"):
        load_images(tmp_path / "x.npy", key="images")


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float64])
def test_values_0_to_255_are_divided_by_255_with_a_notice(tmp_path, dtype):
    pixels = np.stack([_grey(seed) for seed in range(3)]).astype(dtype)
    pixels[0, 0, :2] = 0, 255
    np.save(tmp_path / "x.npy", pixels)
    with pytest.warns(UserWarning, match=r"\[0, 255\], outside \[0, 1\].*divided by 255") as w:
        bunch = load_images(tmp_path / "x.npy")
    assert w[0].filename == __file__
    np.testing.assert_array_equal(bunch.images, pixels.astype(np.float32) / np.float32(255))


def test_other_ranges_are_scaled_with_a_notice(tmp_path):
    large = np.random.default_rng(0).random((3, 4, 4)) * 1000
    np.save(tmp_path / "large.npy", large)
    with pytest.warns(UserWarning, match="divided by their maximum"):
        bunch = load_images(tmp_path / "large.npy")
    np.testing.assert_allclose(bunch.images, large / large.max(), rtol=1e-6)
    assert bunch.images.max() == 1.0
    signed = np.random.default_rng(1).normal(size=(3, 4, 4))
    np.save(tmp_path / "signed.npy", signed)
    with pytest.warns(UserWarning, match=r"rescaled linearly from \[-"):
        bunch = load_images(tmp_path / "signed.npy")
    np.testing.assert_allclose(
        bunch.images, (signed - signed.min()) / np.ptp(signed), rtol=1e-5, atol=1e-7
    )
    assert bunch.images.min() == 0.0 and bunch.images.max() == 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_an_error(tmp_path, bad):
    images = np.random.default_rng(0).random((3, 4, 4))
    images[1, 2, 3] = bad
    np.save(tmp_path / "x.npy", images)
    count = "1 NaN and 0 infinite" if np.isnan(bad) else "0 NaN and 1 infinite"
    with pytest.raises(ValueError, match=rf"x\.npy holds {count} values"):
        load_images(tmp_path / "x.npy")


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros(16), r"shape \(16,\); expected \(n_images, height, width\)"),
        (np.zeros((2, 4, 4, 3, 1)), r"\(n_images, height, width, channels\) for colour"),
        (np.zeros((0, 4, 4)), "holds no images"),
        (np.zeros((2, 16), dtype=complex), "dtype complex128; images must be numbers"),
        (np.array([["a"] * 4] * 2), "images must be numbers"),
    ],
)
def test_array_of_the_wrong_kind(tmp_path, array, message):
    np.save(tmp_path / "x.npy", array)
    with pytest.raises(ValueError, match=message):
        load_images(tmp_path / "x.npy")


def test_unsupported_or_missing_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="No image file or folder"):
        load_images(tmp_path / "absent.npy")
    (tmp_path / "x.csv").write_text("1,2\n")
    with pytest.raises(ValueError, match=r"pass a \.npy or \.npz file, or a folder"):
        load_images(tmp_path / "x.csv")
    (tmp_path / "fake.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="could not be read as a NumPy file"):
        load_images(tmp_path / "fake.npy")
    np.save(tmp_path / "objects.npy", np.array([{}, []], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="could not be read as a NumPy file"):
        load_images(tmp_path / "objects.npy")


# -- labels ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("y.txt", "3\n1\n\n4\n"),
        ("y.csv", "3,1,4\n"),
        ("y.txt", "3 1  4"),
        ("y.npy", np.array([3, 1, 4], dtype=np.uint8)),
        ("y.npy", np.array([[3.0], [1.0], [4.0]])),
    ],
)
def test_load_labels(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        np.save(path, content)
    labels = load_labels(path, n_samples=3)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [3, 1, 4])


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("y.txt", "3\n1\n", "holds 2 labels but there are 3 images"),
        ("y.csv", "0,3\n1,1\n2,4\n", r"y\.csv, line 1: '0,3' holds several values"),
        ("y.txt", "3\nshirt\n4\n", r"y\.txt, line 2: 'shirt' is not an integer label"),
        ("y.txt", "\n", "holds no labels"),
        ("y.npy", np.array([3.0, 1.5, 4.0]), "labels must be a 1-D array of integers"),
        ("y.npy", np.zeros((3, 2), dtype=int), "labels must be a 1-D array of integers"),
        ("y.json", "[3, 1, 4]", r"pass a \.npy, \.txt or \.csv file"),
    ],
)
def test_bad_labels(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        np.save(path, content)
    with pytest.raises(ValueError, match=message):
        load_labels(path, n_samples=3)


def test_load_images_with_labels(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((3, 4, 4)))
    (tmp_path / "y.txt").write_text("2\n0\n1\n")
    bunch = load_images(tmp_path / "x.npy", labels=tmp_path / "y.txt")
    np.testing.assert_array_equal(bunch.target, [2, 0, 1])
    (tmp_path / "y.txt").write_text("2\n0\n")
    with pytest.raises(ValueError, match="holds 2 labels but there are 3 images"):
        load_images(tmp_path / "x.npy", labels=tmp_path / "y.txt")
    with pytest.raises(FileNotFoundError, match="No labels file"):
        load_labels(tmp_path / "absent.txt")


def test_download_passes_a_timeout_and_leaves_the_socket_default_alone(tmp_path,
                                                                       monkeypatch):
    """A download runs under a finite timeout given to urlopen (a stalled server would
    hang forever otherwise); the process-wide default socket timeout, which other
    threads share, is never set."""
    import socket
    import urllib.request

    from sparse_parts import datasets

    seen = []

    def stalled(url, timeout=None):
        seen.append((timeout, socket.getdefaulttimeout()))
        raise OSError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", stalled)
    monkeypatch.setattr(datasets, "_RETRY_DELAY", 0)
    monkeypatch.setattr(socket, "setdefaulttimeout", None)  # calling it would fail
    before = socket.getdefaulttimeout()
    path, reasons = datasets._download("t10k-labels-idx1-ubyte.gz", str(tmp_path))
    assert path is None and len(reasons) == len(datasets.FASHION_MNIST_URLS)
    assert all("timed out" in reason for reason in reasons)
    # Each URL tried once more after a failure, each time with the download's timeout.
    assert seen == [(datasets._DOWNLOAD_TIMEOUT, before)] * (
        len(datasets.FASHION_MNIST_URLS) * (datasets._DOWNLOAD_RETRIES + 1))
    assert os.listdir(tmp_path) == []  # no partial file left
