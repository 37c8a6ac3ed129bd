/* kawasan studio: draws the plan and sends edits; every figure comes from the server.
 *
 * Safety: every name and message from the data is put into the page with textContent or as
 * an option's text, never as HTML (a village named "<img src=x onerror=...>" stays text).
 */
"use strict";

(function () {
  const TOKEN = document.body.dataset.token;
  const S = {
    L: {}, lang: "id", potentials: {}, kawasan: {}, order: [], member: {}, dominan: {}, mode: "click",
    selected: new Set(), active: null, colourBy: "kawasan", villageLayers: {}, outlines: {}, konflik: {},
    centres: null, init: null, weights: {},
  };
  const $ = (id) => document.getElementById(id);
  const L_ = (key) => S.L[key] || key;
  const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v)) ? "–"
    : new Intl.NumberFormat(S.lang === "id" ? "id-ID" : "en-GB", { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  // a refused edit has been shown in the error box; it must not also surface as an unhandled rejection
  const quiet = (fn) => (...args) => Promise.resolve().then(() => fn(...args)).catch(() => {});

  async function call(path, payload) {
    const opts = payload === undefined ? {} : {
      method: "POST", body: JSON.stringify(payload),
      headers: { "Content-Type": "application/json", "X-Studio-Token": TOKEN },
    };
    const resp = await fetch(path, opts);
    const data = await resp.json();
    if (!resp.ok) {
      showError(data.error || String(resp.status));
      throw new Error("studio: " + (data.error || resp.status));
    }
    showError("");
    return data;
  }

  // ------------------------------------------------------------------ map
  const map = L.map("map", { zoomControl: true, boxZoom: false });
  const panes = ["rtrw", "desa", "konflik", "garis", "pusat"];
  panes.forEach((p, i) => { map.createPane(p); map.getPane(p).style.zIndex = String(410 + 10 * i); });

  function potColour(code) { return (S.potentials[code] || {}).colour || S.init.grey; }

  function villageStyle(feature) {
    const kode = feature.properties.kode_desa;
    const k = S.member[kode];
    let fill = S.init.grey;
    let opacity = 0.25;
    if (S.colourBy === "dominan") {
      fill = S.dominan[kode] ? potColour(S.dominan[kode]) : S.init.grey;
      opacity = 0.75;
    } else if (k && S.kawasan[k]) {
      fill = potColour(S.kawasan[k].potensi);
      opacity = 0.7;
    }
    const sel = S.selected.has(kode);
    return { pane: "desa", fillColor: fill, fillOpacity: opacity, color: sel ? "#1d4ed8" : "#ffffff",
      weight: sel ? 3 : 0.8, opacity: 1 };
  }

  function villageTip(kode) {
    const f = S.villageLayers[kode].feature.properties;
    const k = S.member[kode];
    const box = el("div", { class: "kg-tip" });
    box.append(el("b", { text: f.nama_desa }), document.createTextNode(f.nama_kec));
    box.append(el("div", { text: k ? `${L_("ui_kawasan")} ${k}` : L_("ui_outside") }));
    return box;
  }

  function restyle() {
    for (const layer of Object.values(S.villageLayers)) layer.setStyle(villageStyle(layer.feature));
  }

  function buildLayers(init) {
    const desa = L.geoJSON(init.layers.desa, {
      style: villageStyle,
      onEachFeature: (f, layer) => {
        const kode = f.properties.kode_desa;
        S.villageLayers[kode] = layer;
        layer.bindTooltip(() => villageTip(kode), { sticky: true });
        layer.on("add", () => { const e = layer.getElement(); if (e) e.setAttribute("data-kode", kode); });
        layer.on("click", (ev) => onVillageClick(kode, ev.originalEvent));
      },
    }).addTo(map);
    map.fitBounds(desa.getBounds());
    S.groups = {
      desa: desa,
      kawasan: L.layerGroup().addTo(map),
      konflik: L.layerGroup().addTo(map),
      pusat: L.layerGroup().addTo(map),
    };
    if (init.layers.pola_ruang) {
      S.groups.pola_ruang = L.geoJSON(init.layers.pola_ruang, {
        pane: "rtrw", interactive: false,
        style: (f) => ({ fillColor: (init.rtrw_styles[f.properties.kelas] || {}).colour || init.grey, fillOpacity: 0.55, weight: 0.3, color: "#555" }),
      });
    }
    if (init.layers.sambungan) {
      S.groups.sambungan = L.geoJSON(init.layers.sambungan, { pane: "garis", style: { color: "#7c3aed", weight: 2, dashArray: "4 4" } }).addTo(map);
    }
    const list = $("layer-list");
    const entries = [["kawasan", "ui_plan_kawasan"], ["konflik", "lyr_konflik"], ["pusat", "ui_centres"], ["pola_ruang", "lyr_rtrw"], ["sambungan", "lyr_sambungan"]];
    for (const [key, label] of entries) {
      if (!S.groups[key]) continue;
      const box = el("input", { type: "checkbox", id: `layer-${key}`, checked: map.hasLayer(S.groups[key]) });
      box.addEventListener("change", () => { box.checked ? S.groups[key].addTo(map) : map.removeLayer(S.groups[key]); });
      list.append(el("div", { class: "row" }, box, el("label", { htmlFor: `layer-${key}`, text: L_(label) })));
    }
    const modes = [["kawasan", "ui_colour_kawasan"], ["dominan", "ui_colour_dominan"]];
    for (const [value, label] of modes) {
      const radio = el("input", { type: "radio", name: "colour-by", id: `colour-${value}`, value, checked: value === S.colourBy });
      radio.addEventListener("change", () => { S.colourBy = value; restyle(); });
      list.append(el("div", { class: "row" }, radio, el("label", { htmlFor: `colour-${value}`, text: L_(label) })));
    }
    const legend = $("legend");
    for (const p of init.potentials) {
      const sw = el("span", { class: "swatch" });
      sw.style.background = p.colour;
      legend.append(el("div", { class: "legend-item" }, sw, el("span", { text: p.label })));
    }
    const x = el("span", { class: "swatch" });
    x.style.background = init.itbx_colours.X;
    legend.append(el("div", { class: "legend-item" }, x, el("span", { text: L_("konflik_X") })));
    const kept = el("span", { class: "swatch" });
    kept.style.background = init.itbx_colours.L;
    legend.append(el("div", { class: "legend-item" }, kept, el("span", { text: L_("konflik_L") })));
    if (S.groups.pola_ruang) {
      const rtrw = el("div", { id: "legend-rtrw", hidden: true }, el("h3", { text: L_("lyr_rtrw") }));
      for (const st of Object.values(init.rtrw_styles)) {
        const sw = el("span", { class: "swatch" });
        sw.style.background = st.colour;
        rtrw.append(el("div", { class: "legend-item" }, sw, el("span", { text: st.label })));
      }
      legend.append(rtrw);
      map.on("layeradd layerremove", () => { rtrw.hidden = !map.hasLayer(S.groups.pola_ruang); });
    }
  }

  function replaceGeometry(payload) {
    for (const k of [...payload.removed, ...payload.touched]) {
      if (S.outlines[k]) { S.groups.kawasan.removeLayer(S.outlines[k]); delete S.outlines[k]; }
      if (S.konflik[k]) { S.groups.konflik.removeLayer(S.konflik[k]); delete S.konflik[k]; }
    }
    for (const f of payload.outlines.features) {
      const k = f.properties.kawasan_id;
      S.outlines[k] = L.geoJSON(f, { pane: "garis", interactive: false, style: { color: "#111827", weight: 2.5, fill: false } });
      S.groups.kawasan.addLayer(S.outlines[k]);
    }
    const byK = {};
    for (const f of payload.konflik.features) (byK[f.properties.kawasan_id] ||= []).push(f);
    for (const [k, feats] of Object.entries(byK)) {
      S.konflik[k] = L.geoJSON({ type: "FeatureCollection", features: feats }, {
        pane: "konflik", interactive: false,
        // X strong red; B light amber; L (protected land kept) a calm green, dashed: not a conflict
        style: (f) => ({ fillColor: S.init.itbx_colours[f.properties.status], fillOpacity: f.properties.status === "X" ? 0.75 : 0.2,
          color: { X: "#3d0019", B: "#d97706", L: "#2f5d46" }[f.properties.status] || "#d97706", weight: 1,
          dashArray: f.properties.status === "L" ? "4 3" : null }),
      });
      S.groups.konflik.addLayer(S.konflik[k]);
    }
  }

  function drawCentres() {
    S.groups.pusat.clearLayers();
    for (const k of S.order) {
      const pusat = S.kawasan[k].pusat;
      if (!pusat || !S.villageLayers[pusat]) continue;
      const where = S.villageLayers[pusat].getBounds().getCenter();
      L.circleMarker(where, { pane: "pusat", radius: 7, color: "#111827", weight: 2, fillColor: "#fde047", fillOpacity: 1, interactive: false })
        .addTo(S.groups.pusat);
    }
  }

  // ------------------------------------------------------------------ selection and lasso
  function onVillageClick(kode, ev) {
    if (S.mode !== "click") return;
    if (ev && (ev.shiftKey || ev.ctrlKey || ev.metaKey)) {
      S.selected.has(kode) ? S.selected.delete(kode) : S.selected.add(kode);
    } else {
      S.selected = new Set([kode]);
    }
    if (S.member[kode]) S.active = S.member[kode];
    restyle();
    renderPanel();
  }

  let lasso = null;
  map.on("mousedown", (ev) => {
    if (S.mode !== "lasso") return;
    lasso = { points: [ev.latlng], line: L.polyline([ev.latlng], { color: "#1d4ed8", weight: 2, dashArray: "3 3", interactive: false }).addTo(map), add: ev.originalEvent.shiftKey };
  });
  map.on("mousemove", (ev) => {
    if (!lasso) return;
    lasso.points.push(ev.latlng);
    lasso.line.addLatLng(ev.latlng);
  });
  map.on("mouseup", quiet(async () => {
    if (!lasso) return;
    const done = lasso;
    lasso = null;
    map.removeLayer(done.line);
    if (done.points.length < 3) return;
    const ring = done.points.map((p) => [p.lng, p.lat]);
    const res = await call("/api/lasso", { ring });
    if (!done.add) S.selected = new Set();
    res.villages.forEach((c) => S.selected.add(c));
    const ks = [...S.selected].map((c) => S.member[c]).filter(Boolean);
    if (ks.length) S.active = ks[0];
    restyle();
    renderPanel();
  }));

  function setMode(mode) {
    S.mode = mode;
    $("mode-click").classList.toggle("on", mode === "click");
    $("mode-lasso").classList.toggle("on", mode === "lasso");
    document.body.classList.toggle("lasso-on", mode === "lasso");
    mode === "lasso" ? map.dragging.disable() : map.dragging.enable();
  }

  // ------------------------------------------------------------------ state from the server
  function applyState(payload) {
    S.order = payload.kawasan.map((k) => k.kawasan_id);
    S.kawasan = Object.fromEntries(payload.kawasan.map((k) => [k.kawasan_id, k]));
    S.member = payload.member;
    S.summary = payload.summary;
    if (S.active && !S.kawasan[S.active]) S.active = null;
    if (!S.active && S.order.length) S.active = S.order[0];
    replaceGeometry(payload);
    drawCentres();
    restyle();
    $("undo").disabled = !payload.history.undo;
    $("redo").disabled = !payload.history.redo;
    if (payload.history.label && (payload.touched.length || payload.removed.length)) {
      $("status").textContent = L_("ui_checked").replace("{ms}", fmt(payload.ms, 0)).replace("{k}", [...payload.touched, ...payload.removed].join(", "));
      $("status").dataset.ms = String(payload.ms);
    }
    renderPanel();
  }

  async function edit(op, args) {
    const payload = await call("/api/edit", { op, ...args });
    applyState(payload);
    return payload;
  }

  // ------------------------------------------------------------------ panel
  function fillSelect(select, options, value) {
    select.replaceChildren(...options.map(([v, text]) => el("option", { value: v, text })));
    if (value !== undefined && value !== null) select.value = value;
  }

  function kawasanLabel(k) {
    const row = S.kawasan[k];
    return row && row.nama ? `${k}: ${row.nama}` : k;
  }

  function renderPanel() {
    const n = S.selected.size;
    $("selection").textContent = L_("ui_selected").replace("{n}", String(n));
    const kawasanOptions = S.order.map((k) => [k, kawasanLabel(k)]);
    fillSelect($("move-to"), kawasanOptions, $("move-to").value || S.active);
    fillSelect($("active"), kawasanOptions, S.active);
    fillSelect($("merge-with"), kawasanOptions.filter(([k]) => k !== S.active), $("merge-with").value);
    for (const id of ["move", "remove", "create", "split"]) $(id).disabled = n === 0;
    renderDetail();
    renderSummary();
  }

  function renderDetail() {
    const box = $("k-figures");
    const k = S.active;
    const row = k ? S.kawasan[k] : null;
    box.replaceChildren();
    for (const id of ["k-name", "k-potential", "k-centre", "merge-with", "rename", "merge"]) $(id).disabled = !row;
    if (!row) return;
    $("k-name").value = row.nama || "";
    fillSelect($("k-potential"), Object.values(S.potentials).map((p) => [p.code, p.label]), row.potensi);
    fillSelect($("k-centre"), [["", "–"], ...row.desa.map((d) => [d.kode, d.nama])], row.pusat || "");
    const facts = el("table");
    const add = (label, value, id, raw) => {
      const cell = el("td", { class: "num", text: value });
      if (id) { cell.id = id; cell.dataset.value = raw === undefined ? "" : String(raw); }
      facts.append(el("tr", {}, el("th", { text: L_(label) }), cell));
    };
    if (row.verdict) {
      const v = el("span", { class: `verdict ${row.verdict.replace(/ /g, "_")}`, id: "k-verdict", text: L_("verdict_" + row.verdict.replace(/ /g, "_")) });
      v.dataset.value = row.verdict;
      box.append(el("p", {}, el("span", { text: L_("ui_verdict") + ": " }), v));
      const reason = S.lang === "en" ? row.alasan_verdict_en : row.alasan_verdict;
      if (reason) box.append(el("p", { class: "hint", id: "k-reason", text: reason }));
      const bar = el("div", { class: "bar" });
      // every status the check reports (the ITBX four, area outside the RTRW, and any other it adds)
      const known = ["I", "T", "B", "X", "outside"];
      const statuses = [...known, ...Object.keys(row).filter((c) => c.startsWith("pct_") && !known.includes(c.slice(4)) && c !== "pct_dasar_zonasi" && c !== "pct_ruang_kembang").map((c) => c.slice(4))];
      for (const s of statuses) {
        const part = el("span", { title: `${s} ${fmt(row["pct_" + s])} %` });
        part.style.width = `${Math.max(0, row["pct_" + s] || 0)}%`;
        part.style.background = S.init.itbx_colours[s] || S.init.grey;
        bar.append(part);
      }
      box.append(bar);
    } else {
      box.append(el("p", { class: "hint", text: L_("studio_no_check") }));
    }
    add("ui_villages", String(row.n_desa), "k-n-desa", row.n_desa);
    add("ui_area", `${fmt(row.luas_ha)} ha`, "k-luas", row.luas_ha);
    if (row.ha_ruang_kembang !== undefined && row.ha_ruang_kembang !== null) {
      add("ui_room", `${fmt(row.ha_ruang_kembang)} ha (${fmt(row.pct_ruang_kembang)} %)`, "k-ruang", row.ha_ruang_kembang);
    }
    if (row.verdict) {
      add("ui_conflict", `${fmt(row.ha_X)} ha (${fmt(row.pct_X)} %)`, "k-ha-x", row.ha_X);
      add("ui_pct_ok", `${fmt((row.pct_I || 0) + (row.pct_T || 0))} %`, "k-pct-it", (row.pct_I || 0) + (row.pct_T || 0));
      add("ui_pct_b", `${fmt(row.pct_B)} %`, "k-pct-b", row.pct_B);
      add("ui_pct_outside", `${fmt(row.pct_outside)} %`, "k-pct-outside", row.pct_outside);
    }
    add("annex_kecamatan", (row.kecamatan || []).join(", "));
    if (row.pusat && row.dasar_jarak) {
      add("ui_centre_distance", `${fmt(row.jarak_pusat_rata_km)} / ${fmt(row.jarak_pusat_maks_km)} km (${L_(row.dasar_jarak === "jalan" ? "ui_basis_jalan" : "ui_basis_garis_lurus")})`,
        "k-jarak-pusat", row.jarak_pusat_rata_km);
      facts.append(el("tr", {}, el("th", { text: L_("ui_far").replace("{km}", fmt(row.batas_jauh_km, 0)) }),
        el("td", { class: "num", id: "k-jauh", text: String(row.n_desa_jauh) })));
    }
    box.append(facts);
    if (S.init.pillars.length) box.append(...renderPillars(row));
    const rules = el("ul", { class: "rules", id: "k-rules" });
    for (const r of row.rules) {
      const li = el("li", { class: r.level, text: r.message });
      li.dataset.rule = r.rule;
      rules.append(li);
    }
    box.append(el("h3", { text: L_("ui_rules") }), rules);
  }

  // the four pillars of the kawasan, scored by the library on the server after every edit
  function renderPillars(row) {
    const table = el("table", { id: "k-pillars" });
    for (const p of S.init.pillars) {
      const value = row["pilar_" + p.code];
      const bar = el("div", { class: "bar pillar" });
      const part = el("span");
      part.style.width = `${value === null || value === undefined ? 0 : Math.round(100 * value)}%`;
      bar.append(part);
      const cell = el("td", { class: "num", id: "k-pilar-" + p.code, text: value === null || value === undefined ? L_("ui_no_data") : fmt(value, 2) });
      cell.dataset.value = value === null || value === undefined ? "" : String(value);
      const weakest = row.pilar_terlemah === p.code;
      table.append(el("tr", weakest ? { class: "weakest" } : {}, el("th", { text: p.label }), cell, el("td", {}, bar)));
    }
    const focus = S.lang === "en" ? row.fokus_program_en : row.fokus_program;
    const out = [el("h3", { text: L_("ui_pillars") }), table];
    if (row.status_idm) out.push(el("p", { class: "hint", id: "k-idm", text: `${L_("ui_idm_mix")}: ${row.status_idm}` }));
    if (focus) out.push(el("p", { class: "hint", id: "k-focus", text: `${L_("ui_focus")}: ${focus}` }));
    return out;
  }

  function renderSummary() {
    const s = S.summary;
    if (!s) return;
    const body = $("summary-body");
    const t = el("table", { id: "summary-table" });
    t.append(el("tr", {}, el("th", {}), el("th", { class: "num", text: L_("ui_proposal") }), el("th", { class: "num", text: L_("ui_plan") })));
    const line = (label, a, b, id, raw) => {
      const cell = el("td", { class: "num", text: b });
      if (id) { cell.id = id; cell.dataset.value = String(raw); }
      t.append(el("tr", {}, el("th", { text: label }), el("td", { class: "num", text: a }), cell));
    };
    line(L_("ui_n_kawasan"), String(s.usulan.n_kawasan), String(s.rencana.n_kawasan), "sum-n-kawasan", s.rencana.n_kawasan);
    line(L_("ui_n_desa"), String(s.usulan.n_desa), String(s.rencana.n_desa));
    for (const v of ["sesuai", "sesuai bersyarat", "tidak sesuai"]) {
      line(L_("verdict_" + v.replace(/ /g, "_")), String(s.usulan.verdicts[v] || 0), String(s.rencana.verdicts[v] || 0));
    }
    line(L_("ui_conflict") + " (ha)", fmt(s.usulan.ha_X), fmt(s.rencana.ha_X), "sum-ha-x", s.rencana.ha_X);
    line(L_("ui_errors"), String(s.usulan.n_error), String(s.rencana.n_error), "sum-errors", s.rencana.n_error);
    body.replaceChildren(t, el("p", { id: "sum-moved", text: L_("ui_moved").replace("{n}", String(s.desa_pindah)) }));
    if (s.kawasan.length) {
      const changes = el("table");
      changes.append(el("tr", {}, el("th", { text: L_("ui_kawasan") }), el("th", { text: L_("ui_change") }), el("th", { text: L_("ui_verdict") })));
      for (const c of s.kawasan) {
        const what = [c.status, c.masuk.length ? "+ " + c.masuk.join(", ") : "", c.keluar.length ? "− " + c.keluar.join(", ") : ""].filter(Boolean).join("; ");
        const verdict = `${c.verdict_usulan ? L_("verdict_" + c.verdict_usulan.replace(/ /g, "_")) : "–"} → ${c.verdict ? L_("verdict_" + c.verdict.replace(/ /g, "_")) : "–"}`;
        changes.append(el("tr", {}, el("td", { text: c.kawasan_id }), el("td", { text: what }), el("td", { text: verdict })));
      }
      body.append(changes);
    }
  }

  // ------------------------------------------------------------------ weights
  function buildWeights(init) {
    const list = $("weight-list");
    for (const [pot, specs] of Object.entries(init.weights)) {
      const det = el("details", {}, el("summary", { text: (S.potentials[pot] || {}).label || pot }));
      for (const s of specs) {
        const out = el("output", { text: fmt(s.weight, 2) });
        const range = el("input", { type: "range", min: "0", max: String(Math.max(1, 2 * s.weight)), step: "0.05", value: String(s.weight) });
        range.dataset.potential = pot;
        range.dataset.indicator = s.id;
        range.dataset.initial = String(s.weight);
        range.addEventListener("input", () => { out.textContent = fmt(Number(range.value), 2); });
        det.append(el("div", { class: "weight" }, el("span", { text: s.label }), range, out));
      }
      list.append(det);
    }
    // how much each potential counts when the dominant one is chosen (1 = as scored)
    const prio = $("priority-list");
    for (const pot of Object.keys(init.weights)) {
      const out = el("output", { text: fmt(1, 1) });
      const range = el("input", { type: "range", min: "0.1", max: "3", step: "0.1", value: "1" });
      range.dataset.potential = pot;
      range.addEventListener("input", () => { out.textContent = fmt(Number(range.value), 1); });
      prio.append(el("div", { class: "weight" }, el("span", { text: (S.potentials[pot] || {}).label || pot }), range, out));
    }
    const margin = $("margin");
    margin.value = String(init.mixed_margin);
    $("margin-value").textContent = fmt(init.mixed_margin, 2);
    margin.addEventListener("input", () => { $("margin-value").textContent = fmt(Number(margin.value), 2); });
  }

  async function applyWeights(reset) {
    const weights = {};
    for (const r of document.querySelectorAll("#weight-list input[type=range]")) {
      if (reset) { r.value = r.dataset.initial; r.dispatchEvent(new Event("input")); }
      (weights[r.dataset.potential] ||= {})[r.dataset.indicator] = Number(r.value);
    }
    const prioritas = {};
    for (const r of document.querySelectorAll("#priority-list input[type=range]")) {
      if (reset) { r.value = "1"; r.dispatchEvent(new Event("input")); }
      prioritas[r.dataset.potential] = Number(r.value);
    }
    if (reset) { $("margin").value = String(S.init.mixed_margin); $("margin").dispatchEvent(new Event("input")); }
    const res = await call("/api/weights", { weights, prioritas, mixed_margin: Number($("margin").value) });
    S.dominan = res.dominan;
    S.colourBy = "dominan";
    $("colour-dominan").checked = true;
    restyle();
    const t = el("table", { id: "weight-table" });
    t.append(el("tr", {}, el("th", { text: L_("ui_potential") }), el("th", { class: "num", text: L_("ui_before") }), el("th", { class: "num", text: L_("ui_after") })));
    for (const p of Object.values(S.potentials)) {
      if (!(p.code in res.jumlah)) continue;
      t.append(el("tr", {}, el("td", { text: p.label }), el("td", { class: "num", text: String(res.jumlah_awal[p.code]) }),
        el("td", { class: "num", text: String(res.jumlah[p.code]) })));
    }
    const changed = el("p", { id: "weight-changed", text: L_("ui_changed").replace("{n}", String(res.berubah.length)) });
    changed.dataset.value = String(res.berubah.length);
    $("weight-result").replaceChildren(changed, t);
  }

  // ------------------------------------------------------------------ versions and exports
  function renderVersions(versions) {
    const list = $("version-list");
    list.replaceChildren();
    for (const v of versions) {
      const button = el("button", { text: L_("ui_load") });
      button.addEventListener("click", async () => applyState(await call("/api/versions/load", { id: v.id })));
      const meta = [v.oleh, v.waktu].filter(Boolean).join(", ");
      list.append(el("li", {}, el("b", { text: v.nama || v.id }), document.createTextNode(meta ? ` (${meta}) ` : " "), button,
        v.catatan ? el("div", { class: "hint", text: v.catatan }) : null));
    }
  }

  function recordFields() {
    return { name: $("v-name").value, who: $("v-who").value, note: $("v-note").value };
  }

  // ------------------------------------------------------------------ wiring
  function wire() {
    $("mode-click").addEventListener("click", quiet(() => setMode("click")));
    $("mode-lasso").addEventListener("click", quiet(() => setMode("lasso")));
    $("undo").addEventListener("click", quiet(async () => applyState(await call("/api/undo", {}))));
    $("redo").addEventListener("click", quiet(async () => applyState(await call("/api/redo", {}))));
    $("clear").addEventListener("click", quiet(() => { S.selected = new Set(); restyle(); renderPanel(); }));
    $("move").addEventListener("click", quiet(() => edit("move", { villages: [...S.selected], to: $("move-to").value })));
    $("remove").addEventListener("click", quiet(() => edit("remove", { villages: [...S.selected] })));
    $("create").addEventListener("click", quiet(async () => {
      const before = new Set(S.order);
      await edit("create", { villages: [...S.selected], potensi: $("new-potential").value, nama: $("new-name").value });
      S.active = S.order.find((k) => !before.has(k)) || S.active;
      renderPanel();
    }));
    $("split").addEventListener("click", quiet(async () => {
      const codes = [...S.selected];
      const from = S.member[codes[0]];
      const before = new Set(S.order);
      await edit("split", { kawasan: from, villages: codes });
      S.active = S.order.find((k) => !before.has(k)) || S.active;
      renderPanel();
    }));
    $("active").addEventListener("change", quiet(() => { S.active = $("active").value; renderPanel(); }));
    $("rename").addEventListener("click", quiet(() => edit("rename", { kawasan: S.active, nama: $("k-name").value })));
    $("k-potential").addEventListener("change", quiet(() => edit("potential", { kawasan: S.active, potensi: $("k-potential").value })));
    $("k-centre").addEventListener("change", quiet(() => edit("centre", { kawasan: S.active, pusat: $("k-centre").value || null })));
    $("merge").addEventListener("click", quiet(() => edit("merge", { ids: [S.active, $("merge-with").value] })));
    $("apply-weights").addEventListener("click", quiet(() => applyWeights(false)));
    $("reset-weights").addEventListener("click", quiet(() => applyWeights(true)));
    $("save-version").addEventListener("click", quiet(async () => {
      const res = await call("/api/versions/save", recordFields());
      $("status").textContent = L_("ui_saved").replace("{name}", res.saved.nama);
      renderVersions(res.versions);
    }));
    $("export").addEventListener("click", quiet(async () => {
      $("export").disabled = true;
      $("status").textContent = L_("ui_exporting");
      try {
        const res = await call("/api/export", recordFields());
        const list = el("ul", { id: "export-files" });
        for (const f of res.files) {
          list.append(el("li", {}, el("a", { href: `/files/${res.folder}/${f}`, text: f, download: f })));
        }
        const notes = res.selisih.length ? el("p", { class: "hint", text: res.selisih.join("; ") }) : null;
        $("export-result").replaceChildren(el("p", { text: `${L_("ui_exported")} studio/${res.folder}` }), list, notes);
        $("status").textContent = L_("ui_export_done");
      } finally {
        $("export").disabled = false;
      }
    }));
    document.addEventListener("keydown", (ev) => {
      if (!(ev.ctrlKey || ev.metaKey) || ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
      if (ev.key === "z" && !$("undo").disabled) { ev.preventDefault(); $("undo").click(); }
      if (ev.key === "y" && !$("redo").disabled) { ev.preventDefault(); $("redo").click(); }
    });
  }

  async function start() {
    const init = await call("/api/init");
    S.init = init;
    S.L = init.labels;
    S.lang = init.lang;
    S.dominan = init.dominan;
    S.potentials = Object.fromEntries(init.potentials.map((p) => [p.code, p]));
    document.title = `${L_("ui_title")}: ${init.title}`;
    $("title").textContent = `${L_("ui_title")}: ${init.title}`;
    for (const e of document.querySelectorAll("[data-l]")) e.textContent = L_(e.dataset.l);
    for (const e of document.querySelectorAll("[data-ph]")) e.placeholder = L_(e.dataset.ph);
    for (const e of document.querySelectorAll("[data-aria]")) e.setAttribute("aria-label", L_(e.dataset.aria));
    for (const note of init.notes) $("notes").append(el("p", { text: note }));
    fillSelect($("new-potential"), init.potentials.map((p) => [p.code, p.label]));
    buildLayers(init);
    buildWeights(init);
    wire();
    applyState(init.state);
    renderVersions((await call("/api/versions")).versions);
    document.body.dataset.ready = "1";
  }

  start().catch((e) => { showError(String(e.message || e)); });
})();
