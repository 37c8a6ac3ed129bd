"""``kawasan studio``: the participatory planning room in the browser.

A musyawarah antar desa edits a kawasan plan on the map (move villages between kawasan, create,
merge or split kawasan, change a kawasan's potential or centre, undo and redo), sees the RTRW
check, verdicts, conflicts and rules of what it touched update at once, moves the potential
weights in the open, and records what it agreed: named versions with a note, and the exports of
the agreed plan (plan table for ``kawasan check``, GIS layers, map and a printable annex for a
Peraturan Bersama Kepala Desa).

Rooms, in import order:

- ``workspace``: the result folder (:func:`open_run`) and the one gate for paths (:func:`inside`);
- ``plan``: :class:`PlanState` and the edits, as pure functions;
- ``live``: :class:`LiveCheck`, the check geometry done once and each edit's sums;
- ``session``: :class:`Session`, history, comparison with the proposal, weights;
- ``record``: versions and exports;
- ``views``: JSON and GeoJSON for the page;
- ``app``: the Starlette application and its safety rules;
- ``server``: :class:`StudioServer` (uvicorn) and :func:`open_studio`.

The page itself (``static/``) draws and sends edits; every figure comes from the library on the
server. Imports :mod:`kawasan_gis.check`, ``potential``, ``maps``, ``io``, ``vocab``,
``regionalize``, ``i18n``, ``errors`` and ``_atomic``; only :mod:`kawasan_gis.cli` imports it.
"""

from kawasan_gis.studio.live import KawasanFigures, LiveCheck
from kawasan_gis.studio.plan import Kawasan, PlanState
from kawasan_gis.studio.server import StudioServer, open_studio
from kawasan_gis.studio.session import Session
from kawasan_gis.studio.workspace import RunFolder, inside, open_run

__all__ = ["Kawasan", "KawasanFigures", "LiveCheck", "PlanState", "RunFolder", "Session", "StudioServer", "inside",
           "open_run", "open_studio"]
