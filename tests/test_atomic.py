"""All-or-nothing writers: a failure leaves the old output and no temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawasan_gis._atomic import atomic_file, atomic_folder, write_text


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
def test_folder(tmp_path: Path, merge: bool) -> None:
    out = tmp_path / "hasil"
    out.mkdir()
    (out / "lain.txt").write_text("milik pengguna")
    (out / "check.csv").write_text("lama")
    with pytest.raises(KeyboardInterrupt), atomic_folder(out, merge=merge) as tmp:
        (tmp / "check.csv").write_text("setengah")
        raise KeyboardInterrupt
    assert (out / "check.csv").read_text() == "lama" and [p.name for p in tmp_path.iterdir()] == ["hasil"]
    with atomic_folder(out, merge=merge) as tmp:
        (tmp / "check.csv").write_text("baru")
    assert (out / "check.csv").read_text() == "baru"
    assert (out / "lain.txt").exists() == merge  # merge keeps the other files, replace does not
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
