//! Every compiled model's schema equals its table in the hub's model list
//! (`fixtures/models.json`, a copy of the hub reference): names, types, required flags,
//! defaults, allowed values, ranges, lengths, descriptions and constraints.

use serde_json::Value;
use videohub::ModelSchema;
use videohub::models::catalog;

fn reference() -> Vec<Value> {
    let text = include_str!("../fixtures/models.json");
    let list: Value = serde_json::from_str(text).expect("fixtures/models.json is JSON");
    list["models"].as_array().expect("a `models` list").clone()
}

/// JSON values equal, numbers compared by value (`0` equals `0.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => a == b,
    }
}

fn compare(model: &ModelSchema, entry: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let ours = serde_json::to_value(model).expect("schemas serialize");
    let id = &model.id;
    for key in ["id", "name", "vendor", "category", "description"] {
        if !same(&ours[key], &entry[key]) {
            diffs.push(format!(
                "{id}: `{key}` is {} but the reference says {}",
                ours[key], entry[key]
            ));
        }
    }
    // Image inputs: the list's wire name, its bounds, and one role per position or list.
    let images = |v: &Value| {
        (
            v["param"].clone(),
            v["min"].clone(),
            v["max"].clone(),
            v["roles"].as_array().map(Vec::len),
        )
    };
    if images(&ours["image_inputs"]) != images(&entry["image_inputs"]) {
        diffs.push(format!(
            "{id}: image inputs {} but the reference says {}",
            ours["image_inputs"], entry["image_inputs"]
        ));
    }
    let names = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].clone())
            .collect::<Vec<_>>()
    };
    if names(&ours["params"]) != names(&entry["params"]) {
        diffs.push(format!(
            "{id}: parameters {:?} but the reference has {:?}",
            names(&ours["params"]),
            names(&entry["params"])
        ));
        return diffs;
    }
    for (p, r) in ours["params"]
        .as_array()
        .unwrap()
        .iter()
        .zip(entry["params"].as_array().unwrap())
    {
        let name = p["name"].as_str().unwrap();
        for key in ["type", "required", "default", "values", "max_length"] {
            let reference = r.get(key).unwrap_or(&Value::Null);
            if !same(&p[key], reference) {
                diffs.push(format!(
                    "{id}.{name}: `{key}` is {} but the reference says {reference}",
                    p[key]
                ));
            }
        }
        let range = r
            .get("range")
            .map(|r| serde_json::json!({"min": r["min"], "max": r["max"]}));
        if !same(&p["range"], range.as_ref().unwrap_or(&Value::Null)) {
            diffs.push(format!(
                "{id}.{name}: `range` is {} but the reference says {range:?}",
                p["range"]
            ));
        }
        // The reference has no description ("–" or empty) for some parameters.
        let described = !matches!(r["description"].as_str(), Some("–" | ""));
        if described && p["description"] != r["description"] {
            diffs.push(format!(
                "{id}.{name}: description {} but the reference says {}",
                p["description"], r["description"]
            ));
        }
        if let Some(items) = r.get("items") {
            let mut fields: Vec<(String, String)> = p["items"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_owned(),
                        f["type"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let mut expected: Vec<(String, String)> = items["fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().unwrap().split(' ').next().unwrap().to_owned(),
                    )
                })
                .collect();
            fields.sort();
            // JSON objects keep their written order: compare the fields as sets.
            expected.sort();
            if p["items"]["type"] != items["type"] || fields != expected {
                diffs.push(format!(
                    "{id}.{name}: items {} but the reference says {items}",
                    p["items"]
                ));
            }
        }
    }
    let constraints = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| (c["kind"].clone(), c["params"].clone()))
            .collect::<Vec<_>>()
    };
    if constraints(&ours["constraints"]) != constraints(&entry["constraints"]) {
        diffs.push(format!(
            "{id}: constraints {} but the reference says {}",
            ours["constraints"], entry["constraints"]
        ));
    }
    diffs
}

#[test]
fn every_compiled_model_matches_the_reference() {
    let reference = reference();
    let mut diffs = Vec::new();
    for model in catalog() {
        match reference.iter().find(|e| e["id"] == model.id.as_ref()) {
            Some(entry) => diffs.extend(compare(model, entry)),
            None => diffs.push(format!("{}: not in the reference", model.id)),
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn every_known_model_is_compiled() {
    let reference = reference();
    for entry in &reference {
        let id = entry["id"].as_str().unwrap();
        assert!(
            videohub::models::find(id).is_some(),
            "{id} is in the reference but has no type"
        );
    }
    assert_eq!(catalog().len(), reference.len());
}

#[test]
fn the_reference_deserializes_into_schemas() {
    for entry in reference() {
        let schema: ModelSchema =
            serde_json::from_value(entry.clone()).expect("entries are schemas");
        assert_eq!(schema.id, entry["id"].as_str().unwrap());
        assert_eq!(
            schema.params.len(),
            entry["params"].as_array().unwrap().len()
        );
    }
}

#[test]
fn the_comparison_notices_a_difference() {
    let reference = reference();
    let mut altered = reference[0].clone();
    altered["params"][3]["default"] = "6s".into();
    let model = videohub::models::find("veo-3.1").unwrap();
    let diffs = compare(model, &altered);
    assert_eq!(
        diffs,
        ["veo-3.1.duration: `default` is \"8s\" but the reference says \"6s\""]
    );
}
