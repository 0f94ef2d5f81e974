// The gallery: one card per job of the journal, with its video, updated while it runs.

import { el } from "./form.js";

const seconds = (s) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

function params(job) {
  return Object.entries(job.input)
    .filter(([name]) => name !== "prompt" && name !== "multi_prompt")
    .map(([name, value]) => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return `${name}=${text.length > 60 ? text.slice(0, 57) + "…" : text}`;
    })
    .join("  ");
}

function status(job) {
  if (job.running) return job.live?.step === "running" ? `running${job.live.status ? ` (${job.live.status})` : ""}` : job.live?.step || job.state;
  return job.state.replace("_", " ");
}

function progress(job) {
  const live = job.live;
  const bar = el("div", { class: "progress" }, el("div"));
  if (live && live.expected && live.elapsed) {
    bar.firstChild.style.width = `${Math.min(100, (100 * live.elapsed) / live.expected)}%`;
  } else {
    bar.classList.add("indeterminate");
  }
  const text = live ? `${live.step}${live.status ? ` · ${live.status}` : ""}${live.elapsed ? ` · ${seconds(live.elapsed)}` : ""}${live.expected ? ` of ~${seconds(live.expected)}` : ""}` : "";
  return el("div", { class: "spinner-text" }, bar, el("span", { class: "muted", text }));
}

function media(job) {
  const box = el("div", { class: "media" });
  if (job.video_url && job.media === "image") {
    const image = el("img", { src: job.video_url, alt: job.prompt || "" });
    image.addEventListener("load", () => { image.dataset.loaded = "true"; });
    image.addEventListener("error", () => {
      box.replaceChildren(el("div", { class: "problem", text: "the image cannot be shown (the file may have been deleted or damaged)" }));
    });
    box.append(image);
  } else if (job.video_url) {
    const video = el("video", { src: job.video_url, controls: true, muted: true, loop: true, autoplay: true, playsinline: true, preload: "auto" });
    video.muted = true;
    video.addEventListener("loadeddata", () => { video.dataset.loaded = "true"; });
    video.addEventListener("error", () => {
      box.replaceChildren(el("div", { class: "problem", text: "the video cannot be played (the file may have been deleted or damaged)" }));
    });
    box.append(video);
  } else if (job.running) {
    box.append(el("div", { text: "generating…" }));
  } else {
    box.append(el("div", { class: "problem", text: job.problem || "no video" }));
  }
  return box;
}

function body(job, onAgain) {
  const when = new Date(job.created_at);
  const meta = [when.toLocaleString()];
  if (job.task_duration) meta.push(`task ${seconds(job.task_duration)}`);
  if (job.file_size) meta.push(`${(job.file_size / 1024).toFixed(0)} KB`);
  if (job.task_id) meta.push(job.task_id);
  const again = el("button", { type: "button", class: "small again", text: "again with changes" });
  again.onclick = () => onAgain(job);
  const resume = job.resumable ? el("button", { type: "button", class: "small resume", text: "resume" }) : null;
  if (resume) {
    resume.onclick = async () => {
      resume.disabled = true;
      await fetch(`/api/jobs/${encodeURIComponent(job.id)}/resume`, { method: "POST" });
    };
  }
  const badge = el("span", { class: `badge ${job.running ? "running" : job.state}`, text: status(job) });
  return el("div", { class: "body" },
    el("div", { class: "top" }, el("span", { class: "model", text: job.model }), badge),
    job.prompt ? el("p", { class: "prompt", text: job.prompt }) : null,
    params(job) ? el("p", { class: "params", text: params(job) }) : null,
    job.running ? progress(job) : null,
    job.problem ? el("p", { class: "card-problem", role: "status", text: job.problem }) : null,
    el("div", { class: "meta", text: meta.join(" · ") }),
    el("div", {}, again, resume),
  );
}

/** The gallery in `cardsEl`; `onAgain(job)` prefills the form from a card. */
export function createGallery(cardsEl, onAgain) {
  const shown = new Map(); // id → { card, signature, video }
  return {
    /** Shows `jobs` (newest first), keeping the cards, and videos, that did not change. */
    show(jobs) {
      const keep = new Set(jobs.map((j) => j.id));
      for (const [id, entry] of shown) if (!keep.has(id)) { entry.card.remove(); shown.delete(id); }
      let previous = null;
      for (const job of jobs) {
        const signature = JSON.stringify([job.state, job.updated_at, job.video_url, job.problem, job.running, job.resumable, job.live]);
        let entry = shown.get(job.id);
        if (!entry) {
          const card = el("article", { class: "card" });
          entry = { card, signature: null, video: null };
          shown.set(job.id, entry);
        }
        if (entry.signature !== signature) {
          const { card } = entry;
          card.dataset.jobId = job.id;
          card.dataset.status = job.state;
          card.dataset.running = String(job.running);
          if (entry.video !== job.video_url || !card.firstChild) {
            card.replaceChildren(media(job));
            entry.video = job.video_url;
          } else {
            card.replaceChildren(card.firstChild);
          }
          card.append(body(job, onAgain));
          entry.signature = signature;
        }
        const want = previous ? previous.nextSibling : cardsEl.firstChild;
        if (want !== entry.card) cardsEl.insertBefore(entry.card, want);
        previous = entry.card;
      }
    },
  };
}
