// Signed-in sessions end after a spell without activity (and at an absolute lifetime). Two
// minutes before, a dialog says so and offers to stay signed in (WCAG 2.2.1 Timing Adjustable);
// and a form sent after the session ended comes back filled in after signing in again.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;
  restoreKeptForm(body);
  if (body.dataset.sessionSecondsLeft === undefined) return;

  const warningSeconds = Number(body.dataset.sessionWarningSeconds);
  const keepAliveUrl = body.dataset.keepAliveUrl;
  const csrf = document.querySelector('meta[name="csrf-token"]');
  let deadline = Date.now() + Number(body.dataset.sessionSecondsLeft) * 1000;
  let warningTimer = null;
  let endTimer = null;
  let returnFocusTo = null;

  const dialog = buildDialog();
  const message = dialog.querySelector("[data-session-message]");
  const stay = dialog.querySelector("[data-session-stay]");
  const signIn = dialog.querySelector("[data-session-sign-in]");
  const back = dialog.querySelector("[data-session-back]");

  function schedule() {
    clearTimeout(warningTimer);
    clearTimeout(endTimer);
    const left = deadline - Date.now();
    warningTimer = setTimeout(checkThenWarn, Math.max(0, left - warningSeconds * 1000));
    endTimer = setTimeout(showEnded, Math.max(0, left));
  }

  async function checkThenWarn() {
    // Another tab may have kept the session alive: ask (without it counting as activity).
    const answer = await ask("GET");
    if (answer && answer.seconds_left > warningSeconds) {
      deadline = Date.now() + answer.seconds_left * 1000;
      schedule();
      return;
    }
    if (answer) deadline = Date.now() + answer.seconds_left * 1000;
    showWarning();
  }

  function minutesLeft() {
    const minutes = Math.max(1, Math.round((deadline - Date.now()) / 60000));
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }

  function showWarning() {
    if (dialog.hidden) returnFocusTo = document.activeElement;
    message.textContent =
      `For your security you will be signed out in ${minutesLeft()} because the portal has ` +
      "not been used. Anything you have typed and not saved would need to be sent again.";
    stay.hidden = false;
    signIn.hidden = true;
    back.hidden = true;
    dialog.hidden = false;
    stay.focus();
  }

  function showEnded() {
    if (dialog.hidden) returnFocusTo = document.activeElement;
    message.textContent =
      "You have been signed out because the portal was not used for a while. If you go back " +
      "and send a form, what you typed is kept and put back after you sign in again.";
    stay.hidden = true;
    signIn.hidden = false;
    back.hidden = false;
    dialog.hidden = false;
    signIn.focus();
  }

  function close() {
    dialog.hidden = true;
    if (returnFocusTo && typeof returnFocusTo.focus === "function") returnFocusTo.focus();
  }

  async function ask(method) {
    try {
      const response = await fetch(keepAliveUrl, {
        method,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      });
      if (!response.ok) return { seconds_left: 0 };
      return await response.json();
    } catch (error) {
      return null; // offline: keep the page's own estimate
    }
  }

  stay.addEventListener("click", async () => {
    const answer = await ask("POST");
    if (!answer || answer.seconds_left <= 0) {
      showEnded();
      return;
    }
    deadline = Date.now() + answer.seconds_left * 1000;
    close();
    schedule();
  });
  signIn.addEventListener("click", () => {
    window.location.assign(body.dataset.signInUrl);
  });
  back.addEventListener("click", close);
  dialog.addEventListener("keydown", (event) => {
    const buttons = [stay, signIn, back].filter((button) => !button.hidden);
    if (event.key === "Escape" && !back.hidden) {
      close();
    } else if (event.key === "Tab") {
      // Focus stays within the dialog while it is open.
      event.preventDefault();
      const next = buttons.indexOf(document.activeElement) + (event.shiftKey ? -1 : 1);
      buttons[(next + buttons.length) % buttons.length].focus();
    }
  });

  schedule();
});

function buildDialog() {
  const dialog = document.createElement("div");
  dialog.className = "session-warning";
  dialog.hidden = true;
  dialog.setAttribute("role", "alertdialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-labelledby", "session-warning-title");
  dialog.setAttribute("aria-describedby", "session-warning-message");
  dialog.innerHTML =
    '<div class="session-warning-box">' +
    '<h2 id="session-warning-title" class="h4">Are you still there?</h2>' +
    '<p id="session-warning-message" data-session-message></p>' +
    '<button type="button" class="btn btn-primary" data-session-stay>Stay signed in</button>' +
    '<button type="button" class="btn btn-primary me-2" data-session-sign-in hidden>Sign in again</button>' +
    '<button type="button" class="btn btn-outline-primary" data-session-back hidden>Back to the page</button>' +
    "</div>";
  document.body.appendChild(dialog);
  return dialog;
}

// A form sent after the session ended: its text, kept by the server, goes back into the form
// on this page for the person to check and send again.
function restoreKeptForm(body) {
  if (!body.dataset.keptForm) return;
  let fields;
  try {
    fields = JSON.parse(body.dataset.keptForm);
  } catch (error) {
    return;
  }
  const form = Array.from(document.querySelectorAll("main form[method='post'], main form[method='POST']"))
    .find((candidate) => Object.keys(fields).some((name) => candidate.elements.namedItem(name)));
  if (!form) return;
  Object.entries(fields).forEach(([name, values]) => {
    const element = form.elements.namedItem(name);
    if (!element) return;
    const controls = element instanceof RadioNodeList ? Array.from(element) : [element];
    controls.forEach((control) => {
      if (control.type === "hidden" || control.type === "file" || control.type === "password") return;
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = values.includes(control.value);
      } else if (control.tagName === "SELECT" && control.multiple) {
        Array.from(control.options).forEach((option) => {
          option.selected = values.includes(option.value);
        });
      } else {
        control.value = values[0];
      }
    });
  });
  const note = document.createElement("div");
  note.className = "alert alert-info";
  note.setAttribute("role", "status");
  note.setAttribute("tabindex", "-1");
  note.textContent =
    "You were signed out before this form was sent. What you typed is back in the form: check it and send it again.";
  form.parentNode.insertBefore(note, form);
  note.focus();
}
