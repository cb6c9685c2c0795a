// The scanner page: camera scanning (the browser's BarcodeDetector, else the vendored zxing-wasm), a typed
// code as fallback, big unambiguous feedback, and an offline queue in IndexedDB that syncs when the
// connection is back. Every scan carries a nonce made on this phone, so sending it twice counts once.
(function () {
  "use strict";

  const root = document.getElementById("scanner");
  if (!root) return;
  const texts = JSON.parse(document.getElementById("scanner-texts").textContent);
  const eventSlug = root.dataset.event;
  const kind = root.dataset.kind;
  const listUrl = root.dataset.listUrl;
  const canList = root.dataset.canList === "yes";
  const $ = (name) => root.querySelector(`[data-role="${name}"]`);
  const video = $("video");
  const resultBox = $("result");
  let lastTalkId = null;

  function fill(text, params) {
    return text.replace(/%\((\w+)\)s/g, (_, key) => (params && key in params ? String(params[key]) : ""));
  }

  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.split("=").slice(1).join("=")) : "";
  }

  function newNonce() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function deviceId() {
    let id = localStorage.getItem("meetmatch-device");
    if (!id) {
      id = "phone-" + newNonce().slice(0, 12);
      localStorage.setItem("meetmatch-device", id);
    }
    return id;
  }

  function badgeCode(text) {
    const at = text.lastIndexOf("/b/");
    if (at < 0) return text.trim();
    return text.slice(at + 3).split("?")[0].split("#")[0].trim();
  }

  // ---- IndexedDB: the queue of scans waiting for the connection, and the event's offline list ----
  const dbReady = new Promise((resolve, reject) => {
    const open = indexedDB.open("meetmatch-scanner", 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore("queue", { keyPath: "nonce" });
      db.createObjectStore("lists", { keyPath: "event" });
      db.createObjectStore("local", { keyPath: "key" });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });

  async function store(name, mode, work) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }

  const queue = {
    add: (scan) => store("queue", "readwrite", (s) => s.put(scan)),
    remove: (nonce) => store("queue", "readwrite", (s) => s.delete(nonce)),
    all: () => store("queue", "readonly", (s) => s.getAll()),
  };

  async function showQueue() {
    const waiting = (await queue.all()).length;
    const box = $("queue");
    box.hidden = waiting === 0;
    box.textContent = fill(texts.queued, { count: waiting });
    root.dataset.queued = String(waiting);
  }

  function showConnection() {
    const box = $("connection");
    const online = navigator.onLine;
    box.textContent = online ? texts.online : texts.offline;
    box.classList.toggle("offline", !online);
  }

  // ---- feedback: colour, text, sound, vibration ----
  let audio = null;
  function beep(good) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = good ? [880] : [220, 0, 220];
      let at = audio.currentTime;
      for (const frequency of tones) {
        if (frequency) {
          const osc = audio.createOscillator();
          const gain = audio.createGain();
          osc.frequency.value = frequency;
          gain.gain.value = 0.2;
          osc.connect(gain).connect(audio.destination);
          osc.start(at);
          osc.stop(at + 0.15);
        }
        at += 0.18;
      }
    } catch (_) {
      /* no sound on this device */
    }
    if (navigator.vibrate) navigator.vibrate(good ? 120 : [200, 100, 200]);
  }

  function show(code, message, person, instruction) {
    resultBox.dataset.code = code;
    $("result-text").textContent = message;
    const parts = [];
    if (person) {
      parts.push(person.first_name);
      if (person.role_text) parts.push(person.role_text);
      if (person.organisation) parts.push(person.organisation);
      if (person.number) parts.push("#" + person.number);
    }
    $("result-person").textContent = parts.join(" · ");
    const note = $("result-instruction");
    note.hidden = !instruction;
    note.textContent = instruction || "";
    const good = ["checked_in", "meeting_logged", "checked_in_offline", "queued"].includes(code);
    beep(good || code === "already_checked_in");
  }

  // ---- the offline list: SHA-256 of each badge code ----
  async function refreshList() {
    if (!canList || !navigator.onLine) return;
    try {
      const response = await fetch(listUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const body = await response.json();
      const byHash = {};
      for (const badge of body.badges) byHash[badge.hash] = badge;
      await store("lists", "readwrite", (s) => s.put({ event: eventSlug, byHash, at: body.generated_at }));
    } catch (_) {
      /* keep the list we have */
    }
  }

  async function sha256(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function clock(iso) {
    const moment = new Date(iso);
    return moment.toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });
  }

  async function answerOffline(scan) {
    if (scan.kind !== "checkin") {
      show("queued", texts.queued_meeting);
      return;
    }
    const list = await store("lists", "readonly", (s) => s.get(eventSlug));
    let badge = null;
    const typedNumber = scan.typed && /^#?\d{1,6}$/.test(scan.token) ? Number(scan.token.replace("#", "")) : null;
    if (list && typedNumber !== null) {
      badge = Object.values(list.byHash).find((b) => b.number === typedNumber && b.state === "live") || null;
    } else if (list) {
      badge = list.byHash[await sha256(scan.token)] || null;
    }
    if (!badge) return show("unknown", texts.unknown);
    if (badge.state !== "live") return show("revoked", texts.revoked);
    const key = eventSlug + ":" + badge.holder;
    const local = await store("local", "readonly", (s) => s.get(key));
    const since = badge.checked_in_at || (local && local.at);
    const person = { first_name: badge.first_name, number: badge.number };
    const instruction = badge.instruction ? texts.instruction : "";
    if (since) return show("already_checked_in", fill(texts.already_offline, { name: badge.first_name, time: clock(since) }), person, instruction);
    await store("local", "readwrite", (s) => s.put({ key, at: scan.scanned_at }));
    show("checked_in_offline", fill(texts.checked_in_offline, { name: badge.first_name }), person, instruction);
  }

  // ---- sending ----
  async function post(scan) {
    return fetch("/api/scans", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": cookie("csrftoken") },
      body: JSON.stringify(scan),
    });
  }

  async function submit(text, typed) {
    const token = badgeCode(text);
    if (!token) return;
    const scan = { token, nonce: newNonce(), kind, event: eventSlug, device: deviceId(), typed: Boolean(typed) };
    let response = null;
    if (navigator.onLine) {
      try {
        response = await post(scan);
      } catch (_) {
        response = null; // the connection dropped: handled below as offline
      }
    }
    if (response === null || response.status >= 500) {
      scan.scanned_at = new Date().toISOString();
      await queue.add(scan);
      await showQueue();
      await answerOffline(scan);
      return;
    }
    if (response.status === 429) return show("error", texts.throttled);
    if (!response.ok) return show("error", texts.error);
    const answer = await response.json();
    show(answer.code, answer.message, answer.person, answer.person && answer.person.instruction);
    lastTalkId = answer.talk ? answer.talk.id : null;
    $("followup").hidden = !lastTalkId;
    if (lastTalkId) $("followup").reset();
    if (answer.code === "checked_in" || answer.code === "already_checked_in") {
      // Keep the offline list in step with what the server said.
      const list = await store("lists", "readonly", (s) => s.get(eventSlug));
      const hash = await sha256(token);
      if (list && list.byHash[hash]) {
        list.byHash[hash].checked_in_at = answer.checked_in_at;
        await store("lists", "readwrite", (s) => s.put(list));
      }
    }
  }

  let syncing = false;
  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      for (const scan of await queue.all()) {
        let response;
        try {
          response = await post(scan);
        } catch (_) {
          break; // still offline
        }
        if (response.status === 429 || response.status >= 500) break;
        // Any other answer is final for this scan (its nonce makes a second send harmless anyway).
        await queue.remove(scan.nonce);
      }
    } finally {
      syncing = false;
      await showQueue();
      if ((await queue.all()).length === 0) root.dataset.synced = "yes";
    }
  }

  // ---- camera ----
  let detector = null;
  const canvas = document.createElement("canvas");
  let lastText = "";
  let lastAt = 0;

  async function decoder() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return;
        }
      } catch (_) {
        /* fall back to zxing-wasm */
      }
    }
    const base = root.dataset.zxing;
    window.ZXingWASM.prepareZXingModule({
      overrides: { locateFile: (path) => base + path },
      fireImmediately: true,
    });
  }

  async function readFrame() {
    if (video.readyState < 2 || !video.videoWidth) return null;
    if (detector) {
      const found = await detector.detect(video);
      return found.length ? found[0].rawValue : null;
    }
    const width = Math.min(video.videoWidth, 960);
    const height = Math.round((video.videoHeight * width) / video.videoWidth);
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const results = await window.ZXingWASM.readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
    const good = results.find((r) => r.isValid);
    return good ? good.text : null;
  }

  async function loop() {
    try {
      const text = await readFrame();
      const now = Date.now();
      if (text && (text !== lastText || now - lastAt > 4000)) {
        lastText = text;
        lastAt = now;
        root.dataset.decoded = String(Number(root.dataset.decoded || "0") + 1);
        await submit(text, false);
      }
    } catch (error) {
      $("camera-state").textContent = texts.error;
    }
    setTimeout(loop, detector ? 150 : 250);
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("camera-state").textContent = texts.camera_denied;
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      video.srcObject = stream;
      await video.play();
      await decoder();
      $("camera-state").textContent = texts.point;
      root.dataset.camera = detector ? "barcode-detector" : "zxing-wasm";
      loop();
    } catch (_) {
      $("camera-state").textContent = texts.camera_denied;
      root.dataset.camera = "none";
    }
  }

  // ---- wiring ----
  $("typed").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = e.target.elements.code;
    const value = input.value;
    input.value = "";
    await submit(value, true);
  });

  $("followup").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!lastTalkId) return;
    const form = e.target;
    const chosen = form.querySelector('input[name="follow_up"]:checked');
    const response = await fetch(`/api/talks/${lastTalkId}`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": cookie("csrftoken") },
      body: JSON.stringify({ follow_up: chosen ? chosen.value : null, note: form.elements.note.value }),
    }).catch(() => null);
    $("followup-state").textContent = response && response.ok ? texts.saved : texts.error;
  });

  window.addEventListener("online", () => {
    showConnection();
    sync();
    refreshList();
  });
  window.addEventListener("offline", showConnection);
  setInterval(sync, 10000);
  setInterval(refreshList, 60000);

  if ("serviceWorker" in navigator) {
    // data-worker / data-controlled: whether this page will open offline (and what the browser test waits on).
    const controlled = () => {
      if (navigator.serviceWorker.controller) root.dataset.controlled = "yes";
    };
    controlled();
    navigator.serviceWorker.addEventListener("controllerchange", controlled);
    navigator.serviceWorker.register("/scan/sw.js", { scope: "/scan/" }).catch(() => {});
    navigator.serviceWorker.ready.then(() => {
      root.dataset.worker = "ready";
    });
  }
  showConnection();
  showQueue().then(sync);
  refreshList().then(() => {
    root.dataset.listReady = "yes";
  });
  startCamera();
  root.dataset.ready = "yes";
})();
