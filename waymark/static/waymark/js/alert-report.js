// The public report form: "Use my current location" fills in the map position.
// Without JavaScript (or without geolocation) the button stays hidden and the
// latitude and longitude can be typed, or the place described instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-alert-locate]");
  if (!box || !("geolocation" in navigator)) {
    return;
  }
  var button = box.querySelector("[data-alert-locate-button]");
  var status = box.querySelector("[data-alert-locate-status]");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!button || !status || !latitude || !longitude) {
    return;
  }
  box.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = "Location filled in. Check it, and describe the place too if you can.";
        button.disabled = false;
      },
      function () {
        status.textContent = "We could not get your location. Describe the place instead.";
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
