// Checklist niceties: drag to reorder (SortableJS, one request per drop, sent by
// the htmx form listening for Sortable's "end" event), focus kept on a moved
// question's button, and the print button. Up/down buttons work without this.
(function () {
  "use strict";

  var lastMove = null;

  function initSortable(root) {
    if (!window.Sortable || !root.querySelectorAll) return;
    var lists = root.matches && root.matches("[data-sortable]") ? [root] : [];
    root.querySelectorAll("[data-sortable]").forEach(function (el) { lists.push(el); });
    lists.forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      window.Sortable.create(list, {
        handle: ".drag-handle",
        animation: 150,
        ghostClass: "checklist-ghost",
        // Pointer events rather than native drag and drop: the same on touch screens.
        forceFallback: true,
      });
    });
  }

  document.addEventListener("htmx:load", function (event) {
    initSortable(event.detail.elt);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt.querySelector && event.detail.elt.querySelector(".move-up, .move-down");
    if (button) {
      var item = event.detail.elt.closest("[data-item]");
      lastMove = item ? { item: item.dataset.item, up: button.classList.contains("move-up") } : null;
    } else {
      lastMove = null;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastMove) return;
    var item = document.querySelector('[data-item="' + lastMove.item + '"]');
    var button = item && item.querySelector(lastMove.up ? ".move-up" : ".move-down");
    if (button && button.disabled) button = item.querySelector(lastMove.up ? ".move-down" : ".move-up");
    if (button) button.focus();
    lastMove = null;
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "asked") {
      var item = event.target.closest(".checklist-item");
      if (item) item.classList.toggle("is-asked", event.target.checked);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
