"""scikit-learn's non-negative factorisations, made measurable by :mod:`sparse_parts.metrics`.

The peers of ``sparse-parts front``: ``NMF``, ``MiniBatchNMF``, ``DictionaryLearning``
and ``MiniBatchDictionaryLearning`` (the last two with non-negative codes and atoms).
The metrics need ``components_``, ``transform``, ``image_shape_`` and a decoding hook;
:class:`PeerAdapter` wraps a peer and supplies them through the package's decomposition
contract (:class:`~sparse_parts._decomposition.PartBasedMixin`: ``decode``,
``inverse_transform``, ``score``) and its input contract. Every one of these peers
decodes as ``codes @ components_``, with no bias or activation, so the decoding hook
is that product, also for operated (e.g. dilated) atoms.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._decomposition import PartBasedMixin
from .._utils import check_images, resolve_image_shape

__all__ = ["PEERS", "PeerAdapter", "make_peer"]

#: The peer families: name -> scikit-learn class name in ``sklearn.decomposition``.
PEERS = {
    "sklearn-nmf": "NMF",
    "sklearn-minibatch-nmf": "MiniBatchNMF",
    "sklearn-dict": "DictionaryLearning",
    "sklearn-minibatch-dict": "MiniBatchDictionaryLearning",
}

class PeerAdapter(PartBasedMixin, TransformerMixin, BaseEstimator):
    """A scikit-learn decomposition with the interface of this package's estimators.

    ``fit`` fits a clone of ``estimator``; ``transform`` is the peer's own
    ``transform`` (its encoding of new images); ``decode(codes, components)`` is
    ``codes @ components``, the peers' decoder.

    Parameters
    ----------
    estimator : estimator
        Unfitted; after fitting it has ``components_`` of shape
        (n_components, n_features) and a ``transform``.
    image_shape : tuple of int, default=None
        ``(height, width)`` of the images; None means square images.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone.
    components_ : ndarray of shape (n_components, n_features)
    image_shape_ : tuple of int or None
        None when the images are not square and no ``image_shape`` was given (the
        morphological metrics then say so).
    """

    def __init__(self, estimator, *, image_shape=None):
        self.estimator = estimator
        self.image_shape = image_shape

    def fit(self, X, y=None):
        """Fit the peer on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : PeerAdapter
        """
        X = check_images(self, X, reset=True)
        self.image_shape_ = resolve_image_shape(X.shape[1], self.image_shape, required=False)
        self.estimator_ = clone(self.estimator).fit(X)
        self.components_ = np.asarray(self.estimator_.components_)
        self.n_iter_ = getattr(self.estimator_, "n_iter_", None)
        return self

    def transform(self, X):
        """The peer's codes of ``X`` (its own ``transform``)."""
        return self._validated_codes(X)[1]

    def _validated_codes(self, X):
        check_is_fitted(self)
        X = check_images(self, X, reset=False)
        return X, np.asarray(self.estimator_.transform(X))

    def _decode(self, codes, components):
        """``codes @ components``: the peers' decoder."""
        return codes @ components.astype(codes.dtype, copy=False)


def make_peer(family, params, n_components, budget, seed, image_shape=None):
    """The unfitted, adapted peer of ``family`` with ``params``.

    Parameters
    ----------
    family : str
        A key of :data:`PEERS`.
    params : dict
        The peer's own parameters (e.g. ``solver``, ``alpha_W``, ``l1_ratio`` or
        ``alpha``).
    n_components : int
    budget : int
        Its ``max_iter`` (iterations of ``NMF`` and ``DictionaryLearning``, passes
        over the data of the mini-batch variants).
    seed : int
    image_shape : tuple of int, default=None
        ``(height, width)`` of the images (None: square).

    Returns
    -------
    peer : PeerAdapter
    """
    import sklearn.decomposition

    cls = getattr(sklearn.decomposition, PEERS[family])
    params = {"max_iter": budget, **params}
    if "DictionaryLearning" in cls.__name__:
        # Non-negative codes need a lasso solver (neither LARS nor OMP takes the
        # constraint); the codes of new images are the same lasso, at the same alpha.
        params = {"positive_code": True, "positive_dict": True, "fit_algorithm": "cd",
                  "transform_algorithm": "lasso_cd", **params}
    return PeerAdapter(cls(n_components, random_state=seed, **params), image_shape=image_shape)
