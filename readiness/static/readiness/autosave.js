/* Autosave for readiness drafts: a progressive enhancement of the plain form.
   Each field is posted to the autosave endpoint with its answer's version number, shortly after
   typing stops and when the field loses focus. The server refuses a stale version (409) and
   sends back the other person's text, which is shown beside the field. Without JavaScript the
   "Save draft" button saves everything. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-autosave-url");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timers = {};
  var chain = Promise.resolve(); // one request at a time, so each carries the latest version
  var pending = 0; // fields typed but not yet saved (exposed as data-autosave-pending)

  function count(delta) {
    pending += delta;
    form.setAttribute("data-autosave-pending", String(pending));
  }
  var pattern = /^a(\d+)-(yes_no|response|next_steps)$/;

  function say(id, text) {
    var el = document.getElementById("a" + id + "-status");
    if (el) el.textContent = text;
  }

  function save(el) {
    var m = pattern.exec(el.name);
    if (!m) return;
    var id = m[1];
    chain = chain
      .then(function () { return send(el, id, m[2]); })
      .then(function () { count(-1); });
  }

  // each field's hidden "-original" input holds the value it had when last loaded or saved, so
  // a save (this script's or the whole form's Save draft) tells the server what it started from:
  // a field not touched here never overwrites someone else's answer, and someone else's save to
  // another field is no conflict
  function original(name) {
    return form.querySelector('[name="' + name + '-original"]');
  }

  function send(el, id, field) {
    var version = form.querySelector('[name="a' + id + '-version"]');
    var value = el.value;
    var body = new FormData();
    body.append("answer", id);
    body.append("field", field);
    body.append("value", value);
    body.append("version", version.value);
    var basis = original(el.name);
    body.append("original", basis ? basis.value : "");
    say(id, "Saving...");
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (r) {
      if (r.type === "opaqueredirect" || r.status === 403 || r.status === 0) {
        say(id, "Not saved: you have been signed out. Your last saved draft is kept; sign in again in a new tab, then press Save draft.");
        return null;
      }
      return r.json().then(function (data) {
        if (r.ok) {
          version.value = data.version;
          if (basis) basis.value = value;
          say(id, "Saved at " + data.saved_at);
          var p = document.getElementById("progress-count");
          if (p) p.textContent = data.answered + " of " + data.total;
        } else if (r.status === 409) {
          version.value = data.version;
          if (basis) basis.value = data.theirs; // saving again (having seen theirs) keeps yours
          say(id, data.message + " Their text: " + data.theirs);
        } else {
          say(id, "Not saved: " + (data.error || "please press Save draft."));
        }
      });
    }).catch(function () {
      say(id, "Not saved: no connection. Your text is still here; press Save draft when you are back online.");
    });
  }

  form.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.name || !pattern.test(el.name)) return;
    if (timers[el.name]) clearTimeout(timers[el.name]);
    else count(1);
    timers[el.name] = setTimeout(function () {
      delete timers[el.name];
      save(el);
    }, el.type === "radio" ? 0 : 800);
  });
  form.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.name || !pattern.test(el.name) || el.type === "radio") return;
    if (timers[el.name]) { clearTimeout(timers[el.name]); delete timers[el.name]; save(el); }
  });
  // closing the tab with typing not yet saved: flush it and ask the browser to warn
  window.addEventListener("beforeunload", function (e) {
    if (!pending) return;
    Object.keys(timers).forEach(function (name) {
      clearTimeout(timers[name]);
      delete timers[name];
      save(form.querySelector('[name="' + name + '"]:checked') || form.elements[name]);
    });
    e.preventDefault();
    e.returnValue = "";
  });
  form.addEventListener("submit", function () {
    Object.keys(timers).forEach(function (name) { clearTimeout(timers[name]); delete timers[name]; });
    pending = 0;
  });
})();
