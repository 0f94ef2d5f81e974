//! What the model author wrote, parsed with darling and nothing more: no rule is checked
//! here beyond the shape of each attribute (see `model` for the rules).

use darling::ast::NestedMeta;
use darling::util::{Flag, SpannedValue};
use darling::{Error, FromMeta, Result};
use syn::{Ident, Lit, LitStr, Path};

/// `#[video_model(id = "…", name = "…", vendor = "…", category = "…", crate = "…")]`.
#[derive(Debug, FromMeta)]
pub(crate) struct ModelArgs {
    /// The hub's model id.
    pub id: LitStr,
    /// The human-readable name.
    pub name: LitStr,
    /// The maker of the model.
    pub vendor: LitStr,
    /// One of the hub's categories, e.g. `text-to-video`.
    pub category: LitStr,
    /// The path of the `videohub` crate in generated code.
    #[darling(rename = "crate")]
    pub krate: Option<Path>,
}

/// `#[param(…)]` on a field.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct ParamArgs {
    /// The wire name, when it differs from the field's name.
    pub rename: Option<LitStr>,
    /// The hub rejects a request without this parameter.
    pub required: Flag,
    /// The value the hub uses when the parameter is absent.
    pub default: Option<Lit>,
    /// The only values allowed.
    pub values: Option<SpannedValue<Values>>,
    /// Inclusive numeric bounds.
    pub range: Option<SpannedValue<RangeArgs>>,
    /// The most characters a string may have.
    pub max_length: Option<SpannedValue<u32>>,
    /// A single image, sent in `image_urls` (type `Image`); with `rename`, sent alone under
    /// that name (`#[param(image, rename = "image_url")]`).
    pub image: Flag,
    /// A list of images, sent as `image_urls` (type `Vec<Image>`), with its bounds.
    pub images: Option<SpannedValue<CountArgs>>,
    /// A single video, sent under the field's wire name (type `VideoInput`).
    pub video: Flag,
    /// A single audio clip, sent under the field's wire name (type `AudioInput`).
    pub audio: Flag,
    /// The name of a group of parameters of which exactly one must be given.
    pub exactly_one_of: Option<LitStr>,
    /// The name of a group of parameters of which at most one may be given.
    pub at_most_one_of: Option<LitStr>,
}

/// `images(min = …, max = …)`.
#[derive(Debug, FromMeta)]
pub(crate) struct CountArgs {
    pub min: u32,
    pub max: u32,
}

/// `range(min = …, max = …)`.
#[derive(Debug, FromMeta)]
pub(crate) struct RangeArgs {
    pub min: Lit,
    pub max: Lit,
}

/// `values("4s", "6s")` or `values(S4 = "4s", S6 = "6s")`, mixed freely.
#[derive(Debug)]
pub(crate) struct Values(pub Vec<ValueArg>);

/// One allowed value, with the variant name the author chose, if any.
#[derive(Debug)]
pub(crate) struct ValueArg {
    pub name: Option<Ident>,
    pub lit: Lit,
}

impl FromMeta for Values {
    fn from_list(items: &[NestedMeta]) -> Result<Self> {
        let mut errors = Error::accumulator();
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match item {
                NestedMeta::Lit(lit) => values.push(ValueArg {
                    name: None,
                    lit: lit.clone(),
                }),
                NestedMeta::Meta(syn::Meta::NameValue(nv)) => {
                    match (nv.path.get_ident(), &nv.value) {
                        (Some(name), syn::Expr::Lit(expr)) => values.push(ValueArg {
                            name: Some(name.clone()),
                            lit: expr.lit.clone(),
                        }),
                        (None, _) => errors.push(
                            Error::custom("expected a variant name, like `P720 = \"720p\"`")
                                .with_span(&nv.path),
                        ),
                        (Some(_), other) => {
                            errors.push(Error::custom("expected a literal value").with_span(other))
                        }
                    }
                }
                other => errors.push(
                    Error::custom(
                        "expected a value (`\"720p\"`, `5`) or a named value (`P720 = \"720p\"`)",
                    )
                    .with_span(other),
                ),
            }
        }
        errors.finish_with(Values(values))
    }
}
