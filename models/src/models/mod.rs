//! Every hub model videohub knows, one module per family, one type per model.
//!
//! Each model type has a builder that checks at compile time what the hub would otherwise
//! reject after a round trip: required parameters, values the model does not allow, and
//! parameters that exclude each other, the wrong number of images. [`catalog`] lists the
//! schema of every model here.
//!
//! The nine text-to-video models follow the hub's reference tables. The eleven image models
//! (image-to-video, reference images, first and last frame) are documented by the hub only by
//! id and image rule: their parameters follow the upstream provider and are provisional;
//! `videohub models check` compares every compiled model with the live hub.

pub mod kling;
pub mod seedance;
pub mod veo;
pub mod wan;

use std::borrow::Cow;

use crate::{Client, Model, ModelSchema, Result};

/// The schema of every model compiled into this crate, in the hub's order.
///
/// ```
/// let ids: Vec<&str> = videohub::models::catalog().iter().map(|m| m.id.as_ref()).collect();
/// assert!(ids.contains(&"veo-3.1"));
/// ```
pub fn catalog() -> &'static [&'static ModelSchema] {
    const CATALOG: &[&ModelSchema] = &[
        veo::Veo31::SCHEMA,
        veo::Veo31Fast::SCHEMA,
        veo::Veo31Lite::SCHEMA,
        veo::Veo3::SCHEMA,
        kling::KlingV3Standard::SCHEMA,
        kling::KlingV3Pro::SCHEMA,
        wan::Wan27::SCHEMA,
        seedance::Seedance20::SCHEMA,
        seedance::Seedance20Fast::SCHEMA,
        veo::Veo31Image::SCHEMA,
        veo::Veo31FastImage::SCHEMA,
        veo::Veo31LiteImage::SCHEMA,
        veo::Veo3Image::SCHEMA,
        kling::KlingV3ProImage::SCHEMA,
        kling::KlingV3StandardImage::SCHEMA,
        wan::Wan27Image::SCHEMA,
        seedance::Seedance20Image::SCHEMA,
        veo::Veo31Ref::SCHEMA,
        veo::Veo31FastRef::SCHEMA,
        veo::Veo31FirstLast::SCHEMA,
    ];
    CATALOG
}

/// Whether the compiled model `id` is provisional: one of the image models (image-to-video,
/// reference images, first and last frame), which the hub documents only by id and image
/// rule, so that their parameters follow the upstream provider.
///
/// ```
/// assert!(videohub::models::is_provisional("veo-3.1-image"));
/// assert!(!videohub::models::is_provisional("veo-3.1"));
/// assert!(!videohub::models::is_provisional("not-compiled"));
/// ```
pub fn is_provisional(id: &str) -> bool {
    find(id).is_some_and(|m| !m.category.inputs().is_empty())
}

/// The schema of the compiled model with this hub id.
///
/// ```
/// let wan = videohub::models::find("wan-2.7").unwrap();
/// assert_eq!(wan.vendor, "Alibaba");
/// ```
pub fn find(id: &str) -> Option<&'static ModelSchema> {
    catalog().iter().copied().find(|m| m.id == id)
}

/// The schema of model `id`: the compiled one when videohub knows the model, else the live
/// hub's ([`Client::model_schema`]). With [`Client::submit_checked`] this is the dynamic path
/// for any model id, including those the hub adds after this release.
///
/// ```no_run
/// # async fn run(client: videohub::Client) -> videohub::Result<()> {
/// let schema = videohub::models::resolve(&client, "veo-3.1").await?;
/// let mut input = videohub::JsonObject::new();
/// input.insert("prompt".into(), "a red fox in snow".into());
/// let task = client.submit_checked(&schema, input).await?;
/// task.wait().await?.save("fox.mp4").await?;
/// # Ok(()) }
/// ```
pub async fn resolve(client: &Client, id: &str) -> Result<Cow<'static, ModelSchema>> {
    match find(id) {
        Some(schema) => Ok(Cow::Borrowed(schema)),
        None => client.model_schema(id).await.map(Cow::Owned),
    }
}
