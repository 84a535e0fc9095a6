// Focus mode on the study page: nothing but the card, its reveal and the grade
// buttons (no navigation, counts or footer). The button or F turns it on and
// off, Esc leaves it; the browser remembers it for the next visit. Loaded in
// <head> without defer and marking <html>, so a page opened or reloaded in
// focus mode is painted without its navigation, not with it for a moment.
(function () {
  "use strict";

  var KEY = "prep:study:focus";
  var root = document.documentElement;

  function remembered() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false; // storage refused (private mode): focus lasts the page
    }
  }

  function remember(on) {
    try {
      if (on) window.localStorage.setItem(KEY, "1");
      else window.localStorage.removeItem(KEY);
    } catch (error) {
      // nothing to keep it in
    }
  }

  function isOn() {
    return root.classList.contains("study-focus");
  }

  // The button is inside the card htmx swaps: said again after each swap.
  function label() {
    var button = document.querySelector(".study-focus-toggle");
    if (!button) return;
    button.hidden = false;
    button.setAttribute("aria-pressed", String(isOn()));
    button.textContent = isOn() ? "Leave focus " : "Focus ";
    var key = document.createElement("kbd");
    key.textContent = isOn() ? "Esc" : "f";
    button.appendChild(key);
  }

  function set(on) {
    root.classList.toggle("study-focus", on);
    remember(on);
    label();
  }

  root.classList.toggle("study-focus", remembered());
  document.addEventListener("DOMContentLoaded", label);
  document.addEventListener("htmx:afterSettle", label);

  document.addEventListener("click", function (event) {
    if (event.target.closest(".study-focus-toggle")) set(!isOn());
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (!document.getElementById("study-card")) return;
    if (event.key === "f" || event.key === "F") {
      set(!isOn());
      event.preventDefault();
    } else if (event.key === "Escape" && isOn()) {
      set(false);
      event.preventDefault();
    }
  });
})();
