// videohub studio: the playground on the left, the gallery on the right.

import { createForm, el } from "./form.js";
import { createGallery } from "./gallery.js";

const $ = (id) => document.getElementById(id);

async function getJson(url, options) {
  const answer = await fetch(url, options);
  let body = {};
  try { body = await answer.json(); } catch { body = { error: `${answer.status} ${answer.statusText}` }; }
  return { ok: answer.ok, status: answer.status, body };
}

const post = (url, value) => getJson(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(value) });

let current = null; // the model id whose form is shown
let validating = 0;
const form = createForm($("form"), $("form-errors"), () => scheduleValidation());

async function loadModels() {
  const { ok, body } = await getJson("/api/models");
  if (!ok) { $("model-error").hidden = false; $("model-error").textContent = body.error; return; }
  $("hub").textContent = `hub: ${body.hub}${body.note ? ` (${body.note})` : ""}`;
  for (const model of body.models) {
    const label = `${model.id} · ${[model.vendor, model.category].filter(Boolean).join(", ")}`;
    $("model").append(el("option", { value: model.id, text: label }));
    $("filter-model").append(el("option", { value: model.id, text: model.id }));
  }
}

/** Shows the form of `id`, prefilled with `input` (or the defaults); an unknown model is said so. */
async function selectModel(id, input) {
  current = id;
  if (![...$("model").options].some((o) => o.value === id)) {
    $("model").append(el("option", { value: id, text: `${id} (not known here)` }));
  }
  $("model").value = id;
  $("generate-status").textContent = "";
  const { ok, body } = await getJson(`/api/models/${encodeURIComponent(id)}`);
  if (current !== id) return;
  if (!ok) {
    $("model-error").hidden = false;
    $("model-error").textContent = body.error;
    $("model-info").textContent = "";
    $("form").replaceChildren();
    $("form-errors").replaceChildren();
    $("generate").disabled = true;
    return;
  }
  $("model-error").hidden = true;
  $("generate").disabled = false;
  const schema = body.schema;
  $("model-info").textContent = `${schema.name} (${schema.vendor}) · ${schema.description || schema.category}`;
  form.render(schema, input);
  if (input) await validateNow();
}

let timer = null;
function scheduleValidation() {
  clearTimeout(timer);
  timer = setTimeout(validateNow, 250);
}

/** Asks the studio whether the form's input is valid and shows its messages; true when it is. */
async function validateNow() {
  const ticket = ++validating;
  const { ok, body } = await post("/api/validate", { model: current, input: form.collect() });
  if (ticket !== validating) return false;
  if (!ok) { form.showErrors([{ param: "", message: body.error }]); return false; }
  form.showErrors(body.errors);
  return body.errors.length === 0;
}

async function generate() {
  const button = $("generate");
  button.disabled = true;
  $("generate-status").textContent = "checking…";
  try {
    if (!(await validateNow())) { $("generate-status").textContent = "fix the fields marked in red: nothing was sent"; return; }
    $("generate-status").textContent = "sending…";
    const { ok, body } = await post("/api/generate", { model: current, input: form.collect() });
    if (!ok) {
      form.showErrors(body.errors || [{ param: "", message: body.error }]);
      $("generate-status").textContent = body.errors ? "nothing was sent" : body.error;
      return;
    }
    $("generate-status").textContent = `job ${body.id.slice(0, 8)} recorded`;
    await refresh();
  } finally {
    button.disabled = false;
  }
}

const gallery = createGallery($("cards"), (job) => {
  selectModel(job.model, job.input);
  $("playground").scrollIntoView({ behavior: "smooth" });
});

let polling = null;
async function refresh() {
  clearTimeout(polling);
  const query = new URLSearchParams({ model: $("filter-model").value, status: $("filter-status").value, text: $("filter-text").value });
  let running = false;
  try {
    const { ok, body } = await getJson(`/api/jobs?${query}`);
    $("gallery-error").hidden = ok;
    if (!ok) $("gallery-error").textContent = body.error;
    else {
      gallery.show(body.jobs);
      $("gallery-empty").hidden = body.jobs.length > 0;
      running = body.jobs.some((j) => j.running);
    }
  } catch (e) {
    $("gallery-error").hidden = false;
    $("gallery-error").textContent = `the studio does not answer: ${e.message}`;
  }
  polling = setTimeout(refresh, running ? 700 : 4000);
}

$("model").onchange = () => selectModel($("model").value);
$("generate").onclick = generate;
$("filter-model").onchange = refresh;
$("filter-status").onchange = refresh;
let typing = null;
$("filter-text").oninput = () => { clearTimeout(typing); typing = setTimeout(refresh, 250); };

await loadModels();
const asked = new URLSearchParams(location.search).get("model"); // e.g. /?model=wan-2.7
if (asked) await selectModel(asked);
else if ($("model").options.length) await selectModel($("model").value);
await refresh();
document.body.dataset.ready = "true";
