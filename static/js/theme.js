// The color theme: light, dark, or the system's (the default). Loaded in <head>
// without defer, so the theme is on the page before it is first painted. The
// menu in the navigation changes it; the choice is kept in this browser.
(function () {
  "use strict";
  var KEY = "prep-theme";
  var NAMES = { light: "Light", dark: "Dark", system: "System" };
  var root = document.documentElement;
  var systemDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function chosen() {
    var value = null;
    try {
      value = window.localStorage.getItem(KEY);
    } catch (error) {
      // Storage refused (a private window, a policy): follow the system.
    }
    return Object.prototype.hasOwnProperty.call(NAMES, value) ? value : "system";
  }

  function apply(choice) {
    var dark = choice === "dark" || (choice === "system" && systemDark && systemDark.matches);
    root.setAttribute("data-bs-theme", dark ? "dark" : "light");
    root.setAttribute("data-theme-choice", choice);
  }

  function showChoice(choice) {
    document.querySelectorAll("[data-theme-value]").forEach(function (button) {
      var on = button.getAttribute("data-theme-value") === choice;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("active", on);
    });
    document.querySelectorAll("[data-theme-current]").forEach(function (label) {
      label.textContent = NAMES[choice];
    });
  }

  function choose(choice) {
    try {
      if (choice === "system") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, choice);
    } catch (error) {
      // Not kept: the choice holds for this page only.
    }
    apply(choice);
    showChoice(choice);
  }

  apply(chosen());

  if (systemDark) {
    systemDark.addEventListener("change", function () {
      if (chosen() === "system") apply("system");
    });
  }
  // Paper is white: print in the light theme, then go back.
  window.addEventListener("beforeprint", function () {
    root.setAttribute("data-bs-theme", "light");
  });
  window.addEventListener("afterprint", function () {
    apply(chosen());
  });
  // A choice made in another tab.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY || event.key === null) {
      apply(chosen());
      showChoice(chosen());
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showChoice(root.getAttribute("data-theme-choice") || "system");
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-theme-value]") : null;
      if (button) choose(button.getAttribute("data-theme-value"));
    });
  });
})();
