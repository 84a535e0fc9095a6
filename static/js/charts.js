// A chart wider than the screen (the year of reviews on a phone) scrolls
// sideways; it opens on its latest weeks, at the right-hand end.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart-scroll[data-start-at-end]").forEach(function (box) {
      box.scrollLeft = box.scrollWidth;
    });
  });
})();
