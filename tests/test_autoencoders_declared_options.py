"""The auto-encoders' options are declared once (``autoencoders._options.OPTIONS``):
validation, documentation, defaults and the network builder all come from the table."""

import numpy as np
import pytest

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.autoencoders import _base, _docs, _options

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ESTIMATORS = (SparseNonNegAutoEncoder, AsymmetricAutoEncoder)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_signature_lists_the_table_in_order_with_its_defaults(cls):
    assert _options.signature_matches(cls)
    assert {name: getattr(cls(), name) for name in _options.defaults()} == _options.defaults()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_every_option_is_documented_from_the_table(cls):
    for option in _options.OPTIONS:
        assert f"    {option.name} : {option.kind}, default=" in cls.__doc__
        assert " ".join(option.doc.split())[:60] in " ".join(cls.__doc__.split())


@pytest.mark.parametrize("name, bad, message", [
    ("n_components", 0, "n_components must be an integer >= 1, got 0"),
    ("sparsity_penalty", "huber", "sparsity_penalty must be one of"),
    ("sparsity_target", 1.5, r"sparsity_target \(p\) with sparsity_penalty='kl' must be a "
                             r"real number in \(0, 1\)"),
    ("eps", 0.0, r"eps must be a real number in \(0, inf\)"),
    ("decoder_bias", "yes", "decoder_bias must be a bool"),
    ("code_projection", 1.0, "code_projection must be a real number in"),
    ("optimizer", "lbfgs", "optimizer must be one of"),
    ("verbose", -1, "verbose must be an integer >= 0"),
    ("callbacks", "progress", "callbacks must be None or a list"),
    ("validation_fraction", 0.0, "validation_fraction must be a real number in"),
])
def test_each_constraint_names_its_option(name, bad, message, small):
    with pytest.raises(ValueError, match=message):
        SparseNonNegAutoEncoder(max_epochs=1, **{name: bad}).fit(small[:20])


def test_the_options_object_holds_validated_values():
    options = _options.AutoEncoderOptions.from_estimator(
        SparseNonNegAutoEncoder(optimizer="sgd", verbose=True, lr=1))
    assert options.optimizer is _options.OPTIMIZERS["sgd"]
    assert (options.verbose, options.lr) == (1, 1.0) and isinstance(options.lr, float)
    with pytest.raises(TypeError, match="Unknown option"):
        _options.AutoEncoderOptions(no_such_option=1)


def test_a_new_option_touches_only_its_declaration(monkeypatch, small):
    """A fake option declared in the table (and stored as __init__ would store it) is
    validated, documented and reaches the network builder with no other change."""
    fake = _options.Option("fake_width", 3, _options.integer(2), "int",
                           "A fake option, for this test.")
    monkeypatch.setattr(_options, "OPTIONS", (*_options.OPTIONS, fake))
    seen = []
    real_make_net = _base.make_net

    def spy(encoder, n_features, options, **kwargs):
        seen.append(options.fake_width)
        return real_make_net(encoder, n_features, options, **kwargs)

    monkeypatch.setattr(_base, "make_net", spy)
    ae = SparseNonNegAutoEncoder(n_components=4, max_epochs=1, random_state=0)
    ae.fake_width = 5
    ae.fit(small[:40])
    assert seen == [5]
    ae.fake_width = 1
    with pytest.raises(ValueError, match="fake_width must be an integer >= 2, got 1"):
        ae.fit(small[:40])
    assert "    fake_width : int, default=3\n        A fake option" in _options.parameters_doc()
    assert _options.defaults()["fake_width"] == 3
    assert np.isfinite(ae.components_).all()


def test_the_docs_module_takes_its_parameters_from_the_table():
    assert _docs.PARAMETERS.startswith(_options.parameters_doc())
