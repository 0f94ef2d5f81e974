//! Tool schemas every client can read: an optional property is written with its one type.
//!
//! schemars writes an `Option<T>` field as `"type": ["T", "null"]`, legal JSON Schema that
//! clients mapping tool schemas onto a single-`type` dialect (Gemini's function
//! declarations, an OpenAPI subset) reject or misread. Our optional arguments may be left
//! out (a `null` is read as left out too), and our optional answers are left out rather than
//! `null`: so a property that is not `required` is written with its one type (and without
//! the `"default": null` its type no longer allows).

use schemars::Schema;
use serde_json::Value;

/// The `transform` of every argument and answer type: the properties that are not
/// `required` lose the `"null"` of their `type`, and a `null` default.
pub(crate) fn portable(schema: &mut Schema) {
    let required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for (name, property) in properties {
        if required.iter().any(|r| r.as_str() == Some(name.as_str())) {
            continue;
        }
        let Some(types) = property.get_mut("type") else {
            continue;
        };
        if let Value::Array(list) = types {
            list.retain(|t| t != "null");
            if let [only] = list.as_slice() {
                *types = only.clone();
            }
        }
        if let Some(property) = property.as_object_mut()
            && property.get("default") == Some(&Value::Null)
        {
            property.remove("default");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn optional_properties_lose_their_null() {
        let mut schema = Schema::try_from(json!({
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"]},
                "kept": {"type": ["string", "null"]},
                "count": {"type": ["integer", "null"], "minimum": 0, "default": null},
                "plain": {"type": "boolean"}
            },
            "required": ["kept"]
        }))
        .unwrap();
        portable(&mut schema);
        assert_eq!(
            schema.as_value()["properties"],
            json!({
                "name": {"type": "string"},
                "kept": {"type": ["string", "null"]},
                "count": {"type": "integer", "minimum": 0},
                "plain": {"type": "boolean"}
            })
        );
    }
}
