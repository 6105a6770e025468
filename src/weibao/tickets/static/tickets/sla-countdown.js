// Live countdowns of service-level deadlines: every [data-sla-due] element shows the time left
// (or how long overdue), refreshed each second. The page shows the deadline without this file.
(() => {
  const format = (ms) => {
    const total = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const clock = `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
    return days > 0 ? `${days}d ${clock}` : clock;
  };
  const tick = () => {
    for (const element of document.querySelectorAll("[data-sla-due]")) {
      const due = Date.parse(element.dataset.slaDue);
      if (Number.isNaN(due)) continue;
      const left = due - Date.now();
      element.textContent = left >= 0 ? format(left) : `${element.dataset.overdueLabel || "-"} ${format(left)}`;
      element.classList.toggle("sla-overdue", left < 0);
    }
  };
  const start = () => {
    if (!document.querySelector("[data-sla-due]")) return;
    tick();
    setInterval(tick, 1000);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
