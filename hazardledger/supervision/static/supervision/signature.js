/*
 * Signature pads of the supervision forms: every <canvas class="signature-pad"> with a
 * data-target writes what is drawn, as a PNG data URL, into the hidden input it names; the
 * button with data-clear-signature="<canvas id>" clears both. Without JavaScript the form's
 * file field takes a photo of the signature instead.
 */
(function () {
  "use strict";

  function pad(canvas) {
    const target = document.getElementById(canvas.dataset.target);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    let drawing = false;
    const at = (e) => {
      const box = canvas.getBoundingClientRect();
      return [e.clientX - box.left, e.clientY - box.top];
    };
    canvas.addEventListener("pointerdown", (e) => {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      ctx.beginPath();
      ctx.moveTo(...at(e));
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      ctx.lineTo(...at(e));
      ctx.stroke();
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      target.value = canvas.toDataURL("image/png");
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    const clear = document.querySelector(`[data-clear-signature="${canvas.id}"]`);
    if (clear) {
      clear.addEventListener("click", () => {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        target.value = "";
      });
    }
  }

  document.querySelectorAll("canvas.signature-pad[data-target]").forEach(pad);
})();
