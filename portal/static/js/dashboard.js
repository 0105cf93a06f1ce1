// The board dashboard: draws each chart from the figures the page carries in a JSON block
// (json_script, so the Content-Security-Policy needs no inline script). Each chart is an image
// with a label; the same figures are in the table beneath it, which is what screen readers and
// people without JavaScript use.
document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("dashboard-data");
  if (!block || typeof window.Chart === "undefined") return;
  const data = JSON.parse(block.textContent);

  // Colours that keep 3:1 contrast against white and tell apart without relying on hue alone
  // (the overdue and realised series are darker).
  const BLUE = "#1d5fa8";
  const NAVY = "#0b2e4f";
  const RED = "#a4262c";
  const GREEN = "#2e7d32";
  const pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });

  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = "#212529";
  window.Chart.defaults.maintainAspectRatio = false;
  // Respect a reduced-motion preference.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    window.Chart.defaults.animation = false;
  }

  const integerAxis = { beginAtZero: true, ticks: { precision: 0 } };
  const poundsAxis = { beginAtZero: true, ticks: { callback: (value) => pounds.format(value) } };
  const poundsTooltip = {
    callbacks: { label: (context) => `${context.dataset.label}: ${pounds.format(context.parsed.y ?? context.parsed.x)}` },
  };

  const charts = {
    status: () => ({
      type: "bar",
      data: { labels: data.status.labels, datasets: [{ label: "Opportunities", data: data.status.values, backgroundColor: BLUE }] },
      options: { indexAxis: "y", scales: { x: integerAxis }, plugins: { legend: { display: false } } },
    }),
    theme: () => ({
      type: "bar",
      data: { labels: data.theme.labels, datasets: [{ label: "Opportunities", data: data.theme.values, backgroundColor: BLUE }] },
      options: { indexAxis: "y", scales: { x: integerAxis }, plugins: { legend: { display: false } } },
    }),
    pending: () => ({
      type: "bar",
      data: {
        labels: data.pending.labels,
        datasets: [
          { label: "Pending", data: data.pending.pending, backgroundColor: BLUE },
          { label: "Of which overdue", data: data.pending.overdue, backgroundColor: RED },
        ],
      },
      options: { scales: { y: integerAxis } },
    }),
    decision_days: () => ({
      type: "bar",
      data: {
        labels: data.decision_days.labels,
        datasets: [{ label: "Average days to decide", data: data.decision_days.values, backgroundColor: NAVY }],
      },
      options: { scales: { y: { beginAtZero: true } }, plugins: { legend: { display: false } } },
    }),
    benefits: () => ({
      type: "bar",
      data: {
        labels: data.benefits.labels,
        datasets: [
          { label: "Estimated", data: data.benefits.estimated, backgroundColor: BLUE },
          { label: "Realised", data: data.benefits.realised, backgroundColor: GREEN },
        ],
      },
      options: { scales: { y: poundsAxis }, plugins: { tooltip: poundsTooltip } },
    }),
    benefits_over_time: () => ({
      type: "line",
      data: {
        labels: data.benefits_over_time.labels,
        datasets: [
          { label: "Estimated to date", data: data.benefits_over_time.estimated, borderColor: BLUE, backgroundColor: BLUE, borderDash: [6, 4] },
          { label: "Realised to date", data: data.benefits_over_time.realised, borderColor: GREEN, backgroundColor: GREEN },
        ],
      },
      options: { scales: { y: poundsAxis }, plugins: { tooltip: poundsTooltip } },
    }),
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const build = charts[canvas.dataset.chart];
    if (build) new window.Chart(canvas, build());
  });
});
