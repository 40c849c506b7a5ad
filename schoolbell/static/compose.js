// The compose page while the author types: SMS counters and phone bubbles from the server's own
// analysis (/console/alerts/sms-check, one source of truth), stand-ins for characters Korean routes
// lose, and the school picker searching as you type. Without JavaScript the same form still works.
(function () {
  "use strict";

  var form = document.querySelector("form.sb-compose");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var saveButton = document.getElementById("save-button");
  var refusedNote = document.getElementById("refused-note");
  var lastUnsupported = {};
  var levels = {};

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function field(language, part) {
    return form.querySelector("[data-language='" + language + "'][data-part='" + part + "']");
  }

  function alertClass() {
    var checked = form.querySelector("input[name=alert_class]:checked");
    return checked ? checked.value : "routine";
  }

  function number(value) { return Number(value).toLocaleString("en-US"); }

  // The SMS with each character Korean routes lose marked, as the server's page shows it.
  function showMarked(element, text, lost) {
    element.textContent = "";
    var plain = "";
    Array.from(text).forEach(function (character) {
      if (lost.indexOf(character) === -1) { plain += character; return; }
      element.appendChild(document.createTextNode(plain));
      plain = "";
      var mark = document.createElement("mark");
      mark.textContent = character;
      element.appendChild(mark);
    });
    element.appendChild(document.createTextNode(plain));
  }

  function showCheck(language, data) {
    var box = form.querySelector(".sb-sms-check[data-language='" + language + "']");
    box.dataset.level = data.level;
    box.querySelector("[data-count=characters]").textContent = number(data.characters);
    box.querySelector("[data-count=encoding]").textContent = data.encoding;
    box.querySelector("[data-count=segments]").textContent = data.segments;
    box.querySelector("[data-count=cp949_bytes]").textContent = number(data.cp949_bytes) + " / " + number(data.lms_bytes);
    box.querySelectorAll("[data-verdict]").forEach(function (verdict) {
      verdict.hidden = verdict.dataset.verdict !== data.level;
    });
    var unsupported = box.querySelector("[data-unsupported]");
    var list = box.querySelector("[data-unsupported-list]");
    list.textContent = "";
    data.unsupported.forEach(function (item) {
      var mark = document.createElement("mark");
      mark.textContent = item.character;
      mark.title = item.code + (item.replacement ? " → " + item.replacement : "");
      list.appendChild(mark);
      list.appendChild(document.createTextNode(" "));
    });
    unsupported.hidden = data.unsupported.length === 0;
    lastUnsupported[language] = data.unsupported;
    var bubble = form.querySelector("[data-bubble='" + language + "']");
    if (bubble) { showMarked(bubble, data.sms, data.unsupported.map(function (item) { return item.character; })); }
    var sender = form.querySelector("[data-sender='" + language + "']");
    if (sender) { sender.textContent = data.sender; }
    levels[language] = data.level;
    var refused = Object.keys(levels).some(function (key) { return levels[key] === "refuse"; });
    saveButton.disabled = refused;
    refusedNote.hidden = !refused;
    if (refused) { saveButton.setAttribute("aria-describedby", "refused-note"); }
    else { saveButton.removeAttribute("aria-describedby"); }
  }

  function check(language) {
    var body = JSON.stringify({
      language: language, alert_class: alertClass(),
      title: field(language, "title").value, body: field(language, "body").value
    });
    fetch(form.dataset.checkUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { showCheck(language, data); } })
      .catch(function () { /* the server checks again on save */ });
  }

  ["ko", "en"].forEach(function (language) {
    var later = debounce(check, 200);
    ["title", "body"].forEach(function (part) {
      field(language, part).addEventListener("input", function () { later(language); });
    });
  });

  form.querySelectorAll("[data-replace]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var language = button.dataset.replace;
      ["title", "body"].forEach(function (part) {
        var input = field(language, part);
        (lastUnsupported[language] || []).forEach(function (item) {
          input.value = input.value.split(item.character).join(item.replacement);
        });
      });
      check(language);
    });
  });

  // School picker: results as you type; a ticked result joins the chosen schools.
  var results = document.getElementById("school-results");
  var chosen = document.getElementById("chosen-schools");
  function search() {
    var params = new URLSearchParams();
    ["school_q", "school_district", "school_level"].forEach(function (name) {
      params.append(name, form.elements[name].value);
    });
    form.querySelectorAll("input[name=role]:checked").forEach(function (box) { params.append("role", box.value); });
    fetch(form.dataset.schoolsUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { results.innerHTML = html; } });
  }
  var searchLater = debounce(search, 250);
  form.elements.school_q.addEventListener("input", searchLater);
  form.elements.school_district.addEventListener("change", search);
  form.elements.school_level.addEventListener("change", search);
  form.querySelector("button[name=find_schools]").addEventListener("click", function (event) {
    event.preventDefault();
    search();
  });
  results.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("input[name=school]") || !box.checked) { return; }
    var list = chosen.querySelector("ul");
    if (!list) {
      list = document.createElement("ul");
      list.className = "sb-school-list";
      chosen.appendChild(list);
    }
    if (chosen.querySelector("input[value='" + box.value + "']")) { box.closest("li").remove(); return; }
    list.appendChild(box.closest("li"));
  });
}());
