// Program template form: "Add another exercise" appends a copy of the formset's empty form.
// Without JavaScript the button stays hidden and the form still offers one blank row per save.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-formset-add]").forEach((button) => { button.hidden = false; });
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const empty = document.getElementById(`${prefix}-empty`);
  const container = document.getElementById(`${prefix}-forms`);
  if (!total || !empty || !container) return;
  const index = Number(total.value);
  const row = empty.content.cloneNode(true);
  row.querySelectorAll("[name], [id], [for]").forEach((element) => {
    for (const attribute of ["name", "id", "for"]) {
      const value = element.getAttribute(attribute);
      if (value) element.setAttribute(attribute, value.replaceAll("__prefix__", String(index)));
    }
  });
  container.appendChild(row);
  total.value = String(index + 1);
});
