"""The study's figures: format and resolution, no empty panels, the image grey scale."""

import struct

import matplotlib.pyplot as plt
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import cli
from sparse_parts.study import RunOptions, resolve_settings
from sparse_parts.study.figures import image_cmap, save_figure

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def _png_size(path):
    """(width, height) in pixels, from the PNG header."""
    with open(path, "rb") as f:
        header = f.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_save_figure_writes_the_format_and_resolution_asked(tmp_path):
    for dpi in (50, 100):
        fig = plt.figure(figsize=(4, 2))
        path = save_figure(fig, str(tmp_path / f"f{dpi}"), "png", dpi)
        assert path.endswith(".png") and _png_size(path) == (4 * dpi, 2 * dpi)
    for kind, magic in (("pdf", b"%PDF"), ("svg", b"<?xml")):
        path = save_figure(plt.figure(), str(tmp_path / "f"), kind, 72)
        assert open(path, "rb").read(5).startswith(magic)
    assert plt.get_fignums() == []  # every figure closed
    with pytest.raises(ValueError, match="figure_format must be one of png, pdf, svg"):
        save_figure(plt.figure(), str(tmp_path / "f"), "jpg")


def test_compare_writes_pdf_figures_and_no_figure_of_empty_panels(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["compare", "--dataset", "digits", "--quick", "--models", "nmf",
                     "--n-train", "200", "--n-test", "100", "--out", str(out),
                     "--format", "pdf", "--dpi", "72"]) == 0
    pdfs = sorted(p.name for p in out.iterdir() if p.suffix == ".pdf")
    assert pdfs == ["atoms_nmf-component-0.6.pdf", "codes_nmf-component-0.6.pdf",
                    "max_approximation_nmf-component-0.6.pdf",
                    "reconstructions_nmf-component-0.6.pdf", "summary.pdf"]
    assert all((out / name).read_bytes()[:4] == b"%PDF" for name in pdfs)
    # No row has a sparsity weight: no metrics-against-beta figure of empty panels.
    assert not any(p.name.startswith("metrics_vs_beta") for p in out.iterdir())
    assert not any(p.suffix == ".png" for p in out.iterdir())
    assert "](summary.pdf)" in (out / "results.md").read_text()


def test_compare_dpi_sets_the_png_resolution(tmp_path):
    sizes = {}
    for dpi in (60, 120):
        out = tmp_path / str(dpi)
        assert cli.main(["compare", "--dataset", "digits", "--quick", "--models", "nmf",
                         "--n-train", "200", "--n-test", "100", "--out", str(out),
                         "--dpi", str(dpi)]) == 0
        sizes[dpi] = _png_size(out / "summary.png")
    assert sizes[120][0] == pytest.approx(2 * sizes[60][0], abs=2)


def test_the_image_grey_scale_is_inverted_only_for_ink_on_paper(tmp_path):
    digits = resolve_settings("digits", models=["nmf"])
    assert image_cmap(digits, RunOptions()) == "gray_r"
    import numpy as np

    np.save(tmp_path / "x.npy", np.zeros((30, 4, 4), np.float32))
    photos = resolve_settings(data_path=str(tmp_path / "x.npy"), models=["nmf"])
    assert image_cmap(photos, RunOptions()) == "gray"  # photographs are not negatives
    assert image_cmap(photos, RunOptions(image_cmap="gray_r")) == "gray_r"
