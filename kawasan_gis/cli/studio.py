"""``kawasan studio``: edit a kawasan plan in the browser and see the RTRW check live."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.argument("result_dir", type=click.Path(path_type=Path))
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this computer can reach 127.0.0.1; another address lets others edit.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser (also when $BROWSER is 'none').")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None, help="Language (default: the run's).")
def studio(result_dir: Path, port: int, host: str, no_browser: bool, lang: str | None) -> None:
    """Open the participatory planning studio on RESULT_DIR, the output folder of `kawasan run`.

    Move villages between kawasan, create, merge or split kawasan, change a kawasan's potential
    or centre, undo and redo; the RTRW check, verdicts, conflicts and rules of the kawasan you
    touched update at once. Save named versions with a note and export the agreed plan (plan
    table for `kawasan check`, GIS layers, map, printable annex) into RESULT_DIR/studio/; the
    run's own files are never changed. Ctrl-C stops the studio.
    """
    from kawasan_gis.studio import StudioServer, open_studio

    click.echo(f"Menyiapkan studio / preparing the studio: {result_dir} ...", err=True)
    session = open_studio(result_dir, lang=lang)
    for note in session.run.notes:
        click.echo(f"Catatan / note: {note}", err=True)
    server = StudioServer(session, host=host, port=port)
    click.echo(f"Studio: {server.url}  (Ctrl-C untuk berhenti / to stop)")
    browser = not no_browser and os.environ.get("BROWSER", "").lower() not in ("none", "false", "0")
    server.serve(browser=browser)
    click.echo("Studio dihentikan / stopped.", err=True)
