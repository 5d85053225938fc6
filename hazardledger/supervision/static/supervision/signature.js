/*
 * Signature pads of the supervision forms: every <canvas class="signature-pad"> with a
 * data-target writes what is drawn, as a PNG data URL, into the hidden input it names; the
 * button with data-clear-signature="<canvas id>" clears both. Without JavaScript the form's
 * file field takes a photo of the signature instead. The drawing is core/signature-pad.js.
 */
(function () {
  "use strict";

  function pad(canvas) {
    const target = document.getElementById(canvas.dataset.target);
    const signature = window.HazardLedger.signaturePad(canvas, {
      onChange: (dataUrl) => { target.value = dataUrl; },
    });
    const clear = document.querySelector(`[data-clear-signature="${canvas.id}"]`);
    if (clear) clear.addEventListener("click", () => signature.clear());
  }

  document.querySelectorAll("canvas.signature-pad[data-target]").forEach(pad);
})();
