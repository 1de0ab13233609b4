/* The workbench's coding page: turn a text selection (mouse or keyboard) into offsets, and
   sort units by number key or drag. Everything else is plain forms, sent by htmx.
   Offsets count Unicode code points, as the server does; each turn's text nodes hold exactly
   the transcript's characters from data-start on. */
(function () {
  "use strict";

  var keyboardTurn = null; // data-start of the turn the keyboard last coded from
  var pressedForm = null; // the form a key or a drop last posted (see press)
  var keyboardAt = 0; // where the keyboard caret stood in that turn, to carry on from there
  var caret = null; // {turn, anchor, focus}: keyboard selection, offsets within the turn text

  function cpLength(s) { return Array.from(s).length; }

  function turnOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("#workspace .turn__text") : null;
  }

  function textNodes(turn) {
    var walker = document.createTreeWalker(turn, NodeFilter.SHOW_TEXT), out = [], n;
    while ((n = walker.nextNode())) out.push(n);
    return out;
  }

  // (node, offset) of a DOM position -> code-point offset inside the turn's text.
  function offsetIn(turn, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(turn);
    range.setEnd(node, offset);
    return cpLength(range.toString());
  }

  // Code-point offset inside the turn -> [text node, UTF-16 offset] for a DOM range.
  function positionAt(turn, cp) {
    var nodes = textNodes(turn), left = cp;
    for (var i = 0; i < nodes.length; i++) {
      var chars = Array.from(nodes[i].data);
      if (left <= chars.length) return [nodes[i], chars.slice(0, left).join("").length];
      left -= chars.length;
    }
    var last = nodes[nodes.length - 1];
    return last ? [last, last.data.length] : [turn, 0];
  }

  function turnText(turn) { return Array.from(turn.textContent); }

  function setOffsets(turn, a, b) {
    var form = document.getElementById("unit-form");
    if (!form) return;
    var base = parseInt(turn.dataset.start, 10), lo = Math.min(a, b), hi = Math.max(a, b);
    document.getElementById("unit-start").value = lo === hi ? "" : base + lo;
    document.getElementById("unit-end").value = lo === hi ? "" : base + hi;
    var words = turnText(turn).slice(lo, hi).join("").trim().split(/\s+/).filter(Boolean).length;
    var status = document.getElementById("selection-status");
    if (status) status.textContent = words ? status.dataset.words.replace("%s", words) : "";
  }

  function showCaret() {
    if (!caret) return;
    var a = positionAt(caret.turn, caret.anchor), f = positionAt(caret.turn, caret.focus);
    window.getSelection().setBaseAndExtent(a[0], a[1], f[0], f[1]);
    setOffsets(caret.turn, caret.anchor, caret.focus);
  }

  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel.rangeCount) return;
    var t1 = turnOf(sel.anchorNode), t2 = turnOf(sel.focusNode);
    if (!t1 && !t2) return;
    if (t1 !== t2) {
      // Words across turns are no unit: say so, and forget the last selection's offsets.
      if (!sel.isCollapsed) failSelection();
      return;
    }
    var a = offsetIn(t1, sel.anchorNode, sel.anchorOffset);
    var f = offsetIn(t1, sel.focusNode, sel.focusOffset);
    // A collapsed selection (a click, or focus after a swap) must not move the keyboard caret.
    if (a === f && caret && caret.turn === t1) return;
    // Selected words are not a unit yet: nothing stays chosen to sort until they are marked.
    if (a !== f) choose("");
    if (!caret || caret.turn !== t1 || caret.anchor !== a || caret.focus !== f) {
      caret = { turn: t1, anchor: a, focus: f };
    }
    setOffsets(t1, a, f);
  });

  // Word and sentence steps over the turn's characters.
  function nextWordEnd(chars, i) {
    while (i < chars.length && /\s/.test(chars[i])) i++;
    while (i < chars.length && !/\s/.test(chars[i])) i++;
    return i;
  }
  function prevWordEnd(chars, i, floor) {
    while (i > floor && /\s/.test(chars[i - 1])) i--;
    while (i > floor && !/\s/.test(chars[i - 1])) i--;
    while (i > floor && /\s/.test(chars[i - 1])) i--;
    return Math.max(i, floor);
  }
  function nextWordStart(chars, i) {
    while (i < chars.length && !/\s/.test(chars[i])) i++;
    while (i < chars.length && /\s/.test(chars[i])) i++;
    return i;
  }
  function prevWordStart(chars, i) {
    while (i > 0 && /\s/.test(chars[i - 1])) i--;
    while (i > 0 && !/\s/.test(chars[i - 1])) i--;
    return i;
  }
  function nextSentenceEnd(chars, i) {
    i = nextWordEnd(chars, i);
    while (i < chars.length && !/[.!?\u2026]/.test(chars[i - 1] || "")) i = nextWordEnd(chars, i);
    return i;
  }

  // htmx binds a swapped-in form only when the swap settles (a moment later): a key pressed
  // in between would post the form the plain way and reload the page, losing the announcement.
  // Binding it here first is harmless when htmx has already done so.
  function press(button) {
    if (window.htmx && button.form) window.htmx.process(button.form);
    pressedForm = button.form;
    button.click();
  }

  function codeWithKey(key) {
    var button = document.querySelector('#code-form button[data-key="' + key + '"]');
    if (button && !button.disabled) { press(button); return true; }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var target = e.target;
    var inTurn = target.classList && target.classList.contains("turn__text") && turnOf(target);
    var inUnits = target.closest && target.closest("#workspace .unit-list, #workspace .groups");
    if (/^[1-9]$/.test(e.key) && (inTurn || inUnits)) {
      if (inTurn) {
        keyboardTurn = target.dataset.start;
        keyboardAt = caret && caret.turn === target ? Math.max(caret.anchor, caret.focus) : 0;
      }
      if (codeWithKey(e.key)) e.preventDefault();
      return;
    }
    if (!inTurn) return;
    var chars = turnText(target);
    if (!caret || caret.turn !== target) caret = { turn: target, anchor: 0, focus: 0 };
    var handled = true;
    if (e.key === "ArrowRight" && e.shiftKey) caret.focus = nextWordEnd(chars, caret.focus);
    else if (e.key === "ArrowLeft" && e.shiftKey) caret.focus = prevWordEnd(chars, caret.focus, caret.anchor);
    else if (e.key === "ArrowDown" && e.shiftKey) caret.focus = nextSentenceEnd(chars, caret.focus);
    else if (e.key === "ArrowRight") caret.anchor = caret.focus = nextWordStart(chars, caret.focus);
    else if (e.key === "ArrowLeft") caret.anchor = caret.focus = prevWordStart(chars, caret.anchor);
    else if (e.key === "Escape") caret.focus = caret.anchor;
    else if (e.key === "Enter") {
      keyboardTurn = target.dataset.start;
      keyboardAt = Math.max(caret.anchor, caret.focus);
      var submit = document.getElementById("unit-submit");
      if (submit) press(submit);
    } else handled = false;
    if (!handled) return;
    e.preventDefault();
    if (e.key !== "Enter") showCaret();
  });

  // Choosing a unit to sort: click its row or its marked words.
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("#workspace .unit");
    var mark = e.target.closest && e.target.closest("#workspace mark[data-units]");
    var id = row ? row.dataset.unit : mark && window.getSelection().isCollapsed ? mark.dataset.units.split(" ").pop() : null;
    if (!id || (e.target.closest("button"))) return;
    choose(id);
  });

  // The unit to sort is the one "Unit to sort" shows, and the code form says which one that
  // is ("shown"): a choice that fails leaves none chosen and says so, never an earlier unit.
  function choose(id) {
    var select = document.getElementById("code-unit");
    var shown = document.getElementById("code-shown");
    var known = select && id && Array.prototype.some.call(select.options, function (o) { return o.value === id; });
    if (select) select.value = known ? id : "";
    if (shown) { shown.disabled = false; shown.value = known ? id : ""; }
    document.querySelectorAll("#workspace .unit--current").forEach(function (el) { el.classList.remove("unit--current"); });
    var row = known && document.getElementById("unit-" + id);
    if (row) row.classList.add("unit--current");
    if (id && !known && select) say(select.dataset.lost);
  }

  function say(text) {
    var status = document.getElementById("selection-status");
    if (status) status.textContent = text || "";
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = text || "";
  }

  function failSelection() {
    var start = document.getElementById("unit-start"), end = document.getElementById("unit-end");
    if (start) start.value = "";
    if (end) end.value = "";
    choose("");
    var status = document.getElementById("selection-status");
    if (status) say(status.dataset.across);
  }

  // The page opens with the server's choice shown; a change by hand is what gets sorted.
  function syncShown() {
    var select = document.getElementById("code-unit");
    if (select) choose(select.value);
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "code-unit") syncShown();
  });
  document.addEventListener("DOMContentLoaded", syncShown);

  // Drag a unit onto a code group.
  document.addEventListener("dragstart", function (e) {
    var row = e.target.closest && e.target.closest("#workspace .unit");
    if (row) { e.dataTransfer.setData("text/plain", row.dataset.unit); e.dataTransfer.effectAllowed = "move"; }
  });
  document.addEventListener("dragover", function (e) {
    var group = e.target.closest && e.target.closest("#workspace .group");
    if (group && group.querySelector(".group__button")) { e.preventDefault(); group.classList.add("is-drop-target"); }
  });
  document.addEventListener("dragleave", function (e) {
    var group = e.target.closest && e.target.closest("#workspace .group");
    if (group) group.classList.remove("is-drop-target");
  });
  document.addEventListener("drop", function (e) {
    var group = e.target.closest && e.target.closest("#workspace .group");
    var button = group && group.querySelector(".group__button");
    if (!button) return;
    e.preventDefault();
    group.classList.remove("is-drop-target");
    choose(e.dataTransfer.getData("text/plain"));
    press(button);
  });

  // After the workspace is replaced, put keyboard focus back where the coder was.
  document.addEventListener("htmx:afterSettle", function (e) {
    // htmx reports each settled element: the announcer or a memo panel settling after the
    // workspace must not reset the keyboard's place in it.
    var settled = e.target;
    if (!settled || !settled.matches || !(settled.matches("#workspace") || settled.querySelector("#workspace"))) return;
    syncShown();
    caret = null;
    if (keyboardTurn === null) return;
    // Only the answer to the form the coder's key posted gives focus back: an earlier swap
    // settling meanwhile must not use up where the coder was.
    var source = e.detail && e.detail.requestConfig && e.detail.requestConfig.elt;
    if (pressedForm && source && source !== pressedForm && !pressedForm.contains(source)) return;
    var turn = document.querySelector('#workspace .turn__text[data-start="' + keyboardTurn + '"]');
    keyboardTurn = null;
    if (!turn) return;
    turn.focus();
    caret = { turn: turn, anchor: keyboardAt, focus: keyboardAt };
  });
})();
