// Typesets the TeX that card Markdown leaves in .math elements, with the KaTeX
// served from our own static files. Runs on page load and on every htmx swap.
(function () {
  "use strict";

  function typeset(root) {
    if (!window.katex || !root.querySelectorAll) return;
    root.querySelectorAll(".math:not([data-typeset])").forEach(function (el) {
      var tex = el.textContent;
      try {
        window.katex.render(tex, el, {
          displayMode: el.classList.contains("math-display"),
          throwOnError: false,
          trust: false,
          strict: "ignore",
          maxSize: 20,
          maxExpand: 500,
        });
        el.setAttribute("data-typeset", "");
        el.setAttribute("title", tex);
      } catch (error) {
        el.setAttribute("data-typeset", "failed");
      }
    });
  }

  // For scripts that put card text in the page themselves (study.js).
  window.prepTypeset = typeset;

  document.addEventListener("DOMContentLoaded", function () {
    typeset(document);
  });
  document.addEventListener("htmx:load", function (event) {
    typeset(event.detail.elt);
  });
})();
