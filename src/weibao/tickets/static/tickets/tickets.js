// Service-desk pages: select-all boxes and the hotline call timer. Every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const master of document.querySelectorAll("input[data-check-all]")) {
    const name = master.dataset.checkAll;
    master.addEventListener("change", () => {
      for (const box of master.form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
        box.checked = master.checked;
      }
    });
  }

  // The call timer starts when the intake page opens (the call has come in) and fills the
  // duration on submit unless the agent typed one.
  const form = document.querySelector("form[data-call-form]");
  const shown = document.querySelector("[data-call-elapsed]");
  if (!form) return;
  const started = Date.now();
  const elapsed = () => Math.max(0, Math.round((Date.now() - started) / 1000));
  const format = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  if (shown) setInterval(() => { shown.textContent = format(elapsed()); }, 1000);
  form.addEventListener("submit", (event) => {
    const duration = form.querySelector("[name=call_seconds]");
    const lookup = event.submitter && event.submitter.name === "lookup";
    if (duration && !duration.value && !lookup) duration.value = String(elapsed());
  });
});
