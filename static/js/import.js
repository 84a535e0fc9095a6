// The import's upload form: a file over the size limit is refused before it is
// sent, and while a file goes up a progress bar shows how far it has got (from
// htmx's xhr progress events). Without JavaScript the form posts as usual and
// the server says the same things.
(function () {
  "use strict";

  function uploadForm(element) {
    return element && element.closest ? element.closest("#import-form") : null;
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " bytes";
  }

  // Too large: say so on the field itself, so the browser does not send it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("#import-form input[type=file]")) return;
    var file = input.files && input.files[0];
    var isPackage = file && /\.(apkg|colpkg)$/i.test(file.name);
    var limit = parseInt(
      input.getAttribute(isPackage ? "data-package-max-bytes" : "data-max-bytes") || "0", 10
    );
    if (limit && file && file.size > limit) {
      input.setCustomValidity(
        "This file is " + sizeText(file.size) + "; an import takes at most " + sizeText(limit) + "."
      );
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  });

  document.addEventListener("submit", function (event) {
    var form = uploadForm(event.target);
    if (!form) return;
    var input = form.querySelector("input[type=file]");
    if (input && !input.checkValidity()) {
      input.reportValidity();
      event.preventDefault();
      event.stopImmediatePropagation(); // htmx listens for submit too
    }
  }, true);

  function showProgress(form, percent, text) {
    var box = form.querySelector("#upload-progress");
    if (!box) return;
    box.hidden = false;
    var bar = box.querySelector(".progress");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.querySelector(".progress-bar").style.width = percent + "%";
    box.querySelector("[data-upload-status]").textContent = text;
  }

  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var form = uploadForm(event.target);
    if (form) showProgress(form, 0, "Uploading…");
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event.target);
    if (!form || !event.detail.lengthComputable || !event.detail.total) return;
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    showProgress(
      form,
      percent,
      percent < 100 ? "Uploading… " + percent + "%" : "Uploaded; reading the file…"
    );
  });
})();
