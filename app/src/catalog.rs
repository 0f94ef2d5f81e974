//! The models to choose from: the ones compiled into videohub, marked `compiled` (the hub
//! documents their parameters) or `provisional` (it documents only their ids and image
//! rules), and the live hub's others, `live only`, used through their live schemas.

use std::fmt;
use std::time::Duration;

use futures::future::join_all;
use serde::Serialize;
use videohub::schema::{Category, ModelSchema};
use videohub::{Capability, Client, ModelInfo};

/// How long the live hub's list of one capability may take before the catalog goes on
/// without it.
pub const LIVE_LIST_TIMEOUT: Duration = Duration::from_secs(10);

/// How videohub knows a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Compiled, from the hub's reference tables.
    Compiled,
    /// Compiled, with parameters the hub does not document (`videohub models check`
    /// compares them with the live hub).
    Provisional,
    /// On the live hub only: used through its live schema.
    LiveOnly,
}

impl Availability {
    /// `compiled`, `provisional` or `live only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Compiled => "compiled",
            Availability::Provisional => "provisional",
            Availability::LiveOnly => "live only",
        }
    }

    /// Whether videohub compiles the model (with documented parameters or not).
    pub fn is_compiled(self) -> bool {
        self != Availability::LiveOnly
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One model of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The hub's model id.
    pub id: String,
    /// Its name (the id when the hub gives none).
    pub name: String,
    /// Its maker.
    pub vendor: String,
    /// What it generates from what, e.g. `text-to-video`.
    pub category: String,
    /// What it generates: `video`, `image`, `audio` or `transcription`.
    pub capability: String,
    /// One paragraph about it.
    pub description: String,
    /// How videohub knows it.
    pub availability: Availability,
}

impl Entry {
    /// A compiled model's entry.
    pub fn compiled(schema: &ModelSchema) -> Entry {
        let availability = if videohub::models::is_provisional(&schema.id) {
            Availability::Provisional
        } else {
            Availability::Compiled
        };
        Entry {
            id: schema.id.to_string(),
            name: schema.name.to_string(),
            vendor: schema.vendor.to_string(),
            category: schema.category.to_string(),
            capability: schema.category.capability().to_string(),
            description: schema.description.to_string(),
            availability,
        }
    }

    /// The entry of a model the live hub lists under `capability`.
    fn live(info: ModelInfo, capability: Capability) -> Entry {
        Entry {
            name: info.name.unwrap_or_else(|| info.id.clone()),
            vendor: info.vendor.unwrap_or_default(),
            category: info.category.unwrap_or_default(),
            capability: info.capability.unwrap_or_else(|| capability.to_string()),
            description: info.description.unwrap_or_default(),
            id: info.id,
            availability: Availability::LiveOnly,
        }
    }
}

/// Why the live hub's models of one capability are missing from a catalog.
#[derive(Debug, thiserror::Error)]
pub enum Gap {
    /// The hub answered with an error.
    #[error("the hub's {capability} model list could not be read: {source}")]
    Failed {
        /// The capability asked for.
        capability: Capability,
        /// What went wrong.
        source: videohub::Error,
    },
    /// The hub did not answer within [`LIVE_LIST_TIMEOUT`].
    #[error("the hub's {capability} model list did not come in time")]
    TimedOut {
        /// The capability asked for.
        capability: Capability,
    },
}

/// The compiled models, then the live hub's others.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The models, compiled ones first in the order videohub lists them.
    pub entries: Vec<Entry>,
    /// The capabilities whose live models are missing, and why.
    pub gaps: Vec<Gap>,
}

impl Catalog {
    /// The compiled models alone, e.g. when there is no hub to ask.
    ///
    /// ```
    /// let catalog = videohub_app::Catalog::compiled();
    /// assert!(catalog.entries.iter().any(|m| m.id == "veo-3.1"));
    /// ```
    pub fn compiled() -> Catalog {
        Catalog {
            entries: videohub::models::catalog()
                .iter()
                .map(|schema| Entry::compiled(schema))
                .collect(),
            gaps: Vec::new(),
        }
    }

    /// The compiled models and the live hub's others of every capability, each list asked
    /// for at once and given [`LIVE_LIST_TIMEOUT`]; a list that fails or comes late is a
    /// [`Gap`], and the rest is still the catalog.
    pub async fn read(client: &Client) -> Catalog {
        let mut catalog = Catalog::compiled();
        let lists = Capability::ALL.map(|capability| async move {
            let listed = tokio::time::timeout(LIVE_LIST_TIMEOUT, client.models(capability)).await;
            (capability, listed)
        });
        for (capability, listed) in join_all(lists).await {
            match listed {
                Ok(Ok(models)) => catalog.entries.extend(
                    models
                        .into_iter()
                        .filter(|info| videohub::models::find(&info.id).is_none())
                        .map(|info| Entry::live(info, capability)),
                ),
                Ok(Err(source)) => catalog.gaps.push(Gap::Failed { capability, source }),
                Err(_) => catalog.gaps.push(Gap::TimedOut { capability }),
            }
        }
        catalog
    }

    /// Only the models of `category`.
    pub fn of_category(mut self, category: Category) -> Catalog {
        self.entries.retain(|m| m.category == category.as_str());
        self
    }

    /// Only the models that generate one of `capabilities`.
    pub fn generating(mut self, capabilities: &[Capability]) -> Catalog {
        self.entries
            .retain(|m| capabilities.iter().any(|c| m.capability == c.as_str()));
        self
    }

    /// The ids of the live hub's models videohub does not compile.
    pub fn live_only(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|m| m.availability == Availability::LiveOnly)
            .map(|m| m.id.as_str())
    }

    /// The gaps as one sentence, or `None` when the catalog is whole.
    pub fn note(&self) -> Option<String> {
        (!self.gaps.is_empty()).then(|| {
            self.gaps
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_models_are_marked_by_what_the_hub_documents() {
        let catalog = Catalog::compiled();
        let status = |id: &str| {
            catalog
                .entries
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.availability)
        };
        assert_eq!(status("veo-3.1"), Some(Availability::Compiled));
        assert_eq!(status("veo-3.1-ref"), Some(Availability::Provisional));
        assert_eq!(catalog.live_only().count(), 0);
        assert_eq!(catalog.note(), None);
    }

    #[test]
    fn a_category_keeps_its_models_only() {
        let images = Catalog::compiled().of_category(Category::ImageToVideo);
        assert!(!images.entries.is_empty());
        assert!(
            images
                .entries
                .iter()
                .all(|m| m.category == "image-to-video")
        );
        let video = Catalog::compiled().generating(&[Capability::Video]);
        assert_eq!(video.entries.len(), Catalog::compiled().entries.len());
    }
}
