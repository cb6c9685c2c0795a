// Fills the candidate page's "who has looked at this data" with the newest audit entries (a fragment of
// /candidates/<id>/access); without script the page shows a link to it instead.
(function () {
  "use strict";
  document.querySelectorAll(".privacy-access-slot[data-src]").forEach(function (slot) {
    fetch(slot.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var list = parsed.querySelector(".privacy-access");
        if (list) slot.replaceChildren(document.importNode(list, true));
      })
      .catch(function () { /* the link stays */ });
  });
})();
