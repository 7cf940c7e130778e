// The calendar-feed page: copy the address, select it on focus, confirm renewals.
// No inline scripts (Content-Security-Policy); everything works without JS but the copy button.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    var status = document.getElementById("copy-status");
    var done = function () {
      if (status) {
        status.textContent = button.getAttribute("data-copied-text");
      }
    };
    field.focus();
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-select-on-focus]")) {
      target.select();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-confirm]")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  });
})();
