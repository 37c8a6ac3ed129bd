"""All-or-nothing writes: a file or folder appears complete, or not at all.

Every writer of the package goes through these helpers, so an exception or Ctrl-C in
the middle of a write leaves the previous output (if any) untouched and no temporary
file behind.

Output folders carry a stamp (the hidden file ``.kawasan_gis``). A folder is replaced
whole only when it carries the stamp or is empty: a folder with the user's own files
(a project folder, ``--out .``, a folder of inputs) is never deleted, and a merge never
overwrites a user's file in an unstamped folder (the files it merged there itself are listed
in ``.kawasan_gis_berkas`` and may be replaced by the next run). Both refuse with
:class:`~kawasan_gis.errors.OutputFolderError` before anything is written.

A destination that cannot be written (read-only, no permission) is refused the same way before
any work; a write that fails midway (disk full, the disk turned read-only) removes the temporary
folder and raises :class:`~kawasan_gis.errors.OutputFolderError` that says so (id / en), and a
Ctrl-C between the two renames of a replacement puts the previous folder back.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from kawasan_gis.errors import KawasanError, OutputFolderError
from kawasan_gis.i18n import format_list

STAMP = ".kawasan_gis"
OWNED = ".kawasan_gis_berkas"  # in a user's folder: the files kawasan_gis merged into it
_LISTED = 5  # files named in a refusal


@contextmanager
def atomic_file(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` when the block completes.

    The temporary name keeps ``path``'s suffix (drivers choose the format from it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def is_output_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder kawasan_gis wrote (it carries the stamp)."""
    return (Path(path) / STAMP).is_file()


def _owned(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / OWNED).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def check_output_folder(path: str | os.PathLike[str], *, merge: bool = False, names: Iterable[str] = ()) -> None:
    """Refuse an output folder that writing would harm, before any work is done.

    ``merge=False`` (the folder is replaced whole): ``path`` must not exist, be empty, or
    carry the stamp. ``merge=True``: an unstamped folder is fine as long as none of
    ``names`` (the files about to be written) exists in it.

    Raises
    ------
    OutputFolderError
        Naming the folder, some of the user's files and the fix.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputFolderError(
            f"'{path}' adalah berkas, bukan folder: pilih folder keluaran lain. / "
            f"'{path}' is a file, not a folder: choose another output folder."
        )
    _check_writable(path, merge=merge)
    if not path.is_dir() or is_output_folder(path):
        return
    present = [p.name for p in path.iterdir()]
    if merge:
        clash = sorted((set(names) & set(present)) - _owned(path))
        if clash:
            raise OutputFolderError(
                f"Folder keluaran '{path}' sudah berisi {format_list(sorted(clash), limit=_LISTED)} yang bukan buatan kawasan_gis; "
                "berkas itu tidak akan ditimpa. Pilih folder keluaran baru (mis. --out hasil_cek). / "
                f"Output folder '{path}' already holds {format_list(sorted(clash), limit=_LISTED, lang='en')}, not written by kawasan_gis; "
                "they will not be overwritten. Choose a new output folder (e.g. --out hasil_cek)."
            )
        return
    if present:
        raise OutputFolderError(
            f"Folder keluaran '{path}' berisi berkas yang bukan buatan kawasan_gis ({format_list(sorted(present), limit=_LISTED)}); "
            f"kawasan_gis tidak menghapus atau mengganti folder itu. Pilih folder baru, mis. --out {path / 'hasil'}. / "
            f"Output folder '{path}' holds files kawasan_gis did not write ({format_list(sorted(present), limit=_LISTED, lang='en')}); "
            f"kawasan_gis never deletes or replaces such a folder. Choose a new folder, e.g. --out {path / 'hasil'}."
        )


def _check_writable(path: Path, *, merge: bool) -> None:
    """Refuse at once a destination whose folder cannot be written (read-only disk, no permission).

    The temporary folder is made beside ``path`` (in its parent) and renamed into place; a merge
    also writes into ``path`` itself.
    """
    targets = [path] if merge and path.is_dir() else []
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent  # the folders still to be made go into the nearest existing one
    for folder in [*targets, parent]:
        if not os.access(folder, os.W_OK):
            raise OutputFolderError(write_failure(path, PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))))


def _stamp(folder: Path) -> None:
    from kawasan_gis import __version__

    record = {"tool": "kawasan_gis", "version": __version__, "written": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (folder / STAMP).write_text(json.dumps(record) + "\n", encoding="utf-8")


@contextmanager
def atomic_folder(path: str | os.PathLike[str], *, merge: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path`` that takes its place when the block completes.

    With ``merge=False`` the folder replaces ``path`` whole (only a stamped or empty
    ``path``); with ``merge=True`` only the files written into it replace their namesakes
    in an existing ``path`` (never a file of an unstamped folder). See
    :func:`check_output_folder`; the check runs before and again after the block, so a
    folder that gained user files meanwhile is not harmed either.
    """
    path = Path(path).resolve()
    check_output_folder(path, merge=merge)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        yield tmp
        written = [item.name for item in tmp.iterdir()]
        check_output_folder(path, merge=merge, names=written)
        if not path.exists():
            _stamp(tmp)
            os.replace(tmp, path)
        elif merge:
            if not is_output_folder(path):
                write_text(path / OWNED, json.dumps(sorted(_owned(path) | set(written))) + "\n")
            _merge(tmp, path, written)
        else:
            _stamp(tmp)
            _swap(tmp, path)
    except KawasanError:
        raise
    except OSError as exc:
        raise OutputFolderError(write_failure(path, exc)) from exc
    except Exception as exc:
        # GDAL, openpyxl or matplotlib report a full disk in their own words ("Failed to commit
        # transaction"); with the partial output still on it, the disk itself says what happened
        if tmp is not None and _nearly_full(path.parent):
            raise OutputFolderError(write_failure(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)))) from exc
        raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


FULL_BYTES = 1 << 20
"""Free space below which a failed write is put down to a full disk."""


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_BYTES
    except OSError:
        return False


def _swap(new: Path, path: Path) -> None:
    """Put ``new`` in the place of the folder ``path``; whatever stops it, ``path`` is the old or the new folder."""
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}-old-", dir=path.parent))
    try:
        os.replace(path, old / path.name)
        try:
            os.replace(new, path)
        except BaseException:  # Ctrl-C or an error between the two renames: the previous results go back
            os.replace(old / path.name, path)
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _merge(new: Path, path: Path, names: list[str]) -> None:
    """Move the files ``names`` of ``new`` into ``path``; whatever stops it, ``path`` holds all old or all new ones."""
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}-old-", dir=path.parent))
    placed: list[str] = []
    try:
        try:
            for name in names:
                if (path / name).exists():
                    os.replace(path / name, old / name)
            for name in names:
                os.replace(new / name, path / name)
                placed.append(name)
        except BaseException:  # Ctrl-C or an error halfway: the new files out, the previous ones back
            for name in placed:
                os.replace(path / name, new / name)
            for name in names:
                if (old / name).exists():
                    os.replace(old / name, path / name)
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def write_failure(path: Path, exc: OSError) -> str:
    """The id / en message for an output that could not be written: what happened and the fix."""
    where = exc.filename or path
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what = ("disk penuh", "the disk is full", "kosongkan ruang disk atau pilih --out di disk lain", "free disk space or choose --out on another disk")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = ("tidak boleh menulis di sana (hanya-baca atau tanpa izin)", "writing there is not allowed (read-only or no permission)",
                "pilih --out di folder yang dapat ditulisi", "choose --out in a folder you can write to")  # fmt: skip
    else:
        what = (f"gagal menulis ({exc.strerror or exc})", f"writing failed ({exc.strerror or exc})", "periksa disk dan folder itu", "check the disk and that folder")
    kept = (f" hasil sebelumnya di '{path}' tetap utuh.", f" previous results in '{path}' are intact.") if path.exists() else ("", "")
    return (
        f"Keluaran tidak dapat ditulis ke '{where}': {what[0]}. Tidak ada yang ditulis;{kept[0]} Perbaikan: {what[2]}. / "
        f"Cannot write the outputs to '{where}': {what[1]}. Nothing was written;{kept[1]} Fix: {what[3]}."
    )
