// The incidents list's ticks: while any is ticked the list's 30-second refresh waits, so it never
// throws a selection away; the header's box ticks the whole page. A static file: the CSP forbids
// inline script. Without script the ticks work one by one and the list refreshes on reload.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.target.id === "incident-rows" && document.querySelector('input[form="bulk"][name="incident"]:checked')) {
    event.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("tick-all");
  if (!all) return;
  all.hidden = false;
  all.addEventListener("change", () => {
    for (const box of document.querySelectorAll('input[form="bulk"][name="incident"]')) box.checked = all.checked;
  });
});
