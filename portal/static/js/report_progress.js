// A report run's page: follow the build's progress from the small JSON status endpoint, then
// offer the download (or, on failure, the message and the "Try again" button). Without
// JavaScript a reload shows the same.
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.querySelector("[data-report-progress]");
  if (!panel) return;
  const bar = panel.querySelector("progress");
  const label = panel.querySelector("label");
  const message = panel.querySelector("[data-report-message]");
  const download = panel.querySelector("[data-report-download]");
  const retry = panel.querySelector("[data-report-retry]");
  const INTERVAL_MS = 2000;
  const MAX_TRIES = 450; // about a quarter of an hour; then the page's own reload link will do
  let tries = 0;

  function show(answer) {
    bar.value = answer.progress;
    bar.textContent = `${answer.progress}%`;
    label.textContent = answer.finished || !answer.stage ? answer.label : `${answer.label}: ${answer.stage}`;
    if (answer.status === "done") {
      message.textContent = "The report is ready.";
      download.classList.remove("d-none");
    } else if (answer.status === "failed") {
      message.textContent = answer.error || "The report could not be built.";
      if (retry) retry.classList.remove("d-none");
    } else {
      message.textContent = `${answer.progress}% done. This page updates by itself; you may leave it and come back.`;
    }
  }

  async function poll() {
    tries += 1;
    try {
      const response = await fetch(panel.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const answer = await response.json();
        show(answer);
        if (answer.finished) return;
      }
    } catch (error) {
      // A network hiccup: the next poll tries again.
    }
    if (tries < MAX_TRIES) window.setTimeout(poll, INTERVAL_MS);
  }

  window.setTimeout(poll, INTERVAL_MS / 2);
});
