// hoso: small enhancements over pages that work without scripts.
// Uploads: drag and drop onto the drop zone, the size checked before sending, a progress bar
// while sending, and the server's answer (the page, or its refusal) shown in place.
(function () {
  "use strict";

  function enhanceUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector(".dropzone");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var limit = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    if (!input || !window.FormData || !window.XMLHttpRequest) return;

    function say(text) { if (status) status.textContent = text; }

    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          say(input.files[0].name);
        }
      });
    }
    input.addEventListener("change", function () {
      if (input.files.length) say(input.files[0].name);
    });

    form.addEventListener("submit", function (event) {
      var file = input.files[0];
      if (!file) return;
      if (limit && file.size > limit) {
        event.preventDefault();
        say(form.getAttribute("data-too-large") || "");
        return;
      }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      if (bar) { bar.hidden = false; bar.value = 0; }
      request.upload.addEventListener("progress", function (progress) {
        if (bar && progress.lengthComputable) bar.value = Math.round(progress.loaded * 100 / progress.total);
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300) {
          window.location.assign(request.responseURL || window.location.href);
          return;
        }
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        var reason = page.querySelector("[data-error], [role=alert]");
        say(reason ? reason.textContent.trim() : form.getAttribute("data-failed"));
        if (bar) bar.hidden = true;
      });
      request.addEventListener("error", function () {
        say(form.getAttribute("data-failed") || "");
        if (bar) bar.hidden = true;
      });
      request.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), enhanceUpload);
  });
})();
