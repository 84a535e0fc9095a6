// Keyboard-first study: Space shows the answer, 1-4 grade, u undoes the last
// grade. Every action is also a plain link or button, so this only adds speed.
(function () {
  "use strict";

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
      handled = press(card.querySelector(".study-undo button"));
    }
    if (handled) event.preventDefault();
  });
})();
