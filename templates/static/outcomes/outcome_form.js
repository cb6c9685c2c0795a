// Show only the fields that belong to the chosen kind of result (all stay in the form without JavaScript).
(function () {
  "use strict";
  function update() {
    var kind = document.getElementById("f-kind");
    if (!kind) return;
    document.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("f-kind");
    if (kind) kind.addEventListener("change", update);
    update();
  });
})();
