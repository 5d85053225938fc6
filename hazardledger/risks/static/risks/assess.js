/* Risk assessment form: show only the fields of the chosen method; without JavaScript both
 * sets stay visible. */
(function () {
  "use strict";
  const method = document.getElementById("id_method");
  if (!method) return;
  function toggle() {
    document.getElementById("lec-fields").hidden = method.value !== "lec";
    document.getElementById("matrix-fields").hidden = method.value !== "matrix";
  }
  method.addEventListener("change", toggle);
  toggle();
})();
