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

  // After htmx swaps a fragment, move focus to its heading/region when asked
  // (data-focus-after-swap) so keyboard and screen-reader users know it changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.detail && event.detail.target;
    if (region && region.hasAttribute && region.hasAttribute("data-focus-after-swap")) {
      region.setAttribute("tabindex", "-1");
      region.focus({ preventScroll: true });
    }
  });
})();
