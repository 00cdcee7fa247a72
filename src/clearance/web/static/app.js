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

// A running job's page polls GET /jobs/{id}; when the job ends, the page reloads to show the
// finished state (best hits, download links, problems) rendered by the server.
function pollJob(element) {
  const url = element.dataset.jobUrl;
  const bar = element.querySelector("progress");
  const text = element.querySelector(".progress-text");
  async function tick() {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) { text.textContent = "Cannot read job status (" + response.status + ")"; return; }
    const job = await response.json();
    if (job.rows_total) { bar.max = job.rows_total; bar.value = job.rows_done; }
    text.textContent = job.status + (job.rows_total === null ? "" :
      ": " + job.rows_done + " of " + job.rows_total + " rows, " + job.hits + " hits");
    if (["done", "failed", "interrupted"].includes(job.status)) { window.location.reload(); return; }
    setTimeout(tick, 400);
  }
  tick();
}

document.querySelectorAll("[data-job-url]").forEach(pollJob);

// On a finished job's page, focus the first download link so Enter downloads the results.
const download = document.querySelector("#job-done:not([hidden]) a");
if (download) { download.focus(); }
