// The display board: polls its status every second, shows the counters and the last calls, and
// announces each new call: the chime, then the number spoken twice in Indonesian (speechSynthesis,
// lang id-ID). Announcements wait for each other; without speech (switched off or not available)
// the chime still plays.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-status-url");
  var chime = document.querySelector("[data-chime]");
  var speechBox = document.querySelector("[data-speech]");
  var startButton = document.querySelector("[data-start]");
  var connection = document.querySelector("[data-connection]");
  var lastSeen = null; // the id of the newest call already known; null until the first answer
  var queue = [];
  var speaking = false;
  var SPEECH_KEY = "loket.board.speech";

  try {
    if (window.localStorage.getItem(SPEECH_KEY) === "off") speechBox.checked = false;
  } catch (e) { /* storage may be unavailable */ }
  speechBox.addEventListener("change", function () {
    try { window.localStorage.setItem(SPEECH_KEY, speechBox.checked ? "on" : "off"); } catch (e) { /* ignore */ }
  });
  startButton.addEventListener("click", function () {
    // A user gesture lets the browser play sound later; a silent, paused play unlocks it.
    chime.muted = true;
    var played = chime.play();
    var reset = function () { chime.pause(); chime.currentTime = 0; chime.muted = false; };
    if (played && played.then) played.then(reset, reset); else reset();
    startButton.hidden = true;
  });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(state) {
    var counters = document.querySelector("[data-counters]");
    counters.textContent = "";
    if (!state.counters.length) counters.appendChild(el("p", "empty", "Belum ada loket."));
    state.counters.forEach(function (c) {
      var box = el("div", "counter" + (c.number ? "" : " idle"));
      box.appendChild(el("p", "counter-name", c.name));
      box.appendChild(el("p", "counter-number", c.number || "—"));
      counters.appendChild(box);
    });
    var calls = document.querySelector("[data-calls]");
    calls.textContent = "";
    state.calls.forEach(function (call) {
      var li = el("li");
      li.appendChild(el("span", "call-number", call.number));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "call-counter", call.counter));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "call-at", call.at));
      calls.appendChild(li);
    });
    document.querySelector("[data-waiting]").textContent = state.waiting;
    document.querySelector("[data-clock]").textContent = state.time;
  }

  function announceNew(state) {
    var newest = state.calls.length ? state.calls[0].id : 0;
    if (lastSeen === null) { lastSeen = newest; return; } // calls made before the board opened
    var fresh = state.calls.filter(function (c) { return c.id > lastSeen; });
    fresh.sort(function (a, b) { return a.id - b.id; });
    fresh.forEach(function (c) { queue.push(c); });
    if (newest > lastSeen) lastSeen = newest;
    next();
  }

  function later(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  function playChime() {
    return new Promise(function (resolve) {
      var done = false;
      var finish = function () { if (!done) { done = true; resolve(); } };
      chime.addEventListener("ended", finish, { once: true });
      window.setTimeout(finish, 2500); // never wait on a chime that does not end
      try {
        chime.currentTime = 0;
        var played = chime.play();
        if (played && played.catch) played.catch(finish);
      } catch (e) { finish(); }
    });
  }

  function say(text) {
    return new Promise(function (resolve) {
      var synth = window.speechSynthesis;
      if (!synth || typeof window.SpeechSynthesisUtterance !== "function") { resolve(); return; }
      var done = false;
      var finish = function () { if (!done) { done = true; resolve(); } };
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = "id-ID";
      utterance.rate = 0.9;
      var voices = synth.getVoices ? synth.getVoices() : [];
      for (var i = 0; i < voices.length; i++) {
        if (voices[i].lang && voices[i].lang.replace("_", "-").indexOf("id") === 0) { utterance.voice = voices[i]; break; }
      }
      utterance.onend = finish;
      utterance.onerror = finish;
      window.setTimeout(finish, 12000);
      synth.speak(utterance);
    });
  }

  function next() {
    if (speaking || !queue.length) return;
    speaking = true;
    var call = queue.shift();
    var step = playChime();
    if (speechBox.checked && window.speechSynthesis) {
      step = step.then(function () { return say(call.spoken); })
        .then(function () { return later(600); })
        .then(function () { return say(call.spoken); });
    }
    step.then(function () { return later(800); }).then(function () { speaking = false; next(); });
  }

  function poll() {
    fetch(url, { cache: "no-store", credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) { connection.textContent = ""; render(state); announceNew(state); })
      .catch(function () { connection.textContent = "Menyambung ulang…"; })
      .then(function () { window.setTimeout(poll, 1000); });
  }
  poll();
})();
