// The assessment entry screen: the left − right difference and the IR + ER total arc update as
// values are typed, and unusual values are marked. The server still validates everything; this
// only helps while typing. Loaded as a file because the CSP forbids inline script.
(() => {
  const form = document.querySelector("form[data-assessment-entry]");
  if (!form) return;

  const arcMin = Number(form.dataset.arcWarnMin);
  const arcMax = Number(form.dataset.arcWarnMax);

  const numberIn = (input) => {
    if (!input || input.value.trim() === "") return null;
    const value = Number(input.value);
    return Number.isFinite(value) ? value : null;
  };
  const degreesInput = (block, movement, side) =>
    form.querySelector(`input[data-block="${block}"][data-movement="${movement}"][data-side="${side}"]`);
  const round = (value) => Math.round(value * 10) / 10;
  const signed = (value) => `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(round(value))}°`;

  function update() {
    form.querySelectorAll("output[data-difference]").forEach((output) => {
      const [block, movement] = output.dataset.difference.split(":");
      const left = numberIn(degreesInput(block, movement, "left"));
      const right = numberIn(degreesInput(block, movement, "right"));
      output.textContent = left === null || right === null ? "—" : signed(left - right);
    });
    form.querySelectorAll("output[data-arc]").forEach((output) => {
      const [block, side] = output.dataset.arc.split(":");
      const ir = numberIn(degreesInput(block, "ir", side));
      const er = numberIn(degreesInput(block, "er", side));
      const arc = ir === null || er === null ? null : round(ir + er);
      output.textContent = arc === null ? "—" : `${arc < 0 ? "−" : ""}${Math.abs(arc)}°`;
      output.classList.toggle("unusual", arc !== null && (arc < arcMin || arc > arcMax));
    });
    form.querySelectorAll("input[data-warn-min]").forEach((input) => {
      const value = numberIn(input);
      const unusual = value !== null && (value < Number(input.dataset.warnMin) || value > Number(input.dataset.warnMax));
      input.classList.toggle("unusual", unusual);
    });
  }

  form.addEventListener("input", update);
  update();

  // After a failed submit, put the cursor where the clinician has to act.
  const invalid = form.querySelector('[aria-invalid="true"]');
  const confirm = form.querySelector('input[name="plausibility-confirm"]');
  if (invalid) invalid.focus();
  else if (confirm) confirm.focus();
})();
