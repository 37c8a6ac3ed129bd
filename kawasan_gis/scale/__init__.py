"""National runs: every kabupaten of a layer as its own job on Dask, restartable.

Kawasan never cross a kabupaten (UU 6/2014 Pasal 83), so a national run is one independent
pipeline run per kabupaten. This sub-package owns what lies around those runs, never the
runs themselves (each kabupaten goes through :func:`kawasan_gis.pipeline.run` and
:func:`kawasan_gis.pipeline.write_outputs`, exactly as a single ``kawasan run``):

- :mod:`~kawasan_gis.scale.partition`: read the national inputs once and split them by
  kabupaten code (class layers pre-filtered spatially), each part with its checksum;
- :mod:`~kawasan_gis.scale.records`: the restart records ("this kabupaten is finished, from
  these inputs and settings") that let a rerun skip finished kabupaten;
- :mod:`~kawasan_gis.scale.runner`: the Dask orchestration (a local cluster or an existing
  scheduler), progress, failures, interruption;
- :mod:`~kawasan_gis.scale.national`: the national outputs (GeoParquet partitioned by
  province and kabupaten, a GeoPackage summary, the national table, the overview map).

Imports: pipeline, config, io, _atomic, errors (and maps for the overview); nothing imports
this package except the CLI.
"""

from kawasan_gis.scale.runner import KabupatenFailed, NationalResult, run_national

__all__ = ["KabupatenFailed", "NationalResult", "run_national"]
