// Keyboard-first study: Space shows the answer, 1-4 grade, u undoes the last
// grade. Every action is also a plain link or button, so this only adds speed.
//
// The page holds the next few cards (#study-held's data-held). A grade shows the
// next one at once and waits in the outbox (static/js/study_outbox.js) until the
// server has it; each answer corrects the cards held. With ?prefetch=0 every
// grade waits for the server (htmx).
(function () {
  "use strict";

  var prefetch = !/[?&]prefetch=0(&|$)/.test(window.location.search);
  var state = {
    current: null, // the card on screen
    queue: [], // the cards held, in order
    later: [], // cards graded Again (or in learning), with the time they are due
    undoWhenSent: false,
    fetching: false, // the page's card, asked for when nothing is held
    endForm: null,
  };

  function studyCard() {
    return document.getElementById("study-card");
  }

  function reveal() {
    return window.prepStudyCard.reveal(studyCard());
  }

  function show(item) {
    if (window.prepStudyCard.show(studyCard(), item)) state.current = item;
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

  // ---- The outbox (static/js/study_outbox.js) --------------------------

  function sessionId() {
    var match = window.location.pathname.match(/\/study\/(\d+)\//);
    return match ? match[1] : "";
  }

  function csrfToken() {
    var input = document.querySelector("#study-card input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function known(except) {
    var ids = [];
    if (state.current) ids.push(state.current.prompt);
    outbox.entries.forEach(function (entry) {
      if (entry !== except) ids.push(entry.prompt);
    });
    state.later.forEach(function (item) {
      ids.push(item.prompt);
    });
    return ids;
  }

  // What the server needs besides the grade to correct the cards held.
  function extra(entry) {
    return {
      held: state.queue
        .map(function (item) {
          return item.prompt + ":" + item.reps + ":" + item.v;
        })
        .join(","),
      known: known(entry).join(","),
    };
  }

  function sent(entry, data) {
    setUndo(data.review);
    correct(data);
    (data.messages || []).forEach(function (text) {
      note(text, "warning", true);
    });
    if (state.undoWhenSent && !outbox.entries.length) {
      state.undoWhenSent = false;
      undoSent();
      return;
    }
    afterSend();
  }

  function refused(entry, message) {
    state.undoWhenSent = false;
    note(message, "warning", false);
    afterSend();
  }

  function afterSend() {
    status();
    if (!state.current) advance();
    if (!outbox.entries.length && state.endForm) state.endForm.submit();
  }

  var outbox = window.prepStudyOutbox.create({
    storageKey: "prep:study:" + sessionId() + ":outbox",
    restore: prefetch,
    url: window.location.pathname.replace(/\/?$/, "/") + "grade/",
    loginUrl: document.body.getAttribute("data-login-url"),
    csrfToken: csrfToken,
    extra: extra,
    sent: sent,
    refused: refused,
    failed: status,
  });

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
    var waiting = outbox.entries.map(function (entry) {
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
    outbox.entries.forEach(function (entry) {
      if (entry.item.state === "new") fresh -= 1;
      else due -= 1;
    });
    var fields = window.prepStudyCard.countFields(card);
    fields[0].textContent = Math.max(due, 0);
    fields[1].textContent = Math.max(fresh, 0);
  }

  function countDown(item) {
    var card = studyCard();
    if (!card) return;
    var field = window.prepStudyCard.countFields(card)[item.state === "new" ? 1 : 0];
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

  function waiting() {
    var card = studyCard();
    if (!card || !card.querySelector(".study-current")) return;
    if (!outbox.entries.length) {
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
    wait.textContent = outbox.signedOut
      ? "You were signed out and no more cards are held. Your grades wait until you sign in again."
      : outbox.offline
        ? "You are offline and no more cards are held. Your grades will be sent when the connection is back."
        : "Getting the next card…";
  }

  function status() {
    document.body.setAttribute("data-study-outbox", String(outbox.entries.length));
    var card = studyCard();
    var line = card && card.querySelector(".study-outbox");
    if (!line) return;
    outbox.report(line);
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
    form.hidden = !form.elements.review.value && !outbox.entries.length;
  }

  // ---- Grading and undoing ----------------------------------------------

  function grade(rating) {
    var item = state.current;
    if (!item) return;
    var form = studyCard().querySelector(".study-grades");
    outbox.add({
      prompt: item.prompt,
      reps: item.reps,
      rating: rating,
      shown_at: form.elements.shown_at.value,
      graded_at: Date.now(),
      item: item,
    });
    studyCard().querySelector(".study-messages").textContent = "";
    countDown(item);
    advance();
    setUndo();
    status();
    outbox.send();
  }

  function undo() {
    var last = outbox.last();
    if (!last) return false;
    if (last === outbox.sending) {
      state.undoWhenSent = true; // taken back as soon as the server has it
      return true;
    }
    outbox.drop(last);
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

  function start() {
    var card = studyCard();
    if (!card || !prefetch) return;
    var heldData = document.getElementById("study-held");
    var held = heldData ? JSON.parse(heldData.getAttribute("data-held")) : [];
    var waitingIds = outbox.entries.map(function (entry) {
      return entry.prompt;
    });
    state.current = window.prepStudyCard.read(card);
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

  document.addEventListener("DOMContentLoaded", function () {
    start();
    outbox.send();
  });
  document.addEventListener("htmx:afterSettle", function () {
    state.fetching = false;
    start();
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
      } else if (form.matches(".study-undo") && outbox.entries.length) {
        event.preventDefault();
        event.stopPropagation();
        undo();
      } else if (form.action.match(/\/end\/$/) && outbox.entries.length) {
        event.preventDefault();
        event.stopPropagation();
        if (!state.endForm) note("The session ends once the grades waiting are sent.", "info", false);
        state.endForm = form;
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    if (event.target.closest(".study-reveal")) {
      event.preventDefault();
      reveal();
    } else if (tapsCard(event)) {
      reveal();
    }
  });

  // A tap anywhere on the card's question shows the answer, unless it follows
  // a link or a control in the card, or ends a selection of its text.
  function tapsCard(event) {
    var card = event.target.closest("#study-card[data-state=question] .study-current .card");
    if (!card || event.button !== 0) return false;
    if (event.target.closest("a, button, input, select, textarea, summary, label")) return false;
    var selection = window.getSelection();
    return !selection || selection.isCollapsed || !card.contains(selection.anchorNode);
  }

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
      handled = prefetch && outbox.entries.length ? undo() : press(card.querySelector(".study-undo button"));
    }
    if (handled) event.preventDefault();
  });
})();
