// A person's locations over time: numbered markers (1 is the earliest) joined by a line in time order.
(function () {
  "use strict";
  const W = window.WaymarkMap;
  if (!W || typeof window.L === "undefined") return;

  W.start("person", function (map, data) {
    const points = data.features.map(W.latLng);
    if (!points.length) return null;
    const route = L.polyline(points, { className: "wm-route", weight: 3, interactive: false }).addTo(map);
    const last = data.features.length;
    for (const feature of data.features) {
      const p = feature.properties;
      const latest = p.number === last;
      const marker = L.marker(W.latLng(feature), {
        icon: W.cssIcon("wm-marker wm-marker--numbered" + (latest ? " wm-marker--latest" : ""), "<span>" + Number(p.number) + "</span>", 26),
        title: p.number + ": " + p.when + (p.place ? ", " + p.place : "") + (latest ? " (the latest)" : ""),
        zIndexOffset: latest ? 1000 : p.number,
      });
      marker.bindPopup(
        W.popup(p.number + ". " + p.when, [["Where", p.place], ["What was seen", p.seen_doing], ["Team", p.service_name]], {
          href: p.url,
          text: "Open the contact",
        }),
      );
      marker.addTo(map);
    }
    return route.getBounds();
  });
})();
