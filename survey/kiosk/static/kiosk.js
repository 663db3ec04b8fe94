/* Kiosk: the citizen questionnaire on a paired desk tablet, working with or without a connection.

   The whole questionnaire comes once as JSON (survey/kiosk/definition.py) and its pages are drawn
   here; skip logic is the server's parsed expression trees, evaluated by relevance.js with the rules
   of survey/questionnaire/relevance.py. A completed questionnaire gets a UUID made on the
   tablet, is encrypted with the device key and queued on the tablet (queue.js); the queue is sent whenever the connection allows, and the
   server stores each id once. Nothing of a respondent stays on screen or in memory after
   "Gửi phiếu": the next person always starts from a blank questionnaire. */
(function () {
  "use strict";

  var root = document.getElementById("kiosk");
  if (!root) { return; }
  var CENTRE = root.dataset.centre;
  var DEFINITION_URL = root.dataset.definition;
  var SUBMIT_URL = root.dataset.submit;
  var CACHE = "kiosk-v1";
  var queue = window.KioskQueue;
  var IDLE_MS = 10 * 60 * 1000;  /* a questionnaire left this long is another person's: start afresh */
  var THANKS_MS = 15 * 1000;
  var RETRY_MS = 30 * 1000;
  var INTEGER_BOUNDS = [0, 1000000];  /* the citizen form's bounds when an item sets none */
  var TEXT_MAX = 2000;

  var screen = document.getElementById("kiosk-screen");
  var definition = null;
  var current = null;  /* the respondent in progress: answers, assigned blocks, start time, page */
  var idleTimer = null;
  var thanksTimer = null;

  /* ---------- sending the queue ---------- */

  var syncing = null;
  var problem = "";

  function sendOne(record) {
    /* Whether to go on with the next record: not when offline or the server refuses the device. */
    return queue.decrypt(record).then(function (submission) {
      return fetch(SUBMIT_URL, {method: "POST", credentials: "same-origin",
                                headers: {"Content-Type": "application/json"}, body: JSON.stringify(submission)});
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        problem = "";
        return queue.remove(record.id).then(function () { return true; });
      }
      return response.json().catch(function () { return {}; }).then(function (body) {
        problem = body.error || ("Máy chủ trả lời lỗi " + response.status + ".");
        return response.status < 500 && response.status !== 403 && response.status !== 429;
      });
    }, function () { return false; });
  }

  function sync() {
    if (syncing) { return syncing; }
    syncing = queue.waiting(CENTRE).then(function (records) {
      return records.reduce(function (chain, record) {
        return chain.then(function (goOn) { return goOn && sendOne(record); });
      }, Promise.resolve(true));
    }).catch(function () { return false; }).then(function () {
      syncing = null;
      return showStatus();
    });
    return syncing;
  }

  function showStatus() {
    return queue.waiting(CENTRE).then(function (records) {
      var online = navigator.onLine;
      var network = document.getElementById("kiosk-network");
      network.textContent = online ? "Đang có mạng" : "Mất mạng: phiếu được giữ an toàn trên máy";
      network.className = online ? "" : "kiosk-offline";
      document.getElementById("kiosk-waiting").textContent = String(records.length);
      document.getElementById("kiosk-problem").textContent = records.length ? problem : "";
    });
  }

  var relevant = window.KioskRelevance.relevant;

  /* The items shown on each page for these answers, hidden items read as unanswered (model._walk). */
  function shownByPage(pages, answers) {
    var seen = Object.create(null), shown = {};
    pages.forEach(function (page) {
      var pageOn = relevant(page.relevant, seen);
      shown[page.code] = [];
      page.sections.forEach(function (section) {
        var sectionOn = pageOn && relevant(section.relevant, seen);
        section.items.forEach(function (item) {
          var on = sectionOn && relevant(item.relevant, seen);
          if (on && item.code in answers) { seen[item.code] = answers[item.code]; }
          if (on) { shown[page.code].push(item); }
        });
      });
    });
    return shown;
  }

  /* ---------- the respondent's path (survey/questionnaire/flow.py) ---------- */

  function drawBlocks() {
    return definition.blocks.filter(function (block) {
      return crypto.getRandomValues(new Uint32Array(1))[0] / 4294967296 < block.share;
    }).map(function (block) { return block.code; });
  }

  function askedPages(assigned) {
    var left = {};
    definition.blocks.forEach(function (block) {
      if (assigned.indexOf(block.code) < 0) { block.pages.forEach(function (code) { left[code] = true; }); }
    });
    return definition.pages.filter(function (page) { return !left[page.code]; });
  }

  function mandatoryPages() { return current.pages.filter(function (p) { return !p.optional; }).length; }

  function nextPage(from, step) {
    var shown = shownByPage(current.pages, current.answers);
    for (var candidate = from + step; candidate >= 0 && candidate < current.pages.length; candidate += step) {
      if (shown[current.pages[candidate].code].length) { return candidate; }
    }
    return null;
  }

  function tr(text) {
    if (!text) { return ""; }
    return text[current ? current.language : "vi"] || text.vi || text[Object.keys(text)[0]];
  }

  function chrome(key) {
    var language = current ? current.language : "vi";
    return (definition.text[language] || definition.text.vi)[key];
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  /* ---------- drawing ---------- */

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attributes.text; } else { node.setAttribute(name, attributes[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function question(item) {
    var answer = current.answers[item.code];
    var hint = item.hint ? element("p", {"class": "hint", id: "h-" + item.code, text: tr(item.hint)}) : null;
    var error = element("p", {"class": "error", id: "e-" + item.code, hidden: ""});
    var required = item.required ? element("span", {"class": "req", "aria-hidden": "true", text: " *"}) : null;
    if (item.choices) {
      var many = item.type === "select_many";
      var options = item.choices.map(function (choice, index) {
        var id = "k-" + item.code + "-" + index;
        var input = element("input", {type: many ? "checkbox" : "radio", name: item.code, id: id, value: choice.value});
        input.checked = many ? (answer || []).indexOf(choice.value) >= 0 : answer === choice.value;
        var cls = "opt" + (choice.value === "0" && item.type === "likert" ? " na" : "");
        return element("label", {"class": cls, "for": id}, [input, element("span", {text: tr(choice.label)})]);
      });
      return element("fieldset", {id: "q-" + item.code, "class": "q" + (item.type === "likert" ? " likert" : ""),
                                  "data-code": item.code},
                     [element("legend", {text: tr(item.label)}, [required]), hint, error,
                      element("div", {"class": "opts"}, options)]);
    }
    var field = item.type === "integer"
      ? element("input", {type: "text", inputmode: "numeric", id: "k-" + item.code, name: item.code})
      : element("textarea", {rows: "4", id: "k-" + item.code, name: item.code});
    field.value = answer || "";
    return element("div", {id: "q-" + item.code, "class": "q", "data-code": item.code},
                   [element("label", {"class": "qlabel", "for": "k-" + item.code, text: tr(item.label)}, [required]),
                    hint, error, field]);
  }

  function readAnswer(item) {
    var box = document.getElementById("q-" + item.code);
    if (item.choices) {
      var checked = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
      if (item.type === "select_many") { return checked.length ? checked : null; }
      return checked.length ? checked[0] : null;
    }
    var value = box.querySelector("input, textarea").value;
    return value.trim() === "" ? null : (item.type === "integer" ? value.trim() : value);
  }

  function problemWith(item, answer) {
    if (answer === null) {
      return item.required ? chrome(item.type === "select_many" ? "choose_some" : "choose") : null;
    }
    if (item.type === "integer") {
      var low = item.min !== null && item.min !== undefined ? item.min : INTEGER_BOUNDS[0];
      var high = item.max !== null && item.max !== undefined ? item.max : INTEGER_BOUNDS[1];
      var ok = /^\d{1,10}$/.test(answer) && Number(answer) >= low && Number(answer) <= high;
      return ok ? null : format(chrome("number"), {minimum: low, maximum: high});
    }
    if (item.type === "text" && answer.trim().length > TEXT_MAX) { return format(chrome("too_long"), {maximum: TEXT_MAX}); }
    return null;
  }

  function pageItems() { return current.pages[current.page].sections.reduce(function (all, s) { return all.concat(s.items); }, []); }

  function refreshVisibility() {
    var shown = shownByPage(current.pages, current.answers)[current.pages[current.page].code];
    var codes = shown.map(function (item) { return item.code; });
    pageItems().forEach(function (item) { document.getElementById("q-" + item.code).hidden = codes.indexOf(item.code) < 0; });
    current.pages[current.page].sections.forEach(function (section) {
      var box = document.getElementById("s-" + section.code);
      box.hidden = !section.items.some(function (item) { return codes.indexOf(item.code) >= 0; });
    });
    return shown;
  }

  function button(text, action, cls) {
    var node = element("button", {type: "button", "class": cls, "data-action": action, text: text});
    node.addEventListener("click", function () { act(action); });
    return node;
  }

  function renderPage(notice) {
    var page = current.pages[current.page];
    var total = mandatoryPages();
    var lastMandatory = current.page === total - 1;
    var lastPage = nextPage(current.page, 1) === null;
    var hasOptional = total < current.pages.length;
    var languages = Object.keys(definition.languages).filter(function (code) { return code !== current.language; })
      .map(function (code) {
        var switcher = button(definition.languages[code], "lang:" + code, "link");
        switcher.setAttribute("lang", code);
        return switcher;
      });
    var progress = page.optional ? [element("p", {"class": "progress-label", text: chrome("optional_part")})]
      : [element("p", {"class": "progress-label", text: format(chrome("page_of"), {current: Math.min(current.page + 1, total), total: total})}),
         element("progress", {max: String(total), value: String(Math.min(current.page + 1, total))})];
    var sections = page.sections.map(function (section) {
      return element("section", {id: "s-" + section.code}, [
        section.title ? element("h2", {text: tr(section.title)}) : null,
        section.hint ? element("p", {"class": "hint", text: tr(section.hint)}) : null
      ].concat(section.items.map(question)));
    });
    var nav;
    if (lastMandatory && hasOptional) {
      nav = [button(chrome("submit_now"), "submit", "primary"), button(chrome("optional"), "optional", "secondary")];
    } else if (lastPage || (lastMandatory && !hasOptional)) {
      nav = [button(chrome("submit"), "submit", "primary")];
    } else {
      nav = [button(chrome("next"), "next", "primary")];
    }
    if (nextPage(current.page, -1) !== null) { nav.push(button(chrome("back"), "back", "secondary back")); }
    var form = element("form", {"class": "survey", novalidate: ""}, [
      languages.length ? element("div", {"class": "langs", role: "group", "aria-label": chrome("language")}, languages) : null
    ].concat(progress, [
      element("h1", {text: tr(page.title)}),
      current.page === 0 ? element("p", {"class": "intro", text: chrome("anonymous")}) : null,
      notice ? element("div", {"class": "alert", role: "alert", text: notice}) : null
    ], sections, [element("div", {"class": "nav"}, nav)]));
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", onAnswer);
    form.addEventListener("change", onAnswer);
    document.documentElement.lang = current.language;
    screen.replaceChildren(form);
    refreshVisibility();
    window.scrollTo(0, 0);
  }

  function onAnswer(event) {
    var box = event.target.closest("[data-code]");
    if (!box || !current) { return; }
    var item = pageItems().filter(function (i) { return i.code === box.dataset.code; })[0];
    var answer = readAnswer(item);
    if (answer === null) { delete current.answers[item.code]; } else { current.answers[item.code] = answer; }
    box.classList.remove("has-error");
    box.querySelector(".error").hidden = true;
    refreshVisibility();
    stillHere();
  }

  function checkPage() {
    /* Show each visible question's problem on the page; whether there was none. */
    var clean = true;
    refreshVisibility().forEach(function (item) {
      var message = problemWith(item, item.code in current.answers ? current.answers[item.code] : null);
      var box = document.getElementById("q-" + item.code);
      var error = box.querySelector(".error");
      error.textContent = message || "";
      error.hidden = !message;
      box.classList.toggle("has-error", Boolean(message));
      clean = clean && !message;
    });
    return clean;
  }

  function firstMissingPage(upto) {
    var shown = shownByPage(current.pages, current.answers);
    for (var number = 0; number <= upto; number += 1) {
      var missing = shown[current.pages[number].code].some(function (item) {
        return problemWith(item, item.code in current.answers ? current.answers[item.code] : null);
      });
      if (missing) { return number; }
    }
    return null;
  }

  function act(action) {
    stillHere();
    if (action.indexOf("lang:") === 0) { current.language = action.slice(5); renderPage(); return; }
    if (action === "back") { current.page = nextPage(current.page, -1); renderPage(); return; }
    if (!checkPage()) {
      var first = screen.querySelector(".has-error");
      if (first) { first.scrollIntoView({block: "start"}); }
      return;
    }
    var following = nextPage(current.page, 1);
    var total = mandatoryPages();
    var moves = action === "optional" || (action === "next" &&
      (following !== null && (following < total || current.pages[current.page].optional)));
    if (moves && following !== null) { current.page = following; renderPage(); return; }
    var missing = firstMissingPage(total - 1);
    if (missing !== null) { current.page = missing; renderPage(chrome("fix_errors")); checkPage(); return; }
    finish();
  }

  /* The answers to what the respondent was shown, as the server keeps them (relevant_answers). */
  function shownAnswers() {
    var shown = shownByPage(current.pages, current.answers), kept = {};
    Object.keys(shown).forEach(function (code) {
      shown[code].forEach(function (item) {
        if (item.code in current.answers) {
          var value = current.answers[item.code];
          kept[item.code] = item.type === "text" ? value.trim() : value;
        }
      });
    });
    return kept;
  }

  function finish() {
    var submission = {id: crypto.randomUUID(), wave: definition.wave, language: current.language,
                      assigned: current.assigned, started_at: current.started,
                      completed_at: new Date().toISOString(), answers: shownAnswers()};
    current = null;  /* the respondent's answers now live only in the encrypted queue */
    clearTimeout(idleTimer);
    screen.replaceChildren(element("p", {text: "Đang lưu phiếu…"}));
    queue.enqueue(submission, CENTRE).then(showStatus).then(function () {
      thanks();  /* after the count on screen includes this questionnaire */
      return sync();
    }, function () {
      screen.replaceChildren(element("div", {"class": "alert", role: "alert",
        text: "Không lưu được phiếu trên máy tính bảng (bộ nhớ của trình duyệt bị chặn hoặc đầy). Vui lòng báo cán bộ một cửa."}));
    });
  }

  function thanks() {
    document.documentElement.lang = "vi";
    var title = definition.text.vi.thanks_title;
    screen.replaceChildren(element("div", {"class": "message kiosk-start"}, [
      element("h1", {id: "kiosk-thanks", text: title}),
      element("p", {text: "Phiếu đã được lưu trên máy và sẽ được gửi về hệ thống, kể cả khi đang mất mạng."}),
      startButton("Bắt đầu phiếu mới")
    ]));
    clearTimeout(thanksTimer);
    thanksTimer = setTimeout(welcome, THANKS_MS);
  }

  function startButton(text) {
    var node = element("button", {type: "button", id: "kiosk-begin", "class": "primary", text: text});
    node.addEventListener("click", begin);
    return node;
  }

  function startScreen() {
    clearTimeout(thanksTimer);
    current = null;
    document.documentElement.lang = "vi";
    if (!definition) { return; }
    screen.replaceChildren(element("div", {"class": "message kiosk-start"}, [
      element("h1", {text: tr(definition.title)}),
      element("p", {text: definition.text.vi.anonymous}),
      startButton("Bắt đầu trả lời")
    ]));
  }

  function welcome() {
    /* The start screen for the next person; a tablet left running for weeks picks up a new wave
       or questionnaire version here, between respondents, never during one. */
    startScreen();
    if (navigator.onLine) {
      loadDefinition().then(function (fresh) { if (!current) { definition = fresh; } }, function () {});
    }
  }

  function begin() {
    clearTimeout(thanksTimer);
    var assigned = drawBlocks();
    current = {answers: Object.create(null), assigned: assigned, pages: askedPages(assigned), page: 0,
               language: "vi", started: new Date().toISOString()};
    if (!shownByPage(current.pages, current.answers)[current.pages[0].code].length) { current.page = nextPage(0, 1); }
    renderPage();
    stillHere();
  }

  function stillHere() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(welcome, IDLE_MS);
  }

  /* ---------- start ---------- */

  function loadDefinition() {
    return fetch(DEFINITION_URL, {credentials: "same-origin"}).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || ("Lỗi " + response.status)); }
        return body;
      });
    });
  }

  function cacheShell() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(root.dataset.worker).catch(function () {});
    if (navigator.onLine) {
      caches.open(CACHE).then(function (cache) { return cache.addAll(root.dataset.cache.split(" ")); }).catch(function () {});
    }
  }

  if (!window.isSecureContext || !window.crypto || !crypto.subtle || !window.indexedDB) {
    /* Browsers give WebCrypto and service workers to HTTPS pages only: nothing could be kept safely. */
    screen.replaceChildren(element("div", {"class": "alert", role: "alert",
      text: "Chế độ máy tính bảng cần địa chỉ HTTPS và trình duyệt Chrome mới. Vui lòng báo quản trị hệ thống."}));
    return;
  }

  window.addEventListener("online", function () { showStatus(); sync(); });
  window.addEventListener("offline", showStatus);
  setInterval(sync, RETRY_MS);

  cacheShell();
  showStatus();
  loadDefinition().then(function (loaded) {
    definition = loaded;
    startScreen();
    sync();
  }, function (error) {
    screen.replaceChildren(element("div", {"class": "alert", role: "alert",
      text: (error && error.message && error.message !== "Failed to fetch" ? error.message + " " : "") +
            "Chưa tải được phiếu khảo sát. Vui lòng kết nối mạng rồi tải lại trang."}));
    sync();
  });
}());
