// Shared set-up of Waymark's maps (Leaflet): the data comes from a json_script block named by
// the map's data-map-source; tiles only when data-tile-url is set. Without this script the
// page is its tables; with it the map appears above them. Text from the data is only ever
// put on the page with textContent, never as HTML.
(function () {
  "use strict";

  // Great Britain, for a map with nothing on it and no districts drawn.
  const BRITAIN = [[49.9, -8.2], [58.7, 1.8]];
  const MAX_ZOOM = 19;

  function readData(element) {
    const source = document.getElementById(element.dataset.mapSource || "");
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  // Draw the map of the kind given, if the page has one: `draw(map, data)` adds the layers
  // and returns the bounds to show (or null).
  function start(kind, draw) {
    const element = document.querySelector('[data-map="' + kind + '"]');
    if (!element || typeof window.L === "undefined") return null;
    const data = readData(element);
    if (!data) return null;
    for (const hidden of document.querySelectorAll("[data-map-wrap], [data-map-key]")) {
      hidden.hidden = false;
    }
    // Scrolling the page must not zoom the map by accident; the buttons and keys zoom it.
    // The zoom range is the map's own, as clustering needs one even with no tile layer.
    const map = L.map(element, { scrollWheelZoom: false, minZoom: 2, maxZoom: MAX_ZOOM });
    const tiles = element.dataset.tileUrl || "";
    if (tiles) {
      L.tileLayer(tiles, { attribution: element.dataset.tileAttribution || "", maxZoom: MAX_ZOOM }).addTo(map);
    }
    const bounds = draw(map, data);
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    } else {
      map.fitBounds((data.meta && data.meta.default_bounds) || BRITAIN);
    }
    return map;
  }

  // A popup's content: a heading line, label–value rows and a link, all as text.
  function popup(title, rows, link) {
    const box = document.createElement("div");
    box.className = "wm-popup";
    const heading = document.createElement("p");
    heading.className = "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1";
    heading.textContent = title;
    box.appendChild(heading);
    const list = document.createElement("dl");
    list.className = "wm-popup__rows";
    for (const [label, value] of rows) {
      if (!value) continue;
      const term = document.createElement("dt");
      term.textContent = label;
      const detail = document.createElement("dd");
      detail.textContent = value;
      list.append(term, detail);
    }
    box.appendChild(list);
    if (link && link.href) {
      const anchor = document.createElement("a");
      anchor.className = "govuk-link";
      anchor.href = link.href;
      anchor.textContent = link.text;
      box.appendChild(anchor);
    }
    return box;
  }

  // A marker drawn with CSS (no image): `html` must be trusted markup (numbers, fixed words).
  function cssIcon(className, html, size) {
    return L.divIcon({ className: className, html: html || "", iconSize: [size, size], popupAnchor: [0, -size / 2] });
  }

  function latLng(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    return [lat, lng];
  }

  window.WaymarkMap = { start: start, popup: popup, cssIcon: cssIcon, latLng: latLng };
})();
