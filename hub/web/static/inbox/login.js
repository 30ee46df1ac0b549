// Sign-in: the page's CSRF token goes back in a header beside its HttpOnly cookie twin.
const form = document.getElementById("login");
const error = document.getElementById("error");
const csrf = document.querySelector('meta[name="csrf-token"]').content;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const response = await fetch("/inbox/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify({
      email: document.getElementById("email").value,
      password: document.getElementById("password").value,
    }),
  });
  if (response.ok) {
    location.assign("/inbox");
    return;
  }
  let reason = `sign-in failed (${response.status})`;
  try {
    reason = (await response.json()).error || reason;
  } catch {
    // not JSON: keep the status line
  }
  error.textContent = reason;
  error.hidden = false;
});
