// Small behaviours that would otherwise need inline script (forbidden by the CSP).
// A form with data-confirm="Question?" asks before it submits.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A textarea with data-count-into="id" keeps the element with that id saying how many characters
// are left of its maxlength (the server counts the same way and says so if it is too long).
function updateCount(field) {
  const counter = document.getElementById(field.dataset.countInto);
  if (!counter) return;
  const left = field.maxLength - field.value.length;
  const plural = (n) => `${n} character${n === 1 ? "" : "s"}`;
  counter.textContent = left >= 0 ? `${plural(left)} left` : `${plural(-left)} too many`;
}
document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.dataset.countInto) updateCount(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-count-into]").forEach(updateCount);
});
