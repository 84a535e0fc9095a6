// The grades a study page has given and the server does not have yet
// (static/js/study.js shows the cards). They wait in localStorage, per session,
// so they survive a reload and a dropped connection, and are sent in order, one
// at a time, each with its own key so that a grade sent twice is recorded once.
// A failed send is tried again later, waiting longer each time (up to 30 s),
// and at once when the browser says it is back online. When the person is
// signed out (the server refuses with 401 or 403, or sends the login page),
// trying again cannot help: the grades wait until they sign in again.
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
  // url, loginUrl (its path), csrfToken(), extra(entry) (more fields to send),
  // and what to do when a grade is sent(entry, data), refused(entry, message),
  // or failed() (it waits: tried again later, or after signing in).
  function create(options) {
    var outbox = {
      entries: [], // the grades waiting, oldest first
      sending: null, // the grade on its way
      offline: false,
      signedOut: false,
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
              return { status: response.status, data: data, login: isLogin(response) };
            });
        })
        .then(
          function (result) {
            outbox.sending = null;
            if (result.login || result.status === 401 || result.status === 403) {
              signedOut();
            } else if (result.status === 200) {
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

    // Redirected to the login page, which fetch followed.
    function isLogin(response) {
      if (!response.redirected || !options.loginUrl) return false;
      try {
        return new URL(response.url, window.location.href).pathname === options.loginUrl;
      } catch (error) {
        return false;
      }
    }

    function sent(entry, data) {
      outbox.drop(entry);
      failures = 0;
      outbox.offline = false;
      outbox.signedOut = false;
      options.sent(entry, data);
      outbox.send();
    }

    // No retry: sent again when the page is loaded after signing in, or with the next grade.
    function signedOut() {
      failures = 0;
      outbox.offline = false;
      outbox.signedOut = true;
      clearTimeout(retry);
      options.failed();
    }

    function failed() {
      failures += 1;
      outbox.offline = true;
      var delay = Math.min(1000 * Math.pow(2, failures - 1), 30000);
      clearTimeout(retry);
      retry = setTimeout(outbox.send, delay);
      options.failed();
    }

    // Says in ``line`` how many grades wait, and why.
    outbox.report = function (line) {
      var n = outbox.entries.length;
      line.hidden = n === 0;
      if (!n) return;
      var text = n === 1 ? "1 grade waiting to be sent" : n + " grades waiting to be sent";
      if (outbox.signedOut) {
        text = "You were signed out. Sign in again to send " + (n === 1 ? "1 waiting grade." : n + " waiting grades.");
      } else if (outbox.offline) {
        text += ". You are offline; they will be sent when the connection is back.";
      }
      if (line.textContent === text) return;
      line.textContent = text;
      if (outbox.signedOut) signInLink(line);
    };

    // "Sign in again" becomes a link to the login page that comes back here.
    function signInLink(line) {
      var words = "Sign in again";
      var text = line.textContent;
      var at = text.indexOf(words);
      var link = document.createElement("a");
      link.href = options.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
      link.textContent = words;
      line.replaceChildren(text.slice(0, at), link, text.slice(at + words.length));
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
