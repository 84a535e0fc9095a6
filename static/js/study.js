// Keyboard-first study: Space shows the answer, 1-4 grade, u undoes the last
// grade. Every action is also a plain link or button, so this only adds speed.
//
// The page holds the next few cards (#study-held's data-held). A grade shows the next one
// at once and waits in an outbox (localStorage, per session) until the server
// has it: sent in order, one at a time, each with its own key so that a grade
// sent twice is recorded once. The outbox survives a reload and a dropped
// connection. With ?prefetch=0 every grade waits for the server (htmx).
(function () {
  "use strict";

  var prefetch = !/[?&]prefetch=0(&|$)/.test(window.location.search);
  var state = {
    current: null, // the card on screen
    queue: [], // the cards held, in order
    later: [], // cards graded Again (or in learning), with the time they are due
    outbox: [],
    sending: null, // the grade on its way
    failures: 0,
    retry: null,
    offline: false,
    undoWhenSent: false,
    fetching: false, // the page's card, asked for when nothing is held
    endForm: null,
  };

  function studyCard() {
    return document.getElementById("study-card");
  }

  function reveal() {
    var card = studyCard();
    if (!card) return false;
    var answer = card.querySelector(".study-answer");
    if (!answer || !answer.hidden) return false;
    answer.hidden = false;
    card.querySelector(".study-reveal").hidden = true;
    card.querySelector(".study-grades").hidden = false;
    card.setAttribute("data-state", "answer");
    return true;
  }

  function press(button) {
    // While htmx is still swapping a card in, its forms are not wired up yet: a
    // press now would submit a plain form and reload the page.
    if (button && !button.disabled && !button.closest("[hidden], .htmx-added, .htmx-request")) {
      button.click();
      return true;
    }
    return false;
  }

  // ---- The outbox -------------------------------------------------------

  function sessionId() {
    var match = window.location.pathname.match(/\/study\/(\d+)\//);
    return match ? match[1] : "";
  }

  function storageKey() {
    return "prep:study:" + sessionId() + ":outbox";
  }

  function loadOutbox() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey()) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function saveOutbox() {
    try {
      if (state.outbox.length) {
        window.localStorage.setItem(storageKey(), JSON.stringify(state.outbox));
      } else {
        window.localStorage.removeItem(storageKey());
      }
    } catch (error) {
      // Storage full or refused: the grades still wait in this page.
    }
  }

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

  function csrfToken() {
    var input = document.querySelector("#study-card input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function gradeUrl() {
    return window.location.pathname.replace(/\/?$/, "/") + "grade/";
  }

  function known(except) {
    var ids = [];
    if (state.current) ids.push(state.current.prompt);
    state.outbox.forEach(function (entry) {
      if (entry !== except) ids.push(entry.prompt);
    });
    state.later.forEach(function (item) {
      ids.push(item.prompt);
    });
    return ids;
  }

  function send() {
    if (state.sending || !state.outbox.length) return;
    clearTimeout(state.retry);
    var entry = state.outbox[0];
    state.sending = entry;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    ["prompt", "rating", "reps", "shown_at", "key", "graded_at"].forEach(function (name) {
      body.append(name, entry[name]);
    });
    body.append(
      "held",
      state.queue
        .map(function (item) {
          return item.prompt + ":" + item.reps + ":" + item.v;
        })
        .join(",")
    );
    body.append("known", known(entry).join(","));
    fetch(gradeUrl(), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
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
          state.sending = null;
          if (result.status === 200) {
            sent(entry, result.data);
          } else if ([400, 404, 409].indexOf(result.status) !== -1) {
            refused(entry, result.data.error || "That grade was not recorded.");
          } else {
            failed();
          }
        },
        function () {
          state.sending = null;
          failed();
        }
      );
  }

  function dropFromOutbox(entry) {
    var at = state.outbox.indexOf(entry);
    if (at !== -1) state.outbox.splice(at, 1);
    saveOutbox();
  }

  function sent(entry, data) {
    dropFromOutbox(entry);
    state.failures = 0;
    state.offline = false;
    setUndo(data.review);
    correct(data);
    (data.messages || []).forEach(function (text) {
      note(text, "warning", true);
    });
    if (state.undoWhenSent && !state.outbox.length) {
      state.undoWhenSent = false;
      undoSent();
      return;
    }
    afterSend();
  }

  function refused(entry, message) {
    dropFromOutbox(entry);
    state.undoWhenSent = false;
    note(message, "warning", false);
    afterSend();
  }

  function failed() {
    state.failures += 1;
    state.offline = true;
    var delay = Math.min(1000 * Math.pow(2, state.failures - 1), 30000);
    clearTimeout(state.retry);
    state.retry = setTimeout(send, delay);
    status();
  }

  function afterSend() {
    status();
    if (!state.current) advance();
    if (state.outbox.length) {
      send();
    } else if (state.endForm) {
      state.endForm.submit();
    }
  }

  // ---- The cards held ---------------------------------------------------

  function has(list, prompt) {
    return list.some(function (item) {
      return item.prompt === prompt;
    });
  }

  function without(list, prompts) {
    return list.filter(function (item) {
      return prompts.indexOf(item.prompt) === -1;
    });
  }

  function correct(data) {
    state.queue = without(state.queue, data.drop || []);
    state.later = without(state.later, data.drop || []);
    var waiting = state.outbox.map(function (entry) {
      return entry.prompt;
    });
    var onScreen = state.current ? state.current.prompt : null;
    (data.add || []).forEach(function (item) {
      if (item.prompt === onScreen || waiting.indexOf(item.prompt) !== -1) return;
      if (has(state.queue, item.prompt)) return;
      state.later = without(state.later, [item.prompt]);
      state.queue.push(item);
    });
    var again = data.again;
    if (again && again.prompt !== onScreen && waiting.indexOf(again.prompt) === -1) {
      state.queue = without(state.queue, [again.prompt]);
      state.later = without(state.later, [again.prompt]).concat([again]);
    }
    counts(data.due_count, data.new_left_today);
  }

  function counts(due, fresh) {
    var card = studyCard();
    if (!card || due === undefined) return;
    state.outbox.forEach(function (entry) {
      if (entry.item.state === "new") fresh -= 1;
      else due -= 1;
    });
    var fields = countFields(card);
    fields[0].textContent = Math.max(due, 0);
    fields[1].textContent = Math.max(fresh, 0);
  }

  // The header's "Due 3 · New left today 7".
  function countFields(card) {
    return card.querySelector("[data-testid=due-count]").parentNode.querySelectorAll("strong");
  }

  function countDown(item) {
    var card = studyCard();
    if (!card) return;
    var field = countFields(card)[item.state === "new" ? 1 : 0];
    field.textContent = Math.max(parseInt(field.textContent, 10) - 1, 0);
  }

  function nextItem() {
    var now = Date.now();
    var soonest = null;
    state.later.forEach(function (item) {
      if (!soonest || item.due < soonest.due) soonest = item;
    });
    if (soonest && soonest.due <= now) {
      state.later = without(state.later, [soonest.prompt]);
      return soonest;
    }
    if (state.queue.length) return state.queue.shift();
    if (soonest) state.later = without(state.later, [soonest.prompt]);
    return soonest;
  }

  function advance() {
    var item = nextItem();
    if (item) {
      show(item);
    } else {
      state.current = null;
      waiting();
    }
  }

  function show(item) {
    var card = studyCard();
    var current = card && card.querySelector(".study-current");
    if (!current) return;
    state.current = item;
    current.hidden = false;
    card.querySelector(".study-wait").hidden = true;
    card.setAttribute("data-state", "question");
    card.setAttribute("data-version", item.v);
    card.querySelector(".study-topic").textContent = item.topic;
    var badges = card.querySelector(".study-badges");
    badges.textContent = "";
    var badge = document.createElement("span");
    badge.className = item.state === "new" ? "badge text-bg-success" : "badge text-bg-light border";
    badge.textContent = item.state;
    badges.appendChild(badge);
    if (item.reversed) {
      var reversed = document.createElement("span");
      reversed.className = "badge text-bg-info";
      reversed.textContent = "reversed";
      badges.appendChild(document.createTextNode(" "));
      badges.appendChild(reversed);
    }
    card.querySelector(".study-question").innerHTML = item.question;
    var answer = card.querySelector(".study-answer");
    answer.innerHTML = item.answer + (item.extra ? "<hr>" + item.extra : "");
    answer.hidden = true;
    card.querySelector(".study-reveal").hidden = false;
    var form = card.querySelector(".study-grades");
    form.hidden = true;
    form.elements.prompt.value = item.prompt;
    form.elements.reps.value = item.reps;
    form.elements.shown_at.value = Date.now();
    form.querySelectorAll("button[value]").forEach(function (button) {
      var interval = intervalText(button);
      if (interval) interval.nodeValue = item.intervals[button.value] + " · ";
    });
    if (window.prepTypeset) window.prepTypeset(card);
  }

  // A grade button's "10m · " before its key.
  function intervalText(button) {
    var small = button.querySelector(".small");
    return small && small.firstChild && small.firstChild.nodeType === 3 ? small.firstChild : null;
  }

  function waiting() {
    var card = studyCard();
    if (!card || !card.querySelector(".study-current")) return;
    if (!state.outbox.length) {
      // Nothing held and nothing to send: the server says what comes next.
      if (state.fetching) return;
      state.fetching = true;
      if (window.htmx) {
        window.htmx.ajax("GET", window.location.pathname, { target: "#study-card", swap: "outerHTML" });
      } else {
        window.location.reload();
      }
      return;
    }
    card.querySelector(".study-current").hidden = true;
    card.setAttribute("data-state", "waiting");
    var wait = card.querySelector(".study-wait");
    wait.hidden = false;
    wait.textContent = state.offline
      ? "You are offline and no more cards are held. Your grades will be sent when the connection is back."
      : "Getting the next card…";
  }

  function status() {
    var n = state.outbox.length;
    document.body.setAttribute("data-study-outbox", String(n));
    var card = studyCard();
    var line = card && card.querySelector(".study-outbox");
    if (!line) return;
    line.hidden = n === 0;
    var text = n === 1 ? "1 grade waiting to be sent" : n + " grades waiting to be sent";
    if (state.offline) text += ". You are offline; they will be sent when the connection is back.";
    if (n && line.textContent !== text) line.textContent = text;
    if (!state.current) waiting();
  }

  function note(text, level, html) {
    var box = studyCard() && studyCard().querySelector(".study-messages");
    if (!box) return;
    var message = document.createElement("div");
    message.className = "alert alert-" + level + " py-2";
    message.setAttribute("role", "status");
    if (html) message.innerHTML = text; // the server's own message, escaped there
    else message.textContent = text;
    box.appendChild(message);
  }

  function setUndo(review) {
    var form = studyCard() && studyCard().querySelector(".study-undo");
    if (!form) return;
    if (review) form.elements.review.value = review;
    form.hidden = !form.elements.review.value && !state.outbox.length;
  }

  // ---- Grading and undoing ----------------------------------------------

  function grade(rating) {
    var item = state.current;
    if (!item) return;
    var form = studyCard().querySelector(".study-grades");
    state.outbox.push({
      key: newKey(),
      prompt: item.prompt,
      reps: item.reps,
      rating: rating,
      shown_at: form.elements.shown_at.value,
      graded_at: Date.now(),
      item: item,
    });
    saveOutbox();
    studyCard().querySelector(".study-messages").textContent = "";
    countDown(item);
    advance();
    setUndo();
    status();
    send();
  }

  function undo() {
    var last = state.outbox[state.outbox.length - 1];
    if (!last) return false;
    if (last === state.sending) {
      state.undoWhenSent = true; // taken back as soon as the server has it
      return true;
    }
    dropFromOutbox(last);
    if (state.current) state.queue.unshift(state.current);
    var card = studyCard();
    card.querySelector(".study-messages").textContent = "";
    show(last.item);
    note("Grade undone: here is that card again.", "info", false);
    setUndo();
    status();
    return true;
  }

  function undoSent() {
    var form = studyCard() && studyCard().querySelector(".study-undo");
    if (form && form.elements.review.value) form.requestSubmit();
  }

  // ---- Reading the page -------------------------------------------------

  function readCurrent(card) {
    var form = card.querySelector(".study-grades");
    if (!form) return null;
    var intervals = {};
    form.querySelectorAll("button[value]").forEach(function (button) {
      var interval = intervalText(button);
      intervals[button.value] = interval ? interval.nodeValue.replace(/ · $/, "").trim() : "";
    });
    return {
      prompt: parseInt(form.elements.prompt.value, 10),
      reps: parseInt(form.elements.reps.value, 10),
      v: parseInt(card.getAttribute("data-version"), 10),
      topic: card.querySelector(".study-topic").textContent,
      state: card.getAttribute("data-topic-state"),
      reversed: !!card.querySelector(".study-badges .text-bg-info"),
      question: card.querySelector(".study-question").innerHTML,
      answer: card.querySelector(".study-answer").innerHTML,
      extra: "",
      intervals: intervals,
    };
  }

  function start() {
    var card = studyCard();
    if (!card || !prefetch) return;
    var heldData = document.getElementById("study-held");
    var held = heldData ? JSON.parse(heldData.getAttribute("data-held")) : [];
    var waitingIds = state.outbox.map(function (entry) {
      return entry.prompt;
    });
    state.current = readCurrent(card);
    state.queue = held.filter(function (item) {
      return waitingIds.indexOf(item.prompt) === -1;
    });
    state.later = state.later.filter(function (item) {
      return !has(state.queue, item.prompt) && !(state.current && state.current.prompt === item.prompt);
    });
    if (state.current && waitingIds.indexOf(state.current.prompt) !== -1) advance();
    setUndo();
    status();
  }

  state.outbox = prefetch ? loadOutbox() : [];
  document.addEventListener("DOMContentLoaded", function () {
    start();
    send();
  });
  document.addEventListener("htmx:afterSettle", function () {
    state.fetching = false;
    start();
  });
  window.addEventListener("online", function () {
    state.failures = 0;
    send();
  });

  document.addEventListener(
    "submit",
    function (event) {
      if (!prefetch) return;
      var form = event.target;
      if (form.matches(".study-grades") && event.submitter) {
        event.preventDefault();
        event.stopPropagation();
        grade(parseInt(event.submitter.value, 10));
      } else if (form.matches(".study-undo") && state.outbox.length) {
        event.preventDefault();
        event.stopPropagation();
        undo();
      } else if (form.action.match(/\/end\/$/) && state.outbox.length) {
        event.preventDefault();
        event.stopPropagation();
        state.endForm = form;
        note("The session ends once the grades waiting are sent.", "info", false);
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    if (event.target.closest(".study-reveal")) {
      event.preventDefault();
      reveal();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    var card = studyCard();
    if (!card) return;
    var handled = false;
    if (event.key === " " || event.key === "Spacebar") {
      reveal();
      handled = true; // never scroll the page under the card
    } else if (["1", "2", "3", "4"].indexOf(event.key) !== -1) {
      handled = press(card.querySelector('.study-grades button[value="' + event.key + '"]'));
    } else if (event.key === "u" || event.key === "U") {
      handled = prefetch && state.outbox.length ? undo() : press(card.querySelector(".study-undo button"));
    }
    if (handled) event.preventDefault();
  });
})();
