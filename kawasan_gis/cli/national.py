"""``kawasan run CONFIG --workers N`` / ``--scheduler ADDRESS``: every kabupaten as a Dask job."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import click


def execute_national(config_path: Path, out: Path, *, workers: int, scheduler: str | None, maps: bool, quiet: bool, lang: str | None,
                      pdf: bool = False, threads: int | None = None) -> None:
    """Run :func:`kawasan_gis.scale.run_national` and print where everything went."""
    from kawasan_gis.config import load_config
    from kawasan_gis.scale import KabupatenFailed, run_national

    cfg = load_config(config_path)
    if lang:
        cfg = replace(cfg, project=replace(cfg.project, lang=lang))
    if pdf:
        cfg = replace(cfg, outputs=replace(cfg.outputs, pdf=True))
    if threads:
        cfg = replace(cfg, project=replace(cfg.project, threads=threads))
    start = time.perf_counter()
    try:
        result = run_national(cfg, out, workers=workers, scheduler=scheduler, maps=maps, progress=not quiet, echo=lambda t: click.echo(t, err=True))
    except KabupatenFailed:
        click.echo(f"Tabel nasional / national table: {Path(out).resolve() / 'nasional.csv'} (lihat / see gagal.csv)", err=True)
        raise
    except KeyboardInterrupt:
        click.echo(
            "Dihentikan. Kabupaten yang sudah selesai tersimpan; jalankan perintah yang sama untuk melanjutkan / "
            "interrupted. Finished kabupaten are kept; run the same command again to go on.",
            err=True,
        )
        raise SystemExit(130) from None
    table = result.table
    done = int((table["status"] == "selesai").sum())
    click.echo(
        f"{cfg.project.name}: {done} kabupaten ({len(result.finished)} dihitung / computed, {len(result.skipped)} sudah selesai / already done), "
        f"{int(table['n_desa'].sum())} desa, {int(table.get('n_kawasan', table['n_desa'] * 0).sum())} kawasan"
    )
    click.echo(f"Peta nasional / overview map : {result.out / 'peta_nasional.html'}")
    click.echo(f"Tabel nasional / table       : {result.out / 'nasional.csv'}")
    click.echo(f"Selesai dalam / done in {time.perf_counter() - start:.1f} s")
