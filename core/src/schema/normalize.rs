//! One resolved form of a JSON Schema, the way gateways publish them: local references
//! inlined and the spellings of "optional" and "one branch" reduced to one.
//!
//! | written | resolved |
//! |---|---|
//! | `{"$ref": "#/$defs/X"}` (also `#/definitions/…`, `#/components/schemas/…`, any local pointer) | the target, with the sibling keywords of `$ref` kept over it |
//! | `"type": ["integer", "null"]` | `"type": "integer", "nullable": true` |
//! | `"anyOf"` / `"oneOf"` with a `{"type": "null"}` branch | the other branches, `"nullable": true` |
//! | `"anyOf"` / `"oneOf"` / `"allOf"` with one branch left | that branch merged into the schema (the schema's own keywords win) |
//! | `"enum"` holding `null` | the other values, `"nullable": true` |
//!
//! OpenAPI's `"nullable": true` is already the resolved spelling. What is not listed is kept
//! as written; a reference that cannot be followed (remote, missing, or recursive past
//! [`MAX_DEPTH`] levels) stays a `$ref`.

use serde_json::{Map, Value};

/// How many references deep a schema is followed; a recursive schema stops there.
pub const MAX_DEPTH: usize = 16;

/// Keywords whose value is one schema.
const SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const SCHEMA_MAP: &[&str] = &["properties", "patternProperties", "dependentSchemas"];
/// Where schemas are kept to be referenced; inlined, they leave the resolved form.
const DEFINITIONS: &[&str] = &["$defs", "definitions", "components"];

/// The resolved form of `schema` (see the module documentation).
///
/// ```
/// use serde_json::json;
/// let schema = json!({
///     "type": "object",
///     "properties": {
///         "duration": {"$ref": "#/$defs/Duration", "default": "5"},
///         "seed": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
///     },
///     "$defs": {"Duration": {"type": "string", "enum": ["5", "10"]}}
/// });
/// let resolved = videohub_core::schema::normalize(&schema);
/// assert_eq!(resolved["properties"]["duration"], json!({"type": "string", "enum": ["5", "10"], "default": "5"}));
/// assert_eq!(resolved["properties"]["seed"], json!({"type": "integer", "nullable": true}));
/// assert!(resolved.get("$defs").is_none());
/// ```
pub fn normalize(schema: &Value) -> Value {
    inline(schema, schema, 0)
}

fn inline(node: &Value, root: &Value, depth: usize) -> Value {
    let Value::Object(map) = node else {
        return node.clone();
    };
    if let Some(Value::String(reference)) = map.get("$ref")
        && depth < MAX_DEPTH
        && let Some(target) = target(root, reference)
    {
        let mut resolved = match inline(target, root, depth + 1) {
            Value::Object(resolved) => resolved,
            other => return other,
        };
        for (key, value) in map.iter().filter(|(k, _)| *k != "$ref") {
            resolved.insert(key.clone(), keyword(key, value, root, depth));
        }
        return Value::Object(reduce_spellings(resolved));
    }
    let mut out = Map::new();
    for (key, value) in map {
        if depth == 0 && DEFINITIONS.contains(&key.as_str()) {
            continue;
        }
        out.insert(key.clone(), keyword(key, value, root, depth));
    }
    Value::Object(reduce_spellings(out))
}

/// The value of one keyword, with the schemas it holds inlined.
fn keyword(key: &str, value: &Value, root: &Value, depth: usize) -> Value {
    match value {
        Value::Object(_) if SCHEMA.contains(&key) => inline(value, root, depth),
        Value::Array(list) if SCHEMA.contains(&key) || SCHEMA_LIST.contains(&key) => {
            Value::Array(list.iter().map(|s| inline(s, root, depth)).collect())
        }
        Value::Object(named) if SCHEMA_MAP.contains(&key) => Value::Object(
            named
                .iter()
                .map(|(name, s)| (name.clone(), inline(s, root, depth)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The schema a local reference (`#/…`, a JSON pointer) names.
fn target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    let decoded = percent_decode(pointer);
    root.pointer(&decoded)
}

/// `%25`-style escapes of a reference's fragment, decoded (`%24defs` is `$defs`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

fn is_null_schema(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            map.get("type").and_then(Value::as_str) == Some("null")
                || map.get("const").is_some_and(Value::is_null)
                || map
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1 && e[0].is_null())
        }
        _ => false,
    }
}

/// One schema's own spellings reduced (see the table of the module documentation).
fn reduce_spellings(mut map: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Array(types)) = map.get("type") {
        let named: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if named.len() < types.len() && !named.is_empty() {
            map.insert("nullable".into(), true.into());
            let ty = match <[Value; 1]>::try_from(named) {
                Ok([one]) => one,
                Err(many) => Value::Array(many),
            };
            map.insert("type".into(), ty);
        }
    }
    if let Some(Value::Array(values)) = map.get("enum")
        && values.iter().any(Value::is_null)
        && values.iter().any(|v| !v.is_null())
    {
        let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        map.insert("enum".into(), Value::Array(values));
        map.insert("nullable".into(), true.into());
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get(key) else {
            continue;
        };
        let kept: Vec<Value> = branches
            .iter()
            .filter(|b| !is_null_schema(b))
            .cloned()
            .collect();
        if kept.len() == branches.len() || kept.is_empty() {
            continue;
        }
        map.insert("nullable".into(), true.into());
        map.insert(key.into(), Value::Array(kept));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let single = match map.get(key) {
            Some(Value::Array(branches)) if branches.len() == 1 => branches[0].clone(),
            _ => continue,
        };
        let Value::Object(branch) = single else {
            continue;
        };
        map.remove(key);
        for (k, v) in branch {
            match (map.get_mut(&k), k.as_str(), v) {
                (Some(Value::Bool(own)), "nullable", Value::Bool(theirs)) => *own |= theirs,
                (Some(_), _, _) => {}
                (None, _, v) => {
                    map.insert(k, v);
                }
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_of_every_kind_are_inlined() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"$ref": "#/definitions/A"},
                "b": {"allOf": [{"$ref": "#/components/schemas/B"}], "description": "own"},
                "c": {"type": "array", "items": {"$ref": "#/%24defs/C"}},
                "self": {"$ref": "#"}
            },
            "definitions": {"A": {"type": "integer", "minimum": 1}},
            "components": {"schemas": {"B": {"type": "string", "description": "theirs", "enum": ["x"]}}},
            "$defs": {"C": {"type": "object", "properties": {"n": {"$ref": "#/definitions/A"}}}}
        });
        let resolved = normalize(&schema);
        let properties = &resolved["properties"];
        assert_eq!(properties["a"], json!({"type": "integer", "minimum": 1}));
        assert_eq!(
            properties["b"],
            json!({"description": "own", "type": "string", "enum": ["x"]})
        );
        assert_eq!(
            properties["c"]["items"]["properties"]["n"],
            json!({"type": "integer", "minimum": 1})
        );
        // A schema that holds itself stops after MAX_DEPTH levels instead of looping.
        let mut depth = 0;
        let mut node = &properties["self"];
        while let Some(next) = node.get("properties").and_then(|p| p.get("self")) {
            node = next;
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(node["$ref"], "#");
    }

    #[test]
    fn every_spelling_of_optional_is_nullable() {
        for written in [
            json!({"type": ["string", "null"]}),
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
            json!({"oneOf": [{"type": "null"}, {"type": "string"}]}),
            json!({"type": "string", "nullable": true}),
        ] {
            assert_eq!(
                normalize(&written),
                json!({"type": "string", "nullable": true}),
                "{written}"
            );
        }
        assert_eq!(
            normalize(&json!({"enum": ["a", null]})),
            json!({"enum": ["a"], "nullable": true})
        );
    }

    #[test]
    fn unions_of_several_shapes_are_kept() {
        let union = json!({"anyOf": [{"type": "object"}, {"type": "string", "enum": ["square"]}, {"type": "null"}]});
        assert_eq!(
            normalize(&union),
            json!({"anyOf": [{"type": "object"}, {"type": "string", "enum": ["square"]}], "nullable": true})
        );
        // A remote reference is left as written.
        let remote = json!({"$ref": "https://example.com/schema.json"});
        assert_eq!(normalize(&remote), remote);
    }
}
