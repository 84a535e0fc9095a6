// Says so when a request htmx sends in the background fails. htmx swaps in only
// 2xx answers, so without this a refused CSRF token (403), a server error (5xx),
// a lost connection, or a session that ended (the answer is the login page)
// would change nothing on screen and look as if it had worked. The message goes
// into the #request-error region of base.html (role="alert", so it is read
// out), with a button to reload the page and one to dismiss it. Nothing on the
// page is replaced, so what was typed is still there.
(function () {
  "use strict";

  var reported = typeof WeakSet === "function" ? new WeakSet() : null;

  function region() {
    return document.getElementById("request-error");
  }

  function isWrite(detail) {
    var verb = detail.requestConfig && detail.requestConfig.verb;
    return Boolean(verb) && verb.toLowerCase() !== "get";
  }

  function pathOf(url) {
    try {
      return new URL(url, window.location.href).pathname;
    } catch (error) {
      return "";
    }
  }

  function messageFor(status, write) {
    var what = write ? "That was not saved" : "That could not be loaded";
    var mayNot = write ? "That may not have been saved" : "That could not be loaded";
    if (status === 0) {
      return "Can’t reach the server: check your connection. " + mayNot + "; try again once you are back online.";
    }
    if (status === "logged-out") {
      return what + ": you have been logged out. What you typed is still on this page: copy anything you need, then reload the page to log in again.";
    }
    if (status === 403) {
      return what + ": your session has expired or this page is out of date (perhaps you logged in or out in another tab). What you typed is still on this page: copy anything you need, then reload the page to continue.";
    }
    if (status === 503) {
      return "prep is unavailable for a moment. " + mayNot + "; try again in a minute.";
    }
    if (status >= 500) {
      return "Something went wrong on our side. " + mayNot + "; try again, and reload the page if it keeps happening.";
    }
    if (status === 413) {
      return what + ": it was too large to send.";
    }
    return what + " (the server answered " + status + "). Reload the page and try again.";
  }

  function show(text) {
    var box = region();
    if (!box) return;
    var shown = box.querySelector("[data-testid=request-error-message]");
    // The same message again (a second save refused the same way) keeps the
    // alert in place: replacing it would re-announce it and could swallow a
    // click on its buttons that is under way.
    if (shown && shown.textContent === text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger shadow mb-0 d-flex flex-wrap align-items-start gap-2";
    alert.style.maxWidth = "34rem";
    alert.style.pointerEvents = "auto"; // the region lets clicks through, the message does not
    var message = document.createElement("p");
    message.className = "mb-0 flex-grow-1";
    message.setAttribute("data-testid", "request-error-message");
    message.textContent = text;
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "btn btn-sm btn-danger";
    reload.setAttribute("data-request-error", "reload");
    reload.textContent = "Reload page";
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "btn-close";
    dismiss.setAttribute("data-request-error", "dismiss");
    dismiss.setAttribute("aria-label", "Dismiss this message");
    alert.append(message, reload, dismiss);
    box.replaceChildren(alert);
  }

  function clear() {
    var box = region();
    if (box) box.replaceChildren();
  }

  function report(detail, status) {
    if (reported && detail.xhr) reported.add(detail.xhr);
    show(messageFor(status, isWrite(detail)));
  }

  // On window, so it runs after the page's own handlers on document (quiz.js
  // shows some refusals in place): whatever they chose to swap is theirs.
  window.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    var login = document.body.getAttribute("data-login-url");
    if (
      login &&
      xhr.status === 200 &&
      xhr.responseURL &&
      pathOf(xhr.responseURL) === login &&
      pathOf(detail.pathInfo && detail.pathInfo.requestPath) !== login
    ) {
      // The session ended: the answer is the login page it was redirected to.
      detail.shouldSwap = false;
      report(detail, "logged-out");
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    report(event.detail, event.detail.xhr.status);
  });

  document.addEventListener("htmx:sendError", function (event) {
    report(event.detail, 0);
  });

  // A later request that works means the trouble is over (back online, say).
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    if (detail.successful && !(reported && detail.xhr && reported.has(detail.xhr))) clear();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-request-error]");
    if (!button) return;
    if (button.getAttribute("data-request-error") === "reload") {
      window.location.reload();
    } else {
      clear();
    }
  });
})();
