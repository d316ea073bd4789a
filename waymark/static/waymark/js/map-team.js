// The team map: recent street contacts and open alerts, clustered (leaflet.markercluster).
(function () {
  "use strict";
  const W = window.WaymarkMap;
  if (!W || typeof window.L === "undefined" || !L.markerClusterGroup) return;

  function clusterIcon(cluster) {
    const count = cluster.getChildCount();
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      className: "wm-cluster wm-cluster--" + size,
      html: "<span>" + Number(count) + '</span><span class="govuk-visually-hidden"> points here: select to zoom in</span>',
      iconSize: [40, 40],
    });
  }

  W.start("team", function (map, data) {
    const cluster = L.markerClusterGroup({ iconCreateFunction: clusterIcon, showCoverageOnHover: false });
    for (const feature of data.features) {
      const p = feature.properties;
      let marker;
      if (p.kind === "alert") {
        marker = L.marker(W.latLng(feature), {
          icon: W.cssIcon("wm-marker wm-marker--alert", "", 18),
          title: "Open alert, " + p.when + (p.place ? ", " + p.place : ""),
        });
        marker.bindPopup(
          W.popup("Open alert", [["Seen", p.when], ["Where", p.place], ["Status", p.status], ["Report", p.description]], {
            href: p.url,
            text: "Open the alert",
          }),
        );
      } else {
        marker = L.marker(W.latLng(feature), {
          icon: W.cssIcon("wm-marker wm-marker--contact", "", 18),
          title: "Contact, " + p.when + (p.place ? ", " + p.place : ""),
        });
        marker.bindPopup(
          W.popup(p.who, [["When", p.when], ["Where", p.place], ["What was seen", p.seen_doing], ["Team", p.service_name]], {
            href: p.url,
            text: "Open the contact",
          }),
        );
      }
      cluster.addLayer(marker);
    }
    map.addLayer(cluster);
    return data.features.length ? cluster.getBounds() : null;
  });
})();
