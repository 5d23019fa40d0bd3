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

  function progress(data) {
    var p = document.getElementById("progress-count");
    if (p) p.textContent = data.answered + " of " + data.total;
  }

  // POST to the autosave endpoint; resolves to {status, data}, or {status: "signed-out"}
  function post(fields) {
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
        return { status: "signed-out" };
      }
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  var SIGNED_OUT = "Not saved: you have been signed out. Your last saved draft is kept; sign in again in a new tab, then press Save draft.";
  var OFFLINE = "Not saved: no connection. Your text is still here; press Save draft when you are back online.";

  function send(el, id, field) {
    var version = form.querySelector('[name="a' + id + '-version"]');
    var value = el.value;
    var basis = original(el.name);
    say(id, "Saving...");
    return post({
      answer: id, field: field, value: value, version: version.value,
      original: basis ? basis.value : ""
    }).then(function (r) {
      var data = r.data;
      if (r.status === "signed-out") {
        say(id, SIGNED_OUT);
      } else if (r.status === 200) {
        version.value = data.version;
        if (basis) basis.value = value;
        say(id, "Saved at " + data.saved_at);
        progress(data);
      } else if (r.status === 409) {
        version.value = data.version;
        if (basis) basis.value = data.theirs; // saving again (having seen theirs) keeps yours
        say(id, data.message + " Their text: " + data.theirs);
      } else {
        say(id, "Not saved: " + (data.error || "please press Save draft."));
      }
    }).catch(function () { say(id, OFFLINE); });
  }

  // state of readiness: a profession marked not employed here hides its four boxes (their text
  // is kept) and shows "not applicable" in their place
  var markPattern = /^p(\d+)-not_applicable$/;
  var markStatus = document.getElementById("not-applicable-status");

  function showMark(profession, marked) {
    var blocks = form.querySelectorAll('[data-profession="' + profession + '"]');
    Array.prototype.forEach.call(blocks, function (block) {
      block.querySelector(".app-not-applicable").hidden = !marked;
      block.querySelector(".nhsuk-form-group").hidden = marked;
    });
  }

  function sendMark(box) {
    var basis = original(box.name);
    var value = box.checked ? "1" : "";
    var name = box.labels && box.labels[0] ? box.labels[0].firstChild.textContent : "";
    if (markStatus) markStatus.textContent = "Saving...";
    return post({
      answer: box.getAttribute("data-answer"), field: "not_applicable", value: value,
      original: basis ? basis.value : ""
    }).then(function (r) {
      var text;
      if (r.status === "signed-out") text = SIGNED_OUT;
      else if (r.status === 200) {
        if (basis) basis.value = value;
        Object.keys(r.data.versions).forEach(function (id) {
          var v = form.querySelector('[name="a' + id + '-version"]');
          if (v) v.value = r.data.versions[id];
        });
        progress(r.data);
        text = name + (value ? ": marked not employed here, its questions answered not applicable."
                             : ": marked employed again, its questions to be answered.") +
               " Saved at " + r.data.saved_at;
      } else text = "Not saved: " + (r.data.error || "please press Save draft.");
      if (markStatus) markStatus.textContent = text;
    }).catch(function () { if (markStatus) markStatus.textContent = OFFLINE; });
  }

  form.addEventListener("change", function (e) {
    var box = e.target;
    var m = markPattern.exec(box.name || "");
    if (!m) return;
    showMark(m[1], box.checked);
    count(1);
    chain = chain
      .then(function () { return sendMark(box); })
      .then(function () { count(-1); });
  });

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
