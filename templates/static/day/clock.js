// The projector's round clock: asks the server for the clock every five seconds and counts down in between.
(function () {
  "use strict";
  const root = document.getElementById("clock");
  const texts = JSON.parse(document.getElementById("clock-texts").textContent);
  const $ = (name) => root.querySelector(`[data-role="${name}"]`);
  let state = null;
  let offset = 0; // server clock minus this one, in ms

  function fill(text, params) {
    return text.replace(/%\((\w+)\)s/g, (_, key) => (key in params ? String(params[key]) : ""));
  }

  function time(iso) {
    return new Date(iso).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });
  }

  function countdown(left, endsAt) {
    // m:ss within the hour, h:mm:ss within the day, further off the day and time it starts.
    if (left === null || left === undefined) return "";
    const two = (n) => String(n).padStart(2, "0");
    if (left >= 86400 && endsAt) {
      return new Date(endsAt).toLocaleString("nl-NL", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });
    }
    if (left >= 3600) return `${Math.floor(left / 3600)}:${two(Math.floor((left % 3600) / 60))}:${two(left % 60)}`;
    return `${Math.floor(left / 60)}:${two(left % 60)}`;
  }

  function render() {
    if (!state) return;
    root.dataset.phase = state.phase;
    root.dataset.state = state.state;
    const headline = { round: fill(texts.round, { round: state.round }), changeover: texts.changeover, before: texts.before, after: texts.after };
    $("headline").textContent = headline[state.phase] || "";
    let left = state.remaining;
    if (state.state !== "paused" && state.ends_at) {
      left = Math.max(0, Math.round((new Date(state.ends_at).getTime() - (Date.now() + offset)) / 1000));
      if (left === 0) refresh();
    }
    $("countdown").textContent = countdown(left, state.ends_at);
    $("next").textContent = state.next_round ? fill(texts.next, { round: state.next_round, time: time(state.next_start) }) : "";
    $("paused").hidden = state.state !== "paused";
  }

  let asking = false;
  async function refresh() {
    if (asking) return;
    asking = true;
    try {
      const response = await fetch(root.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        state = await response.json();
        offset = new Date(state.now).getTime() - Date.now();
        render();
      }
    } catch (_) {
      /* keep counting with what we have */
    } finally {
      asking = false;
    }
  }

  refresh();
  setInterval(refresh, 5000);
  setInterval(render, 1000);
})();
