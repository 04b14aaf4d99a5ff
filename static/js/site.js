/* CivicLadder's small enhancements; every page works without them. */
(function () {
  "use strict";

  // Scripts run: the navigation's sections open as USWDS's sub-menus (without scripts, the
  // stylesheet lists their links in the header instead).
  document.querySelectorAll(".cl-no-js").forEach(function (element) {
    element.classList.remove("cl-no-js");
  });

  // After a failed submit, the error summary takes focus so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // Copy buttons: <button data-copy-target="id"> copies that element's text. What the status
  // then says comes from the page, in its language: data-copied and data-copy-failed.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      var text = target.value !== undefined ? target.value : target.textContent;
      var copied = button.getAttribute("data-copied") || "Copied.";
      var failed = button.getAttribute("data-copy-failed") ||
        "Copying failed: select the link and copy it.";
      navigator.clipboard.writeText(text.trim()).then(function () {
        if (status) { status.textContent = copied; }
      }, function () {
        if (status) { status.textContent = failed; }
      });
    });
  });

  // A level select with data-descriptors shows the chosen level's descriptor beside it.
  document.querySelectorAll("select[data-descriptors]").forEach(function (select) {
    var output = document.getElementById(select.getAttribute("data-descriptor-output"));
    var competency = document.getElementById(select.getAttribute("data-competency-select"));
    var table = JSON.parse(select.getAttribute("data-descriptors"));
    function show() {
      var levels = table[competency.value] || {};
      var text = levels[select.value];
      output.textContent = text ? select.options[select.selectedIndex].text + ": " + text : "";
      output.hidden = !text;
    }
    select.addEventListener("change", show);
    competency.addEventListener("change", show);
    show();
  });

  // Job profile form: the weights' total follows the rows as they change.
  var requirements = document.querySelector("[data-requirements]");
  if (requirements) {
    var total = document.getElementById("weight-total");
    var sum = function () {
      var value = 0;
      requirements.querySelectorAll("tbody tr").forEach(function (row) {
        var competency = row.querySelector("select[name$='competency_id']");
        var weight = row.querySelector("input[name$='weight']");
        if (competency && competency.value !== "0" && competency.value !== "" && weight) {
          value += parseInt(weight.value || "1", 10) || 0;
        }
      });
      total.textContent = String(value);
    };
    requirements.addEventListener("input", sum);
    requirements.addEventListener("change", sum);
  }
})();

/* The invitation form: bargaining units show only while Union representative is ticked. */
(function () {
  "use strict";
  var units = document.querySelector("[data-units-for-role]");
  if (!units) { return; }
  var role = document.querySelector("input[name='roles'][value='" + units.getAttribute("data-units-for-role") + "']");
  if (!role) { return; }
  var sync = function () { units.hidden = !role.checked && !units.querySelector("input:checked"); };
  role.addEventListener("change", sync);
  sync();
})();
