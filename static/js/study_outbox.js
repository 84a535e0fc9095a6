// The grades a study page has given and the server does not have yet
// (static/js/study.js shows the cards). They wait in localStorage, per session,
// so they survive a reload and a dropped connection, and are sent in order, one
// at a time, each with its own key so that a grade sent twice is recorded once.
// A failed send is tried again later, waiting longer each time (up to 30 s),
// and at once when the browser says it is back online.
(function () {
  "use strict";

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // The fields of a grade the server reads (the rest stays in the browser).
  var FIELDS = ["prompt", "rating", "reps", "shown_at", "key", "graded_at"];

  // options: storageKey, restore (false: leave the grades kept there alone),
  // url, csrfToken(), extra(entry) (more fields to send), and what to do when a
  // grade is sent(entry, data), refused(entry, message), or failed() (it waits
  // and is tried again).
  function create(options) {
    var outbox = {
      entries: [], // the grades waiting, oldest first
      sending: null, // the grade on its way
      offline: false,
    };
    var failures = 0;
    var retry = null;

    function load() {
      try {
        var saved = JSON.parse(window.localStorage.getItem(options.storageKey) || "[]");
        return Array.isArray(saved) ? saved : [];
      } catch (error) {
        return [];
      }
    }

    function save() {
      try {
        if (outbox.entries.length) {
          window.localStorage.setItem(options.storageKey, JSON.stringify(outbox.entries));
        } else {
          window.localStorage.removeItem(options.storageKey);
        }
      } catch (error) {
        // Storage full or refused: the grades still wait in this page.
      }
    }

    // Keeps a grade (with a key of its own) until the server has it.
    outbox.add = function (fields) {
      var entry = Object.assign({ key: newKey() }, fields);
      outbox.entries.push(entry);
      save();
      return entry;
    };

    outbox.drop = function (entry) {
      var at = outbox.entries.indexOf(entry);
      if (at !== -1) outbox.entries.splice(at, 1);
      save();
    };

    outbox.last = function () {
      return outbox.entries[outbox.entries.length - 1];
    };

    outbox.send = function () {
      if (outbox.sending || !outbox.entries.length) return;
      clearTimeout(retry);
      var entry = outbox.entries[0];
      outbox.sending = entry;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", options.csrfToken());
      FIELDS.forEach(function (name) {
        body.append(name, entry[name]);
      });
      var extra = options.extra(entry);
      Object.keys(extra).forEach(function (name) {
        body.append(name, extra[name]);
      });
      fetch(options.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": options.csrfToken() },
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (data) {
              return { status: response.status, data: data };
            });
        })
        .then(
          function (result) {
            outbox.sending = null;
            if (result.status === 200) {
              sent(entry, result.data);
            } else if ([400, 404, 409].indexOf(result.status) !== -1) {
              outbox.drop(entry);
              options.refused(entry, result.data.error || "That grade was not recorded.");
              outbox.send();
            } else {
              failed();
            }
          },
          function () {
            outbox.sending = null;
            failed();
          }
        );
    };

    function sent(entry, data) {
      outbox.drop(entry);
      failures = 0;
      outbox.offline = false;
      options.sent(entry, data);
      outbox.send();
    }

    function failed() {
      failures += 1;
      outbox.offline = true;
      var delay = Math.min(1000 * Math.pow(2, failures - 1), 30000);
      clearTimeout(retry);
      retry = setTimeout(outbox.send, delay);
      options.failed();
    }

    outbox.entries = options.restore ? load() : [];
    window.addEventListener("online", function () {
      failures = 0;
      outbox.send();
    });
    return outbox;
  }

  window.prepStudyOutbox = { create: create };
})();
