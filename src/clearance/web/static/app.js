// Keyboard shortcut: "/" focuses the search box; batch pages poll their job for progress.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement || (target && target.isContentEditable);
  if (event.key === "/" && !typing) {
    const box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  }
});

function pollJob(element) {
  const url = element.dataset.jobUrl;
  const bar = element.querySelector("progress");
  const text = element.querySelector(".progress-text");
  const done = document.getElementById("job-done");
  async function tick() {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) { text.textContent = "Cannot read job status (" + response.status + ")"; return; }
    const job = await response.json();
    if (job.rows_total) { bar.max = job.rows_total; bar.value = job.rows_done; }
    text.textContent = job.status + ": " + job.rows_done + (job.rows_total ? " of " + job.rows_total : "") +
      " rows, " + job.hits + " hits";
    if (job.status === "done" || job.status === "failed") {
      if (job.status === "failed") { text.textContent += " — " + job.errors.join("; "); }
      if (done && job.status === "done") { done.hidden = false; done.querySelector("a").focus(); }
      return;
    }
    setTimeout(tick, 500);
  }
  tick();
}

document.querySelectorAll("[data-job-url]").forEach(pollJob);
