"""Labels of the maps and reports in Indonesian (default) and English.

Planners read Indonesian; English is there for reviewers and donors. Every text a map
or report shows comes from :data:`LABELS` through :func:`t`, so a missing translation
is a ``KeyError`` in the tests rather than a silent mix of languages.

Examples
--------
>>> t("lyr_desa")
'Desa menurut potensi dominan'
>>> t("lyr_desa", "en")
'Villages by dominant potential'
>>> format_number(1234.5, 1), format_number(1234.5, 1, "en")
('1.234,5', '1,234.5')
>>> format_list(["a", "b", "c", "d", "e"], limit=3), format_list(["a", "b", "c", "d"], limit=3, lang="en")
('a, b, c ... dan 2 lainnya', 'a, b, c ... and 1 more')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

from kawasan_gis.errors import ConfigError

Lang = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = ("id", "en")

# key -> (Indonesian, English)
LABELS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ map: titles and layers
    "map_title": ("Usulan Kawasan Perdesaan", "Proposed rural areas (kawasan perdesaan)"),
    "lyr_desa": ("Desa menurut potensi dominan", "Villages by dominant potential"),
    "lyr_kawasan": ("Kawasan usulan", "Proposed kawasan"),
    "lyr_rtrw": ("Pola ruang RTRW", "RTRW spatial pattern (pola ruang)"),
    "lyr_landuse": ("Penggunaan lahan", "Land use"),
    "lyr_konflik": ("Konflik dengan RTRW", "Conflicts with the RTRW"),
    "lyr_sambungan": ("Sambungan antarpulau", "Island bridges"),
    "lyr_pusat": ("Pusat kawasan", "Kawasan centres"),
    "pusat_utama": ("Pusat utama", "Primary centre"),
    "pusat_kedua": ("Pusat kedua", "Secondary centre"),
    "pusat_size_note": ("Ukuran simbol: orde hierarki (besar = orde I)", "Symbol size: hierarchy order (large = order I)"),
    "orde": ("Orde", "Order"),
    "indeks_sentralitas": ("Indeks sentralitas", "Centrality index"),
    "penetapan_rtrw": ("Penetapan RTRW", "RTRW designation"),
    "skor_pusat": ("Skor pusat", "Centre score"),
    "alasan": ("Alasan", "Reason"),
    "pillars": ("Empat pilar kawasan", "Four pillars of the kawasan"),
    "no_data": ("tidak ada data", "no data"),
    "sec_centres": ("Hierarki permukiman, pusat kawasan dan empat pilar", "Settlement hierarchy, kawasan centres and the four pillars"),
    "hierarchy": ("Hierarki permukiman", "Settlement hierarchy"),
    "basis_road": ("jarak lewat jaringan jalan", "distances along the road network"),
    "basis_straight": ("jarak garis lurus (tidak ada lapisan jalan)", "straight-line distances (no road layer)"),
    "road_network": ("Jaringan jalan", "Road network"),
    "pillar_sources": ("Sumber data tiap pilar", "Inputs behind each pillar"),
    "pusat_kawasan": ("Pusat kawasan", "Kawasan centre"),
    "pusat_jarak": ("Jarak desa anggota ke pusat", "Distance of the members to the centre"),
    "rata_maks": ("rata-rata / maks.", "mean / max"),
    "desa_jauh": ("desa jauh", "far villages"),
    "status_idm": ("Status IDM desa", "IDM status of the desa"),
    "pilar_lemah": ("Pilar terlemah (fokus program)", "Weakest pillar (programme focus)"),
    "skalogram": ("Skalogram kawasan", "Kawasan scalogram"),
    "lyr_kecamatan": ("Batas kecamatan", "Kecamatan (district) boundaries"),
    "lyr_kabupaten": ("Batas kabupaten", "Kabupaten (regency) boundary"),
    "base_osm": ("OpenStreetMap", "OpenStreetMap"),
    "base_satellite": ("Citra satelit (Esri)", "Satellite imagery (Esri)"),
    "base_none": ("Tanpa peta dasar", "No basemap"),
    "search": ("Cari desa…", "Search village…"),
    "search_none": ("Desa tidak ditemukan", "Village not found"),
    "fullscreen": ("Layar penuh", "Full screen"),
    "fullscreen_exit": ("Keluar dari layar penuh", "Exit full screen"),
    # ------------------------------------------------------------------ legend
    "legend": ("Legenda", "Legend"),
    "potensi_dominan": ("Potensi dominan", "Dominant potential"),
    "no_score": ("Belum ada skor", "Not scored"),
    "campuran_note": ("Warna pucat: potensi campuran", "Pale colour: mixed potential"),
    "kawasan_outline": ("Batas kawasan usulan", "Proposed kawasan boundary"),
    "konflik_X": ("Dilarang (X)", "Prohibited (X)"),
    "konflik_B": ("Bersyarat (B)", "Conditional (B)"),
    "unknown_class": ("Kelas tidak dikenal", "Unknown class"),
    # ------------------------------------------------------------------ tooltips and popups
    "desa": ("Desa", "Village"),
    "kelurahan": ("Kelurahan", "Urban ward (kelurahan)"),
    "kecamatan": ("Kecamatan", "District (kecamatan)"),
    "kec": ("Kec.", "Kec."),
    "potensi": ("Potensi", "Potential"),
    "kawasan": ("Kawasan", "Kawasan"),
    "no_kawasan": ("di luar kawasan", "outside any kawasan"),
    "skor": ("Skor per potensi", "Score per potential"),
    "margin": ("Selisih dengan potensi kedua", "Lead over the runner-up"),
    "campuran": ("Campuran", "Mixed"),
    "ya": ("ya", "yes"),
    "tidak": ("tidak", "no"),
    "dasar": ("Bertumpu pada", "Rests on"),
    "dasar_kondisi_lahan": ("kondisi lahan", "land condition"),
    "dasar_zonasi": ("zonasi RTRW", "RTRW zoning"),
    "dasar_campuran": ("kondisi lahan dan zonasi", "land condition and zoning"),
    "kontribusi": ("Kontribusi utama", "Main contributions"),
    "shares_landuse": ("Penggunaan lahan", "Land use"),
    "shares_landcover": ("Tutupan lahan", "Land cover"),
    "shares_rtrw": ("Pola ruang RTRW", "RTRW pola ruang"),
    "unmapped": ("tidak terpetakan", "not mapped"),
    "luas": ("Luas", "Area"),
    "n_desa": ("Jumlah desa", "Villages"),
    "kekompakan": ("Kekompakan", "Compactness"),
    "stabilitas": ("Stabilitas", "Stability"),
    "kepatuhan": ("Kesesuaian dengan RTRW", "Compliance with the RTRW"),
    "pct_I": ("Diizinkan (I)", "Allowed (I)"),
    "pct_T": ("Terbatas (T)", "Limited (T)"),
    "pct_B": ("Bersyarat (B)", "Conditional (B)"),
    "pct_X": ("Dilarang (X)", "Prohibited (X)"),
    "pct_outside": ("Di luar pola ruang", "Outside the pola ruang"),
    "verdict": ("Penilaian", "Verdict"),
    "pct_dasar_zonasi": (
        "Potensi desa yang bertumpu pada zonasi RTRW (rencana yang diturunkan dari RTRW lalu diperiksa terhadapnya tidak banyak membuktikan)",
        "Village potentials resting on RTRW zoning (a plan derived from the RTRW and then checked against it proves little)",
    ),
    "sambungan": ("Sambungan antarpulau", "Island bridge"),
    "desa_terdampak": ("Desa", "Villages"),
    "sebab": ("Sebab", "Cause"),
    "jarak": ("Jarak", "Distance"),
    "kelas": ("Kelas", "Class"),
    "kelas_raw": ("Nama asli", "Original name"),
    "status": ("Status", "Status"),
    # ------------------------------------------------------------------ static map
    "north": ("U", "N"),
    "sources": ("Sumber data", "Data sources"),
    "static_sources_default": (
        "batas desa dan pola ruang sesuai berkas masukan; diolah dengan kawasan_gis",
        "village boundaries and pola ruang from the input files; processed with kawasan_gis",
    ),
    "projection": ("Proyeksi", "Projection"),
    # ------------------------------------------------------------------ report
    "report_title": ("Laporan Usulan Kawasan Perdesaan", "Rural area (kawasan perdesaan) proposal report"),
    "generated": ("Dibuat", "Generated"),
    "summary": ("Ringkasan", "Summary"),
    "n_kawasan": ("Jumlah kawasan", "Kawasan"),
    "n_konflik": ("Jumlah konflik", "Conflicts"),
    "luas_total": ("Luas wilayah", "Total area"),
    "luas_kawasan": ("Luas dalam kawasan", "Area in kawasan"),
    "sec_map": ("Peta kawasan", "Kawasan map"),
    "sec_inputs": ("Masukan dan perbaikan", "Inputs and repairs"),
    "sec_coverage": ("Cakupan indikator", "Indicator coverage"),
    "sec_kawasan": ("Tabel kawasan", "Kawasan table"),
    "sec_konflik": ("Daftar konflik", "Conflict list"),
    "sec_method": ("Metode dan parameter", "Method and parameters"),
    "layer": ("Lapisan", "Layer"),
    "kind": ("Jenis", "Kind"),
    "features": ("Fitur", "Features"),
    "features_read": ("dibaca", "read"),
    "crs_source": ("CRS sumber", "Source CRS"),
    "crs_assumed": ("diasumsikan", "assumed"),
    "crs_working": ("CRS kerja", "Working CRS"),
    "columns": ("Kolom terdeteksi", "Detected columns"),
    "repairs": ("Perbaikan otomatis", "Automatic repairs"),
    "no_repairs": ("tidak ada perbaikan", "no repairs"),
    "code_problems": ("Masalah kode", "Code problems"),
    "coverage_gaps": ("Celah dan tumpang tindih", "Gaps and overlaps"),
    "gaps": ("celah", "gaps"),
    "overlaps": ("tumpang tindih", "overlaps"),
    "notes": ("Catatan", "Notes"),
    "usable": ("dapat dipakai", "usable"),
    "unusable": ("TIDAK dapat dipakai", "NOT usable"),
    "no_inputs": ("Tidak ada laporan masukan.", "No input reports."),
    "indicator": ("Indikator", "Indicator"),
    "computed": ("dihitung", "computed"),
    "missing": ("tidak dihitung", "not computed"),
    "reason": ("Alasan", "Reason"),
    "no_coverage": ("Cakupan indikator tidak tersedia.", "Indicator coverage not available."),
    "profile": ("Profil (skor rata-rata tertimbang luas)", "Profile (area-weighted mean score)"),
    "members": ("Desa anggota", "Member villages"),
    "no_kawasan_rows": ("Tidak ada kawasan yang diusulkan.", "No kawasan proposed."),
    "no_konflik": ("Tidak ada konflik dengan RTRW.", "No conflicts with the RTRW."),
    "not_checked": ("belum diperiksa", "not checked"),
    "parameter": ("Parameter", "Parameter"),
    "value": ("Nilai", "Value"),
    "no_params": ("Parameter tidak dicatat.", "Parameters not recorded."),
    "method_text": (
        "Setiap desa diberi skor per potensi dari indikator lahan, zonasi dan tabel; potensi "
        "dominan adalah skor tertinggi. Desa yang bersebelahan dan berpotensi serupa dikelompokkan "
        "menjadi kawasan dengan klaster Ward berkendala kedekatan (desa pulau disambungkan ke "
        "tetangga terdekat di kabupaten yang sama). Kawasan diperiksa terhadap pola ruang RTRW "
        "dengan matriks ITBX.",
        "Each village is scored per potential from land, zoning and table indicators; the "
        "dominant potential is the highest score. Adjacent villages of similar potential are "
        "grouped into kawasan by contiguity-constrained Ward clustering (island villages are "
        "bridged to their nearest neighbour in the same kabupaten). Kawasan are checked "
        "against the RTRW pola ruang with the ITBX matrix.",
    ),
    "software": ("Perangkat lunak", "Software"),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a supported language, else raise :class:`ConfigError`."""
    if lang not in LANGUAGES:
        raise ConfigError(f"Bahasa tidak dikenal / unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang  # type: ignore[return-value]


def t(key: str, lang: str = "id") -> str:
    """The label ``key`` in ``lang`` (``"id"`` Indonesian, default, or ``"en"`` English).

    Raises
    ------
    KeyError
        For an unknown key (a programming error, not a user error).
    ConfigError
        For an unknown language.
    """
    pair = LABELS[key]
    return pair[LANGUAGES.index(check_lang(lang))]


def format_number(value: object, decimals: int = 1, lang: str = "id") -> str:
    """A number with thousands separators in the convention of ``lang``; ``"–"`` for missing values.

    Indonesian writes ``1.234,5`` and English ``1,234.5``.
    """
    check_lang(lang)
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x) or math.isinf(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_list(items: Iterable[object], *, limit: int = 10, lang: str = "id") -> str:
    """The first ``limit`` items joined by commas, and how many more were left out.

    The one way every message names a long list of rows, codes or columns, so that an
    error about 40,000 villages stays readable: ``"a, b, c ... dan 5 lainnya"`` in
    Indonesian, ``"a, b, c ... and 5 more"`` in English. A list of at most ``limit`` items
    is shown whole.

    Parameters
    ----------
    items : iterable
        Anything; each item is shown with ``str``.
    limit : int
        Items shown at most (at least 1).
    lang : {"id", "en"}
        Language of the "... and N more" tail; the count uses that language's thousands
        separator.

    Examples
    --------
    >>> format_list(range(12), limit=3)
    '0, 1, 2 ... dan 9 lainnya'
    >>> format_list(["x", "y"], limit=3, lang="en")
    'x, y'
    """
    check_lang(lang)
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    items = list(items)
    shown = ", ".join(str(v) for v in items[:limit])
    rest = len(items) - limit
    if rest <= 0:
        return shown
    count = format_number(rest, 0, lang)
    return f"{shown} ... dan {count} lainnya" if lang == "id" else f"{shown} ... and {count} more"
