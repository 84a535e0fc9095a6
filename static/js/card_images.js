// Images in the card editor: "Add image", or an image pasted into the front or
// back, or dropped onto them, is sent to the server at once; its name goes into
// the text where the cursor was (Markdown ![](name), or <img> in an HTML card),
// and the preview shows it. A refused image leaves the text as it was and the
// reason shows under "Add image". Without this file, the rest of the form works.
(function () {
  "use strict";

  function setUp() {
    var panel = document.querySelector("[data-card-images]");
    var form = document.getElementById("card-form");
    if (!panel || !form || panel.hasAttribute("data-ready")) return;
    panel.setAttribute("data-ready", "");
    var input = panel.querySelector("input[type=file]");
    var status = panel.querySelector("[data-image-status]");
    var faces = [form.querySelector("textarea[name=front]"), form.querySelector("textarea[name=back]")];
    var target = faces[0]; // the face an image from "Add image" goes into: the last one in focus

    function say(text, failed) {
      status.textContent = text;
      status.classList.toggle("text-danger", Boolean(failed));
    }

    function snippet(name) {
      var format = form.querySelector("[name=text_format]");
      if (format && format.value === "html") return '<img src="' + name + '">';
      return "![](" + name + ")";
    }

    function insert(face, text) {
      var start = face.selectionStart, end = face.selectionEnd;
      face.value = face.value.slice(0, start) + text + face.value.slice(end);
      face.selectionStart = face.selectionEnd = start + text.length;
      face.dispatchEvent(new Event("input", { bubbles: true })); // the preview follows
    }

    function upload(file, face) {
      var data = new FormData();
      data.append("image", file, file.name || "image");
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      say("Adding " + (file.name || "the image") + "…", false);
      return fetch(panel.getAttribute("data-upload-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().catch(function () {
            return { error: "The image was not saved (the server answered " + response.status + "). Try again." };
          });
        })
        .then(function (answer) {
          if (answer.error) {
            say(answer.error, true);
            return;
          }
          insert(face, snippet(answer.name));
          say("Image added. It is kept with the card when you save it.", false);
        })
        .catch(function () {
          say("The image was not sent: check your connection and try again.", true);
        });
    }

    function images(list) {
      return Array.prototype.filter.call(list || [], function (file) {
        return file.type.indexOf("image/") === 0;
      });
    }

    function uploadAll(files, face) {
      files.reduce(function (done, file) {
        return done.then(function () { return upload(file, face); });
      }, Promise.resolve());
    }

    faces.forEach(function (face) {
      if (!face) return;
      face.addEventListener("focus", function () { target = face; });
      face.addEventListener("paste", function (event) {
        var files = images(event.clipboardData && event.clipboardData.files);
        if (!files.length) return; // text is pasted as usual
        event.preventDefault();
        uploadAll(files, face);
      });
      face.addEventListener("dragover", function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
        }
      });
      face.addEventListener("drop", function (event) {
        var files = images(event.dataTransfer && event.dataTransfer.files);
        if (!files.length) return;
        event.preventDefault();
        face.focus();
        uploadAll(files, face);
      });
    });

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = "";
      if (files.length) uploadAll(files, target || faces[0]);
    });
    input.disabled = false;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
