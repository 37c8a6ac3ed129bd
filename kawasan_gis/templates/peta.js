/* kawasan_gis interactive map helpers, loaded once per page.
 *
 * Safety rule: every string these functions put into HTML (names, labels, texts) was
 * escaped with html.escape in Python before it went into the page. The functions here
 * only concatenate those strings with numbers (formatted by toLocaleString) and fixed
 * markup, so no attribute value can become markup or script. The one raw string, the
 * search key, is only ever set as textContent (searchTip).
 */
var kawasanGis = (function () {
    "use strict";
    var TOOLTIP = {sticky: true, className: "kg-tt", direction: "top", offset: [0, -6]};
    var POPUP = {maxWidth: 380, minWidth: 250, className: "kg-popup", autoPanPadding: [24, 24]};
    var HOVER = {weight: 2.6, color: "#111111", opacity: 1};

    function num(x, digits, locale) {
        if (x === null || x === undefined || isNaN(x)) { return "\u2013"; }
        return Number(x).toLocaleString(locale, {minimumFractionDigits: digits, maximumFractionDigits: digits});
    }

    function swatch(colour) {
        return '<i class="kg-sw" style="background:' + colour + '"></i>';
    }

    /* Layers with pre-rendered (escaped) tooltip `tt` and popup `pp` properties. */
    function bind(feature, layer) {
        var p = feature.properties;
        if (p.tt) { layer.bindTooltip(p.tt, TOOLTIP); }
        if (p.pp) { layer.bindPopup(p.pp, POPUP); }
    }

    /* Kawasan labels: point features drawn as text. Each zoom, every label shows its id and,
       when the kawasan is wide enough on screen, its name; a kawasan smaller than its id gets
       no label, and where labels collide the larger kawasan keeps its label (a kabupaten view
       holds dozens). */
    function label(feature, latlng) {
        var p = feature.properties;
        var marker = L.marker(latlng, {
            icon: L.divIcon({className: "kg-label", html: "<span><b>" + p.id + "</b><em> " + p.lbl + "</em></span>", iconSize: null}),
            keyboard: false,
            pane: "kg_label"
        });
        marker._kgBounds = p.b;
        marker._kgChars = p.n;
        marker.on("add", function () {
            var map = marker._map;
            map._kgLabels = map._kgLabels || [];
            if (map._kgLabels.indexOf(marker) < 0) { map._kgLabels.push(marker); }
            if (!map._kgRefresh) {
                map._kgRefresh = function () { placeLabels(map); };
                map.on("zoomend", map._kgRefresh);
            }
            clearTimeout(map._kgTimer);
            map._kgTimer = setTimeout(map._kgRefresh, 0);
        });
        return marker;
    }

    /* Kawasan centres: circle markers; radius and colours come from the feature (order and role). */
    function centre(feature, latlng) {
        var o = feature.properties.mk;
        return L.circleMarker(latlng, {radius: o.r, color: o.c, weight: 2, fillColor: o.f, fillOpacity: 0.95, pane: "kg_pusat"});
    }

    function overlaps(a, b) {
        return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
    }

    function placeLabels(map) {
        var labels = (map._kgLabels || []).filter(function (m) { return map.hasLayer(m) && m.getElement() && m._kgBounds; });
        labels.forEach(function (m) {
            var sw = map.latLngToContainerPoint(m._kgBounds[0]), ne = map.latLngToContainerPoint(m._kgBounds[1]);
            m._kgW = Math.abs(ne.x - sw.x);
            m._kgH = Math.abs(ne.y - sw.y);
        });
        labels.sort(function (a, b) { return b._kgW * b._kgH - a._kgW * a._kgH; });
        var kept = [];
        labels.forEach(function (m) {
            var el = m.getElement();
            el.classList.remove("kg-hidden");
            el.classList.toggle("kg-full", m._kgW > 7 * (m._kgChars + 4));
            if (m._kgW < 18 && m._kgH < 18) { el.classList.add("kg-hidden"); return; }
            var box = el.firstChild.getBoundingClientRect();
            if (kept.some(function (k) { return overlaps(box, k); }) && el.classList.contains("kg-full")) {
                el.classList.remove("kg-full");
                box = el.firstChild.getBoundingClientRect();
            }
            if (kept.some(function (k) { return overlaps(box, k); })) { el.classList.add("kg-hidden"); } else { kept.push(box); }
        });
    }

    /* onEachFeature for the village layer; D is the map's dictionary (labels, colours, kawasan). */
    function villages(D) {
        var T = D.t;
        function n(x, digits) { return num(x, digits, D.locale); }
        function potential(i) { return (i !== undefined && i >= 0) ? D.pots[i] : {l: T.no_score, c: D.grey}; }
        function kawasan(p) {
            if (!D.has_kawasan) { return ""; }
            if (p.kw === undefined || p.kw < 0) { return T.no_kawasan; }
            return D.kaw[p.kw].n;
        }

        function tooltip(p) {
            var q = potential(p.p);
            var s = "<b>" + p.n + "</b>";
            if (p.k) { s += ' <span class="kg-muted">' + T.kec + " " + p.k + "</span>"; }
            s += "<br>" + T.potensi + ": " + swatch(q.c) + q.l + (p.cm ? " (" + T.campuran_lc + ")" : "");
            if (D.has_kawasan) { s += "<br>" + T.kawasan + ": " + kawasan(p); }
            return s;
        }

        function popup(p) {
            var h = '<div class="kg-pp"><h4>' + p.n + '</h4><div class="kg-muted">' + (p.j ? T.kelurahan : T.desa);
            if (p.k) { h += " \u00b7 " + T.kec + " " + p.k; }
            h += " \u00b7 " + p.c + "</div>";
            if (D.has_kawasan) {
                if (p.kw !== undefined && p.kw >= 0) {
                    var kw = D.kaw[p.kw];
                    h += "<div>" + T.kawasan + ": <b>" + kw.n + "</b>" + (kw.v ? " \u00b7 " + T.verdict + ": " + kw.v : "") + "</div>";
                } else {
                    h += "<div>" + T.kawasan + ": " + T.no_kawasan + "</div>";
                }
            }
            if (p.s) {
                h += "<h5>" + T.skor + "</h5><table>";
                p.s.forEach(function (v, i) {
                    var q = D.pots[D.sc[i]];
                    var w = (v === null) ? 0 : Math.round(100 * Math.max(0, Math.min(1, v)));
                    h += "<tr" + (D.sc[i] === p.p ? ' class="kg-dom"' : "") + "><td>" + swatch(q.c) + q.l +
                        '</td><td><span class="kg-bar"><i style="width:' + w + "%;background:" + q.c +
                        '"></i></span></td><td class="kg-n">' + n(v, 2) + "</td></tr>";
                });
                h += "</table>";
            }
            var facts = [];
            if (p.mg !== undefined) { facts.push(T.margin + ": " + n(p.mg, 2)); }
            if (p.cm !== undefined) { facts.push(T.campuran + ": " + (p.cm ? T.ya : T.tidak)); }
            if (p.ds) { facts.push(T.dasar + ": " + p.ds); }
            if (facts.length) { h += '<div class="kg-muted">' + facts.join(" \u00b7 ") + "</div>"; }
            if (p.ku) { h += "<h5>" + T.kontribusi + "</h5><div>" + p.ku + "</div>"; }
            (p.sh || []).forEach(function (section) {
                var S = D.sec[section[0]];
                h += "<h5>" + S.h + "</h5><table>";
                section[1].forEach(function (e) {
                    var c = (e[0] >= 0) ? S.cls[e[0]] : {l: T.unmapped, c: "#ffffff"};
                    h += "<tr><td>" + swatch(c.c) + c.l + '</td><td class="kg-n">' + n(e[1], 1) + "%</td></tr>";
                });
                h += "</table>";
            });
            return h + "</div>";
        }

        return function (feature, layer) {
            var p = feature.properties;
            var q = potential(p.p);
            // The search plugin restores every feature to properties.style after a search.
            p.style = {fillColor: q.c, color: "#ffffff", weight: 0.8, opacity: 0.9, fillOpacity: p.cm ? 0.38 : 0.74};
            layer.bindTooltip(function () { return tooltip(p); }, TOOLTIP);
            layer.bindPopup(function () { return popup(p); }, POPUP);
            layer.on("mouseover", function () { this.setStyle(HOVER); this.bringToFront(); });
            layer.on("mouseout", function () { this.setStyle(p.style); });
        };
    }

    /* Search results as text: the search key is the raw village name. */
    function searchTip(text) {
        var item = L.DomUtil.create("li", "");
        item.textContent = text;
        return item;
    }

    return {bind: bind, label: label, centre: centre, villages: villages, searchTip: searchTip};
})();
