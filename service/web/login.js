/** The login page: POST /api/v1/auth/login sets the session cookie, then on to where the user was going. */
import { ApiError, api } from "/api.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");

/** Only a path on this site: `next` comes from the address bar, so never an open redirect. */
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

form.username.focus();

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError("Enter your user name and password.");
    (username ? form.password : form.username).focus();
    return;
  }
  error.hidden = true;
  submit.disabled = true;
  try {
    await api("/auth/login", { method: "POST", body: { username, password } });
    location.assign(nextPage());
  } catch (e) {
    showError(e instanceof ApiError ? e.message : `Could not reach the service: ${e.message}`);
    form.password.select();
    submit.disabled = false;
  }
});
