// Courrier pages: correspondent autocomplete and Ctrl+Enter to save, keyboard only.
(function () {
  "use strict";
  var form = document.getElementById("formulaire-courrier");
  if (!form) { return; }
  var list = document.getElementById("liste-correspondants");
  var url = form.getAttribute("data-correspondants");
  var known = {};  // label -> id, from the last suggestions

  function suggest(input) {
    var term = input.value.trim();
    var hidden = document.getElementById(input.getAttribute("data-cible"));
    hidden.value = known[input.value] || "";
    if (term.length < 2 || known[input.value]) { return; }
    fetch(url + "?q=" + encodeURIComponent(term), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) {
        list.textContent = "";
        found.forEach(function (c) {
          known[c.libelle] = c.id;
          var option = document.createElement("option");
          option.value = c.libelle;
          list.appendChild(option);
        });
        hidden.value = known[input.value] || "";
      });
  }

  form.querySelectorAll("input[list]").forEach(function (input) {
    input.addEventListener("input", function () { suggest(input); });
    input.addEventListener("change", function () { suggest(input); });
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
