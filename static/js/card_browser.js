// The card browser from the keyboard: ArrowUp/ArrowDown move the highlighted
// row, Enter opens its card, Space ticks its box and "/" goes to the search.
// Keys typed into a field are left alone; Escape leaves the search box. Without JavaScript the table's links,
// boxes and action bar work as they are; this only adds speed, and hides the bar until a row is selected.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#browser-results .browser-row"));
  }

  function current() {
    return document.querySelector('#browser-results .browser-row[aria-selected="true"]');
  }

  function highlight(row) {
    var before = current();
    if (before) before.setAttribute("aria-selected", "false");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + step, 0), all.length - 1);
    highlight(all[next]);
  }

  // The selected count, the box that ticks the whole page, and the action bar:
  // shown once something is selected, with the topic or the tags its action needs.
  function countSelected() {
    var boxes = document.querySelectorAll("#browser-results .browser-select");
    var ticked = document.querySelectorAll("#browser-results .browser-select:checked").length;
    var all = document.getElementById("bulk-all");
    // All matching: the count the page shows, "1,000+" past the bound.
    var count = all && all.checked ? all.dataset.count : ticked;
    var shown = document.getElementById("browser-selected");
    if (shown) shown.textContent = count;
    var page = document.getElementById("browser-select-page");
    if (page) {
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var bar = document.getElementById("browser-bulk");
    if (bar) bar.hidden = count === 0;
    var action = document.getElementById("bulk-action");
    if (action) {
      document.querySelectorAll(".bulk-for-move").forEach(function (part) { part.hidden = action.value !== "move"; });
      document.querySelectorAll(".bulk-for-tags").forEach(function (part) {
        part.hidden = action.value !== "add_tags" && action.value !== "remove_tags";
      });
    }
  }

  function typing(target) {
    var field = target.closest("input, textarea, select, [contenteditable]");
    return field !== null && !(field.type === "checkbox" || field.type === "radio");
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !document.getElementById("browser-results")) return;
    if (event.key === "Escape" && event.target.id === "browser-q") {
      event.preventDefault();  // a search box would empty itself
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    var row = current();
    if (event.key === "/") {
      var search = document.getElementById("browser-q");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!rows().length) return;
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && row && !event.target.closest("a, button")) {
      event.preventDefault();
      window.location.assign(row.dataset.href);
    } else if (event.key === " " && row && !event.target.closest("a, button, summary, input")) {
      event.preventDefault();
      var box = row.querySelector(".browser-select");
      box.checked = !box.checked;
      countSelected();
    }
  });

  // A click on a row highlights it; a box ticked by mouse counts too.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#browser-results .browser-row");
    if (row) highlight(row);
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "browser-select-page") {
      document.querySelectorAll("#browser-results .browser-select").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.closest && target.closest("#browser-results")) countSelected();
  });
  countSelected();
  document.addEventListener("htmx:afterSettle", countSelected);
})();
