"""The penalties and torch modules of the auto-encoders, on hand-computed values."""

import math

import numpy as np
import pytest
import torch

from sparse_parts.autoencoders.modules import (
    AtomDecoder,
    AutoEncoderModule,
    DenseEncoder,
    InfoGANEncoder,
    conv_geometry,
)
from sparse_parts.autoencoders.penalties import (
    AutoEncoderLoss,
    asymmetric_decay,
    sparsity_penalty,
)

# Two samples, two code units: mean activations t = (0.2, 0.3).
CODES = torch.tensor([[0.1, 0.5], [0.3, 0.1]], dtype=torch.float64)
P = 0.1


def _kl(p, t):
    return p * math.log(p / t) + (1 - p) * math.log((1 - p) / (1 - t))


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("kl", _kl(0.1, 0.2) + _kl(0.1, 0.3)),
        ("eps_l1", math.sqrt(0.1**2 + 0.01) + math.sqrt(0.2**2 + 0.01)),
        ("log", math.log(1 + 0.1**2) + math.log(1 + 0.2**2)),
        ("l2", 0.1**2 + 0.2**2),
        (None, 0.0),
    ],
)
def test_mean_activation_penalties_match_formula(kind, expected):
    value = sparsity_penalty(CODES, kind, P, eps=0.01)
    assert value.item() == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_kl_numbers_by_hand():
    # p = 0.1, t = 0.2: 0.1 log 0.5 + 0.9 log(0.9 / 0.8)
    assert _kl(0.1, 0.2) == pytest.approx(0.1 * -0.6931471805599453 + 0.9 * 0.11778303565638346)
    value = sparsity_penalty(torch.tensor([[0.2]]), "kl", 0.1)
    assert value.item() == pytest.approx(0.036690014, rel=1e-6)


def test_kl_clamps_dead_and_saturated_units():
    codes = torch.tensor([[0.0, 1.0], [0.0, 1.0]], requires_grad=True)
    value = sparsity_penalty(codes, "kl", 0.05)
    value.backward()
    assert torch.isfinite(value)
    assert torch.isfinite(codes.grad).all()
    expected = _kl(0.05, 1e-6) + _kl(0.05, 1 - 1e-6)
    assert value.item() == pytest.approx(expected, rel=1e-3)


def test_hoyer_penalty_matches_formula():
    # s((1, 0, 0, 0)) = 1, s((1, 1, 1, 1)) = 0: mean(|0.3 - 1|, |0.3 - 0|) = 0.5
    codes = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    assert sparsity_penalty(codes, "hoyer", 0.3).item() == pytest.approx(0.5)
    # s((3, 4)): (sqrt 2 - 7 / 5) / (sqrt 2 - 1)
    s = (math.sqrt(2) - 7 / 5) / (math.sqrt(2) - 1)
    value = sparsity_penalty(torch.tensor([[3.0, 4.0]]), "hoyer", 0.9)
    assert value.item() == pytest.approx(abs(0.9 - s), rel=1e-6)


def test_unknown_penalty_is_rejected():
    with pytest.raises(ValueError, match="sparsity_penalty"):
        sparsity_penalty(CODES, "l3", P)


@pytest.mark.parametrize("ratio, expected", [(0.0, 4 + 1), (0.1, 4 + 1 + 0.1 * (9 + 0.25)),
                                             (1.0, 4 + 9 + 0.25 + 1)])
def test_asymmetric_decay_matches_formula(ratio, expected):
    weight = torch.tensor([[-2.0, 3.0], [0.5, -1.0]])
    assert asymmetric_decay(weight, ratio).item() == pytest.approx(expected)


def test_asymmetric_decay_gradient_pushes_negative_weights_up():
    weight = torch.tensor([[-2.0, 3.0]], requires_grad=True)
    asymmetric_decay(weight, 0.0).backward()
    assert weight.grad.tolist() == [[-4.0, 0.0]]


def test_loss_is_mse_plus_weighted_terms():
    torch.manual_seed(0)
    X = torch.rand(5, 4)
    reconstruction = torch.rand(5, 4)
    codes = torch.rand(5, 3)
    weight = torch.randn(3, 4)
    loss = AutoEncoderLoss("l2", 0.2, 0.5, decay_weight=0.25, decay_ratio=0.1)
    expected = (torch.mean((X - reconstruction) ** 2)
                + 0.5 * torch.sum((codes.mean(0) - 0.2) ** 2)
                + 0.25 * asymmetric_decay(weight, 0.1))
    assert loss(reconstruction, codes, X, weight).item() == pytest.approx(expected.item())
    plain = AutoEncoderLoss(None, 0.2, 0.5, decay_weight=0.0)
    assert plain(reconstruction, codes, X, weight).item() == pytest.approx(
        torch.mean((X - reconstruction) ** 2).item())


@pytest.mark.parametrize(
    "size, kernel, out", [(28, 4, 14), (14, 4, 7), (7, 4, 3), (8, 4, 4), (2, 4, 1), (1, 3, 1)]
)
def test_conv_geometry(size, kernel, out):
    assert conv_geometry(size) == (kernel, out)


@pytest.mark.parametrize("image_shape, flat", [((28, 28), 128 * 7 * 7), ((8, 8), 128 * 2 * 2),
                                               ((16, 16), 128 * 4 * 4), ((1, 5), 128 * 1 * 1),
                                               ((1, 1), 128)])
def test_infogan_encoder_any_image_shape(image_shape, flat):
    encoder = InfoGANEncoder(image_shape, 7)
    assert encoder.dense.in_features == flat
    assert encoder.conv1.out_channels == 64 and encoder.conv2.out_channels == 128
    assert encoder.bn3.num_features == 1024
    out = encoder(torch.rand(3, image_shape[0] * image_shape[1]))
    assert out.shape == (3, 7)


@pytest.mark.parametrize("activation", ["leaky_relu", "sigmoid", "identity"])
def test_decoder_rows_are_atoms(activation):
    decoder = AtomDecoder(3, 5, activation)
    codes = torch.tensor([[0.0, 1.0, 0.0]])
    with torch.no_grad():
        decoder.bias.zero_()
        decoder.weight.copy_(torch.arange(15.0).reshape(3, 5) - 7)
        out = decoder(codes)[0].numpy()
    atom = np.arange(5.0, 10.0) - 7  # row 1: (-2, -1, 0, 1, 2)
    expected = {"leaky_relu": np.where(atom >= 0, atom, 0.1 * atom),
                "sigmoid": 1 / (1 + np.exp(-atom)), "identity": atom}[activation]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_decoder_activation_is_checked():
    with pytest.raises(ValueError, match="decoder_activation"):
        AtomDecoder(3, 5, "relu")


def test_module_returns_reconstruction_and_codes_in_unit_interval():
    module = AutoEncoderModule(DenseEncoder(6, 4), 4, 6)
    reconstruction, codes = module(torch.randn(10, 6) * 10)
    assert reconstruction.shape == (10, 6) and codes.shape == (10, 4)
    assert ((codes >= 0) & (codes <= 1)).all()
