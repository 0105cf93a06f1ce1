// The meeting page: reorder the agenda without a page reload, and offer the agenda pack as soon
// as the worker has built it. Without JavaScript the same forms and links work with a reload.
document.addEventListener("DOMContentLoaded", () => {
  const agenda = document.querySelector("[data-agenda]");
  const status = document.querySelector("[data-agenda-status]");

  function applyOrder(order) {
    const byId = new Map();
    agenda.querySelectorAll("[data-item-id]").forEach((item) => byId.set(Number(item.dataset.itemId), item));
    order.forEach((id) => {
      const item = byId.get(id);
      if (item) agenda.appendChild(item);
    });
  }

  if (agenda) {
    agenda.addEventListener("submit", async (event) => {
      const form = event.target.closest("form[data-agenda-move]");
      if (!form) return;
      event.preventDefault();
      const button = form.querySelector("button");
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json();
        if (!response.ok) throw new Error(answer.error || "The agenda could not be reordered.");
        applyOrder(answer.order);
        if (status) status.textContent = answer.message;
        button.focus();
      } catch (error) {
        if (status) {
          status.textContent = error.message;
          status.classList.remove("visually-hidden");
          status.classList.add("alert", "alert-danger");
        }
      }
    });
  }

  const pack = document.querySelector("[data-pack-state='building']");
  if (pack) {
    let tries = 0;
    const poll = async () => {
      tries += 1;
      try {
        const response = await fetch(pack.dataset.packStateUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json();
        if (answer.state !== "building") {
          window.location.reload();
          return;
        }
      } catch (error) {
        // The next poll tries again.
      }
      if (tries < 60) window.setTimeout(poll, 3000);
    };
    window.setTimeout(poll, 2000);
  }
});
