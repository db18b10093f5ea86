"use strict";
// A long page (a partnership's) is read on a phone one part at a time: its "On this page" links become tabs that
// show one panel and hide the rest. Without scripts, or on a wide screen, every part stays on the page, and the same
// links jump to it.
(() => {
  const nav = document.querySelector("nav.jump[data-tabs]");
  if (!nav) return;
  const narrow = window.matchMedia("(max-width: 640px)");
  const links = [...nav.querySelectorAll("a[data-panel]")];
  const panels = [...document.querySelectorAll(".tab-panel")];
  if (panels.length === 0) return;

  // The panel holding what the address points at (a section, a form, a message after an action), else the first.
  function panelOfHash() {
    const target = window.location.hash.length > 1 && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    const panel = target && target.closest(".tab-panel");
    return panel ? panel.id : panels[0].id;
  }

  function show(id) {
    const tabbed = narrow.matches;
    for (const panel of panels) panel.hidden = tabbed && panel.id !== id;
    for (const link of links) {
      if (tabbed && link.dataset.panel === id) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  // Showing the panel first lets the browser's own jump to the fragment land on a visible element.
  nav.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-panel]");
    if (link && narrow.matches) show(link.dataset.panel);
  });
  window.addEventListener("hashchange", () => show(panelOfHash()));
  narrow.addEventListener("change", () => show(panelOfHash()));
  show(panelOfHash());
})();
