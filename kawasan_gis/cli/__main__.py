"""``python -m kawasan_gis.cli``: the same as the ``kawasan`` command."""

from kawasan_gis.cli import main

main()
