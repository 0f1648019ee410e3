// Progressive enhancement only: every page works without this file.
"use strict";

(function () {
  // After a boosted page swap, move focus to the new page's heading so screen-reader and
  // keyboard users start at the top of the new content, as after a full page load.
  function focusNewPage() {
    var target = document.querySelector("main h1") || document.getElementById("main");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: !!window.location.hash });
    if (window.location.hash) {
      var anchor = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (anchor) anchor.scrollIntoView();
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    // A boosted page, or the kiosk's in-place page swap (#main): start at the new heading.
    if ((event.detail && event.detail.boosted) || (target && target.id === "main")) focusNewPage();
  });
})();

// == questionnaire ==
(function () {
  // After HTMX swaps in the next question, move focus to its error summary or heading, so
  // screen-reader and keyboard users start at the new question as after a page load.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target0 = event.detail && event.detail.target;
    if (!target0 || target0.id !== "question-step") return;
    var step = document.getElementById("question-step");
    if (!step) return;
    var target = step.querySelector("[data-focus-first]") || step.querySelector("[data-focus]");
    if (target) target.focus();
  });
  // A refused answer (400: a tampered form, answers that could not be read) comes back as a
  // step or "please start again" fragment: show it, as the same post without JavaScript would.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && detail.xhr.status === 400 && detail.target && detail.target.id === "question-step") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
  // A print button only makes sense with JavaScript: reveal it and wire it up.
  function showPrintButtons() {
    document.querySelectorAll("[data-print][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("htmx:afterSettle", showPrintButtons);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showPrintButtons);
  else showPrintButtons();
})();

// == exclusive answers ==
(function () {
  // "None of these" (data-exclusive) cannot go with another answer: ticking one unticks the
  // others, as the server would refuse the combination anyway (it says why, without JS).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".question-form input[type=checkbox]") || !box.checked) return;
    var boxes = box.form.querySelectorAll("input[type=checkbox][name='" + box.name + "']");
    boxes.forEach(function (other) {
      if (other === box) return;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) other.checked = false;
    });
  });
})();

// == page feedback ==
(function () {
  // The button just pressed is gone after the swap: move focus to the new box's first field
  // (the note or the report's question), or to the status line that says thank you.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "page-feedback") return;
    var box = document.getElementById("page-feedback");
    if (!box) return;
    var next = box.querySelector("[data-focus]");
    if (!next) {
      next = document.getElementById("page-feedback-status");
      if (next && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    }
    if (next) next.focus();
  });
  // A refused post (too many, or a form to correct) still shows its message in the box.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr && detail.xhr.status;
    if ((status === 400 || status === 429) && detail.target && detail.target.id === "page-feedback") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();

// == treatment comparison: "Compare (n)" ==
(function () {
  // The sticky bar counts the ticks as they change. Pressing Compare with fewer than two (or
  // more than the limit) shows what to do next to the button and moves focus there; the ticks
  // stay as they are. Without JavaScript the server gives the same answer (see the view).
  function boxes(form) {
    return form.querySelectorAll("input[type=checkbox][name=compare]");
  }
  function ticked(form) {
    return Array.prototype.filter.call(boxes(form), function (box) { return box.checked; }).length;
  }
  function showCount(form) {
    var button = form.querySelector("[data-compare-button]");
    if (!button || !button.dataset.countLabel) return;
    button.textContent = button.dataset.countLabel.replace("#", String(ticked(form)));
  }
  function showError(form, message) {
    var error = form.querySelector("#compare-error");
    var button = form.querySelector("[data-compare-button]");
    if (!error) return;
    error.textContent = message;
    error.hidden = false;
    if (button) button.setAttribute("aria-describedby", "compare-error");
    error.focus({ preventScroll: true }); // it is in the sticky bar, already in view
  }
  function clearError(form) {
    var error = form.querySelector("#compare-error");
    var button = form.querySelector("[data-compare-button]");
    if (!error || error.hidden) return;
    error.hidden = true;
    error.textContent = "";
    if (button) button.removeAttribute("aria-describedby");
  }
  function setUp(root) {
    var forms = root.querySelectorAll ? root.querySelectorAll("[data-compare-form]") : [];
    Array.prototype.forEach.call(forms, showCount);
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-compare-form] input[name=compare]")) return;
    var form = box.form;
    showCount(form);
    var count = ticked(form);
    var max = parseInt(form.dataset.compareMax, 10);
    if (count >= parseInt(form.dataset.compareMin, 10) && count <= max) clearError(form);
  });

  // Capture phase: runs before htmx's own submit handler on the form, so a refused choice
  // sends no request at all.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-compare-form]")) return;
    var count = ticked(form);
    var message = "";
    if (count < parseInt(form.dataset.compareMin, 10)) message = form.dataset.errorFew;
    else if (count > parseInt(form.dataset.compareMax, 10)) message = form.dataset.errorMany;
    if (!message) return;
    event.preventDefault();
    event.stopPropagation();
    showError(form, message);
  }, true);

  // A swapped-in list (a filter, "back to all the options", an answer from the server) shows
  // its own count; an answer with an error focuses it (htmx honours autofocus); a comparison
  // takes focus to itself, as the button that asked for it has gone.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "comparison-table") return;
    var table = document.getElementById("comparison-table");
    if (!table) return;
    setUp(table);
    var error = table.querySelector("#compare-error:not([hidden])");
    var region = table.querySelector(".compare-columns") && table.querySelector(".table-scroll");
    var next = error || region;
    if (next) {
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: error ? "nearest" : "start" });
    }
  });
  // On a phone the filters fold away while none is on, so the options come a screen sooner;
  // without JavaScript they stay open.
  function foldFilters(root) {
    var panel = root.querySelector && root.querySelector("[data-filter-panel]");
    if (!panel || panel.hasAttribute("data-filter-active")) return;
    if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) panel.open = false;
  }
  foldFilters(document);
  document.addEventListener("htmx:historyRestore", function () { setUp(document); foldFilters(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
