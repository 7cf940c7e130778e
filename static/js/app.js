// Sister Cities: small progressive enhancements. Everything works without JS.
// No inline scripts in templates (Content-Security-Policy); behaviour hangs on data- attributes.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form when changed (for forms without htmx).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  // Filter forms marked data-drop-empty leave empty fields out of the request,
  // so the URL pushed to the address bar (and bookmarked) is short: ?stage=active.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var elt = detail.elt;
    if (detail.verb !== "get" || !elt || !elt.closest || !elt.closest("[data-drop-empty]")) {
      return;
    }
    var empty = [];
    detail.formData.forEach(function (value, key) {
      if (value === "") {
        empty.push(key);
      }
    });
    empty.forEach(function (key) {
      detail.formData.delete(key);
    });
  });

  // After htmx swaps a fragment, move focus to its heading/region when asked
  // (data-focus-after-swap) so keyboard and screen-reader users know it changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.detail && event.detail.target;
    if (region && region.hasAttribute && region.hasAttribute("data-focus-after-swap")) {
      region.setAttribute("tabindex", "-1");
      region.focus({ preventScroll: true });
    }
  });

  // A link of an error summary puts the focus in its field (a plain #link would
  // only scroll), with the field's label in view above it.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    field.focus({ preventScroll: true });
    var label = (field.id && document.querySelector("label[for='" + field.id + "']")) || field;
    label.scrollIntoView({ block: "center" });
  });

  document.addEventListener("DOMContentLoaded", function () {
    // Folded sections (the list's filters) are open from the start on wide screens;
    // on a phone they stay folded unless the page opened them (a filter in effect).
    if (window.matchMedia("(min-width: 768px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
        details.open = true;
      });
    }
    // A form sent back with errors: its summary at the top is read out and takes
    // the focus, so the first thing a keyboard user reaches is the list of errors.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
