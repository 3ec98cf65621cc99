/* The athlete page's hold timer: a count-down for exercises with a hold. Our own few lines, no
   third party; the page works without it (the timer stays hidden when scripts do not run). */
"use strict";
document.querySelectorAll("[data-hold]").forEach((timer) => {
  const seconds = Number(timer.dataset.hold);
  const button = timer.querySelector("button");
  const output = timer.querySelector("output");
  let running = null;
  timer.hidden = false;
  button.addEventListener("click", () => {
    if (running) {
      clearInterval(running);
      running = null;
      output.textContent = "";
      return;
    }
    let left = seconds;
    output.textContent = `${left} s`;
    running = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(running);
        running = null;
        output.textContent = "Done: relax";
        if (navigator.vibrate) navigator.vibrate(200);
      } else {
        output.textContent = `${left} s`;
      }
    }, 1000);
  });
});
