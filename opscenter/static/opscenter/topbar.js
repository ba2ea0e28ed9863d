/*
 * The compact header of phones: the sections and tools fold behind a "Menu" button (shown by CSS at
 * phone widths only). Without this script nothing folds, and the header simply wraps.
 */
(function () {
  "use strict";

  const bar = document.getElementById("topbar");
  const toggle = bar && bar.querySelector(".topbar-toggle");
  if (!toggle) {
    return;
  }
  bar.classList.add("topbar-foldable");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    bar.classList.toggle("topbar-open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("topbar-open")) {
      toggle.setAttribute("aria-expanded", "false");
      bar.classList.remove("topbar-open");
      toggle.focus();
    }
  });
})();
