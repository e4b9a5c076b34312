/* Focus follows the result of an action, so keyboard and screen-reader users land on it.
   - A page that comes back with a form's error summary focuses the summary.
   - After htmx swaps in the answer to a form (POST and the like; never a GET refresh, a search
     or a poll, which must not pull focus away from where the person is typing), focus goes to
     the swapped error summary, else to the element marked data-focus, else to a success or
     error alert. Nothing is focused when the answer holds none of these.
   - A link of the error summary focuses the field it names, not only scrolls to it.
   A static file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var TARGETS = [".error-summary", "[data-focus]", ".alert-error", ".alert-success", "[role=alert]"];
  var FOCUSABLE = /^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/;
  var swapped = [];

  function find(roots, selector) {
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i];
      if (!root.isConnected) continue;
      if (root.matches && root.matches(selector)) return root;
      var inside = root.querySelector && root.querySelector(selector);
      if (inside) return inside;
    }
    return null;
  }

  function focus(element) {
    if (!FOCUSABLE.test(element.tagName) && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function focusResult() {
    var roots = swapped;
    swapped = [];
    for (var i = 0; i < TARGETS.length; i++) {
      var element = find(roots, TARGETS[i]);
      if (element) { focus(element); return; }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) focus(summary);
  });

  // One answer may swap several elements (its target and out-of-band parts): gather them,
  // then choose once, after htmx has finished the swap and restored its own focus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail && event.detail.requestConfig;
    if (!config || config.verb === "get") return;
    if (!swapped.length) window.setTimeout(focusResult, 0);
    swapped.push(event.target);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    var control = target.matches("input, select, textarea")
      ? target : target.querySelector("input, select, textarea");
    if (!control) return;
    event.preventDefault();
    target.scrollIntoView({block: "start"});
    control.focus({preventScroll: true});
  });
})();
