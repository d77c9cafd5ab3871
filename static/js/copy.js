// A button with data-copy="ID" copies what that element holds: a field's value, a link's address, or
// the text of anything else. It says "Copied" for a moment, or, where the browser refuses, selects the
// text so it can be copied by hand. A static file: the CSP forbids inline script.
(function () {
  function textOf(source) {
    if (source.matches("input, textarea")) return source.value;
    if (source.matches("a[href]")) return source.href;
    return source.textContent.trim();
  }

  function select(source) {
    if (source.matches("input, textarea")) {
      source.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(button, words) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = words;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      button.textContent = button.dataset.label;
    }, 2500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var text = textOf(source);
    var byHand = function () {
      select(source);
      say(button, document.execCommand("copy") ? "Copied" : "Selected: copy it yourself");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        say(button, "Copied");
      }, byHand);
    } else {
      byHand();
    }
  });
})();
