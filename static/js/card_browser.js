// The card browser from the keyboard: ArrowUp/ArrowDown move the highlighted
// row, Enter opens its card, Space ticks its box and "/" goes to the search.
// Keys typed into a field are left alone; Escape leaves the search box. Without JavaScript the table's links
// and boxes work as they are; this only adds speed.
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

  function countSelected() {
    var shown = document.getElementById("browser-selected");
    if (shown) shown.textContent = document.querySelectorAll("#browser-results .browser-select:checked").length;
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
    if (event.target.classList && event.target.classList.contains("browser-select")) countSelected();
  });
})();
