"""Sphinx configuration of the sparse_parts documentation.

Build: ``make docs`` (from the repository root), which runs
``sphinx-build -W --keep-going -b html -D plot_gallery=1 docs docs/_build/html``:
warnings are errors, and the gallery pages are made from ``examples/plot_*.py`` by
running them, with their output and figures. ``make docs PLOT_GALLERY=0`` lays the
examples out without running them.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
# One thread per library unless the caller says otherwise: the gallery runs on small
# shared CI machines, where a second torch thread made the small auto-encoders up to
# 16 times slower (see the user guide, GPU). Set before torch and numpy load.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sparse_parts  # noqa: E402

project = "sparse_parts"
author = "the sparse_parts developers"
copyright = "2026, the sparse_parts developers"
release = sparse_parts.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
root_doc = "index"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
# numpydoc lists the methods itself; autosummary stubs per method are not wanted.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {}  # offline builds: no inventories fetched

html_theme = "pydata_sphinx_theme"
html_title = f"sparse_parts {release}"
html_theme_options = {"navigation_with_keys": False}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"(__init__|demo_.*)\.py",
    "plot_gallery": "True",  # make docs passes -D plot_gallery=$(PLOT_GALLERY)
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
}
