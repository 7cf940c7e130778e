// Upload progress for the import page: htmx reports the upload's progress on the form.
"use strict";
document.addEventListener("htmx:xhr:progress", (event) => {
  const bar = document.getElementById("import-progress");
  if (!bar || !event.detail.lengthComputable) {
    return;
  }
  bar.hidden = false;
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
});
document.addEventListener("htmx:afterRequest", () => {
  const bar = document.getElementById("import-progress");
  if (bar) {
    bar.hidden = true;
    bar.value = 0;
  }
});
