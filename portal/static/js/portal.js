// Behaviour shared by every page. Loaded from static/ so the Content-Security-Policy needs no
// inline script.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to a form's error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
