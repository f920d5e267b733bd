"""Colour patches of the photographs that ship with scikit-image: the embedded colour data.

The photographs are files inside the scikit-image wheel (``skimage/data/*.png``,
``rocket.jpg``), read by :mod:`skimage.data` without a network; :func:`load_photo_patches`
cuts them into non-overlapping square patches and splits the patches into a training
and a held-out part. Re-exported by :mod:`sparse_parts.datasets`.
"""

import numbers

import numpy as np
import skimage.color
import skimage.data
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

from ._utils import check_int

__all__ = ["PHOTOS", "load_photo_patches"]

#: The photographs of :mod:`skimage.data` the patches are cut from (all RGB, all
#: bundled with scikit-image); a patch's target is the index of its photograph here.
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")

_CHANNELS = ("rgb", "grey")


def _tile_corners(shape, patch_size, offset):
    """Top-left corners of the non-overlapping ``patch_size`` tiles of a grid shifted
    by ``offset`` pixels along both axes."""
    rows = np.arange(offset[0], shape[0] - patch_size + 1, patch_size)
    cols = np.arange(offset[1], shape[1] - patch_size + 1, patch_size)
    return np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1).reshape(-1, 2)


def load_photo_patches(patch_size=12, n_patches=2000, *, channels="rgb", test_size=0.25,
                       random_state=0, return_X_y=False):
    """Load square colour patches of scikit-image's bundled photographs, with a held-out part.

    Each photograph of :data:`PHOTOS` (``astronaut``, ``coffee``, ``chelsea``,
    ``rocket``; shipped inside scikit-image, so nothing is downloaded) is cut into a
    grid of non-overlapping ``patch_size`` squares, the grid shifted by a random
    offset per photograph; ``n_patches`` of all these tiles are drawn without
    replacement and split, stratified by photograph, into a training part and a
    held-out part. No pixel belongs to two patches, so the held-out patches share no
    pixel with the training ones. A patch's target is its photograph, a
    four-class problem for the SVM accuracy of the study.

    Parameters
    ----------
    patch_size : int, default=12
        Side of the square patches, in pixels (at least 2).
    n_patches : int, default=2000
        Number of patches, training and held-out together (at least 8). At most the
        number of tiles of the photographs: about 6,000 for ``patch_size=12``,
        14,000 for 8; a larger request is a ``ValueError`` that says the maximum.
    channels : {"rgb", "grey"}, default="rgb"
        ``"rgb"`` keeps the colour: images of shape ``(patch_size, patch_size, 3)``,
        flattened row-major with the channels last. ``"grey"`` converts the
        photographs to luminance first (:func:`skimage.color.rgb2gray`):
        ``(patch_size, patch_size)``.
    test_size : float in (0, 1), default=0.25
        Fraction of the patches held out.
    random_state : int, RandomState instance or None, default=0
        Seeds the grid offsets, the draw and the split; an int gives the same patches
        on every machine.
    return_X_y : bool, default=False
        If True, return ``(X_train, X_test, y_train, y_test)``, the order of
        :func:`sklearn.model_selection.train_test_split`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data, data_test : ndarray of shape (n_train, n_features), (n_test, n_features)
            The training and held-out patches, flattened row-major (channels last),
            float32 in [0, 1]; ``n_features = patch_size ** 2 * 3`` for ``"rgb"``,
            ``patch_size ** 2`` for ``"grey"``.
        images, images_test : ndarray of shape ``(n, *image_shape)``, float32
            The same patches as images (views of ``data`` and ``data_test``).
        target, target_test : ndarray of shape (n,), int64
            Index in ``target_names`` of the photograph of each patch.
        target_names : ndarray of shape (4,)
            The photographs, :data:`PHOTOS`.
        positions, positions_test : ndarray of shape (n, 2), int64
            ``(row, column)`` of each patch's top-left pixel in its photograph.
        image_shape : tuple of int
            ``(patch_size, patch_size, 3)`` or ``(patch_size, patch_size)``: the
            ``image_shape`` to give the estimators.
        DESCR : str
            A description of the data set.

    (X_train, X_test, y_train, y_test) : tuple if ``return_X_y`` is True

    Raises
    ------
    ValueError
        For a ``patch_size``, ``n_patches``, ``channels`` or ``test_size`` out of range,
        or more patches than the photographs hold.

    See Also
    --------
    load_digits_images : The bundled grey data set.
    skimage.data : The photographs.

    Examples
    --------
    >>> from sparse_parts.datasets import load_photo_patches
    >>> patches = load_photo_patches(patch_size=8, n_patches=100, random_state=0)
    >>> patches.data.shape, patches.data_test.shape, patches.image_shape
    ((75, 192), (25, 192), (8, 8, 3))
    >>> float(patches.data.min()) >= 0.0 and float(patches.data.max()) <= 1.0
    True
    """
    patch_size = check_int(patch_size, "patch_size", low=2)
    n_patches = check_int(n_patches, "n_patches", low=8)
    if channels not in _CHANNELS:
        raise ValueError(f"channels must be one of {_CHANNELS}, got {channels!r}.")
    if (not isinstance(test_size, numbers.Real) or isinstance(test_size, bool)
            or not 0 < test_size < 1):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}.")
    rng = check_random_state(random_state)

    photos, corners, owners = [], [], []
    for index, name in enumerate(PHOTOS):
        photo = getattr(skimage.data, name)()
        photo = (skimage.color.rgb2gray(photo) if channels == "grey"
                 else photo.astype(np.float32) / np.float32(255))
        photos.append(photo.astype(np.float32))
        offset = rng.randint(patch_size, size=2)
        tiles = _tile_corners(photo.shape, patch_size, offset)
        corners.append(tiles)
        owners.append(np.full(len(tiles), index, dtype=np.int64))
    corners, owners = np.concatenate(corners), np.concatenate(owners)
    if n_patches > len(corners):
        raise ValueError(
            f"n_patches={n_patches} is more than the {len(corners)} non-overlapping "
            f"{patch_size}x{patch_size} patches of the photographs; ask for at most "
            f"{len(corners)}, or a smaller patch_size.")
    drawn = rng.choice(len(corners), size=n_patches, replace=False)
    images = np.stack([photos[owners[i]][r:r + patch_size, c:c + patch_size]
                       for i, (r, c) in zip(drawn, corners[drawn], strict=True)])
    images = np.clip(images, 0.0, 1.0)  # rgb2gray's weights may round a hair past 1
    target, positions = owners[drawn], corners[drawn]
    seed = rng.randint(np.iinfo(np.int32).max)
    try:
        images, images_test, target, target_test, positions, positions_test = (
            train_test_split(images, target, positions, test_size=test_size,
                             random_state=seed, stratify=target))
    except ValueError as exc:  # a photograph with a single patch cannot be split
        raise ValueError(
            f"Cannot hold out test_size={test_size} of n_patches={n_patches} in every "
            f"photograph: {exc} Ask for more patches.") from None
    images = np.ascontiguousarray(images)
    images_test = np.ascontiguousarray(images_test)
    data, data_test = images.reshape(len(images), -1), images_test.reshape(len(images_test), -1)
    if return_X_y:
        return data, data_test, target, target_test
    image_shape = images.shape[1:]
    return Bunch(
        data=data, data_test=data_test, images=images, images_test=images_test,
        target=target, target_test=target_test, target_names=np.asarray(PHOTOS),
        positions=positions, positions_test=positions_test,
        image_shape=tuple(int(v) for v in image_shape),
        DESCR=(
            f"{n_patches} non-overlapping {patch_size}x{patch_size} "
            f"{'colour (RGB, channels last)' if channels == 'rgb' else 'grey (luminance)'} "
            f"patches of the photographs {', '.join(PHOTOS)} bundled with scikit-image "
            f"(skimage.data), values in [0, 1], float32; {len(data)} for training and "
            f"{len(data_test)} held out, stratified by photograph (the target). Drawn by "
            "sparse_parts.datasets.load_photo_patches."),
    )
