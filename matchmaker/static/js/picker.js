/* The filter box of a long checkbox list (templates/portfolio/_macros.html, picker): the list
   works without JavaScript; this shows the box and hides the choices that do not contain what
   is typed, accents and case aside, keeping the chosen ones in view. Enter in the box does not
   submit the form. Delegated from the document, so fields swapped in by htmx work too.
   A static file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\u2019\u2018\u02bc`]/g, "'");
  }

  function reveal(root) {
    root.querySelectorAll("[data-picker-filter]").forEach(function (input) {
      input.hidden = false;
    });
  }

  function narrow(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) return;
    var wanted = fold(input.value.trim());
    list.querySelectorAll("[data-picker-group]").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("label").forEach(function (label) {
        var box = label.querySelector("input");
        var match = !wanted || (box && box.checked) || fold(label.textContent).indexOf(wanted) !== -1;
        label.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-picker-filter]")) narrow(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-picker-filter]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
