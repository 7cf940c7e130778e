// The agreement page: confirmations, closing inline forms, focus on errors.
// No inline scripts in templates (Content-Security-Policy); behaviour hangs on data- attributes.
(function () {
  "use strict";

  // <form data-confirm="..."> asks before a plain (non-htmx) submit; htmx forms use hx-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-confirm]")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  });

  // "Cancel" on a form opened inside a section empties its slot instead of reloading the page.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("[data-clear-slot]");
    if (!link) {
      return;
    }
    var slot = document.querySelector(link.getAttribute("data-clear-slot"));
    if (slot) {
      event.preventDefault();
      slot.innerHTML = "";
    }
  });

  // A refused action is shown at the top of the page: bring it into view and read it out.
  document.addEventListener("DOMContentLoaded", function () {
    var error = document.getElementById("action-error");
    if (error) {
      error.focus();
    }
  });
})();
