// The hotspot map: grid cells as rectangles shaded by the number of people (classes wm-shade--1 to 5).
(function () {
  "use strict";
  const W = window.WaymarkMap;
  if (!W || typeof window.L === "undefined") return;

  W.start("hotspots", function (map, data) {
    const cells = L.featureGroup();
    for (const feature of data.features) {
      const p = feature.properties;
      const shade = Math.min(5, Math.max(1, Number(p.shade) || 1));
      const rectangle = L.rectangle(p.bounds, { className: "wm-cell wm-shade wm-shade--" + shade, weight: 1 });
      const people = p.people + (p.people === 1 ? " person" : " people");
      rectangle.bindPopup(
        W.popup(people + " seen rough sleeping", [
          ["District", p.district_name],
          ["Contacts with someone not yet identified", String(p.unidentified)],
          ["All rough-sleeping contacts", String(p.contacts)],
        ]),
      );
      cells.addLayer(rectangle);
    }
    cells.addTo(map);
    return data.features.length ? cells.getBounds() : null;
  });
})();
