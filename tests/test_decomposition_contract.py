"""The decomposition contract lives in one module (``_decomposition``), used by the
metrics, the figures and the study's peers."""

import numpy as np
import pytest
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sparse_parts import _decomposition, metrics, plotting
from sparse_parts.study.peers import PeerAdapter

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def peer(small):
    return PeerAdapter(NMF(6, max_iter=30, random_state=0)).fit(small[:100])


def test_metrics_and_plots_use_the_one_contract():
    for module in (metrics, plotting):
        assert module._decomposition_and_input is _decomposition._decomposition_and_input
        assert module._image_shape is _decomposition._image_shape
    assert plotting._find_decomposition is _decomposition._find_decomposition


def test_the_peer_decodes_through_the_mixin(peer, small):
    assert isinstance(peer, _decomposition.PartBasedMixin)
    X = small[:20]
    codes = peer.transform(X)
    np.testing.assert_allclose(peer.inverse_transform(codes), codes @ peer.components_)
    np.testing.assert_allclose(peer.decode(codes, 2 * peer.components_),
                               2 * codes @ peer.components_)
    assert peer.score(X) == pytest.approx(-np.mean((X - codes @ peer.components_) ** 2))
    # The metrics see the peer as they see the package's estimators.
    assert metrics.reconstruction_error(X, peer.inverse_transform(codes)) == pytest.approx(
        -peer.score(X))
    assert np.isfinite(metrics.max_approximation_error(peer, X))


def test_the_peer_refuses_what_the_estimators_refuse(peer, small):
    with pytest.raises(ValueError, match="codes have 5 columns but this PeerAdapter has"):
        peer.decode(np.ones((2, 5)))
    with pytest.raises(ValueError, match="codes hold -1, but the codes of this PeerAdapter"):
        peer.inverse_transform(-np.ones((2, 6)))
    with pytest.raises(ValueError, match=r"flatten with X.reshape\(len\(X\), -1\)"):
        PeerAdapter(NMF(2)).fit(small[:20].reshape(-1, 8, 8))
    with pytest.raises(ValueError, match="Negative values in data passed to PeerAdapter"):
        peer.transform(small[:5] - 1)
    with pytest.raises(ValueError, match="X has 10 features, but PeerAdapter is expecting 64"):
        peer.transform(small[:5, :10])


def test_a_pipeline_ending_in_a_peer_is_found(small):
    pipeline = make_pipeline(MinMaxScaler(), PeerAdapter(NMF(4, max_iter=20, random_state=0)))
    pipeline.fit(small[:100])
    decomposition, X, codes = _decomposition._decomposition_and_input(pipeline, small[:10])
    assert decomposition is pipeline[-1] and codes.shape == (10, 4)
    np.testing.assert_allclose(X, pipeline[0].transform(small[:10]))
