"""The files of a study run: the output folder, and writes that never leave half a file.

Every file is written under a temporary name in its folder, then renamed over the
target: an interrupted run leaves either the old file or the new one, never a
truncated one.
"""

import contextlib
import os
import secrets
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


def _create_temporary(folder, name):
    # Created with mode 0o666 for the kernel to apply the umask, as open() does:
    # tempfile.mkstemp's 0o600 would leave every result readable by its owner only.
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name!r} in {folder!r}")


def atomic_write(path, write, binary=False):
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to ``path``.

    The file is created with the permissions the umask allows (``0o666 & ~umask``) and
    synced to disk before the rename; on any exception, Ctrl-C included, the
    temporary file is removed and ``path`` is left as it was.

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
    tmp, fd = _create_temporary(folder, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
