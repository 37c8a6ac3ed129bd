"""Labels and messages in Indonesian (default) and English: the one catalogue of kawasan_gis.

Planners read Indonesian; English is there for reviewers and donors. Every text a map, the
report, the plan check (:mod:`kawasan_gis.check`) or ``kawasan check`` shows comes from
:data:`LABELS` through :func:`t`, so a missing translation is a ``KeyError`` in the tests
rather than a silent mix of languages. Messages are ``str.format`` templates that
``t(key, lang, name=value)`` fills in. Error messages have no language option and give both,
Indonesian first: :func:`bilingual` writes ``"Indonesian / English"``.

Texts that are data: the rule messages of the plan check cite their legal basis and a
kabupaten may reword them, so they stay in ``kawasan_gis/data/check.toml``
(``[rules.<name>]`` with an ``id`` and an ``en`` template, overridable with
``kawasan check --thresholds FILE``). :func:`kawasan_gis.check.load_check_config` reads them
into :meth:`Catalogue.extend` of this catalogue (keys ``rule_<name>``), and the check looks
them up through the same :meth:`Catalogue.t`.

Examples
--------
>>> t("lyr_desa")
'Desa menurut potensi dominan'
>>> t("lyr_desa", "en")
'Villages by dominant potential'
>>> bilingual("plan_missing_potential")
'potensi kosong / missing potential'
>>> format_number(1234.5, 1), format_number(1234.5, 1, "en")
('1.234,5', '1,234.5')
>>> format_list(["a", "b", "c", "d", "e"], limit=3), format_list(["a", "b", "c", "d"], limit=3, lang="en")
('a, b, c ... dan 2 lainnya', 'a, b, c ... and 1 more')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    "nilai_pusat": ("Nilai pusat", "Centre score"),
    "alasan": ("Alasan", "Reason"),
    "pillars": ("Empat pilar kawasan", "Four pillars of the kawasan"),
    "no_data": ("tidak ada data", "no data"),
    "sec_centres": ("Hierarki permukiman, pusat kawasan dan empat pilar", "Settlement hierarchy, kawasan centres and the four pillars"),
    "hierarchy": ("Hierarki permukiman", "Settlement hierarchy"),
    "basis_road": ("jarak lewat jaringan jalan", "distances along the road network"),
    "basis_straight": ("jarak garis lurus (tidak ada lapisan jalan)", "straight-line distances (no road layer)"),
    "road_network": ("Jaringan jalan", "Road network"),
    "road_network_summary": (
        "{roads}: {nodes} simpul, {edges} ruas, {components} komponen ({pct} % di komponen terbesar), {snapped} ujung disambung dalam {snap} m",
        "{roads}: {nodes} nodes, {edges} pieces, {components} components ({pct} % in the largest), {snapped} ends snapped within {snap} m",
    ),
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
    "desa_lindung": ("Kawasan lindung (sebagian besar desa)", "Kawasan lindung (most of the village)"),
    "campuran_note": ("Warna pucat: potensi campuran", "Pale colour: mixed potential"),
    "kawasan_outline": ("Batas kawasan usulan", "Proposed kawasan boundary"),
    "konflik_X": ("Dilarang (X)", "Prohibited (X)"),
    "konflik_B": ("Bersyarat (B)", "Conditional (B)"),
    "konflik_L": ("Kawasan lindung dipertahankan (L)", "Protected land kept (L)"),
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
    "pct_L": ("Lindung dipertahankan (L)", "Protected land kept (L)"),
    "pct_outside": ("Di luar pola ruang", "Outside the pola ruang"),
    "pct_ruang_kembang": ("Ruang kembang (di luar kawasan lindung)", "Development room (outside kawasan lindung)"),
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
    # ------------------------------------------------------------------ reading layers (io): repairs and notes
    "repair_missing": ("geometri kosong dibuang", "null/empty geometries dropped"),
    "repair_z": ("koordinat Z dibuang", "Z coordinates dropped"),
    "repair_invalid": ("geometri tidak sah diperbaiki (make_valid, structure)", "invalid geometries repaired (make_valid, structure)"),
    "repair_parts_polygon": ("bagian bukan poligon dibuang", "non-polygon parts removed"),
    "repair_parts_line": ("bagian bukan garis dibuang", "non-line parts removed"),
    "repair_parts_point": ("bagian bukan titik dibuang", "non-point parts removed"),
    "repair_empty_polygon": ("fitur tanpa poligon tersisa dibuang", "features with no polygon left dropped"),
    "repair_empty_line": ("fitur tanpa garis tersisa dibuang", "features with no line left dropped"),
    "repair_empty_point": ("fitur tanpa titik tersisa dibuang", "features with no point left dropped"),
    "crs_reason_utm": ("(zona UTM pusat data)", "(UTM zone of the data's centre)"),
    "crs_reason_given": ("(ditentukan)", "(given)"),
    "note_assume_crs": ("CRS diambil dari --assume-crs {crs}", "CRS taken from --assume-crs {crs}"),
    "note_assume_crs_ignored": ("--assume-crs {crs} diabaikan: berkas menyatakan {declared}", "--assume-crs {crs} ignored: the file declares {declared}"),
    "note_bps_codes": (
        "kolom {column} berisi kode BPS, yang berbeda dari kode Kemendagri: berikan crosswalk",
        "column {column} holds BPS codes, which differ from Kemendagri codes: pass a crosswalk",
    ),
    "note_unknown_type": ("{n} desa tanpa jenis (desa/kelurahan) dianggap desa", "{n} villages of unknown type (desa/kelurahan) are treated as desa"),
    "note_generated_codes": (
        "{path}: {n} desa tanpa kode Kemendagri; kode tetap dibuat dari namanya (X + 9 angka). Pasang kode asli "
        "dengan tabel crosswalk (kode_desa, nama_kec, nama_desa).",
        "{path}: {n} villages have no Kemendagri code; stable codes were generated from their names (X + 9 digits). "
        "Attach real codes with a crosswalk table (kode_desa, nama_kec, nama_desa).",
    ),
    "note_no_kabupaten": ("tidak ada kolom kabupaten: semua desa dianggap satu kabupaten", "no kabupaten column: all villages are taken to be in one kabupaten"),
    "kind_villages": ("batas desa", "village boundaries"),
    "kind_rtrw": ("pola ruang RTRW", "RTRW pola ruang"),
    "kind_landuse": ("penggunaan / tutupan lahan", "land use / land cover"),
    "kind_lines": ("garis", "lines"),
    "kind_points": ("titik", "points"),
    "kind_raster": ("raster tutupan lahan", "land-cover raster"),
    # ------------------------------------------------------------------ indicators and scoring
    "no_table_row": ("{n} desa tidak punya baris tabel: {daftar}", "{n} village(s) have no table row: {daftar}"),
    "unmatched_rows": ("{n} baris tabel tidak cocok dengan desa mana pun: {daftar}", "{n} table row(s) match no village: {daftar}"),
    "span_warning": (
        "kawasan {kawasan} mencakup {desa} dari {desa_total} desa ({pct_desa} %), {ha} dari {ha_total} ha ({pct_ha} %) dan "
        "{kec} dari {kec_total} kecamatan ({pct_kec} %) kabupaten, di atas {batas} %: ini wilayah, bukan kawasan perdesaan; "
        "batasi dengan [proposal] max_villages / max_area_ha",
        "kawasan {kawasan} holds {desa} of {desa_total} villages ({pct_desa} %), {ha} of {ha_total} ha ({pct_ha} %) and "
        "{kec} of {kec_total} kecamatan ({pct_kec} %) of its kabupaten, above {batas} %: a region, not a kawasan perdesaan; "
        "limit it with [proposal] max_villages / max_area_ha",
    ),
    "blank_by_value": (
        "{layer}: {n} fitur tanpa nilai '{column}'; dihitung dalam total dan sebagai '{kelas}'",
        "{layer}: {n} feature(s) have no '{column}' value; they count in the total and as '{kelas}'",
    ),
    "no_overlap_priority": ("kelas tanpa prioritas tumpang tindih: {daftar}; prioritasnya 0", "no overlap priority for classes {daftar}: they get priority 0"),
    "missing_layer": ("tidak ada lapisan {kinds}", "no {kinds} layer"),
    "layer_landcover": ("tutupan lahan", "landcover"),
    "layer_landuse": ("penggunaan lahan", "landuse"),
    "layer_rtrw": ("RTRW", "RTRW"),
    "missing_column": ("kolom {column} tidak dihitung", "column {column} not computed"),
    "not_given": ("tidak diberikan", "not given"),
    "not_informative": (
        "nilai sama di setiap desa {groups}: tidak membedakan desa",
        "same value in every village of {groups}: not informative",
    ),
    "not_in_layer": (
        "tidak ada di lapisan di mana pun di {groups}: tidak membedakan desa",
        "not in the layer anywhere in {groups}: not informative",
    ),
    "no_indicator_of_potential": ("tidak satu pun indikator potensi ini dapat dihitung", "no indicator of this potential could be computed"),
    "no_rtrw_room": (
        "tanpa RTRW: kawasan lindung tidak diketahui, seluruh desa dianggap ruang kembang",
        "no RTRW: kawasan lindung unknown, the whole village is taken as development room",
    ),
    "thin_evidence": ("bukti tipis: {causes}; indikator yang dipakai: {carried}", "thin evidence: {causes}; indicators used: {carried}"),
    "thin_median": (
        "median kekuatan bukti desa yang dinilai {median} (di bawah {limit})",
        "median evidence strength of the scored villages {median} (below {limit})",
    ),
    "thin_share": ("{n_thin} dari {n} desa data kurang (lebih dari {pct} %)", "{n_thin} of {n} villages lack data (more than {pct} %)"),
    "ruang_kembang": ("Ruang kembang (di luar kawasan lindung)", "Development room (outside kawasan lindung)"),
    "input_landcover": ("Masukan: tutupan lahan", "Input: land cover"),
    "input_landuse": ("Masukan: penggunaan lahan", "Input: land use"),
    "input_table": ("Masukan: tabel atribut desa", "Input: village attribute table"),
    "input_rtrw": ("Masukan: pola ruang RTRW", "Input: RTRW pola ruang"),
    "input_lines": ("Masukan: garis", "Input: lines"),
    "input_points": ("Masukan: titik", "Input: points"),
    "repaired": ("Perbaikan", "Repaired"),
    "run_summary": ("{name}: {n} desa, {k} kawasan ({n_in} desa di dalam kawasan)", "{name}: {n} villages, {k} kawasan ({n_in} villages in a kawasan)"),
    "run_missing": ("Indikator yang tidak dapat dihitung: {n} (lihat laporan.html)", "Indicators not computed: {n} (see laporan.html)"),
    "run_check": ("Pemeriksaan RTRW", "RTRW check"),
    "run_check_skipped": ("Pemeriksaan RTRW dilewati: tidak ada lapisan RTRW", "RTRW check skipped: no RTRW layer given"),
    "run_map": ("Peta", "Map"),
    "run_report": ("Laporan", "Report"),
    "run_done": ("Selesai dalam {s} detik", "Done in {s} s"),
    "warning": ("Peringatan", "Warning"),
    "peta_nomor": ("Nomor peta", "Map number"),
    "peta_tahun": ("Tahun", "Year"),
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
    # ------------------------------------------------------------------ plan check (kawasan check)
    "check_desa": ("Desa", "Villages"),
    "check_luas": ("Luas ha", "Area ha"),
    "check_it": ("%I+T", "%I+T"),
    "check_b": ("%B", "%B"),
    "check_x": ("%X", "%X"),
    "check_l": ("%L", "%L"),
    "check_luar": ("%Luar", "%Outside"),
    "check_verdict": ("Putusan", "Verdict"),
    "check_aturan": ("Aturan", "Rules"),
    "check_written": ("Hasil ditulis ke", "Output written to"),
    "zoning_not_checked": (
        "Zonasi RTRW TIDAK diperiksa (tidak ada lapisan RTRW): hanya struktur rencana yang diperiksa",
        "RTRW zoning NOT checked (no RTRW layer): only the plan's structure was checked",
    ),
    "structure_rules": (
        "Struktur rencana (UU 6/2014 Pasal 83): {n} kawasan, {e} dengan kesalahan aturan",
        "Plan structure (UU 6/2014 Article 83): {n} kawasan, {e} with rule errors",
    ),
    "structure_fail_on": (
        "--fail-on {level} menilai luas dilarang/bersyarat pada zonasi RTRW, yang tidak dapat dinilai tanpa --rtrw: "
        "berikan --rtrw, atau --fail-on never untuk memeriksa struktur rencana saja",
        "--fail-on {level} judges prohibited/conditional area on the RTRW zoning, which cannot be judged without "
        "--rtrw: give --rtrw, or --fail-on never to check the plan's structure alone",
    ),
    "verdict_sesuai": ("sesuai", "compliant"),
    "verdict_sesuai_bersyarat": ("sesuai bersyarat", "conditionally compliant"),
    "verdict_tidak_sesuai": ("tidak sesuai", "not compliant"),
    "luar_rtrw": ("di luar RTRW", "outside the RTRW"),
    "sebab_pola_ruang": ("pola ruang", "pola ruang (zoning)"),
    "sebab_lp2b": ("LP2B", "LP2B (protected food-crop land)"),
    "sebab_rawan_bencana": ("rawan bencana", "disaster hazard"),
    "peringatan": ("Peringatan", "Warnings"),
    "alasan_verdict": ("Alasan putusan", "Reason for the verdict"),
    "reason_x": ("dilarang (X) {pct} %{ruang} > ambang {ambang} %", "prohibited (X) {pct} %{ruang} > threshold {ambang} %"),
    "reason_b": ("bersyarat (B) {pct} %{ruang} > ambang {ambang} %", "conditional (B) {pct} %{ruang} > threshold {ambang} %"),
    "reason_outside": ("di luar RTRW {pct} %{ruang} > ambang {ambang} %", "outside the RTRW {pct} %{ruang} > threshold {ambang} %"),
    "reason_outside_uncovered": (
        "di luar RTRW {pct} %{ruang} > ambang {ambang} %: zonasi RTRW tidak mencakup kawasan ini, jadi kesesuaiannya tidak dapat dinilai",
        "outside the RTRW {pct} %{ruang} > threshold {ambang} %: the RTRW zoning does not cover this kawasan, so its compliance cannot be "
        "assessed",
    ),
    "reason_of_room": (" dari ruang kembang", " of the development room"),
    "reason_no_room": (
        "tidak ada ruang kembang: seluruh kawasan adalah kawasan lindung yang dipertahankan",
        "no development room: the whole kawasan is kawasan lindung kept protected",
    ),
    "reason_room_small": (
        "ruang kembang hanya {pct} % dari luas kawasan < ambang {ambang} %; sisanya kawasan lindung yang dipertahankan, "
        "jadi kawasan ini tidak dapat dinilai sesuai",
        "development room only {pct} % of the kawasan area < threshold {ambang} %; the rest is kawasan lindung kept protected, "
        "so this kawasan cannot be rated compliant",
    ),
    "reason_kept": ("kawasan lindung dipertahankan {pct} % dari luas kawasan", "kawasan lindung kept protected {pct} % of the kawasan area"),
    "reason_within": (
        "dilarang (X) {x} %, bersyarat (B) {b} %, di luar RTRW {luar} %{ruang}, semua dalam ambang",
        "prohibited (X) {x} %, conditional (B) {b} %, outside the RTRW {luar} %{ruang}, all within the thresholds",
    ),
    "fail_prohibited": (
        "{n} kawasan dengan luas dilarang (X) di atas toleransi {toleransi} ha atau tidak tercakup RTRW: {daftar}",
        "{n} kawasan with prohibited (X) area above the {toleransi} ha tolerance or not covered by the RTRW: {daftar}",
    ),
    "fail_conditional": (
        "{n} kawasan dengan luas bersyarat (B) atau dilarang (X) di atas toleransi {toleransi} ha atau tidak tercakup RTRW: {daftar}",
        "{n} kawasan with conditional (B) or prohibited (X) area above the {toleransi} ha tolerance or not covered by the RTRW: {daftar}",
    ),
    "rtrw_coverage_low": (
        "Lapisan RTRW hanya menutupi {pct} % luas desa rencana ({covered} dari {total} ha), di bawah "
        "ambang {ambang} % (min_cakupan_rtrw_pct): pemeriksaan tidak dapat menilai rencana ini. "
        "Kemungkinan penyebab: lapisan RTRW dari kabupaten lain, atau CRS salah pada salah satu lapisan "
        "(periksa assume_crs). Gunakan RTRW kabupaten rencana ini",
        "The RTRW layer covers only {pct} % of the plan's village area ({covered} of {total} ha), below "
        "the {ambang} % threshold (min_cakupan_rtrw_pct): the check cannot judge this plan. "
        "Likely causes: the RTRW layer of another kabupaten, or a wrong CRS on one of the layers "
        "(check assume_crs). Use the RTRW of this plan's kabupaten",
    ),
    "rtrw_coverage_partial": (
        "Lapisan RTRW hanya menutupi {pct} % luas desa rencana; {luar} ha di luar RTRW tidak dihitung sebagai diizinkan",
        "The RTRW layer covers only {pct} % of the plan's village area; {luar} ha outside the RTRW is not counted as allowed",
    ),
    # ------------------------------------------------------------------ plan errors (shown as "id / en")
    "plan_row": ("baris", "row"),
    "plan_feature": ("fitur", "feature"),
    "plan_no_column": ("tidak ada kolom", "no column"),
    "plan_tried": ("dicoba", "tried"),
    "plan_no_potential_column": ("tidak ada kolom potensi", "no potential column"),
    "plan_kawasan_column_missing": ("kolom kawasan {name} tidak ada", "kawasan column {name} does not exist"),
    "plan_missing_code": ("kode_desa kosong", "missing village code"),
    "plan_unknown_code": ("tidak ada di layer desa", "not in the village layer"),
    "plan_no_code_matches": (
        "tidak satu pun kode cocok: apakah layer desa dari kabupaten yang benar?",
        "no code matches: is the village layer of the right kabupaten?",
    ),
    "plan_missing_kawasan": ("kawasan_id kosong", "missing kawasan id"),
    "plan_in_several": ("ada di lebih dari satu kawasan", "is in several kawasan"),
    "plan_missing_potential": ("potensi kosong", "missing potential"),
    "plan_unknown_potential": ("potensi tidak dikenal", "unknown potential"),
    "plan_valid_codes": ("kode yang sah", "valid codes"),
    "plan_several_potentials": ("memuat potensi berbeda", "has several potentials"),
    "list_more": ("dan {n} lainnya", "and {n} more"),
    # ------------------------------------------------------------------ studio (kawasan studio)
    "studio_rule_size": (
        "kawasan {kawasan}: {n} desa, {ha} ha, di luar batas ukuran run ({batas})",
        "kawasan {kawasan}: {n} villages, {ha} ha, outside the run's size limits ({batas})",
    ),
    "studio_limit_min": ("min {n} desa", "at least {n} villages"),
    "studio_limit_max": ("maks {n} desa", "at most {n} villages"),
    "studio_limit_ha": ("maks {ha} ha", "at most {ha} ha"),
    "studio_rule_size_basis": ("batas ukuran konfigurasi run [proposal]", "size limits of the run configuration [proposal]"),
    "studio_no_check": ("tidak diperiksa (tanpa RTRW)", "not checked (no RTRW)"),
    "ui_title": ("Studio Kawasan", "Kawasan Studio"),
    "ui_map": ("peta", "map"),
    "ui_new_potential": ("potensi kawasan baru", "potential of the new kawasan"),
    "ui_select": ("Pilih", "Select"),
    "ui_lasso": ("Laso", "Lasso"),
    "ui_undo": ("Urungkan", "Undo"),
    "ui_redo": ("Ulangi", "Redo"),
    "ui_hint": (
        "Klik desa untuk memilih (Shift+klik menambah); mode Laso: seret untuk melingkari desa.",
        "Click a village to select it (Shift+click adds); Lasso mode: drag to circle villages.",
    ),
    "ui_selected": ("{n} desa dipilih", "{n} villages selected"),
    "ui_clear": ("Kosongkan", "Clear"),
    "ui_move_to": ("Pindahkan ke", "Move to"),
    "ui_move": ("Pindahkan", "Move"),
    "ui_remove": ("Keluarkan dari kawasan", "Take out of kawasan"),
    "ui_name": ("Nama", "Name"),
    "ui_create": ("Kawasan baru", "New kawasan"),
    "ui_split": ("Pisahkan jadi kawasan baru", "Split into a new kawasan"),
    "ui_kawasan": ("Kawasan", "Kawasan"),
    "ui_rename": ("Ganti nama", "Rename"),
    "ui_potential": ("Potensi", "Potential"),
    "ui_centre": ("Pusat", "Centre"),
    "ui_centres": ("Pusat kawasan", "Kawasan centres"),
    "ui_merge_with": ("Gabungkan dengan", "Merge with"),
    "ui_merge": ("Gabung", "Merge"),
    "ui_compare": ("Rencana dibanding usulan", "Plan compared with the proposal"),
    "ui_weights": ("Bobot potensi", "Potential weights"),
    "ui_weights_hint": (
        "Geser prioritas potensi, bobot indikator tiap potensi dan ambang campuran, lalu Terapkan: peta menunjukkan potensi dominan yang dihasilkan.",
        "Move the potential priorities, the indicator weights of each potential and the mixed margin, then Apply: the map shows the resulting dominant potentials.",
    ),
    "ui_margin": ("Ambang campuran", "Mixed margin"),
    "ui_apply": ("Terapkan", "Apply"),
    "ui_reset": ("Kembalikan bobot run", "Back to the run's weights"),
    "ui_versions": ("Catatan kesepakatan", "Record of agreement"),
    "ui_version_name": ("Nama versi", "Version name"),
    "ui_who": ("Oleh (nama, jabatan)", "By (name, role)"),
    "ui_note": ("Apa yang disepakati", "What was agreed"),
    "ui_save": ("Simpan versi", "Save version"),
    "ui_export": ("Ekspor rencana", "Export the plan"),
    "ui_exporting": ("Memeriksa penuh dan menulis ekspor...", "Running the full check and writing the export..."),
    "ui_export_done": ("Ekspor selesai", "Export done"),
    "ui_exported": ("Ditulis ke", "Written to"),
    "ui_saved": ("Versi disimpan: {name}", "Version saved: {name}"),
    "ui_load": ("Muat", "Load"),
    "ui_layers": ("Lapisan dan legenda", "Layers and legend"),
    "ui_plan_kawasan": ("Batas kawasan rencana", "Plan kawasan boundaries"),
    "ui_outside": ("di luar kawasan", "outside every kawasan"),
    "ui_colour_kawasan": ("Warna desa: potensi kawasannya", "Village colour: its kawasan's potential"),
    "ui_colour_dominan": ("Warna desa: potensi dominannya", "Village colour: its dominant potential"),
    "ui_checked": ("{k} diperiksa dalam {ms} ms", "{k} checked in {ms} ms"),
    "ui_verdict": ("Putusan RTRW", "RTRW verdict"),
    "ui_villages": ("Desa", "Villages"),
    "ui_area": ("Luas", "Area"),
    "ui_conflict": ("Konflik dilarang (X)", "Prohibited conflict (X)"),
    "ui_pct_ok": ("Diizinkan/terbatas (I+T)", "Allowed/limited (I+T)"),
    "ui_pct_b": ("Bersyarat (B)", "Conditional (B)"),
    "ui_priorities": ("Prioritas potensi", "Potential priorities"),
    "ui_priorities_hint": (
        "Seberapa besar tiap potensi dihitung saat memilih potensi dominan (1 = sesuai skor; 2 = dihitung dua kali lipat).",
        "How much each potential counts when the dominant one is chosen (1 = as scored; 2 = counts double).",
    ),
    "ui_indicator_weights": ("Bobot indikator dalam tiap potensi", "Indicator weights within each potential"),
    "ui_room": ("Ruang kembang (di luar kawasan lindung)", "Development room (outside kawasan lindung)"),
    "ui_pillars": ("Profil empat pilar (0-1)", "Four-pillar profile (0-1)"),
    "ui_no_data": ("tidak ada data", "no data"),
    "ui_focus": ("Fokus program", "Programme focus"),
    "ui_idm_mix": ("Status IDM desa", "IDM status of the villages"),
    "ui_pct_outside": ("Di luar RTRW", "Outside the RTRW"),
    "ui_rules": ("Aturan", "Rules"),
    "ui_centre_distance": ("Jarak ke pusat, rata-rata / terjauh", "Distance to the centre, mean / farthest"),
    "ui_far": ("Desa lebih dari {km} km dari pusat", "Villages more than {km} km from the centre"),
    "ui_basis_jalan": ("lewat jalan", "along roads"),
    "ui_basis_garis_lurus": ("garis lurus", "straight line"),
    "ui_proposal": ("Usulan", "Proposal"),
    "ui_plan": ("Rencana", "Plan"),
    "ui_n_kawasan": ("Jumlah kawasan", "Kawasan"),
    "ui_n_desa": ("Desa dalam kawasan", "Villages in kawasan"),
    "ui_errors": ("Pelanggaran aturan", "Rule errors"),
    "ui_moved": ("{n} desa berpindah kawasan dibanding usulan", "{n} villages in another kawasan than proposed"),
    "ui_change": ("Perubahan", "Change"),
    "ui_before": ("Run", "Run"),
    "ui_after": ("Bobot baru", "New weights"),
    "ui_changed": ("{n} desa berganti potensi dominan", "{n} villages change dominant potential"),
    "annex_title": ("Lampiran Peraturan Bersama Kepala Desa", "Annex to the Joint Regulation of the Village Heads"),
    "annex_subtitle": ("Penetapan Kawasan Perdesaan dan Desa-desa Anggotanya", "The kawasan perdesaan and their member villages"),
    "annex_version": ("Versi rencana", "Plan version"),
    "annex_when": ("Tanggal", "Date"),
    "annex_who": ("Disusun oleh", "Prepared by"),
    "annex_note": ("Kesepakatan", "Agreement"),
    "annex_potential": ("Potensi kawasan", "Kawasan potential"),
    "annex_centre": ("Pusat kawasan", "Kawasan centre"),
    "annex_kecamatan": ("Kecamatan", "Kecamatan"),
    "annex_area": ("Luas", "Area"),
    "annex_verdict": ("Kesesuaian dengan RTRW", "Compliance with the RTRW"),
    "annex_prohibited": ("luas dilarang (X)", "prohibited (X) area"),
    "annex_village": ("Desa", "Village"),
    "annex_code": ("Kode desa", "Village code"),
    "annex_head": ("Kepala Desa", "Village head of"),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a supported language, else raise :class:`ConfigError`."""
    if lang not in LANGUAGES:
        raise ConfigError(f"Bahasa tidak dikenal / unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Texts by key, each a pair (Indonesian, English); :data:`CATALOGUE` is the package's.

    Examples
    --------
    >>> rules = CATALOGUE.extend({"kecamatan": {"id": "{n} kecamatan", "en": "{n} districts", "level": "info"}}, prefix="rule_")
    >>> rules.t("rule_kecamatan", "en", n=2), rules.t("kawasan")
    ('2 districts', 'Kawasan')
    """

    entries: Mapping[str, tuple[str, str]]

    def t(self, key: str, lang: str = "id", /, **values: object) -> str:
        """The text ``key`` in ``lang``, with ``values`` filled into its template.

        Raises
        ------
        KeyError
            For an unknown key (a programming error, not a user error).
        ConfigError
            For an unknown language.
        """
        text = self.entries[key][LANGUAGES.index(check_lang(lang))]
        return text.format(**values) if values else text

    def bilingual(self, key: str, /, **values: object) -> str:
        """The text ``key`` in every language, Indonesian first: ``"... / ..."`` (for error messages)."""
        return " / ".join(self.t(key, lang, **values) for lang in LANGUAGES)

    def extend(self, tables: Mapping[str, Mapping[str, object]], *, prefix: str = "") -> Catalogue:
        """A new catalogue with one entry per table of ``tables`` (an entry of the same key is replaced).

        Each table holds a text per language under ``id`` and ``en``, the shape a TOML section
        gives; its other keys (``level``, ``dasar``...) are not texts and are left out.
        """
        entries = dict(self.entries)
        for name, table in tables.items():
            entries[prefix + name] = (str(table["id"]), str(table["en"]))
        return Catalogue(entries)


CATALOGUE = Catalogue(LABELS)
"""The package's catalogue: :data:`LABELS`."""


def t(key: str, lang: str = "id", /, **values: object) -> str:
    """The label or message ``key`` in ``lang`` (``"id"`` Indonesian, default, or ``"en"`` English).

    ``values`` fill the fields of a message template (``t("fail_prohibited", "en", n=1, ...)``).

    Raises
    ------
    KeyError
        For an unknown key (a programming error, not a user error).
    ConfigError
        For an unknown language.
    """
    return CATALOGUE.t(key, lang, **values)


def bilingual(key: str, /, **values: object) -> str:
    """The text ``key`` as ``"Indonesian / English"``, the form of every error message."""
    return CATALOGUE.bilingual(key, **values)


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


class Message(str):
    """A text in both languages that travels as one string.

    ``str(message)`` is ``"Indonesian / English"`` (what logs, errors and ``run.json`` keep;
    one text when both are the same);
    :meth:`text` gives one language, for the report and the terminal of a run in that
    language. :func:`in_language` picks the language of any text, plain strings unchanged,
    so a warning list may mix both.

    Examples
    --------
    >>> m = message("note_unknown_type", n=1351)
    >>> m.text("id"), m.text("en")
    ('1.351 desa tanpa jenis (desa/kelurahan) dianggap desa', '1,351 villages of unknown type (desa/kelurahan) are treated as desa')
    >>> in_language(m, "en"), in_language("plain", "en")
    ('1,351 villages of unknown type (desa/kelurahan) are treated as desa', 'plain')
    """

    id: str
    en: str

    def __new__(cls, id_text: str, en_text: str) -> Message:
        self = super().__new__(cls, id_text if id_text == en_text else f"{id_text} / {en_text}")
        self.id, self.en = id_text, en_text
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # copy and pickle rebuild from both texts
        return (self.id, self.en)

    def text(self, lang: str = "id") -> str:
        """The text in ``lang``."""
        return self.id if check_lang(lang) == "id" else self.en


@dataclass(frozen=True)
class Num:
    """A number for :func:`message`, shown with ``decimals`` in each language's style."""

    value: object
    decimals: int = 1


def message(key: str, /, **values: object) -> Message:
    """The catalogue text ``key`` in both languages, numbers in each language's style.

    ``int`` values and :class:`Num` are formatted with :func:`format_number` (an int with no
    decimals), anything else with ``str``.
    """

    def shown(value: object, lang: str) -> object:
        if isinstance(value, Num):
            return format_number(value.value, value.decimals, lang)
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, 0, lang)
        return value

    id_text, en_text = (t(key, lang, **{k: shown(v, lang) for k, v in values.items()}) for lang in LANGUAGES)
    return Message(id_text, en_text)


def in_language(text: object, lang: str = "id") -> str:
    """``text`` in ``lang`` when it is a :class:`Message`, else ``str(text)``."""
    return text.text(lang) if isinstance(text, Message) else str(text)


def column_decimals(column: str) -> int:
    """Decimals a number column is shown with, by its name (the one rule for tables and spreadsheets).

    Areas and percentages one decimal (``luas_ha``, ``ha_*``, ``pct_*``), counts none
    (``n_*``), everything else (scores 0-1, km, indices) two.

    Examples
    --------
    >>> [column_decimals(c) for c in ("luas_ha", "pct_X", "n_desa", "skor_permukiman", "jarak_km_pasar")]
    [1, 1, 0, 2, 2]
    """
    name = column.lower()
    if name.startswith("n_") or name in ("n", "jumlah"):
        return 0
    if name == "luas_ha" or name.startswith(("ha_", "pct_", "luas_")) or name.endswith(("_ha", "_pct")):
        return 1
    return 2


def excel_number_format(decimals: int) -> str:
    """The spreadsheet display format with thousands separators and ``decimals`` decimals.

    Spreadsheets store the format, not the separators: Excel and LibreOffice show
    ``#,##0.0`` as ``1.234,5`` under an Indonesian locale and ``1,234.5`` under an English
    one, and the cell stays a number.

    Examples
    --------
    >>> excel_number_format(0), excel_number_format(2)
    ('#,##0', '#,##0.00')
    """
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


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
    return f"{shown} ... {t('list_more', lang, n=count)}"
