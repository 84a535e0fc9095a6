// A box that scrolls sideways (a wide table, a long line of code, a chart)
// fades at the edge that has more to show, so a phone's reader sees there is
// more than the screen's width. The classes say which edges have more;
// prep.css draws the fade. Checked again on scroll, resize and each htmx swap.
(function () {
  "use strict";

  var BOXES = ".table-responsive, .chart-scroll, .card-face pre, .card-face table, .card-face .math-display";
  var watched = new WeakSet();
  var resized = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          mark(entry.target);
        });
      })
    : null;

  function mark(box) {
    var end = box.scrollWidth - box.clientWidth;
    box.classList.toggle("scroll-more-left", box.scrollLeft > 1);
    box.classList.toggle("scroll-more-right", end - box.scrollLeft > 1);
  }

  function watch(root) {
    (root || document).querySelectorAll(BOXES).forEach(function (box) {
      mark(box);
      if (watched.has(box)) return;
      watched.add(box);
      box.addEventListener("scroll", function () {
        mark(box);
      }, { passive: true });
      if (resized) resized.observe(box);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watch(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    watch(event.target);
  });
  // The study page shows its next card without htmx (static/js/study_card.js).
  document.addEventListener("prep:card-shown", function () {
    watch(document);
  });
})();
