// Tells the sign-up form the browser's time zone, so "today" and streaks start
// at the person's own midnight from the first day.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.querySelector('input[name="timezone"]');
    if (!field || field.value) return;
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      field.value = "";
    }
  });
})();
