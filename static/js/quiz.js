// Keyboard-first quiz: t goes to the answer box and Esc leaves it, Space (or
// Ctrl+Enter in the box) shows the answer, y marks it right and n wrong. Without
// JavaScript the same works through the <details> and the two buttons; this
// only adds speed.
(function () {
  "use strict";

  function quizItem() {
    return document.getElementById("quiz-item");
  }

  function reveal() {
    var item = quizItem();
    var box = item && item.querySelector(".quiz-reveal");
    if (!box || box.open) return false;
    box.open = true;
    return true;
  }

  function press(button) {
    // While a mark is being sent the buttons' fieldset is disabled; while htmx
    // is still swapping the next card in, its form is not wired up yet (a press
    // now would submit the plain form and reload the page). And a card is
    // marked only once its answer has been shown.
    if (
      button &&
      !button.matches(":disabled") &&
      !button.closest("details:not([open]), .htmx-added, .htmx-request")
    ) {
      button.click();
      return true;
    }
    return false;
  }

  // data-state follows the <details>, however it was opened (key, click, no JS).
  document.addEventListener(
    "toggle",
    function (event) {
      var box = event.target;
      if (!box.matches || !box.matches("#quiz-item .quiz-reveal")) return;
      quizItem().setAttribute("data-state", box.open ? "answer" : "question");
    },
    true // toggle does not bubble
  );

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey) return;
    var item = quizItem();
    if (!item) return;
    var answerBox = event.target.closest && event.target.closest(".quiz-typed-answer");
    if (answerBox) {
      if (event.key === "Escape") {
        answerBox.blur();
        event.preventDefault();
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        reveal();
        answerBox.blur(); // so that y and n mark the card straight away
        event.preventDefault();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    var handled = false;
    if (event.key === " " || event.key === "Spacebar") {
      // A focused "Show answer" opens itself; elsewhere Space must not scroll.
      if (event.target.closest("summary, button, a")) return;
      reveal();
      handled = true;
    } else if (event.key === "y" || event.key === "Y") {
      handled = press(item.querySelector('.quiz-mark[value="right"]'));
    } else if (event.key === "n" || event.key === "N") {
      handled = press(item.querySelector('.quiz-mark[value="wrong"]'));
    } else if (event.key === "t" || event.key === "T") {
      var box = item.querySelector(".quiz-typed-answer");
      if (box) {
        box.focus();
        handled = true;
      }
    }
    if (handled) event.preventDefault();
  });

  // A refused mark (a malformed one is a 400, a card from outside the quiz a
  // 404) comes back as the current card with the reason on it: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 400 || status === 404) && event.detail.target.id === "quiz-item") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
