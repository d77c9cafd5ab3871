// Time-zone boxes (accounts/zone_field.py): a new account's empty box gets the zone this device is set to;
// any other box whose zone differs from the device's shows a button that puts the device's zone in it.
// Nothing is sent until the person saves the form. A static file: the CSP forbids inline script.
(function () {
  var device = "";
  try {
    device = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!device) return;
  document.querySelectorAll("input[data-zone]").forEach(function (box) {
    if (box.getAttribute("data-zone") === "fill" && !box.value) {
      box.value = device;
      return;
    }
    var button = box.id && document.querySelector('[data-zone-for="' + box.id + '"]');
    if (!button || box.value === device) return;
    button.textContent = "Use this device's zone: " + device;
    button.hidden = false;
    button.addEventListener("click", function () {
      box.value = device;
      button.hidden = true;
      box.focus();
    });
  });
})();
