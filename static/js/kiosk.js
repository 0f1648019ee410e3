// The waiting-room kiosk: idle reset, "Start again", history that never grows, no way out,
// and a calm "One moment…" overlay while the server does not answer.
// Settings come from data- attributes on <body> (strict CSP: no inline script).
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.classList.contains("kiosk")) {
    return;
  }

  function seconds(value, fallback) {
    var n = parseInt(value, 10);
    return isNaN(n) || n <= 0 ? fallback : n;
  }

  var config = {
    idleMs: seconds(body.dataset.kioskIdle, 90) * 1000,
    // WCAG 2.2.1: at least 20 seconds to say "I am still here".
    warningMs: Math.max(seconds(body.dataset.kioskWarning, 30), 20) * 1000,
    printer: body.dataset.kioskPrinter === "true",
    home: body.dataset.kioskHome || "/kiosk/",
    // Where a reset lands: the start screen in the screen's own language (the unprefixed /kiosk/
    // follows the browser's language), not the last patient's.
    entry: body.dataset.kioskEntry || body.dataset.kioskHome || "/kiosk/",
    reset: body.dataset.kioskReset || "/kiosk/reset/",
    health: body.dataset.kioskHealth || "/healthz",
  };
  var TRAIL_KEY = "kiosk-trail";
  var KEPT_COOKIES = ["csrftoken", "kiosk_profile"];
  var MAX_RETRY_MS = 30000;
  var HEALTH_TIMEOUT_MS = 5000;

  if ("scrollRestoration" in history) {
    history.scrollRestoration = "manual";
  }

  // -- the server: is it there? ---------------------------------------------------------------
  function checkServer() {
    var controller = "AbortController" in window ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, HEALTH_TIMEOUT_MS) : null;
    return fetch(config.health, {
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(
      function (response) {
        clearTimeout(timer);
        if (!response.ok) {
          throw new Error("health check " + response.status);
        }
      },
      function (error) {
        clearTimeout(timer);
        throw error;
      }
    );
  }

  // -- "One moment…": shown while the server does not answer, retried with back-off ----------
  var outageDialog = document.getElementById("kiosk-outage");
  var outage = null; // {delay, recover, since} while the overlay is up

  function showOutage(recover) {
    if (outage) {
      outage.recover = recover || outage.recover;
      return;
    }
    outage = { delay: 1000, recover: recover || null, idleSince: lastActivity };
    closeWarning();
    if (outageDialog && !outageDialog.open) {
      outageDialog.showModal();
    }
    setTimeout(probe, outage.delay);
  }

  function probe() {
    checkServer().then(
      function () {
        var state = outage;
        outage = null;
        if (outageDialog && outageDialog.open) {
          outageDialog.close();
        }
        if (Date.now() - state.idleSince >= config.idleMs) {
          // Nobody has touched the screen for longer than the idle time: the next person is
          // probably here, so start again rather than show the last patient's page.
          startAgain();
        } else if (state.recover) {
          state.recover();
        } else {
          lastActivity = Date.now();
        }
      },
      function () {
        outage.delay = Math.min(outage.delay * 2, MAX_RETRY_MS);
        setTimeout(probe, outage.delay);
      }
    );
  }

  if (outageDialog) {
    outageDialog.addEventListener("cancel", function (event) {
      event.preventDefault(); // Escape cannot dismiss it: it goes when the server is back
    });
  }

  // -- history that never grows: Back cannot show the previous patient -----------------------
  function trail() {
    try {
      return JSON.parse(sessionStorage.getItem(TRAIL_KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function saveTrail(items) {
    try {
      sessionStorage.setItem(TRAIL_KEY, JSON.stringify(items.slice(-20)));
    } catch (error) {
      /* storage full or off: the on-screen Back button just stays hidden */
    }
  }

  // Every navigation replaces the current history entry, so the browser's history holds one
  // page only; the on-screen Back button uses a trail kept in sessionStorage instead, which a
  // reset wipes.
  function go(href, remember) {
    checkServer().then(
      function () {
        if (remember) {
          saveTrail(trail().concat([location.href]));
        }
        location.replace(href);
      },
      function () {
        showOutage(function () { go(href, remember); });
      }
    );
  }

  function isPlainLink(link) {
    return !(
      link.hasAttribute("hx-get") || link.hasAttribute("data-hx-get") ||
      link.hasAttribute("hx-post") || link.hasAttribute("data-hx-post") ||
      link.hasAttribute("hx-boost") || link.hasAttribute("data-hx-boost")
    );
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !isPlainLink(link)) {
      return;
    }
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin) {
      event.preventDefault(); // never leave the kiosk (the server already turns these into text)
      return;
    }
    if (url.pathname === location.pathname && url.search === location.search && url.hash) {
      return; // a link within this page
    }
    event.preventDefault();
    go(url.href, url.pathname !== config.home);
  });

  // htmx would push filter states etc. into history: replace the current entry instead.
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    if (event.detail && event.detail.history) {
      event.detail.history.type = "replace";
    }
  });

  // -- one Back: the previous step ---------------------------------------------------------
  // The header's Back is a real link (it works without JavaScript) to the previous step the
  // server knows: in a questionnaire the previous question, elsewhere the page above this one.
  // Questionnaire steps arrive by HTMX, so the newest data-kiosk-back-url in the page (the
  // swapped-in step's) moves to the button. Outside a questionnaire ("parent"), Back goes to
  // the page the patient actually came from, from the trail, when there is one.
  var backLink = document.querySelector("a[data-kiosk-back]");
  if (location.pathname === config.home) {
    try { sessionStorage.removeItem(TRAIL_KEY); } catch (error) { /* storage off */ }
  } else {
    // Arriving at the page on top of the trail (by a step Back, say): it is not "before" us.
    var items = trail();
    var changed = false;
    while (items.length && samePage(items[items.length - 1], location.href)) {
      items.pop();
      changed = true;
    }
    if (changed) {
      saveTrail(items);
    }
  }

  function samePage(a, b) {
    var x = new URL(a, location.href);
    var y = new URL(b, location.href);
    return x.pathname === y.pathname && x.search === y.search;
  }

  function syncBack() {
    if (!backLink) {
      return;
    }
    var sources = document.querySelectorAll("[data-kiosk-back-url]");
    var source = sources.length ? sources[sources.length - 1] : null;
    if (source && source.getAttribute("data-kiosk-back-url")) {
      backLink.setAttribute("href", source.getAttribute("data-kiosk-back-url"));
      backLink.setAttribute("data-kiosk-back-kind", source.getAttribute("data-kiosk-back-kind") || "parent");
    }
  }
  syncBack();
  // afterSwap runs in the same task as the swap, so no tap can land on a stale Back.
  document.addEventListener("htmx:afterSwap", syncBack);
  document.addEventListener("htmx:afterSettle", syncBack);

  if (backLink) {
    backLink.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      var target = backLink.href;
      if (backLink.getAttribute("data-kiosk-back-kind") !== "step") {
        var items = trail();
        var previous = items.pop();
        if (previous) {
          saveTrail(items);
          target = previous;
        }
      }
      go(target, false);
    });
  }

  // -- one Start again: asks first, then forgets everything ------------------------------------
  // Without JavaScript the header link opens the "Start again?" page; here the same question
  // comes as a dialog.
  var restartDialog = document.getElementById("kiosk-restart-confirm");
  var restartLink = document.querySelector("a[data-kiosk-restart]");
  if (restartDialog && restartLink) {
    restartLink.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      if (!restartDialog.open) {
        restartDialog.showModal();
        restartDialog.querySelector("[data-kiosk-restart-no]").focus();
      }
    });
    restartDialog.querySelector("[data-kiosk-restart-yes]").addEventListener("click", function () {
      startAgain();
    });
    restartDialog.querySelector("[data-kiosk-restart-no]").addEventListener("click", function () {
      restartDialog.close();
    });
  }

  // Plain (non-htmx) forms: make sure the server is there before the browser leaves the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.action && new URL(form.action, location.href).pathname === config.reset) {
      event.preventDefault(); // the "Start again?" page's "Yes": reset here, as the dialog does
      startAgain();
      return;
    }
    if (form.dataset.kioskChecked === "yes" || form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    checkServer().then(
      function () {
        form.dataset.kioskChecked = "yes";
        if (form.requestSubmit) {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
      },
      function () {
        showOutage(null);
      }
    );
  }, true);

  // Server trouble during an htmx request: the calm overlay, never an error.
  document.addEventListener("htmx:sendError", function () { showOutage(null); });
  document.addEventListener("htmx:timeout", function () { showOutage(null); });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 500) {
      showOutage(null);
    }
  });

  // -- idle: "Are you still here?", then start again -----------------------------------------
  var lastActivity = Date.now();
  var warningDeadline = null;
  var resetting = false;
  var idleDialog = document.getElementById("kiosk-idle");
  var countdown = idleDialog ? idleDialog.querySelector("[data-kiosk-countdown]") : null;

  function activity() {
    if (warningDeadline === null) {
      lastActivity = Date.now();
    }
  }
  ["pointerdown", "touchstart", "keydown", "wheel", "scroll", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });

  function showCountdown(ms) {
    if (countdown) {
      countdown.textContent = String(Math.max(0, Math.ceil(ms / 1000)));
    }
  }

  function openWarning() {
    warningDeadline = Date.now() + config.warningMs;
    showCountdown(config.warningMs);
    if (idleDialog && !idleDialog.open) {
      idleDialog.showModal();
      var continueButton = idleDialog.querySelector("[data-kiosk-continue]");
      if (continueButton) {
        continueButton.focus();
      }
    }
  }

  function closeWarning() {
    warningDeadline = null;
    if (idleDialog && idleDialog.open) {
      idleDialog.close();
    }
  }

  function keepGoing() {
    closeWarning();
    lastActivity = Date.now();
  }

  if (idleDialog) {
    idleDialog.querySelector("[data-kiosk-continue]").addEventListener("click", keepGoing);
    idleDialog.querySelector("[data-kiosk-restart-now]").addEventListener("click", function () {
      startAgain();
    });
    idleDialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      keepGoing(); // Escape means "I am still here"
    });
  }

  function tick() {
    if (resetting || outage || body.hasAttribute("data-kiosk-unavailable")) {
      return;
    }
    var now = Date.now();
    if (warningDeadline === null) {
      if (now - lastActivity >= config.idleMs) {
        openWarning();
      }
    } else if (now >= warningDeadline) {
      startAgain();
    } else {
      showCountdown(warningDeadline - now);
    }
  }
  setInterval(tick, 1000);

  // -- start again: forget everything about this patient -------------------------------------
  function expireReadableCookies() {
    var paths = ["/", config.home];
    var parts = location.pathname.split("/");
    for (var i = 1; i < parts.length; i++) {
      paths.push(parts.slice(0, i + 1).join("/") + "/");
    }
    document.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (!name || KEPT_COOKIES.indexOf(name) >= 0) {
        return;
      }
      paths.forEach(function (path) {
        document.cookie = name + "=; Max-Age=0; Path=" + path + "; SameSite=Lax";
      });
    });
  }

  function wipeBrowser() {
    try { sessionStorage.clear(); } catch (error) { /* storage off */ }
    try { localStorage.clear(); } catch (error) { /* storage off */ }
    expireReadableCookies();
    window.scrollTo(0, 0);
  }

  function startAgain() {
    if (resetting) {
      return;
    }
    resetting = true;
    closeWarning();
    if (restartDialog && restartDialog.open) {
      restartDialog.close();
    }
    // The server flushes the session and expires every cookie but the kiosk profile and CSRF
    // token (HttpOnly ones too, which this script cannot see).
    fetch(config.reset, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
    }).then(
      function (response) {
        if (response.type !== "opaqueredirect" && !response.ok) {
          throw new Error("reset " + response.status);
        }
        wipeBrowser();
        location.replace(config.entry); // replace: Back cannot return to the last patient's page
      },
      function () {
        resetting = false;
        showOutage(startAgain);
      }
    );
  }

  // -- touch lock-down: no long-press menu (its "search the web" would leave the kiosk) -------
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  document.addEventListener("dragstart", function (event) { event.preventDefault(); });

  // -- printing only where a printer is attached ----------------------------------------------
  if (!config.printer) {
    window.print = function () {};
    // Print buttons of the patient pages (data-print) have nothing to print to here.
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.remove();
    });
  }
  // On the leaflet screen Print prints the framed leaflet (never the kiosk page around it).
  var leafletFrame = document.querySelector("iframe[data-kiosk-leaflet]");
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-kiosk-print]") : null;
    if (!button || !config.printer) {
      return;
    }
    if (leafletFrame && leafletFrame.contentWindow) {
      leafletFrame.contentWindow.focus();
      leafletFrame.contentWindow.print();
    } else {
      window.print();
    }
  });
  // Reading the leaflet (scrolling or touching inside the frame) counts as being here.
  function watchFrame() {
    var doc = null;
    try {
      doc = leafletFrame.contentDocument;
    } catch (error) {
      return; // not the kiosk's own document: nothing to watch
    }
    if (!doc) {
      return;
    }
    ["pointerdown", "touchstart", "keydown", "wheel", "scroll"].forEach(function (name) {
      doc.addEventListener(name, activity, { capture: true, passive: true });
    });
  }
  if (leafletFrame) {
    leafletFrame.addEventListener("load", watchFrame);
    watchFrame();
  }

  // -- number pad: a number question is answered by touch, no keyboard ------------------------
  // The pad is in the page (hidden without JavaScript); steps arrive by HTMX, so listen on the
  // document and reveal pads after each swap.
  function revealKeypads() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kiosk-keypad][hidden]"), function (pad) {
      pad.hidden = false;
    });
  }
  revealKeypads();
  document.addEventListener("htmx:afterSettle", revealKeypads);
  document.addEventListener("click", function (event) {
    var key = event.target.closest ? event.target.closest("[data-kiosk-keypad] [data-key]") : null;
    if (!key) {
      return;
    }
    var pad = key.closest("[data-kiosk-keypad]");
    var input = document.getElementById(pad.getAttribute("data-kiosk-keypad"));
    if (!input) {
      return;
    }
    var value = key.getAttribute("data-key");
    if (value === "back") {
      input.value = input.value.slice(0, -1);
    } else if (value !== "." || input.value.indexOf(".") === -1) {
      input.value = (input.value + value).slice(0, 8);
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // The "One moment…" page a server error was replaced with: wait for the server, then start.
  if (body.hasAttribute("data-kiosk-unavailable")) {
    showOutage(function () { location.replace(config.entry); });
  }
})();
