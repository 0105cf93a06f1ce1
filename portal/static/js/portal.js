// Behaviour shared by every page. Loaded from static/ so the Content-Security-Policy needs no
// inline script.

// Every table scrolls sideways inside its own region, named by its caption (or the heading before
// it), so a narrow screen never scrolls the whole page (WCAG 1.4.10). The region takes keyboard
// focus only while it has something to scroll.
let tableCount = 0;

function tableLabel(table) {
  const caption = table.querySelector("caption");
  if (caption) {
    caption.id = caption.id || `table-caption-${tableCount}`;
    return { labelledby: caption.id };
  }
  if (table.getAttribute("aria-labelledby")) {
    return { labelledby: table.getAttribute("aria-labelledby") };
  }
  if (table.getAttribute("aria-label")) {
    return { label: table.getAttribute("aria-label") };
  }
  const heading = headingBefore(table);
  if (heading) {
    heading.id = heading.id || `table-heading-${tableCount}`;
    return { labelledby: heading.id };
  }
  return { label: "Table" };
}

// The nearest heading before an element in reading order.
function headingBefore(element) {
  for (let node = element; node && node.tagName !== "MAIN"; node = node.parentElement) {
    for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      if (/^H[1-6]$/.test(sibling.tagName)) {
        return sibling;
      }
      const inner = sibling.querySelectorAll("h1, h2, h3, h4, h5, h6");
      if (inner.length) {
        return inner[inner.length - 1];
      }
    }
  }
  return null;
}

function scrollRegions() {
  const regions = [];
  for (const table of document.querySelectorAll("main table")) {
    tableCount += 1;
    let region = table.closest(".table-responsive, .table-scroll");
    if (!region) {
      region = document.createElement("div");
      table.parentNode.insertBefore(region, table);
      region.appendChild(table);
    }
    region.classList.add("table-scroll");
    region.setAttribute("role", "region");
    const label = tableLabel(table);
    if (label.labelledby) {
      region.setAttribute("aria-labelledby", label.labelledby);
    } else {
      region.setAttribute("aria-label", label.label);
    }
    regions.push(region);
  }
  return regions;
}

function focusableWhenScrolling(regions) {
  for (const region of regions) {
    if (region.scrollWidth > region.clientWidth) {
      region.setAttribute("tabindex", "0");
    } else {
      region.removeAttribute("tabindex");
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const regions = scrollRegions();
  focusableWhenScrolling(regions);
  window.addEventListener("resize", () => focusableWhenScrolling(regions));

  // Move focus to a form's error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
