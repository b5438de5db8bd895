// Live progress of a document's reading: polls the small JSON endpoint until it ends.
(function () {
  "use strict";
  var box = document.getElementById("progression");
  if (!box || box.dataset.fini === "true") { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector(".libelle");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.max = state.pages || 1;
        bar.value = state.pages_lues;
        label.textContent = state.libelle + " : " + state.pages_lues + " page(s) lue(s) sur " +
          (state.pages || "?") + (state.raison ? " — " + state.raison : "");
        if (state.fini) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
