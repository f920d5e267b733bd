"""The files of a study run: the output folder, and writes that never leave half a file.

Every file is written under a temporary name in its folder, then renamed over the
target: an interrupted run leaves either the old file or the new one, never a
truncated one.
"""

import os
import tempfile

__all__ = ["atomic_write", "prepare_output_folder"]


def prepare_output_folder(path):
    """Create the folder ``path`` if needed and check that files can be written into it.

    Parameters
    ----------
    path : str

    Raises
    ------
    ValueError
        If ``path`` is an existing file, or the folder cannot be created or written to.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{path!r} is an existing file, not a folder; name a folder.")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ValueError(f"cannot write into the folder {path!r} "
                         f"({exc.strerror or exc}); name a writable folder.") from None


def atomic_write(path, write, binary=False):
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to ``path``.

    The file is synced to disk before the rename; on any exception, Ctrl-C
    included, the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str
    write : callable
        Called with the open file.
    binary : bool, default=False
        Open the file in binary mode; text mode writes ``"\\n"`` untranslated.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
