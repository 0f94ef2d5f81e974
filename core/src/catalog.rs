//! The hub's model catalog, parsed leniently: the raw JSON is always kept.

use serde_json::{Map, Value};

use crate::Capability;
use crate::error::{Error, Result};
use crate::hub::Hub;
#[cfg(feature = "live-schema")]
use crate::redact::Redactor;
#[cfg(feature = "live-schema")]
use crate::schema::LiveSchema;
use crate::schema::{Category, ModelSchema};
use crate::vocab::MODELS_PATH;
use crate::wire::excerpt;

/// One model as the hub describes it. Only `id` is required; every other field is read
/// when present, and the whole entry stays in `raw`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelInfo {
    /// The model id, e.g. `veo-3.1`.
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// The category as the hub wrote it, e.g. `text-to-video`.
    pub category: Option<String>,
    /// The capability as the hub wrote it, e.g. `image`.
    pub capability: Option<String>,
    /// Who makes the model.
    pub vendor: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// The JSON Schema of `input` (from the single-model endpoint).
    pub input_schema: Option<Value>,
    /// An example `input`.
    pub example: Option<Value>,
    /// The entry as the hub sent it (from a [`Client`](crate::Client), with the client's
    /// key replaced by `[redacted]` wherever the hub repeated it).
    pub raw: Value,
}

impl ModelInfo {
    /// Reads one catalog entry: an object with an id (`id`, `model`, `model_id` or `name`),
    /// or a bare id string. `None` when no id is found.
    pub fn from_json(raw: Value) -> Option<ModelInfo> {
        match &raw {
            Value::String(id) if !id.trim().is_empty() => Some(ModelInfo {
                id: id.trim().to_owned(),
                name: None,
                category: None,
                capability: None,
                vendor: None,
                description: None,
                input_schema: None,
                example: None,
                raw,
            }),
            Value::Object(map) => {
                let id = ["id", "model", "model_id", "name"]
                    .iter()
                    .find_map(|k| text(map, k))?;
                Some(ModelInfo {
                    id,
                    name: text(map, "name").or_else(|| text(map, "display_name")),
                    category: text(map, "category").or_else(|| text(map, "mode")),
                    capability: text(map, "capability"),
                    vendor: text(map, "vendor").or_else(|| text(map, "provider")),
                    description: text(map, "description"),
                    input_schema: ["input_schema", "inputSchema", "schema"]
                        .iter()
                        .find_map(|k| map.get(*k).filter(|v| v.is_object()).cloned()),
                    example: ["example", "example_input", "exampleInput"]
                        .iter()
                        .find_map(|k| map.get(*k).filter(|v| !v.is_null()).cloned()),
                    raw,
                })
            }
            _ => None,
        }
    }

    /// The category, when it is one of the known ones.
    pub fn category_kind(&self) -> Option<Category> {
        self.category.as_deref()?.parse().ok()
    }

    /// The capability, when it is one of the known ones.
    pub fn capability_kind(&self) -> Option<Capability> {
        Capability::from_name(self.capability.as_deref()?)
    }

    /// The model's schema, read from `input_schema` (see
    /// [`ModelSchema::from_json_schema`]); the entry's name and vendor are the model's (a
    /// schema's `title` is often its class name, `AppInput`), its category and description
    /// fill in what the JSON Schema does not say, and a category named nowhere is guessed
    /// among those of the entry's capability (an image model is not taken for a video one).
    /// `None` without `input_schema`.
    pub fn schema(&self) -> Option<ModelSchema> {
        let json = self.input_schema.as_ref()?;
        let mut schema = ModelSchema::from_json_schema(&self.id, json);
        if let Some(name) = &self.name {
            schema.name = name.clone().into();
        }
        if let Some(vendor) = &self.vendor {
            schema.vendor = vendor.clone().into();
        }
        if json.get("x-category").is_none() {
            match (self.category_kind(), self.capability_kind()) {
                (Some(category), _) => schema.category = category,
                (None, Some(capability)) if capability != schema.category.capability() => {
                    let images = schema.image_inputs.as_ref().map(|i| (i.min, i.max));
                    schema.category = Category::guess(capability, images);
                }
                _ => {}
            }
        }
        if let Some(description) = self
            .description
            .as_ref()
            .filter(|_| schema.description.is_empty())
        {
            schema.description = description.clone().into();
        }
        Some(schema)
    }
}

#[cfg(feature = "live-schema")]
impl ModelInfo {
    /// The model's schema (see [`ModelInfo::schema`]) with its JSON Schema compiled
    /// (feature `live-schema`, on by default).
    /// [`Error::Decode`] without `input_schema`, or with one that cannot be compiled.
    pub fn live_schema(&self) -> Result<LiveSchema> {
        let decode = |message: String| Error::Decode {
            message,
            excerpt: excerpt(self.raw.to_string().as_bytes(), &Redactor::default()),
        };
        let (Some(view), Some(json)) = (self.schema(), &self.input_schema) else {
            return Err(decode(format!(
                "the hub describes no input schema for model `{}`",
                self.id
            )));
        };
        LiveSchema::new(view, json).map_err(|e| decode(e.to_string()))
    }
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The list inside a catalog answer: the answer itself, or under `models`, `data`,
/// `items` or `results` (one level of nesting in `data` too).
fn entries(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(list) => Some(list),
        Value::Object(map) => ["models", "data", "items", "results"]
            .iter()
            .find_map(|k| match map.get(*k) {
                Some(Value::Array(list)) => Some(list),
                Some(inner @ Value::Object(_)) if *k == "data" => entries(inner),
                _ => None,
            }),
        _ => None,
    }
}

/// The hub's models of one capability (`GET /hub/v1/models?capability=video`); entries
/// without an id are skipped.
pub(crate) async fn models(hub: &Hub, capability: Capability) -> Result<Vec<ModelInfo>> {
    let transport = hub.transport();
    let mut url = transport.endpoint(MODELS_PATH, &[]);
    let (key, value) = capability.catalog_query();
    url.query_pairs_mut().append_pair(key, value);
    let value = transport.get_json(url).await?;
    let redactor = hub.redactor();
    let list = entries(&value).ok_or_else(|| Error::Decode {
        message: "the model list holds no list of models".into(),
        excerpt: excerpt(value.to_string().as_bytes(), redactor),
    })?;
    Ok(list
        .iter()
        .cloned()
        .filter_map(ModelInfo::from_json)
        .map(|mut info| {
            redactor.value(&mut info.raw);
            info
        })
        .collect())
}

/// One model with its `input_schema` and `example` (`GET /hub/v1/models/{model}`).
pub(crate) async fn model(hub: &Hub, id: &str) -> Result<ModelInfo> {
    let transport = hub.transport();
    let url = transport.endpoint(MODELS_PATH, &[id]);
    let value = transport.get_json(url).await?;
    let entry = match &value {
        Value::Object(map) if text(map, "id").is_none() => ["model", "data"]
            .iter()
            .find_map(|k| map.get(*k).filter(|v| v.is_object()).cloned())
            .unwrap_or_else(|| value.clone()),
        _ => value.clone(),
    };
    let mut with_id = entry.clone();
    if let Value::Object(map) = &mut with_id {
        map.entry("id")
            .or_insert_with(|| Value::String(id.to_owned()));
    }
    let redactor = hub.redactor();
    let mut info = ModelInfo::from_json(with_id).ok_or_else(|| Error::Decode {
        message: format!("the description of model `{id}` is not a JSON object"),
        excerpt: excerpt(value.to_string().as_bytes(), redactor),
    })?;
    info.raw = value;
    redactor.value(&mut info.raw);
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_lists() {
        let a = json!([{"id": "veo-3.1", "vendor": "Google", "category": "text-to-video"}, "kling-v3", {"x": 1}]);
        let list: Vec<_> = entries(&a)
            .expect("list")
            .iter()
            .cloned()
            .filter_map(ModelInfo::from_json)
            .collect();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].category_kind(), Some(Category::TextToVideo));
        assert_eq!(list[1].id, "kling-v3");
        assert_eq!(
            entries(&json!({"data": {"models": []}})).map(Vec::len),
            Some(0)
        );
        assert_eq!(entries(&json!({"models": [1]})).map(Vec::len), Some(1));
        assert!(entries(&json!({"nope": 1})).is_none());
    }

    #[test]
    fn a_category_named_nowhere_is_guessed_within_the_capability() {
        let schema = json!({"type": "object", "properties": {"prompt": {"type": "string"}}});
        let entry = |extra: Value| {
            let mut entry = json!({"id": "m", "input_schema": schema});
            entry
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            ModelInfo::from_json(entry)
                .unwrap()
                .schema()
                .unwrap()
                .category
        };
        assert_eq!(entry(json!({})), Category::TextToVideo);
        assert_eq!(entry(json!({"capability": "image"})), Category::TextToImage);
        assert_eq!(
            entry(json!({"capability": "image", "category": "image-edit"})),
            Category::ImageEdit
        );
        assert_eq!(entry(json!({"capability": "video"})), Category::TextToVideo);
    }
}
