//! The validated model: every rule a model author can break is checked here, with errors
//! accumulated and pointed at the offending token. Code generation reads only this.

use darling::{Error, FromMeta, Result};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, ItemStruct, Lit, Type};

use darling::ast::NestedMeta;
use videohub_vocab::{Category, Media};

mod docs;
mod field;
mod kind;
mod lit;
mod rules;

use crate::attr::{ModelArgs, ParamArgs};
use docs::{doc_text, first_paragraph};
pub(crate) use lit::lit_text;
use rules::{check_enum_names, check_groups, check_media, check_wire_names};

/// A model ready for code generation.
pub(crate) struct Model {
    pub item: ItemStruct,
    pub krate: TokenStream,
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub category: Category,
    pub description: String,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
}

impl Field {
    /// Whether the field is one of the images gathered in the image list: an
    /// `images(…)` list, or an `image` not renamed (a renamed one is sent alone under its
    /// own name).
    pub(crate) fn in_image_list(&self) -> bool {
        match self.kind {
            Kind::Images { .. } => true,
            Kind::Media(videohub_vocab::Media::Image) => !self.renamed,
            _ => false,
        }
    }
}

/// One parameter.
pub(crate) struct Field {
    pub ident: Ident,
    pub wire: String,
    /// Where the wire name was written: the `rename` literal, or the field's name.
    pub wire_span: Span,
    /// Whether the wire name was written with `rename`.
    pub renamed: bool,
    /// The declared type.
    pub ty: Type,
    /// The declared type without its `Option`.
    pub inner: Type,
    pub presence: Presence,
    pub kind: Kind,
    pub range: Option<(Lit, Lit)>,
    pub max_length: Option<u32>,
    pub description: String,
}

/// Whether and how a parameter must be given.
pub(crate) enum Presence {
    Required,
    Default(Lit),
    Optional,
    /// Optional, and a member of the group at this index of `Model::groups`.
    Grouped(usize),
}

/// The JSON shape of a parameter's value.
pub(crate) enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Enum(ValueEnum),
    /// A list of `elem`; `elem_kind` is `None` when the elements are objects that describe
    /// themselves through `ParamObject`.
    List {
        elem: Type,
        elem_kind: Option<Box<Kind>>,
    },
    /// A JSON object (`JsonObject`), sent as given.
    Object,
    /// One media file: an image (sent in the model's image list), a video or an audio clip
    /// (sent under the field's wire name).
    Media(Media),
    /// A list of `min` to `max` images, sent as the model's image list.
    Images {
        min: u32,
        max: u32,
    },
}

/// An enum generated for an enumerated parameter.
#[derive(Clone)]
pub(crate) struct ValueEnum {
    pub ident: Ident,
    /// The wire name of the parameter.
    pub param: String,
    pub integer: bool,
    pub variants: Vec<Variant>,
    pub default: Option<usize>,
}

/// One allowed value of an enumerated parameter.
#[derive(Clone)]
pub(crate) struct Variant {
    pub ident: Ident,
    pub lit: Lit,
    pub wire: String,
}

/// Parameters of which exactly one (or at most one) may be given.
pub(crate) struct Group {
    pub name: String,
    pub exactly_one: bool,
    pub members: Vec<usize>,
}

impl Field {
    pub(crate) fn value_enum(&self) -> Option<&ValueEnum> {
        match &self.kind {
            Kind::Enum(e) => Some(e),
            _ => None,
        }
    }
}

/// A model that failed the checks: the errors, and what can still be emitted so that the
/// rest of the user's crate type-checks (the struct without its `#[param]` attributes, and
/// the value enums that were well formed).
pub(crate) struct Failure {
    pub error: Error,
    /// The path of the `videohub` crate, as far as the arguments could be read.
    pub krate: TokenStream,
    pub item: ItemStruct,
    pub enums: Vec<ValueEnum>,
}

impl Model {
    /// Checks the attribute arguments and the struct.
    pub(crate) fn from_input(
        args: TokenStream,
        mut item: ItemStruct,
    ) -> std::result::Result<Model, Box<Failure>> {
        let mut errors = Error::accumulator();
        let args = errors.handle(
            NestedMeta::parse_meta_list(args)
                .map_err(Error::from)
                .and_then(|list| ModelArgs::from_list(&list)),
        );
        let category = args
            .as_ref()
            .and_then(|a| errors.handle(category(&a.category)));
        if let Some(args) = &args
            && args.id.value().trim().is_empty()
        {
            errors.push(Error::custom("the model id cannot be empty").with_span(&args.id));
        }

        let param_args = strip_params(&mut item, &mut errors);
        let mut fields = Vec::new();
        let mut groups = Vec::new();
        match &item.fields {
            syn::Fields::Named(named) => {
                for (field, args) in named.named.iter().zip(param_args) {
                    let Some(args) = args else { continue };
                    let index = fields.len();
                    if let Some(parsed) =
                        errors.handle(Field::from_syn(field, args, &mut groups, index))
                    {
                        fields.push(parsed);
                    }
                }
            }
            other => errors.push(
                Error::custom("a video model is a struct with named fields, one per parameter")
                    .with_span(&other.span()),
            ),
        }
        check_wire_names(&fields, &mut errors);
        check_enum_names(&fields, &mut errors);
        check_groups(&groups, &fields, &mut errors);
        // The category's inputs are checked only when every field could be read.
        if let Some(args) = &args
            && let Some(category) = category
            && fields.len() == item.fields.len()
        {
            check_media(category, &args.category, &fields, &mut errors);
        }

        let outcome = errors.finish();
        let krate = args
            .as_ref()
            .and_then(|a| a.krate.as_ref())
            .map_or_else(|| quote!(::videohub), |p| p.to_token_stream());
        match (outcome, args.zip(category)) {
            (Ok(()), Some((args, category))) => Ok(Model {
                krate,
                id: args.id.value(),
                name: args.name.value(),
                vendor: args.vendor.value(),
                category,
                description: first_paragraph(&doc_text(&item.attrs)),
                item,
                fields,
                groups,
            }),
            (outcome, _) => Err(Box::new(Failure {
                krate,
                error: outcome
                    .err()
                    .unwrap_or_else(|| Error::custom("invalid #[video_model] arguments")),
                enums: emittable_enums(fields),
                item,
            })),
        }
    }
}

/// The value enums of the fields, each name once: what the fallback can still emit.
fn emittable_enums(fields: Vec<Field>) -> Vec<ValueEnum> {
    let mut enums: Vec<ValueEnum> = Vec::new();
    for field in fields {
        if let Kind::Enum(e) = field.kind
            && !enums.iter().any(|other| other.ident == e.ident)
        {
            enums.push(e);
        }
    }
    enums
}

fn category(lit: &syn::LitStr) -> Result<Category> {
    lit.value()
        .parse()
        .map_err(|e: videohub_vocab::UnknownCategory| Error::custom(e).with_span(lit))
}

/// Removes every `#[param]` attribute from the fields and parses it; `None` for a field
/// whose attribute did not parse (its error is recorded, and its other checks skipped).
fn strip_params(
    item: &mut ItemStruct,
    errors: &mut darling::error::Accumulator,
) -> Vec<Option<ParamArgs>> {
    let mut parsed = Vec::new();
    for field in item.fields.iter_mut() {
        let (params, rest): (Vec<Attribute>, Vec<Attribute>) = field
            .attrs
            .drain(..)
            .partition(|a| a.path().is_ident("param"));
        field.attrs = rest;
        if let Some(extra) = params.get(1) {
            errors.push(
                Error::custom("put every setting of a parameter in one `#[param(...)]`")
                    .with_span(extra),
            );
        }
        let args = match params.first() {
            Some(attr) => errors.handle(ParamArgs::from_meta(&attr.meta)),
            None => Some(ParamArgs::default()),
        };
        parsed.push(args);
    }
    parsed
}
