/* The field page of an inspection: works on a phone, and offline once loaded.
 *
 * Everything the inspector enters (results, notes, photos as data URLs, signatures as PNG data
 * URLs, GPS) is kept in localStorage under "hl-inspection-<uuid>" after every change. Submitting
 * builds one JSON document (with a new submission uuid and the uuid of every result, made once
 * and kept), stores it as "pending", and POSTs it to the idempotent sync endpoint; while offline
 * or when the server cannot be reached it is retried on the "online" event and on a timer.
 * The server is the judge: 400 lists what is wrong, 409 says the inspection was submitted
 * elsewhere with other content; both stop the retries. See docs/inspections.md.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("field-config").textContent);
  const t = JSON.parse(document.getElementById("field-messages").textContent);
  const KEY = "hl-inspection-" + config.inspection;
  const PHOTO_MAX_SIDE = 1600;
  const PHOTO_QUALITY = 0.7;
  const PHOTOS_PER_ITEM = 4;
  const PHOTO_TOTAL_CAP = 6 * 1024 * 1024; // characters of data URL, all photos together
  const RETRY_MS = 5000;

  const netStatus = document.getElementById("net-status");
  const message = document.getElementById("sync-message");
  let retryTimer = null;
  let sending = false;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "null");
    } catch (e) {
      return null;
    }
  }

  const state = load() || {
    inspection: config.inspection,
    startedAt: new Date().toISOString(),
    results: {},
    note: "",
    representative: "",
    signatures: {},
    position: null,
    pending: null,
  };

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
      return true;
    } catch (e) {
      show("danger", t.storageFull);
      return false;
    }
  }

  function result(itemId) {
    const key = String(itemId);
    if (!state.results[key]) state.results[key] = { uuid: uuid4(), outcome: "", note: "", photos: [] };
    // The photos' own file names, index by index (older saved entries have none).
    if (!state.results[key].names) state.results[key].names = [];
    return state.results[key];
  }

  function show(kind, text, list) {
    message.className = "alert alert-" + kind;
    message.textContent = text;
    if (list && list.length) {
      const ul = document.createElement("ul");
      ul.className = "mb-0 mt-1";
      list.forEach((line) => {
        const li = document.createElement("li");
        li.textContent = line;
        ul.appendChild(li);
      });
      message.appendChild(ul);
    }
  }

  function showNet() {
    const online = navigator.onLine;
    netStatus.className = "alert py-2 small mb-2 " + (online ? "alert-success" : "alert-warning");
    netStatus.textContent = online ? t.online : t.offline;
    netStatus.dataset.online = online ? "1" : "0";
  }

  // --- items ------------------------------------------------------------------------------

  function photoChars() {
    return Object.values(state.results).reduce(
      (n, r) => n + r.photos.reduce((m, p) => m + p.length, 0), 0);
  }

  function renderThumbs(itemId) {
    const box = document.getElementById("thumbs-" + itemId);
    box.textContent = "";
    result(itemId).photos.forEach((url, index) => {
      const wrap = document.createElement("span");
      wrap.className = "thumb";
      const img = document.createElement("img");
      img.src = url;
      img.alt = "";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-danger";
      remove.setAttribute("aria-label", t.remove);
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        result(itemId).photos.splice(index, 1);
        result(itemId).names.splice(index, 1);
        save();
        renderThumbs(itemId);
      });
      wrap.append(img, remove);
      box.appendChild(wrap);
    });
  }

  function shrink(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", PHOTO_QUALITY));
      };
      img.onerror = () => {
        URL.revokeObjectURL(url);
        reject(new Error("bad image"));
      };
      img.src = url;
    });
  }

  document.querySelectorAll(".field-item").forEach((card) => {
    const id = card.dataset.item;
    const saved = state.results[id];
    if (saved) {
      const radio = document.getElementById(`o-${id}-${saved.outcome}`);
      if (radio) radio.checked = true;
      document.getElementById("note-" + id).value = saved.note;
      renderThumbs(id);
    }
    card.querySelectorAll("input[type=radio]").forEach((radio) => {
      radio.addEventListener("change", () => {
        result(id).outcome = radio.value;
        card.classList.remove("is-missing");
        save();
      });
    });
    document.getElementById("note-" + id).addEventListener("input", (event) => {
      result(id).note = event.target.value;
      save();
    });
    document.getElementById("photo-" + id).addEventListener("change", async (event) => {
      const files = Array.from(event.target.files || []);
      event.target.value = "";
      for (const file of files) {
        if (result(id).photos.length >= PHOTOS_PER_ITEM) break;
        let url;
        try {
          url = await shrink(file);
        } catch (e) {
          show("warning", t.photoBad);
          continue;
        }
        if (photoChars() + url.length > PHOTO_TOTAL_CAP) {
          show("warning", t.photoBig);
          break;
        }
        const r = result(id);
        r.names.length = r.photos.length; // keep the names aligned with the photos
        r.photos.push(url);
        r.names.push(file.name || "");
        if (!save()) {
          r.photos.pop();
          r.names.pop();
        }
      }
      renderThumbs(id);
    });
  });

  document.getElementById("mark-rest-pass").addEventListener("click", () => {
    config.items.forEach((item) => {
      const r = result(item.id);
      if (!r.outcome) {
        r.outcome = "pass";
        document.getElementById(`o-${item.id}-pass`).checked = true;
        document.getElementById("item-" + item.id).classList.remove("is-missing");
      }
    });
    save();
  });

  const note = document.getElementById("inspection-note");
  note.value = state.note || "";
  note.addEventListener("input", () => { state.note = note.value; save(); });
  const representative = document.getElementById("site-representative");
  representative.value = state.representative || "";
  representative.addEventListener("input", () => { state.representative = representative.value; save(); });

  // --- signatures -------------------------------------------------------------------------

  function signaturePad(which) {
    const signature = window.HazardLedger.signaturePad(document.getElementById("sig-" + which), {
      initial: state.signatures[which],
      onChange: (dataUrl) => {
        if (dataUrl) state.signatures[which] = dataUrl;
        else delete state.signatures[which];
        save();
      },
    });
    document.querySelector(`[data-clear=${which}]`).addEventListener("click", () => signature.clear());
  }
  signaturePad("inspector");
  signaturePad("site");

  // --- GPS --------------------------------------------------------------------------------

  const gps = document.getElementById("gps-status");
  function showPosition() {
    const p = state.position;
    gps.textContent = p
      ? `${t.gpsOk}: ${p.latitude.toFixed(5)}, ${p.longitude.toFixed(5)} (±${Math.round(p.accuracy || 0)} m)`
      : t.gpsNone;
  }
  if (state.position) {
    showPosition();
  } else if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        state.position = {
          latitude: pos.coords.latitude,
          longitude: pos.coords.longitude,
          accuracy: pos.coords.accuracy,
        };
        save();
        showPosition();
      },
      showPosition,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  } else {
    showPosition();
  }

  // --- submit and sync --------------------------------------------------------------------

  function check() {
    const problems = [];
    const unanswered = config.items.filter((i) => !result(i.id).outcome);
    const noNote = config.items.filter((i) => result(i.id).outcome === "fail" && !result(i.id).note.trim());
    document.querySelectorAll(".field-item").forEach((c) => c.classList.remove("is-missing"));
    [...unanswered, ...noNote].forEach((i) => document.getElementById("item-" + i.id).classList.add("is-missing"));
    if (unanswered.length) problems.push(`${t.unanswered} ${unanswered.map((i) => i.position).join(", ")}`);
    if (noNote.length) problems.push(`${t.failNote} ${noNote.map((i) => i.position).join(", ")}`);
    if (!state.signatures.inspector) problems.push(t.signInspector);
    if (config.siteSignatureRequired && (!state.signatures.site || !state.representative.trim())) {
      problems.push(t.signSite);
    }
    return problems;
  }

  function buildDocument() {
    return {
      inspection: config.inspection,
      submission: uuid4(),
      started_at: state.startedAt,
      finished_at: new Date().toISOString(),
      position: state.position,
      note: state.note || "",
      signatures: {
        inspector: state.signatures.inspector || "",
        site: state.signatures.site || "",
        site_representative: state.representative || "",
      },
      results: config.items.map((item) => {
        const r = result(item.id);
        const names = r.photos.map((_url, i) => (r.names && r.names[i]) || "");
        return {
          uuid: r.uuid,
          item: item.id,
          outcome: r.outcome,
          note: r.note.trim(),
          photos: r.photos,
          photo_names: names,
        };
      }),
    };
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, RETRY_MS);
  }

  async function send() {
    if (!state.pending || sending) return;
    if (!navigator.onLine) {
      show("warning", t.queued);
      scheduleRetry();
      return;
    }
    sending = true;
    show("info", t.sending);
    let response;
    let body = {};
    try {
      response = await fetch(config.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(state.pending),
      });
      body = await response.json().catch(() => ({}));
    } catch (e) {
      sending = false;
      show("warning", t.retrying);
      scheduleRetry();
      return;
    }
    sending = false;
    if (response.ok) {
      show("success", t.submitted);
      localStorage.removeItem(KEY);
      window.location.assign(body.redirect || config.detailUrl);
      return;
    }
    if (response.status >= 500 || response.status === 429) {
      show("warning", t.retrying);
      scheduleRetry();
      return;
    }
    // The server refused this document: keep the entries, stop retrying, say why.
    state.pending = null;
    save();
    show("danger", body.error || t.notSaved, body.errors);
  }

  // Enter in a text field must not post the form: the page sends its document itself.
  document.getElementById("field-form").addEventListener("submit", (event) => event.preventDefault());

  document.getElementById("submit-inspection").addEventListener("click", () => {
    const problems = check();
    if (problems.length) {
      show("danger", t.notSaved, problems);
      return;
    }
    if (!state.pending) state.pending = buildDocument();
    save();
    send();
  });

  window.addEventListener("online", () => { showNet(); send(); });
  window.addEventListener("offline", showNet);
  showNet();
  if (state.pending) send();

  window.HLField = { state: state, send: send, key: KEY };
})();
