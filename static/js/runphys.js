// Small behaviours that would otherwise need inline script (forbidden by the CSP).
// A form with data-confirm="Question?" asks before it submits.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
