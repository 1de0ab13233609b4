// The research pages' small enhancements; each page works without them.
// - A turn's "Play from" button plays the recording from that turn's time.
// - Beside a transcript, Alt+K plays or pauses, Alt+J goes back 5 s and Alt+L changes the speed
//   (in text boxes too: Alt with these letters types nothing), and the turn being played is
//   marked from its data-start and data-end as the recording plays.
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
  }

  var SPEEDS = [1, 1.25, 1.5, 0.75];
  var KEYS = { KeyK: "toggle", KeyJ: "back", KeyL: "speed" };

  function setUpPlayerKeys() {
    var audio = player();
    var keys = document.querySelector(".player__keys");
    if (!audio || !keys) {
      return;
    }
    var toggle = keys.querySelector('[data-player="toggle"]');
    var speed = keys.querySelector('[data-player="speed"]');
    function label(button, text) {
      button.querySelector(".player__label").textContent = text;
    }
    function showState() {
      label(toggle, toggle.getAttribute(audio.paused ? "data-play" : "data-pause"));
      var rate = audio.playbackRate.toLocaleString(document.documentElement.lang || undefined);
      label(speed, speed.getAttribute("data-speed").replace("%s", rate));
    }
    var actions = {
      toggle: function () {
        if (audio.paused) {
          var playing = audio.play();
          if (playing && playing.catch) {
            playing.catch(function () { /* the person can press play themselves */ });
          }
        } else {
          audio.pause();
        }
      },
      back: function () {
        audio.currentTime = Math.max(0, audio.currentTime - 5);
      },
      speed: function () {
        var at = SPEEDS.indexOf(audio.playbackRate);
        audio.playbackRate = SPEEDS[(at + 1) % SPEEDS.length];
      },
    };
    keys.querySelectorAll("[data-player]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.getAttribute("data-player")](); });
    });
    document.addEventListener("keydown", function (event) {
      var action = KEYS[event.code];
      if (!action || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      actions[action]();
    });
    ["play", "pause", "ratechange"].forEach(function (name) {
      audio.addEventListener(name, showState);
    });
    showState();
    keys.hidden = false;
    document.querySelectorAll(".player__hint").forEach(function (hint) { hint.hidden = false; });
  }

  function setUpPlayedTurn() {
    var audio = player();
    if (!audio) {
      return;
    }
    var turns = Array.prototype.slice.call(document.querySelectorAll(".turn[data-start]"));
    if (!turns.length) {
      return;
    }
    var marked = null;
    function mark() {
      var now = audio.currentTime;
      var found = null;
      // The last turn begun by now, while it lasts: turns are in time order.
      turns.forEach(function (turn) {
        var start = parseFloat(turn.getAttribute("data-start"));
        var end = parseFloat(turn.getAttribute("data-end"));
        if (start <= now && (isNaN(end) || now < end)) {
          found = turn;
        }
      });
      if (found === marked) {
        return;
      }
      if (marked) {
        marked.classList.remove("turn--playing");
      }
      if (found) {
        found.classList.add("turn--playing");
      }
      marked = found;
    }
    ["timeupdate", "seeked"].forEach(function (name) {
      audio.addEventListener(name, mark);
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
    setUpPlayerKeys();
    setUpPlayedTurn();
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
