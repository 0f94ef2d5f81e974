//! The corpus of published video-model input schemas (`tests/fixtures/schemas/`, each with
//! its source in `manifest.json`) served as live hub models: `models show --json` is the
//! resolver's view, inputs built from enums, bounds and examples pass the `jsonschema`
//! crate and are sent unchanged, one invalid input per constraint is refused with exit 2
//! and nothing sent, every parameter is read without loss, and every media input is
//! recognised by what it is (the kinds `manifest.json` lists), an image given without a
//! parameter's name going where the manifest says.

use serde_json::{Map, Value, json};
use videohub::schema::{Literal, ParamSchema, ParamType};
use videohub::{ModelInfo, ModelSchema};

use crate::common::{Hub, build_user_crate};

/// One schema of the corpus with what the catalog listing says of its model.
struct Entry {
    id: String,
    schema: Value,
    view: ModelSchema,
    /// The media inputs among its parameters (name → kind), as the manifest lists them.
    media: Map<String, Value>,
    /// Where an image given without a parameter's name goes, as the manifest says (`None`:
    /// the command asks for the name).
    image_without_name: Option<String>,
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/schemas")
}

fn corpus() -> Vec<Entry> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    manifest["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let file = fixtures().join(m["file"].as_str().unwrap());
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            let mut listing = m.clone();
            listing["input_schema"] = schema.clone();
            let view = ModelInfo::from_json(listing).unwrap().schema().unwrap();
            Entry {
                id: m["id"].as_str().unwrap().to_owned(),
                schema,
                view,
                media: m["media"].as_object().unwrap().clone(),
                image_without_name: m["image_without_name"].as_str().map(str::to_owned),
            }
        })
        .collect()
}

fn hub(corpus: &[Entry]) -> Hub {
    Hub::start(|mut b| {
        b = b.models(corpus.iter().map(|e| e.view.clone()));
        for entry in corpus {
            b = b.input_schema(&entry.id, entry.schema.clone());
        }
        b
    })
}

/// The `jsonschema` crate's verdict on `input`, with formats checked.
fn crate_accepts(schema: &Value, input: &Map<String, Value>) -> Result<(), String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap();
    let instance = Value::Object(input.clone());
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// `--set` arguments (and `--image` for the image list) that describe `input`.
fn args_for(view: &ModelSchema, input: &Map<String, Value>) -> Vec<String> {
    let mut args = Vec::new();
    let images = view.image_inputs.as_ref().map(|i| i.param.as_ref());
    for (name, value) in input {
        if Some(name.as_str()) == images {
            for url in value.as_array().unwrap() {
                args.push("--image".into());
                args.push(url.as_str().unwrap().into());
            }
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        args.push("--set".into());
        args.push(format!("{name}={text}"));
    }
    args
}

/// Valid inputs: the view's example, and the example with each enumerated parameter at each
/// of its first and last values, each bounded one at each bound, each with `examples` at
/// its first example.
fn valid_inputs(entry: &Entry) -> Vec<Map<String, Value>> {
    let base = entry.view.example_input();
    let mut inputs = vec![base.clone()];
    let properties = &videohub::schema::normalize(&entry.schema)["properties"];
    for param in entry.view.params.iter() {
        let mut with = |value: Value| {
            let mut input = base.clone();
            input.insert(param.name.to_string(), value);
            inputs.push(input);
        };
        if let Some(values) = param
            .values
            .as_deref()
            .filter(|_| param.more.variants.is_empty())
        {
            with(values[0].to_json());
            with(values[values.len() - 1].to_json());
        }
        if let Some(range) = &param.range {
            for (bound, exclusive) in [
                (&range.min, range.exclusive_min),
                (&range.max, range.exclusive_max),
            ] {
                if let (Some(bound), false) = (bound, exclusive) {
                    with(bound.to_json());
                }
            }
        }
        if let Some(example) = properties[param.name.as_ref()]["examples"].get(0) {
            with(example.clone());
        }
    }
    inputs
}

#[test]
fn the_corpus_holds_twenty_published_schemas_with_their_sources() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    let entries = manifest["schemas"].as_array().unwrap();
    assert!(entries.len() >= 20, "{} schemas", entries.len());
    for entry in entries {
        let source = entry["source"].as_str().unwrap();
        assert!(source.starts_with("https://"), "{entry}");
        assert!(fixtures().join(entry["file"].as_str().unwrap()).is_file());
    }
}

#[test]
fn models_show_json_is_the_resolvers_view_named_by_the_listing() {
    let corpus = corpus();
    let hub = hub(&corpus);
    for entry in &corpus {
        let output = hub
            .videohub()
            .args(["models", "show", &entry.id, "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}: {output:?}", entry.id);
        let shown: ModelSchema = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(shown, entry.view, "{}", entry.id);
        assert_ne!(
            shown.name,
            entry.schema["title"].as_str().unwrap_or_default()
        );
        assert!(!shown.vendor.is_empty(), "{}", entry.id);
    }
}

#[test]
fn inputs_built_from_enums_bounds_and_examples_pass_and_are_sent_unchanged() {
    let corpus = corpus();
    let hub = hub(&corpus);
    let (mut sent, mut checked) = (0, 0);
    for entry in &corpus {
        let inputs = valid_inputs(entry);
        checked += inputs.len();
        for input in &inputs {
            if let Err(errors) = crate_accepts(&entry.schema, input) {
                panic!(
                    "{}: {} is refused by jsonschema: {errors}",
                    entry.id,
                    Value::Object(input.clone())
                );
            }
        }
        // The richest of them goes through the command line to the hub.
        let input = inputs.last().unwrap();
        let output = hub
            .videohub()
            .args(["generate", &entry.id, "--no-wait", "--json"])
            .args(args_for(&entry.view, input))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} {}: {}",
            entry.id,
            Value::Object(input.clone()),
            String::from_utf8_lossy(&output.stderr)
        );
        sent += 1;
        let job = hub
            .jobs()
            .into_iter()
            .find(|j| j["model"] == entry.id.as_str())
            .unwrap();
        assert_eq!(job["input"], Value::Object(input.clone()), "{}", entry.id);
    }
    assert_eq!(hub.handle.counters().submits_received, sent);
    println!("corpus: {checked} valid inputs pass jsonschema, {sent} sent unchanged");
}

/// One input breaking one constraint of `param`, with what it breaks.
fn invalid_values(param: &ParamSchema) -> Vec<(Value, &'static str)> {
    let mut bad = Vec::new();
    if !param.more.variants.is_empty() {
        return bad;
    }
    if let Some(values) = &param.values {
        let outside = match values.first() {
            Some(Literal::Str(_)) => json!("not-one-of-them"),
            _ => json!(987_654),
        };
        bad.push((outside, "enum"));
    }
    if let Some(range) = &param.range {
        if let Some(min) = range.min.as_ref().and_then(Literal::as_f64) {
            bad.push((json!(min - 1.0), "minimum"));
        }
        if let Some(max) = range.max.as_ref().and_then(Literal::as_f64) {
            bad.push((json!(max + 1.0), "maximum"));
        }
    }
    if let Some(max) = param.max_length {
        bad.push((Value::String("x".repeat(max as usize + 1)), "maxLength"));
    }
    if param.more.min_length.is_some_and(|m| m > 0) {
        bad.push((json!(""), "minLength"));
    }
    if param.more.format.as_deref() == Some("uri") {
        bad.push((json!("not a uri"), "format"));
    }
    match param.ty {
        ParamType::Integer | ParamType::Number => bad.push((json!("abc"), "type")),
        ParamType::Boolean => bad.push((json!("maybe"), "type")),
        _ => {}
    }
    bad
}

#[test]
fn one_invalid_input_per_constraint_is_refused_with_exit_2_and_nothing_sent() {
    let corpus = corpus();
    let hub = hub(&corpus);
    let mut refused = 0;
    for entry in &corpus {
        let base = entry.view.example_input();
        let mut cases: Vec<(Map<String, Value>, String)> = Vec::new();
        for param in entry.view.params.iter() {
            for (value, what) in invalid_values(param) {
                let mut input = base.clone();
                input.insert(param.name.to_string(), value);
                cases.push((input, format!("{} {what}", param.name)));
            }
            if param.required {
                let mut input = base.clone();
                input.remove(param.name.as_ref());
                cases.push((input, format!("{} required", param.name)));
            }
        }
        if let Some(images) = entry.view.image_inputs.as_ref().filter(|i| i.min > 0) {
            let mut input = base.clone();
            input.remove(images.param.as_ref());
            cases.push((input, format!("{} images", images.param)));
        }
        for (input, what) in cases {
            let output = hub
                .videohub()
                .args(["generate", &entry.id, "--no-wait"])
                .args(args_for(&entry.view, &input))
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(2),
                "{} {what}: {}",
                entry.id,
                String::from_utf8_lossy(&output.stdout)
            );
            refused += 1;
        }
    }
    assert!(refused > 100, "{refused} cases");
    println!("corpus: {refused} invalid inputs refused with exit 2");
    assert_eq!(hub.handle.counters().submits_received, 0);
}

/// The constraint keywords of one resolved property the view carries.
const READ: &[&str] = &[
    "type",
    "enum",
    "const",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "contentMediaType",
    "items",
    "minItems",
    "maxItems",
    "nullable",
    "anyOf",
    "oneOf",
    "properties",
    "required",
];

/// Whether the view holds what `property` says under `key`.
fn carried(param: &ParamSchema, key: &str, property: &Value) -> bool {
    let value = &property[key];
    match key {
        "type" => value.as_str() == Some(param.ty.as_str()),
        "enum" => param.values.as_ref().map(|v| v.len()) == value.as_array().map(Vec::len),
        "const" => param.values.as_ref().is_some_and(|v| v.len() == 1),
        "default" => param.default.as_ref().map(Literal::to_json).as_ref() == Some(value),
        "minimum" | "exclusiveMinimum" => param
            .range
            .as_ref()
            .and_then(|r| r.min.as_ref())
            .is_some_and(|m| m.as_f64() == value.as_f64()),
        "maximum" | "exclusiveMaximum" => param
            .range
            .as_ref()
            .and_then(|r| r.max.as_ref())
            .is_some_and(|m| m.as_f64() == value.as_f64()),
        "minLength" => param.more.min_length.map(u64::from) == value.as_u64(),
        "maxLength" => param.max_length.map(u64::from) == value.as_u64(),
        "pattern" => param.more.pattern.as_deref() == value.as_str(),
        "format" => param.more.format.as_deref() == value.as_str(),
        "contentMediaType" => param.more.content_media_type.as_deref() == value.as_str(),
        "minItems" => param.more.min_items.map(u64::from) == value.as_u64(),
        "maxItems" => param.more.max_items.map(u64::from) == value.as_u64(),
        "nullable" => param.more.nullable == (value == &Value::Bool(true)),
        "anyOf" | "oneOf" => param.more.variants.len() == value.as_array().map_or(0, Vec::len),
        "items" => param.items.is_some(),
        _ => true,
    }
}

#[test]
fn every_parameter_is_read_without_loss() {
    let corpus = corpus();
    let (mut params, mut lossless) = (0, 0);
    let mut lost = Vec::new();
    for entry in &corpus {
        let resolved = videohub::schema::normalize(&entry.schema);
        let properties = resolved["properties"].as_object().unwrap();
        let images = entry.view.image_inputs.as_ref().map(|i| i.param.as_ref());
        assert_eq!(
            properties.len(),
            entry.view.params.len() + usize::from(images.is_some()),
            "{}",
            entry.id
        );
        for param in entry.view.params.iter() {
            params += 1;
            let property = &properties[param.name.as_ref()];
            let missing: Vec<&str> = READ
                .iter()
                .copied()
                .filter(|k| property.get(*k).is_some() && !carried(param, k, property))
                .collect();
            if missing.is_empty() {
                lossless += 1;
            } else {
                lost.push(format!("{}.{}: {missing:?}", entry.id, param.name));
            }
        }
    }
    println!(
        "corpus: {} schemas, {params} parameters, {lossless} read without loss",
        corpus.len()
    );
    assert!(lost.is_empty(), "{lost:#?}");
}

#[test]
fn every_media_input_is_recognised_by_what_it_is() {
    let corpus = corpus();
    let mut found = 0;
    for entry in &corpus {
        let media: Map<String, Value> = entry
            .view
            .params
            .iter()
            .filter_map(|p| Some((p.name.to_string(), p.media()?.as_str().into())))
            .collect();
        assert_eq!(media, entry.media, "{}", entry.id);
        found += media.len();
    }
    println!("corpus: {found} media inputs recognised");
}

/// The job the last command sent for `id`.
fn last_input(hub: &Hub, id: &str) -> Value {
    let jobs = hub.jobs();
    let job = jobs.iter().find(|j| j["model"] == id).unwrap();
    job["input"].clone()
}

#[test]
fn an_image_goes_to_the_parameter_it_names_or_where_the_schema_says() {
    let corpus = corpus();
    let hub = hub(&corpus);
    let url = "https://cdn.example.com/frames/start.png";
    let holds =
        |value: &Value| value == url || value.as_array().is_some_and(|l| l.contains(&url.into()));
    let mut sent = 0;
    for entry in &corpus {
        let base = args_for(&entry.view, &entry.view.example_input());
        let generate = |image: &str| {
            hub.videohub()
                .args(["generate", &entry.id, "--no-wait"])
                .args(&base)
                .args(["--image", image])
                .output()
                .unwrap()
        };
        // Named, to each image parameter.
        for name in entry
            .media
            .iter()
            .filter(|(_, kind)| *kind == "image")
            .map(|(n, _)| n)
        {
            let run = generate(&format!("{name}={url}"));
            assert!(run.status.success(), "{} {name}: {run:?}", entry.id);
            sent += 1;
            assert!(
                holds(&last_input(&hub, &entry.id)[name]),
                "{} {name}",
                entry.id
            );
        }
        // Without a name.
        let run = generate(url);
        let stderr = String::from_utf8_lossy(&run.stderr);
        match &entry.image_without_name {
            Some(name) => {
                assert!(run.status.success(), "{}: {stderr}", entry.id);
                sent += 1;
                assert!(
                    holds(&last_input(&hub, &entry.id)[name]),
                    "{} {name}",
                    entry.id
                );
            }
            None if entry.media.values().any(|kind| kind == "image") => {
                assert_eq!(run.status.code(), Some(2), "{}: {stderr}", entry.id);
                assert!(stderr.contains("name the parameter of each"), "{stderr}");
                for name in entry
                    .media
                    .iter()
                    .filter(|(_, k)| *k == "image")
                    .map(|(n, _)| n)
                {
                    assert!(
                        stderr.contains(&format!("`{name}`")),
                        "{}: {stderr}",
                        entry.id
                    );
                }
            }
            None => {
                assert_eq!(run.status.code(), Some(2), "{}: {stderr}", entry.id);
                assert!(stderr.contains("takes no images"), "{}: {stderr}", entry.id);
            }
        }
    }
    assert_eq!(hub.handle.counters().submits_received, sent);
}

/// What a `#[video_model]` type carries of a parameter: name, type, presence, default,
/// values, a range closed on both sides, a maximum length, the type of list elements.
fn carried_by_types(schema: &ModelSchema) -> Value {
    let params: Vec<Value> = schema
        .params
        .iter()
        .map(|p| {
            let range = p
                .range
                .as_ref()
                .filter(|r| r.min.is_some() && r.max.is_some() && !r.exclusive_min && !r.exclusive_max)
                .map(|r| json!([r.min.as_ref().and_then(Literal::as_f64), r.max.as_ref().and_then(Literal::as_f64)]));
            json!({
                "name": p.name, "type": p.ty, "required": p.required,
                // A number's default is written `25.0` in a type, `25` in a schema.
                "default": p.default.as_ref().map(|d| d.as_f64().map_or_else(|| d.to_json(), Value::from)),
                "values": p.values.as_ref().map(|v| v.iter().map(Literal::to_json).collect::<Vec<_>>()),
                "range": range, "max_length": p.max_length,
                "items": p.items.as_ref().map(|i| i.ty),
            })
        })
        .collect();
    let images = schema.image_inputs.as_ref().map(|i| i.min);
    json!({"id": schema.id, "category": schema.category, "params": params, "min_images": images})
}

/// `models codegen` of every corpus model builds in a crate of its own, and each generated
/// type's own schema carries what the live schema's view says, parameter by parameter.
#[test]
fn codegen_of_the_corpus_builds_and_round_trips() {
    let corpus = corpus();
    let hub = hub(&corpus);
    let scratch = tempfile::tempdir().unwrap();
    let src = scratch.path().join("src");
    std::fs::create_dir(&src).unwrap();
    hub.videohub()
        .args(["models", "codegen"])
        .args(corpus.iter().map(|e| e.id.as_str()))
        .arg("-o")
        .arg(src.join("generated.rs"))
        .assert()
        .success();
    let mut main =
        String::from("mod generated;\nuse videohub::Model;\nfn main() {\n    let schemas = [\n");
    for entry in &corpus {
        let module = videohub_cli_names::module(&entry.id);
        main.push_str(&format!(
            "        generated::{module}::{}::SCHEMA,\n",
            videohub_cli_names::type_name(&entry.id)
        ));
    }
    main.push_str("    ];\n    println!(\"{}\", serde_json::to_string(&schemas).unwrap());\n}\n");
    std::fs::write(src.join("main.rs"), main).unwrap();
    let binary = build_user_crate(scratch.path(), "corpus-models");
    let run = std::process::Command::new(binary).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let compiled: Vec<ModelSchema> = serde_json::from_slice(&run.stdout).unwrap();
    for (entry, compiled) in corpus.iter().zip(&compiled) {
        assert_eq!(
            carried_by_types(compiled),
            carried_by_types(&entry.view),
            "{}",
            entry.id
        );
    }
}

/// The names `models codegen` gives a model's module and type.
mod videohub_cli_names {
    pub(super) fn module(id: &str) -> String {
        let name: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("m_{name}")
        } else {
            name
        }
    }

    pub(super) fn type_name(id: &str) -> String {
        let name: String = id
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
            .collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("M{name}")
        } else {
            name
        }
    }
}

#[test]
fn models_list_marks_compiled_provisional_and_live_only_models() {
    let corpus = corpus();
    let hub = hub(&corpus);
    let output = hub
        .videohub()
        .args(["models", "list", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let status = |id: &str| {
        listed
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("veo-3.1").as_deref(), Some("compiled"));
    assert_eq!(status("veo-3.1-image").as_deref(), Some("provisional"));
    for entry in &corpus {
        let row = listed
            .iter()
            .find(|m| m["id"] == entry.id.as_str())
            .unwrap();
        assert_eq!(row["status"], "live only");
        assert_eq!(row["name"], entry.view.name.as_ref(), "the listing's name");
        assert_eq!(row["vendor"], entry.view.vendor.as_ref());
    }
    // Without a hub to ask, the compiled models alone, and a note that says so.
    let offline = crate::common::videohub()
        .args(["models", "list"])
        .output()
        .unwrap();
    assert!(offline.status.success());
    let text = String::from_utf8_lossy(&offline.stdout);
    assert!(
        text.contains("veo-3.1-image") && text.contains("provisional"),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&offline.stderr).contains("the live catalog was not read"),
        "{offline:?}"
    );
}
