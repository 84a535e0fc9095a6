// Mock interview page: the countdown, handing the answer in when it reaches
// zero or on Ctrl+Enter, and keeping what was typed if the page goes away.
// Without this file the page still works: the forms post and the server keeps
// the clock (an answer handed in late is marked as timed out).
(function () {
  "use strict";

  var clock = null; // {el, endsAt, limit, fired} for the countdown on screen
  var box = null; // the answer textarea being watched
  var savedText = ""; // what the server has for it
  var sendingText = null; // what the autosave in flight carries

  function answerForm() {
    return document.getElementById("mock-answer-form");
  }

  function format(ms) {
    var seconds = Math.ceil(ms / 1000);
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function submitAnswer() {
    var form = answerForm();
    // Not while it is being sent, nor while htmx is still swapping it in (its
    // handlers are not wired yet: a submit now would reload the whole page).
    if (!form || form.closest(".htmx-request, .htmx-added")) return false;
    form.requestSubmit();
    return true;
  }

  function watch() {
    var form = answerForm();
    var textarea = form ? form.querySelector("textarea[name=text]") : null;
    if (textarea !== box) {
      box = textarea;
      savedText = textarea ? textarea.value : "";
      sendingText = null;
    }
  }

  function tick() {
    watch();
    var el = document.querySelector("#mock-question [data-remaining-ms]");
    if (!el) {
      clock = null;
      return;
    }
    if (!clock || clock.el !== el) {
      // The server says how long is left; count it down on this machine's
      // monotonic clock, so a wrong system clock does not matter.
      clock = {
        el: el,
        endsAt: performance.now() + Number(el.getAttribute("data-remaining-ms")),
        limit: Number(el.getAttribute("data-limit")) * 1000,
        fired: false,
      };
    }
    var left = Math.max(clock.endsAt - performance.now(), 0);
    var shown = format(left);
    if (el.textContent !== shown) el.textContent = shown;
    el.classList.toggle("is-low", left > 0 && left <= Math.min(30000, clock.limit / 4));
    el.classList.toggle("is-over", left <= 0);
    if (left <= 0 && !clock.fired) {
      clock.fired = submitAnswer();
    }
  }

  // Remember which text the server has, so closing the page only sends what is new.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = answerForm();
    if (box && form && elt !== form && form.contains(elt)) sendingText = box.value;
  });
  document.addEventListener("mock-saved", function () {
    if (sendingText !== null) savedText = sendingText;
    sendingText = null;
  });

  function flush() {
    watch();
    var form = answerForm();
    if (!box || !form || box.value === savedText || !navigator.sendBeacon) return;
    var data = new FormData(form);
    data.set("beacon", "1");
    if (navigator.sendBeacon(form.getAttribute("data-save-url"), data)) savedText = box.value;
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    if (!answerForm()) return;
    event.preventDefault();
    submitAnswer();
  });

  tick();
  setInterval(tick, 250);
})();
