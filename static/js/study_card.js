// The study card on screen (static/js/study.js decides which): read from the
// page as served, or drawn from a card the page holds, and its answer shown.
(function () {
  "use strict";

  function reveal(card) {
    if (!card) return false;
    var answer = card.querySelector(".study-answer");
    if (!answer || !answer.hidden) return false;
    answer.hidden = false;
    card.querySelector(".study-reveal").hidden = true;
    card.querySelector(".study-grades").hidden = false;
    card.setAttribute("data-state", "answer");
    return true;
  }

  // Puts a held card on screen, its question showing. False if the page has no card.
  function show(card, item) {
    var current = card && card.querySelector(".study-current");
    if (!current) return false;
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
    document.dispatchEvent(new CustomEvent("prep:card-shown"));
    return true;
  }

  // A grade button's "10m · " before its key.
  function intervalText(button) {
    var small = button.querySelector(".small");
    return small && small.firstChild && small.firstChild.nodeType === 3 ? small.firstChild : null;
  }

  // The card on screen, as the page holds the others.
  function read(card) {
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

  // The header's "Due 3 · New left today 7".
  function countFields(card) {
    return card.querySelector("[data-testid=due-count]").parentNode.querySelectorAll("strong");
  }

  window.prepStudyCard = { reveal: reveal, show: show, read: read, countFields: countFields };
})();
