/*
 * A signature pad on a <canvas>, shared by the field inspection and the rectification order:
 * HazardLedger.signaturePad(canvas, {initial, onChange}) draws with a pointer, shows
 * ``initial`` (a PNG data URL) if given, and calls onChange(dataUrl) when a stroke ends and
 * onChange("") when cleared. Returns {clear}. No inline script: pages load this file.
 */
(function () {
  "use strict";

  function signaturePad(canvas, options) {
    const onChange = (options && options.onChange) || function () {};
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    if (options && options.initial) {
      const img = new Image();
      img.onload = () => ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight);
      img.src = options.initial;
    }
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
      onChange(canvas.toDataURL("image/png"));
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    return {
      clear() {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        onChange("");
      },
    };
  }

  window.HazardLedger = Object.assign(window.HazardLedger || {}, { signaturePad });
})();
