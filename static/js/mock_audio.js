// Answering aloud on the mock interview page: "Record" keeps a recording of
// the answer (MediaRecorder), sent to the server on "Stop" and played back
// beside the text; "Dictate", where the browser has speech recognition, types
// what is said into the answer box. Without a microphone, or without this
// file, the person types: the Record button stays disabled with a note.
(function () {
  "use strict";

  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  var TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  var recording = null; // {recorder, stream, chunks, startedAt, panel, timer, ...}
  var dictation = null; // {recognition, button}

  function canRecord() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  }

  function format(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function note(panel, text) {
    var el = panel.querySelector("[data-voice-note]");
    if (el) el.textContent = text;
  }

  function setUp() {
    var panel = document.querySelector("[data-voice]");
    if (!panel || panel.hasAttribute("data-ready")) return;
    panel.setAttribute("data-ready", "");
    var button = panel.querySelector("[data-record]");
    if (canRecord()) {
      button.disabled = false;
      note(panel, "");
    } else {
      note(panel, "This browser cannot record here: type your answer.");
    }
    if (Recognition) panel.querySelector("[data-dictate]").hidden = false;
  }

  function extension(type) {
    if (type.indexOf("ogg") !== -1) return ".ogg";
    if (type.indexOf("mp4") !== -1) return ".m4a";
    return ".webm";
  }

  function upload(state) {
    var type = state.recorder.mimeType || "audio/webm";
    var blob = new Blob(state.chunks, { type: type });
    var form = state.panel.closest("form");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("answer", state.panel.getAttribute("data-answer"));
    data.append("seconds", String(state.seconds));
    data.append("audio", blob, "answer" + extension(type));
    note(state.panel, "Saving the recording…");
    fetch(state.panel.getAttribute("data-upload-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          // The answer's player, on this page or on the one that replaced it.
          var target = document.getElementById("mock-audio");
          if (target && target.getAttribute("data-answer") === state.panel.getAttribute("data-answer")) {
            target.outerHTML = html;
          }
          note(state.panel, response.ok ? "Recording saved." : "The recording was not saved.");
        });
      })
      .catch(function () {
        note(state.panel, "The recording could not be sent: check the connection and record again.");
      });
  }

  function tick() {
    if (!recording) return;
    var seconds = Math.floor((performance.now() - recording.startedAt) / 1000);
    var timer = recording.panel.querySelector("[data-record-timer]");
    if (timer) timer.textContent = format(seconds);
    if (seconds >= recording.limit) stop();
  }

  function start(panel) {
    var button = panel.querySelector("[data-record]");
    button.disabled = true;
    navigator.mediaDevices.getUserMedia({ audio: true }).then(
      function (stream) {
        var type = TYPES.filter(function (each) {
          return MediaRecorder.isTypeSupported(each);
        })[0];
        // Speech at 32 kbit/s: five minutes is about 1.2 MB, well under the size limit.
        var options = { audioBitsPerSecond: 32000 };
        if (type) options.mimeType = type;
        var recorder = new MediaRecorder(stream, options);
        var state = {
          recorder: recorder,
          stream: stream,
          chunks: [],
          startedAt: performance.now(),
          panel: panel,
          limit: Number(panel.getAttribute("data-max-seconds")) || 300,
          seconds: 0,
        };
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) state.chunks.push(event.data);
        });
        recorder.addEventListener("stop", function () {
          upload(state);
        });
        recorder.start(1000);
        recording = state;
        state.timer = setInterval(tick, 250);
        button.textContent = "Stop";
        button.setAttribute("aria-pressed", "true");
        button.disabled = false;
        note(panel, "Recording…");
      },
      function () {
        button.disabled = true;
        note(panel, "No microphone could be used (none found, or access was refused): type your answer.");
      }
    );
  }

  function stop() {
    var state = recording;
    if (!state) return;
    recording = null;
    clearInterval(state.timer);
    state.seconds = Math.round((performance.now() - state.startedAt) / 1000);
    state.recorder.stop();
    state.stream.getTracks().forEach(function (track) {
      track.stop();
    });
    var button = state.panel.querySelector("[data-record]");
    button.textContent = "Record";
    button.setAttribute("aria-pressed", "false");
  }

  function toggleDictation(panel, button) {
    if (dictation) {
      dictation.recognition.stop();
      return;
    }
    var box = panel.closest("form").querySelector("textarea[name=text]");
    var recognition = new Recognition();
    recognition.continuous = true;
    recognition.interimResults = false;
    recognition.lang = document.documentElement.lang || "en-US";
    recognition.addEventListener("result", function (event) {
      for (var i = event.resultIndex; i < event.results.length; i++) {
        if (!event.results[i].isFinal) continue;
        var said = event.results[i][0].transcript.trim();
        if (!said) continue;
        box.value += (box.value && !/\s$/.test(box.value) ? " " : "") + said;
        box.dispatchEvent(new Event("input", { bubbles: true })); // saved as if typed
      }
    });
    recognition.addEventListener("error", function (event) {
      note(panel, "Dictation stopped (" + event.error + "): type your answer.");
    });
    recognition.addEventListener("end", function () {
      dictation = null;
      button.textContent = "Dictate";
      button.setAttribute("aria-pressed", "false");
    });
    recognition.start();
    dictation = { recognition: recognition, button: button };
    button.textContent = "Stop dictating";
    button.setAttribute("aria-pressed", "true");
  }

  document.addEventListener("click", function (event) {
    var panel = event.target.closest("[data-voice]");
    if (!panel) return;
    if (event.target.closest("[data-record]")) {
      if (recording) stop();
      else start(panel);
    } else if (event.target.closest("[data-dictate]") && Recognition) {
      toggleDictation(panel, event.target.closest("[data-dictate]"));
    }
  });

  // The answer handed in (by the button, Ctrl+Enter or the clock): the
  // recording so far is kept with it, and dictation stops.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "mock-answer-form") {
      stop();
      if (dictation) dictation.recognition.stop();
    }
  });
  document.addEventListener("htmx:afterSettle", setUp);
  setUp();
})();
