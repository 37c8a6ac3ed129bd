"""All-or-nothing writers: a failure leaves the old output and no temporary files; a folder
kawasan_gis did not write is never deleted, and a user's file is never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawasan_gis._atomic import OWNED, STAMP, atomic_file, atomic_folder, check_output_folder, write_text
from kawasan_gis.errors import KawasanError, OutputFolderError


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_file_replaced_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "peta.html"
    write_text(target, "lama")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("setengah")
        raise RuntimeError("gagal di tengah")
    assert target.read_text() == "lama" and [p.name for p in tmp_path.iterdir()] == ["peta.html"]
    write_text(target, "baru")
    assert target.read_text() == "baru" and [p.name for p in tmp_path.iterdir()] == ["peta.html"]


@pytest.mark.parametrize("merge", [False, True])
def test_folder_written_by_the_tool_is_replaced_only_on_success(tmp_path: Path, merge: bool) -> None:
    out = tmp_path / "hasil"
    with atomic_folder(out, merge=merge) as tmp:
        (tmp / "check.csv").write_text("lama")
        (tmp / "lama.txt").write_text("dari run sebelumnya")
    assert (out / STAMP).is_file()
    with pytest.raises(KeyboardInterrupt), atomic_folder(out, merge=merge) as tmp:
        (tmp / "check.csv").write_text("setengah")
        raise KeyboardInterrupt
    assert (out / "check.csv").read_text() == "lama" and [p.name for p in tmp_path.iterdir()] == ["hasil"]
    with atomic_folder(out, merge=merge) as tmp:
        (tmp / "check.csv").write_text("baru")
    assert (out / "check.csv").read_text() == "baru"
    assert (out / "lama.txt").exists() == merge  # merge keeps the other files, replace does not
    assert (out / STAMP).is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]


def test_a_user_folder_is_never_replaced(tmp_path: Path) -> None:
    proyek = tmp_path / "proyek"
    (proyek / "masukan").mkdir(parents=True)
    (proyek / "kawasan.toml").write_text("[inputs]\n")
    (proyek / "masukan" / "desa.gpkg").write_text("data pengguna")
    before = _tree(proyek)
    with pytest.raises(OutputFolderError, match=r"(?s)bukan buatan kawasan_gis.*kawasan\.toml.*did not write") as info:
        with atomic_folder(proyek) as tmp:
            (tmp / "kawasan.csv").write_text("hasil")
    assert isinstance(info.value, KawasanError) and info.value.exit_code == 2
    assert _tree(proyek) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proyek"]  # no temporary folder left


def test_a_user_folder_gets_files_merged_but_none_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "kerja"
    folder.mkdir()
    (folder / "rencana.csv").write_text("milik pengguna")
    with atomic_folder(folder, merge=True) as tmp:
        (tmp / "check.csv").write_text("pertama")
    assert not (folder / STAMP).exists()  # a merge never claims the whole folder
    assert (folder / "rencana.csv").read_text() == "milik pengguna"
    with atomic_folder(folder, merge=True) as tmp:  # its own earlier file may be replaced
        (tmp / "check.csv").write_text("kedua")
    assert (folder / "check.csv").read_text() == "kedua"
    with pytest.raises(OutputFolderError, match="rencana.csv"), atomic_folder(folder, merge=True) as tmp:
        (tmp / "rencana.csv").write_text("menimpa")
    assert (folder / "rencana.csv").read_text() == "milik pengguna"
    with pytest.raises(OutputFolderError):  # still not ours to replace whole
        check_output_folder(folder)
    assert (folder / OWNED).is_file()


def test_empty_or_missing_folders_and_files(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "baru")
    (tmp_path / "kosong").mkdir()
    check_output_folder(tmp_path / "kosong")
    (tmp_path / "berkas.txt").write_text("x")
    with pytest.raises(OutputFolderError, match="bukan folder"):
        check_output_folder(tmp_path / "berkas.txt")


@pytest.mark.parametrize("stop_at", [1, 2, 3, 4])
def test_a_merge_stopped_halfway_leaves_all_the_previous_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: int) -> None:
    """Ctrl-C at the n-th rename of a merge of two files (two set aside, two put in): the folder
    holds exactly the previous files, and nothing is left beside it."""
    import os

    import kawasan_gis._atomic as atomic

    out = tmp_path / "cek"
    out.mkdir()
    (out / "catatan.txt").write_text("milik pengguna")
    with atomic_folder(out, merge=True) as tmp:
        (tmp / "a.csv").write_text("lama a")
        (tmp / "b.csv").write_text("lama b")
    before = _tree(out)
    real, calls = os.replace, []

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)).parent == out or Path(str(src)).parent == out:
            calls.append((src, dst))
            if len(calls) == stop_at:
                raise KeyboardInterrupt
        real(src, dst)  # type: ignore[arg-type]

    with pytest.raises(KeyboardInterrupt), atomic_folder(out, merge=True) as tmp:
        (tmp / "a.csv").write_text("baru a")
        (tmp / "b.csv").write_text("baru b")
        monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.undo()
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cek"]
