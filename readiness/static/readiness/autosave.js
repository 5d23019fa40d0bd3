/* Autosave for readiness drafts: a progressive enhancement of the plain form.

   Each field is posted to the autosave endpoint shortly after typing stops and when it loses
   focus, with the value it had when loaded or last saved (its hidden "-original" input): the
   server writes it only if nobody has changed that field since, and otherwise (409) sends back
   the other person's text, which is shown beside the field. Without JavaScript the "Save draft"
   button saves everything the same way.

   Nothing typed is lost when the session ends:
   - every field typed is kept in this browser's localStorage (per person and submission) until
     the server has saved it; when the page opens again (after signing in, or another day) what
     was not saved is put back in its box, said so at the top of the form, and saved, with the
     original it was typed against, so a colleague's later answer is a conflict, not overwritten;
   - a save refused because the sign-in or its CSRF token has gone (a redirect to sign in, or
     403) fetches this page again for a fresh token and retries; while still signed out it says
     so, keeps the text, and tries again when the tab is used again, every 20 seconds, or when
     "Try saving again" is pressed. Save draft also picks up the fresh token. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-autosave-url");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timers = {};
  var chain = Promise.resolve(); // one request at a time, so each carries the latest version
  var pending = 0; // fields typed but not yet saved (exposed as data-autosave-pending)
  var retry = {}; // fields not saved because the person was signed out or offline
  var outcome = {}; // field name -> "saved", "conflict" or "failed", from its last save
  var signedOut = false;
  var pattern = /^a(\d+)-(yes_no|response|next_steps)$/;
  var markPattern = /^p(\d+)-not_applicable$/;
  var notice = document.getElementById("autosave-notice");
  var callout = document.getElementById("autosave-signed-out");

  var SIGNED_OUT = "Not saved yet: you have been signed out. What you typed is kept in this " +
    "browser. Sign in again (see the message at the top of the form) and it will be saved.";
  var OFFLINE = "Not saved yet: no connection. What you typed is kept in this browser and " +
    "will be saved when you are back online.";

  function count(delta) {
    pending += delta;
    form.setAttribute("data-autosave-pending", String(pending));
  }

  function announce(text) {
    if (!notice) return;
    notice.textContent = text;
    notice.className = text ? "nhsuk-inset-text app-autosave-notice" : "app-autosave-notice";
  }

  function say(id, text) {
    var el = document.getElementById("a" + id + "-status");
    if (el) el.textContent = text;
  }

  // --- what the page shows ---------------------------------------------------------------------

  function original(name) {
    return form.querySelector('[name="' + name + '-original"]');
  }

  function versionInput(name) {
    var m = pattern.exec(name);
    return m ? form.querySelector('[name="a' + m[1] + '-version"]') : null;
  }

  function valueOf(name) {
    var el = form.elements[name];
    if (!el) return null;
    if (el.type === "checkbox") return el.checked ? "1" : "";
    if (el.type === "radio") return el.checked ? el.value : "";
    if (el.length !== undefined && el.tagName === undefined) { // radios
      var checked = form.querySelector('[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    return el.value;
  }

  function show(name, value) {
    var el = form.elements[name];
    if (el.type === "checkbox") el.checked = value === "1";
    else if (el.type === "radio") el.checked = el.value === value;
    else if (el.length !== undefined && el.tagName === undefined) {
      Array.prototype.forEach.call(el, function (radio) { radio.checked = radio.value === value; });
    } else el.value = value;
  }

  function progress(data) {
    var p = document.getElementById("progress-count");
    if (p) p.textContent = data.answered + " of " + data.total;
  }

  // --- kept in this browser until saved --------------------------------------------------------

  var key = "ahp-readiness:" + form.getAttribute("data-autosave-key");
  var kept = {};
  try { kept = JSON.parse(window.localStorage.getItem(key) || "{}") || {}; } catch (e) { kept = {}; }

  function store() {
    try {
      if (Object.keys(kept).length) window.localStorage.setItem(key, JSON.stringify(kept));
      else window.localStorage.removeItem(key);
    } catch (e) { /* storage full or blocked: the page still autosaves */ }
  }

  function keep(name) {
    var entry = kept[name];
    if (!entry) {
      // the first unsaved change remembers what it was typed against
      var basis = original(name);
      var version = versionInput(name);
      entry = kept[name] = {
        original: basis ? basis.value : "",
        version: version ? version.value : ""
      };
    }
    entry.value = valueOf(name);
    store();
  }

  function saved(name, value, version) {
    var entry = kept[name];
    if (!entry) return;
    if (entry.value === value) delete kept[name];
    else { entry.original = value; entry.version = String(version); } // typed more since
    store();
  }

  // --- talking to the server -------------------------------------------------------------------

  function setToken(token) {
    csrf = token;
    Array.prototype.forEach.call(document.querySelectorAll("[name=csrfmiddlewaretoken]"),
      function (input) { input.value = token; });
  }

  // this page again, for a CSRF token matching the current sign-in; null while signed out
  function freshToken() {
    return fetch(window.location.pathname, {
      credentials: "same-origin", redirect: "manual", headers: { "X-Requested-With": "fetch" }
    }).then(function (r) {
      if (!r.ok) return null;
      return r.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var input = doc.querySelector("form[data-autosave-url] [name=csrfmiddlewaretoken]") ||
          doc.querySelector("[name=csrfmiddlewaretoken]");
        return input ? input.value : null;
      });
    });
  }

  function setSignedOut(value) {
    if (value === signedOut) return;
    signedOut = value;
    if (callout) callout.hidden = !value;
    if (value) announce("You have been signed out. What you typed is kept in this browser. " +
      "Sign in again and it will be saved.");
  }

  // POST to the autosave endpoint; resolves to {status, data} or {status: "signed-out"}
  function post(fields, retried) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (r) {
      if (r.type === "opaqueredirect" || r.status === 403 || r.status === 0) {
        if (retried) return { status: "signed-out" };
        return freshToken().then(function (token) {
          if (!token) return { status: "signed-out" };
          setToken(token);
          return post(fields, true);
        });
      }
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function failed(name, text, report) {
    retry[name] = true;
    outcome[name] = "failed";
    report(text);
  }

  // POST the fields of box ``name`` and hand the reply to ``answered``; signed out or offline,
  // the box is kept to be sent again and ``report`` says why
  function submit(name, fields, report, answered) {
    return post(fields).then(function (r) {
      if (r.status === "signed-out") {
        setSignedOut(true);
        failed(name, SIGNED_OUT, report);
        return;
      }
      setSignedOut(false);
      answered(r);
    }).catch(function () { failed(name, OFFLINE, report); });
  }

  function send(name) {
    var m = pattern.exec(name);
    var id = m[1];
    var version = versionInput(name);
    var value = valueOf(name);
    var basis = original(name);
    var report = function (text) { say(id, text); };
    say(id, "Saving...");
    return submit(name, {
      answer: id, field: m[2], value: value, version: version.value,
      original: basis ? basis.value : ""
    }, report, function (r) {
      var data = r.data;
      if (r.status === 200) {
        version.value = data.version;
        if (basis) basis.value = value;
        saved(name, value, data.version);
        outcome[name] = "saved";
        say(id, "Saved at " + data.saved_at);
        progress(data);
      } else if (r.status === 409) {
        version.value = data.version;
        if (basis) basis.value = data.theirs; // saving again (having seen theirs) keeps yours
        outcome[name] = "conflict";
        say(id, data.message + " Their text: " + data.theirs);
      } else {
        say(id, "Not saved: " + (data.detail || "please press Save draft."));
      }
    });
  }

  // state of readiness: a profession marked not employed here hides its four boxes (their text
  // is kept) and shows "not applicable" in their place
  var markStatus = document.getElementById("not-applicable-status");

  function showMark(profession, marked) {
    var blocks = form.querySelectorAll('[data-profession="' + profession + '"]');
    Array.prototype.forEach.call(blocks, function (block) {
      block.querySelector(".app-not-applicable").hidden = !marked;
      block.querySelector(".nhsuk-form-group").hidden = marked;
    });
  }

  function sendMark(name) {
    var box = form.elements[name];
    var basis = original(name);
    var value = valueOf(name);
    var label = box.labels && box.labels[0] ? box.labels[0].firstChild.textContent : "";
    var report = function (text) { if (markStatus) markStatus.textContent = text; };
    report("Saving...");
    return submit(name, {
      answer: box.getAttribute("data-answer"), field: "not_applicable", value: value,
      original: basis ? basis.value : ""
    }, report, function (r) {
      if (r.status === 200) {
        if (basis) basis.value = value;
        saved(name, value, "");
        outcome[name] = "saved";
        Object.keys(r.data.versions).forEach(function (id) {
          var v = form.querySelector('[name="a' + id + '-version"]');
          if (v) v.value = r.data.versions[id];
        });
        progress(r.data);
        report(label + (value ? ": marked not employed here, its questions answered not applicable."
                              : ": marked employed again, its questions to be answered.") +
               " Saved at " + r.data.saved_at);
      } else report("Not saved: " + (r.data.detail || "please press Save draft."));
    });
  }

  function queue(name) {
    count(1);
    chain = chain
      .then(function () { return markPattern.test(name) ? sendMark(name) : send(name); })
      .then(function () { count(-1); });
    return chain;
  }

  // try again what could not be saved (signed out or offline at the time)
  function flush() {
    var names = Object.keys(retry).filter(function (name) { return !timers[name]; });
    if (!names.length) return chain;
    names.forEach(function (name) { delete retry[name]; queue(name); });
    return chain.then(function () {
      if (!signedOut && !Object.keys(retry).length) {
        announce("Saved what you typed while you were signed out or offline.");
      }
    });
  }

  // --- typing ----------------------------------------------------------------------------------

  form.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.name || !pattern.test(el.name)) return;
    keep(el.name);
    delete retry[el.name];
    if (timers[el.name]) clearTimeout(timers[el.name]);
    else count(1);
    timers[el.name] = setTimeout(function () {
      delete timers[el.name];
      queue(el.name);
      count(-1);
    }, el.type === "radio" ? 0 : 800);
  });
  form.addEventListener("change", function (e) {
    var el = e.target;
    var m = markPattern.exec(el.name || "");
    if (m) {
      keep(el.name);
      showMark(m[1], el.checked);
      queue(el.name);
      return;
    }
    if (!el.name || !pattern.test(el.name) || el.type === "radio") return;
    if (timers[el.name]) {
      clearTimeout(timers[el.name]);
      delete timers[el.name];
      queue(el.name);
      count(-1);
    }
  });
  // closing the tab with typing not yet saved: flush it and ask the browser to warn
  window.addEventListener("beforeunload", function (e) {
    if (!pending) return;
    Object.keys(timers).forEach(function (name) {
      clearTimeout(timers[name]);
      delete timers[name];
      queue(name);
      count(-1);
    });
    e.preventDefault();
    e.returnValue = "";
  });

  // Save draft / Submit: after a sign-out the page's token may be stale (signing in elsewhere
  // changes it), so get a fresh one first; still signed out: do not post, keep the text here
  var resubmitting = false;
  form.addEventListener("submit", function (e) {
    Object.keys(timers).forEach(function (name) { clearTimeout(timers[name]); delete timers[name]; });
    pending = 0;
    form.setAttribute("data-autosave-pending", "0");
    if (!signedOut || resubmitting) return;
    e.preventDefault();
    var button = e.submitter;
    freshToken().then(function (token) {
      if (!token) {
        announce("You are still signed out, so nothing was sent. What you typed is kept in " +
          "this browser. Sign in again, then press the button again.");
        return;
      }
      setToken(token);
      setSignedOut(false);
      if (button && button.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = button.name;
        pressed.value = button.value;
        form.appendChild(pressed);
      }
      resubmitting = true;
      form.submit();
    }).catch(function () { announce(OFFLINE); });
  });

  // signed in again in another tab, or back online: save what is waiting
  var retryButton = document.getElementById("autosave-retry");
  if (retryButton) retryButton.addEventListener("click", function () { flush(); });
  window.addEventListener("focus", flush);
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  window.setInterval(function () { if (Object.keys(retry).length) flush(); }, 20000);

  // --- opening the page: put back what was typed here and not saved ----------------------------

  var restored = [];
  Object.keys(kept).forEach(function (name) {
    var entry = kept[name];
    var basis = original(name);
    if (!form.elements[name] || !basis || typeof entry.value !== "string") {
      delete kept[name];
      return;
    }
    if (entry.value === basis.value) { delete kept[name]; return; } // saved since
    if (entry.value === valueOf(name)) return; // already in the box (a conflict being resolved)
    show(name, entry.value);
    // saved against what it was typed against: a colleague's later answer becomes a conflict
    basis.value = entry.original;
    var version = versionInput(name);
    if (version && entry.version !== "") version.value = entry.version;
    var m = markPattern.exec(name);
    if (m) showMark(m[1], entry.value === "1");
    restored.push(name);
    queue(name);
  });
  store();

  function answers(n) { return n === 1 ? "1 answer" : n + " answers"; }

  if (restored.length) {
    var what = answers(restored.length) + " you typed in this browser had not been saved, so " +
      (restored.length === 1 ? "it has" : "they have") + " been put back in " +
      (restored.length === 1 ? "its box" : "their boxes") + ".";
    announce(what + " Saving now...");
    chain.then(function () {
      var tally = { saved: 0, conflict: 0, failed: 0 };
      restored.forEach(function (name) { tally[outcome[name] || "failed"] += 1; });
      var parts = [what];
      if (tally.saved) parts.push(answers(tally.saved) + " saved.");
      if (tally.conflict) {
        parts.push(answers(tally.conflict) + " had been changed by someone else meanwhile: " +
          "nothing was saved over theirs. Their text is shown beside each box, yours is in it; " +
          "save again to keep yours.");
      }
      if (tally.failed) parts.push(answers(tally.failed) + " not saved yet: see beside each.");
      announce(parts.join(" "));
    });
  }
})();
