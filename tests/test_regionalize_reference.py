"""Proposals on the bundled real data are pinned village by village.

``tests/data/proposals_<data>.csv`` hold ``kawasan_id`` and ``stabilitas`` of every village for
each case below, as written by the single-module ``kawasan_gis/regionalize.py`` of commit
465992c, before it became a package with one solver class per method. The split had to keep
both methods' results bit for bit; any later change of a proposal on real data must show up
here and be explained. Each case has no limit violation, so a fix that only acts where the
limits were not met (as the repair of uncuttable zones) leaves them as they are.

Regenerate deliberately with ``python tests/test_regionalize_reference.py --write`` and say why
in the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from conftest import DATA, UTM48S
from kawasan_gis.regionalize import propose_kawasan
from test_regionalize import random_scores, real_villages

REFERENCE = Path(__file__).parent / "data"

SOURCES = {
    "lampung_timur": (DATA / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg", UTM48S),
    "gorontalo": (DATA / "desa_gorontalo" / "desa_gorontalo.gpkg", "EPSG:32651"),
}
CASES: dict[str, dict[str, dict[str, object]]] = {
    "lampung_timur": {
        "dominant": {"method": "dominant"},
        "dominant_max15": {"method": "dominant", "max_villages": 15},
        "dominant_3_6": {"method": "dominant", "min_villages": 3, "max_villages": 6},
        "ward_k15": {"method": "ward", "n_zones": 15},
        "ward_area60000": {"method": "ward", "max_area_ha": 60000.0},
        "ward_3_6": {"method": "ward", "min_villages": 3, "max_villages": 6},
    },
    "gorontalo": {
        "dominant_desa_only": {"method": "dominant", "include_kelurahan": False},
        "dominant_3_6": {"method": "dominant", "min_villages": 3, "max_villages": 6},
        "ward_k12_max20": {"method": "ward", "n_zones": 12, "max_villages": 20},
        "ward_desa_only": {"method": "ward", "include_kelurahan": False},
    },
}


def villages_of(data: str) -> gpd.GeoDataFrame:
    path, crs = SOURCES[data]
    return real_villages(path, crs)


def proposals(data: str) -> pd.DataFrame:
    """kawasan_id and stabilitas (2 perturbed runs) of every village, one column pair per case."""
    villages = villages_of(data)
    scores = random_scores(villages)
    table = pd.DataFrame({"kode_desa": villages["kode_desa"].to_numpy()})
    for case, options in CASES[data].items():
        result = propose_kawasan(villages, scores, n_perturb=2, **options)  # type: ignore[arg-type]
        assert result.quality["violations"] == [], case
        table[f"kawasan_id_{case}"] = result.villages["kawasan_id"].to_numpy()
        table[f"stabilitas_{case}"] = result.villages["stabilitas"].to_numpy()
    return table


def as_text(values: pd.Series) -> pd.Series:
    """Values as exact text, with one spelling for missing (None in results, NaN once read back)."""
    return values.astype(object).where(values.notna(), "-").map(repr)


@pytest.mark.slow
@pytest.mark.parametrize("data", list(SOURCES))
def test_proposals_match_the_reference_village_by_village(data):
    expected = pd.read_csv(REFERENCE / f"proposals_{data}.csv", dtype={"kode_desa": str})
    got = proposals(data)
    assert list(got.columns) == list(expected.columns)
    for column in got.columns:
        differ = as_text(got[column]).ne(as_text(expected[column]))
        assert not differ.any(), f"{column}: {int(differ.sum())} village(s) differ, e.g. {got.loc[differ, 'kode_desa'].head(5).tolist()}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for name in SOURCES:
        proposals(name).to_csv(REFERENCE / f"proposals_{name}.csv", index=False)
