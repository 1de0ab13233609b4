// The research pages' small enhancements; each page works without them.
// - A turn's "Play from" button plays the recording from that turn's time.
// - The transcript editor's text boxes grow to show their whole text.
// - On the identifier review, selected transcript text fills the "missed identifier" form,
//   and marking words carries the Replace/Keep choices not yet saved, so none is reset.
(function () {
  "use strict";

  function player() {
    return document.getElementById("recording-player");
  }

  function setUpPlayButtons() {
    var audio = player();
    if (!audio) {
      return;
    }
    var buttons = document.querySelectorAll("[data-play-from]");
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var start = parseFloat(button.getAttribute("data-play-from"));
        if (isNaN(start)) {
          return;
        }
        audio.currentTime = start;
        var playing = audio.play();
        if (playing && playing.catch) {
          playing.catch(function () { /* the person can press play themselves */ });
        }
      });
    });
    document.querySelectorAll(".player__hint").forEach(function (hint) {
      hint.hidden = buttons.length === 0;
    });
  }

  function fit(box) {
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
  }

  function setUpGrowingBoxes() {
    document.querySelectorAll("textarea.turn__text").forEach(function (box) {
      fit(box);
      box.addEventListener("input", function () { fit(box); });
    });
    var width = window.innerWidth;
    window.addEventListener("resize", function () {
      if (window.innerWidth !== width) {
        width = window.innerWidth;
        document.querySelectorAll("textarea.turn__text").forEach(fit);
      }
    });
  }

  function setUpMissedSelection() {
    var source = document.getElementById("review-text");
    var field = document.getElementById("id_missed_text");
    if (!source || !field) {
      return;
    }
    document.addEventListener("selectionchange", function () {
      var selection = document.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
        return;
      }
      var range = selection.getRangeAt(0);
      if (!source.contains(range.commonAncestorContainer)) {
        return;
      }
      var text = selection.toString().replace(/\s+/g, " ").trim();
      if (text && text.length <= 200) {
        field.value = text;
      }
    });
  }

  function setUpMissedKeepsDecisions() {
    var review = document.getElementById("review-form");
    var missed = document.getElementById("missed-form");
    if (!review || !missed) {
      return;
    }
    missed.addEventListener("submit", function () {
      missed.querySelectorAll("input[data-carried]").forEach(function (el) { el.remove(); });
      review.querySelectorAll('input[name^="decision-"]:checked, input[type="hidden"][name="page"]').forEach(function (el) {
        var copy = document.createElement("input");
        copy.type = "hidden";
        copy.name = el.name;
        copy.value = el.value;
        copy.setAttribute("data-carried", "");
        missed.appendChild(copy);
      });
    });
  }

  function start() {
    setUpPlayButtons();
    setUpGrowingBoxes();
    setUpMissedSelection();
    setUpMissedKeepsDecisions();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
