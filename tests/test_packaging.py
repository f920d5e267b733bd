"""The package as a user installs it: the wheel and the sdist built from the source
tree, each installed in a fresh virtual environment, run ``sparse-parts --version``.

Nothing is downloaded: the build uses the setuptools of this environment
(``--no-build-isolation``), the install takes no dependencies (``--no-deps``), and
the fresh environment reaches the dependencies already installed here through a
``.pth`` line (which does not activate this environment's own install of the
package). ``make package-check`` runs this file.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile

import pytest

import sparse_parts

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                     "__pycache__", "_build", "auto_examples", "generated",
                                     "demo_out", "compare_out", "front_out", "out",
                                     ".pytest_cache", ".ruff_cache", ".hypothesis", ".whl",
                                     ".gpu", "shared")


def _run(*command, cwd=None):
    # Without PYTHONPATH: a checkout on it would be imported instead of the install.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory):
    """``(wheel, sdist)`` built from a copy of the source tree (the checkout is left
    untouched: no build/ or egg-info in it)."""
    tmp = tmp_path_factory.mktemp("build")
    source, dist = tmp / "source", tmp / "dist"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    _run(sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
         "--no-index", "-w", str(dist), str(source))
    _run(sys.executable, "-c",
         f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})",
         cwd=source)
    (wheel,) = dist.glob("sparse_parts-*.whl")
    (sdist,) = dist.glob("sparse_parts-*.tar.gz")
    return wheel, sdist


def _fresh_environment(path):
    """A new venv at ``path`` that sees this environment's dependencies, not its
    install of sparse_parts; returns its bin directory."""
    venv.EnvBuilder(with_pip=False).create(path)
    bin_dir = os.path.join(path, "Scripts" if os.name == "nt" else "bin")
    python = os.path.join(bin_dir, "python")
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    with open(os.path.join(purelib.strip(), "_dependencies.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    return bin_dir


def test_the_wheel_ships_the_package_and_its_license_only(artefacts):
    wheel, _ = artefacts
    names = zipfile.ZipFile(wheel).namelist()
    assert "sparse_parts/nmf.py" in names
    assert "sparse_parts/autoencoders/_options.py" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not any("_hoyer_reference" in name or name.startswith("tests/") for name in names)
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: BSD-3-Clause" in metadata
    assert f"Version: {sparse_parts.__version__}" in metadata


def test_the_sdist_holds_the_license_and_the_readme(artefacts):
    _, sdist = artefacts
    names = tarfile.open(sdist).getnames()
    top = names[0].split("/")[0]
    for name in ("LICENSE", "README.md", "pyproject.toml", "sparse_parts/cli.py"):
        assert f"{top}/{name}" in names


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installed_in_a_fresh_environment_the_command_runs(artefacts, kind, tmp_path):
    artefact = artefacts[0] if kind == "wheel" else artefacts[1]
    bin_dir = _fresh_environment(tmp_path / "env")
    python = os.path.join(bin_dir, "python")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-build-isolation", "--no-index", str(artefact))
    version = _run(os.path.join(bin_dir, "sparse-parts"), "--version")
    assert version.strip() == f"sparse-parts {sparse_parts.__version__}"
    # The package imported there is the installed one, and it works.
    where = _run(python, "-c", "import numpy as np, sparse_parts as sp; "
                 "m = sp.SparseNMF(2, max_iter=5, tol=0).fit(np.eye(4)); "
                 "print(sp.__file__, m.components_.shape)", cwd=tmp_path)
    assert where.startswith(str(tmp_path / "env")) and where.strip().endswith("(2, 4)")
