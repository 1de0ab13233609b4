// The seeker's pages, progressively enhanced (everything works without this file):
// a copy button for the status link, and focus on the intake's error summary.
(function () {
  "use strict";

  // The status link: the address stays visible and selectable in its field; the button only
  // appears here, where it can work.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var done = document.getElementById(button.getAttribute("data-copy") + "-done");
    if (!field) { return; }
    function tell(copied) {
      if (done) { done.textContent = button.getAttribute(copied ? "data-copied" : "data-failed"); }
    }
    function copyBySelection() {
      field.focus();
      field.select();
      try { return document.execCommand("copy"); } catch (error) { return false; }
    }
    field.addEventListener("focus", function () { field.select(); });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { tell(true); },
          function () { tell(copyBySelection()); }
        );
      } else {
        tell(copyBySelection());
      }
    });
  });

  // The intake after a failed submit: focus the summary (if autofocus was not honoured), and
  // let each of its links put the cursor in its field with the question in view.
  var summary = document.getElementById("error-summary");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var input = document.getElementById(link.getAttribute("href").slice(1));
        if (!input) { return; }
        event.preventDefault();
        var question = input.closest("fieldset") || input.closest(".ds-field") || input;
        question.scrollIntoView();
        input.focus({ preventScroll: true });
      });
    });
  }
}());
