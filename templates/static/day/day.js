// The day dashboard: the server sends the figures as HTML whenever something changes (server-sent events);
// the browser reconnects by itself when the connection drops.
(function () {
  "use strict";
  const box = document.getElementById("day-figures");
  if (!box || !window.EventSource) return;
  const state = document.querySelector('[data-role="live-state"]');
  const source = new EventSource(box.dataset.stream);
  source.addEventListener("figures", (e) => {
    box.innerHTML = e.data;
    box.dataset.updates = String(Number(box.dataset.updates || "0") + 1);
    if (state) state.classList.remove("stale");
  });
  source.onerror = () => {
    if (state) state.classList.add("stale");
  };
})();
