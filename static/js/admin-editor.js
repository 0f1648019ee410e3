/* The clinicians' editor (Django admin change forms of reviewable content). The form works
   without this file; with it:
   - leaving the page, or sending another form on it (a workflow step that does not save, a
     comment), with unsaved changes asks first instead of losing the typing, and the question
     names the changed fields (the browser's own leave dialog cannot);
   - the error summary is scrolled into view and focused, and its links open a folded group
     and put the cursor in the field;
   - long Markdown fields (data-live-preview) get a live preview under them, with the reading
     grade against the target and the hardest sentences marked, as the clinician types;
   - a heartbeat every minute keeps "X has been editing this since 10:02" true for others
     (it lapses 15 minutes after the page is closed; saving ends it at once).
   A file, not inline script: the admin runs under the same strict CSP as the patient site. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function openAround(element) {
    var details = element.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  function goTo(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    openAround(target);
    var summary = target.closest("summary");
    if (summary && summary.parentElement) summary.parentElement.open = true;
    if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return true;
  }

  ready(function () {
    var config = document.getElementById("editor-config");
    if (!config) return;
    var form = document.getElementById(config.dataset.formId);
    if (!form) return;
    var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    var csrf = tokenInput ? tokenInput.value : "";

    // -- unsaved changes ---------------------------------------------------------------------
    // A field counts as changed while its value differs from the one the page was loaded with,
    // so undoing a change undoes the warning. The confirmations name what is not saved.
    var leaving = false;
    function isChanged(field) {
      if (!field.name || field.disabled || field.closest(".empty-form")) return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        var options = Array.prototype.slice.call(field.options);
        if (field.multiple) return options.some(function (o) { return o.selected !== o.defaultSelected; });
        var initial = options.filter(function (o) { return o.defaultSelected; })[0] || options[0];
        return initial ? field.value !== initial.value : false;
      }
      if (field.type === "file") return field.files && field.files.length > 0;
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
      return field.value !== field.defaultValue;
    }
    function clean(text) {
      return (text || "").replace(/\s+/g, " ").replace(/[:\s]+$/, "").trim();
    }
    function describe(field) {
      var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
      var name = clean(label ? label.textContent : "");
      var group = field.closest("fieldset.build-choices");
      if (!name && group) name = clean(group.querySelector("legend").textContent);
      if (!name) name = field.name;
      var item = field.closest(".inline-related, .build-item");
      var heading = item ? item.querySelector("h3") : null;
      var where = heading ? clean(heading.textContent).slice(0, 60) : "";
      return where ? where + ": " + name : name;
    }
    // After a refused save the form shows what was typed, none of it saved.
    var refused = !!document.getElementById("error-summary");
    function unsaved() {
      if (refused) return [config.dataset.unsavedRefused || "Everything on this form"];
      var names = [];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!isChanged(field)) return;
        var name = describe(field);
        if (names.indexOf(name) < 0) names.push(name);
      });
      return names;
    }
    function confirmLeaving(question) {
      var names = unsaved();
      if (!names.length) return true;
      var shown = names.slice(0, 8).map(function (n) { return "\u2022 " + n; });
      if (names.length > 8) shown.push((config.dataset.unsavedMore || "and %s more").replace("%s", names.length - 8));
      var ok = window.confirm(question + "\n\n" + (config.dataset.unsavedList || "Not saved:") + "\n" + shown.join("\n"));
      if (ok) leaving = true;
      return ok;
    }
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && unsaved().length) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    // Any form on the page: the main form saves (no question); any other one (a workflow step
    // that does not save, a comment) leaves the page, so it asks first, naming the changes.
    document.addEventListener("submit", function (event) {
      if (event.target === form) {
        leaving = true;
        return;
      }
      var button = event.submitter;
      var question = button && button.dataset.unsavedQuestion ? button.dataset.unsavedQuestion : config.dataset.unsavedMessage;
      if (!confirmLeaving(question)) event.preventDefault();
    }, true);
    // A workflow link (approve, send back: the changes page) asks the same way.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-unsaved-question]");
      if (!link) return;
      if (!confirmLeaving(link.dataset.unsavedQuestion)) event.preventDefault();
    });

    // -- error summary and contents links --------------------------------------------------
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#'], .form-contents a[href^='#'], .stale-panel a[href^='#']");
      if (!link) return;
      if (goTo(link.getAttribute("href").slice(1))) event.preventDefault();
    });

    // -- live preview ------------------------------------------------------------------------
    var previewUrl = config.dataset.previewUrl;
    var timers = new WeakMap();
    var panels = new WeakMap();
    function panelFor(field) {
      var panel = panels.get(field);
      if (panel) return panel;
      panel = document.createElement("div");
      panel.className = "live-preview";
      panel.setAttribute("role", "region");
      var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
      panel.setAttribute("aria-label", "Preview" + (label ? ": " + label.textContent.replace(/:\s*$/, "") : ""));
      var row = field.closest(".flex-container") || field;
      row.insertAdjacentElement("afterend", panel);
      panels.set(field, panel);
      return panel;
    }
    var latest = new WeakMap();  // field -> number of its newest request
    function refresh(field) {
      var number = (latest.get(field) || 0) + 1;
      latest.set(field, number);
      var body = new FormData();
      body.append("text", field.value);
      return fetch(previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null || latest.get(field) !== number) return;  // a newer one is coming
        var panel = panelFor(field);
        panel.innerHTML = html;
        showGradeInHeading(field, panel);
      }).catch(function () { /* offline: the preview waits for the next keystroke */ });
    }
    // A folded section shows its grade beside its heading, so the hard ones stand out.
    function showGradeInHeading(field, panel) {
      var heading = field.closest(".folded-row") && field.closest(".folded-row").querySelector("summary h3");
      var line = panel.querySelector(".preview-grade");
      if (!heading || !line) return;
      var badge = heading.querySelector(".summary-grade");
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "summary-grade";
        heading.appendChild(badge);
      }
      badge.textContent = line.dataset.grade ? "grade " + line.dataset.grade : "";
      badge.classList.toggle("over-target", line.classList.contains("over-target"));
    }
    function isPreviewed(element) {
      return element.matches && element.matches("textarea[data-live-preview]") && !element.closest(".empty-form");
    }
    if (previewUrl) {
      form.addEventListener("input", function (event) {
        var field = event.target;
        if (!isPreviewed(field)) return;
        clearTimeout(timers.get(field));
        timers.set(field, setTimeout(function () { refresh(field); }, 400));
      });
      // No requests on opening the page: a field is previewed when the writer goes into it
      // (or opens its folded section) and again as they type.
      form.addEventListener("focusin", function (event) {
        var field = event.target;
        if (isPreviewed(field) && !panels.get(field)) refresh(field);
      });
      form.addEventListener("toggle", function (event) {
        if (!event.target.open) return;
        event.target.querySelectorAll("textarea[data-live-preview]").forEach(function (field) {
          if (isPreviewed(field) && !panels.get(field) && field.value.trim()) refresh(field);
        });
      }, true);
    }

    // -- heartbeat: who else is editing ----------------------------------------------------
    var editingUrl = config.dataset.editingUrl;
    var others = document.getElementById("editing-others");
    if (editingUrl && others) {
      setInterval(function () {
        fetch(editingUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf },
        }).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          if (html !== null) others.innerHTML = html;
        }).catch(function () {});
      }, 60000);
    }
  });
})();
