/* Quick report: attach the phone's position when the user allows it; the report works
 * without it. */
(function () {
  "use strict";
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(
    function (p) {
      document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
    },
    function () {},
    { timeout: 10000 }
  );
})();
