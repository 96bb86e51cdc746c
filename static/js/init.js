import { initAll } from "./govuk-frontend.min.js";

initAll();

// "Scroll sideways to see the whole table" only where the table is cut off: without
// JavaScript the hint shows on every wrapped table on a phone (see table_scroll.html).
function markTablesThatScroll() {
  for (const region of document.querySelectorAll(".app-table-scroll")) {
    const hint = region.previousElementSibling;
    if (hint && hint.classList.contains("app-table-scroll__hint")) {
      hint.hidden = region.scrollWidth <= region.clientWidth;
    }
  }
}

markTablesThatScroll();
window.addEventListener("resize", markTablesThatScroll);
