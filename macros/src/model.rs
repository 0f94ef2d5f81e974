//! The validated model: every rule a model author can break is checked here, with errors
//! accumulated and pointed at the offending token. Code generation reads only this.

use darling::util::SpannedValue;
use darling::{Error, FromMeta, Result};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Attribute, GenericArgument, Ident, ItemStruct, Lit, PathArguments, Type};

use darling::ast::NestedMeta;

use crate::attr::{ModelArgs, ParamArgs, Values};
use crate::naming;

/// A model ready for code generation.
pub(crate) struct Model {
    pub item: ItemStruct,
    pub krate: TokenStream,
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub category: Ident,
    pub description: String,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
}

/// One parameter.
pub(crate) struct Field {
    pub ident: Ident,
    pub wire: String,
    /// Where the wire name was written: the `rename` literal, or the field's name.
    pub wire_span: Span,
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
    /// One image, sent in the model's image list.
    Image,
    /// A list of `min` to `max` images, sent as the model's image list.
    Images {
        min: u32,
        max: u32,
    },
    /// One video, sent under the field's wire name.
    Video,
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

const CATEGORIES: [(&str, &str); 5] = [
    ("text-to-video", "TextToVideo"),
    ("image-to-video", "ImageToVideo"),
    ("reference-to-video", "ReferenceToVideo"),
    ("first-last-frame", "FirstLastFrame"),
    ("video-edit", "VideoEdit"),
];

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
            && fields.len() == item.fields.len()
        {
            check_media(&args.category, &fields, &mut errors);
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
                enums: fields
                    .into_iter()
                    .filter_map(|f| match f.kind {
                        Kind::Enum(e) => Some(e),
                        _ => None,
                    })
                    .collect(),
                item,
            })),
        }
    }
}

fn category(lit: &syn::LitStr) -> Result<Ident> {
    let value = lit.value();
    match CATEGORIES.iter().find(|(name, _)| *name == value) {
        Some((_, variant)) => Ok(Ident::new(variant, lit.span())),
        None => {
            let names = CATEGORIES.map(|(n, _)| n).join(", ");
            Err(Error::custom(format!(
                "unknown category `{value}`: expected one of {names}"
            ))
            .with_span(lit))
        }
    }
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

impl Field {
    fn from_syn(
        field: &syn::Field,
        args: ParamArgs,
        groups: &mut Vec<Group>,
        index: usize,
    ) -> Result<Field> {
        let mut errors = Error::accumulator();
        let ident = field.ident.clone().expect("named fields have names");
        let wire = args
            .rename
            .as_ref()
            .map_or_else(|| ident.to_string(), |r| r.value());
        let description = first_paragraph(&doc_text(&field.attrs));
        let option_inner = option_inner(&field.ty);
        let inner = option_inner.cloned().unwrap_or_else(|| field.ty.clone());

        let group = match (&args.exactly_one_of, &args.at_most_one_of) {
            (Some(_), Some(second)) => {
                errors.push(
                    Error::custom("`exactly_one_of` and `at_most_one_of` cannot be combined")
                        .with_span(second),
                );
                None
            }
            (Some(name), None) => Some((name, true)),
            (None, Some(name)) => Some((name, false)),
            (None, None) => None,
        };
        let media = errors.handle(media_kind(&args, &inner, &wire));
        // Media inputs are always required, whether or not their type is right.
        let required = args.required.is_present()
            || args.image.is_present()
            || args.images.is_some()
            || args.video.is_present();
        let presence = match (required, &args.default, group) {
            (true, Some(default), _) => {
                errors.push(Error::custom(format!("`{wire}` is `required`, so it cannot have a `default`: remove one of the two")).with_span(default));
                Presence::Required
            }
            (true, None, Some((name, _))) | (false, Some(_), Some((name, _))) => {
                errors.push(
                    Error::custom(
                        "a parameter in a group is optional: remove `required` and `default`",
                    )
                    .with_span(name),
                );
                Presence::Optional
            }
            (true, None, None) => Presence::Required,
            (false, Some(default), None) => Presence::Default(default.clone()),
            (false, None, None) => Presence::Optional,
            (false, None, Some((name, exactly_one))) => {
                Presence::Grouped(join_group(groups, name, exactly_one, index, &mut errors))
            }
        };
        match (&presence, option_inner.is_some()) {
            (Presence::Required, true) => errors.push(
                Error::custom(format!("`{wire}` is required, so its type holds the value itself: remove the `Option`")).with_span(&field.ty),
            ),
            (Presence::Default(_), true) => errors.push(
                Error::custom(format!("`{wire}` has a default, so its type holds the effective value: remove the `Option`")).with_span(&field.ty),
            ),
            (Presence::Optional | Presence::Grouped(_), false) => errors.push(
                Error::custom(format!(
                    "`{wire}` is optional and has no default, so its type must be `Option<_>`; or mark it `#[param(required)]`, or give it a `default`"
                ))
                .with_span(&field.ty),
            ),
            _ => {}
        }

        let kind = match (media, &args.values) {
            (None, _) => None,
            (Some(Some(media)), _) => Some(media),
            (Some(None), Some(values)) => errors.handle(enum_kind(&inner, values, &wire)),
            (Some(None), None) => errors.handle(plain_kind(&inner)),
        };
        if let (Some(kind), Presence::Default(default)) = (&kind, &presence) {
            errors.handle(check_default(kind, default));
        }
        let kind = kind.map(|kind| match (kind, &presence) {
            (Kind::Enum(mut e), Presence::Default(default)) => {
                e.default = e.variants.iter().position(|v| lit_eq(&v.lit, default));
                Kind::Enum(e)
            }
            (kind, _) => kind,
        });
        if let (Some(range), Some(kind)) = (&args.range, &kind)
            && !matches!(kind, Kind::Integer | Kind::Number)
        {
            errors.push(
                Error::custom("`range` applies to integer and number parameters only")
                    .with_span(&range.span()),
            );
        }
        if let (Some(max), Some(kind)) = (&args.max_length, &kind)
            && !matches!(kind, Kind::String)
        {
            errors.push(
                Error::custom("`max_length` applies to string parameters only")
                    .with_span(&max.span()),
            );
        }
        let range = args
            .range
            .map(SpannedValue::into_inner)
            .map(|r| (r.min, r.max));
        if let (Some((min, max)), Some(kind)) = (&range, &kind) {
            for bound in [min, max] {
                errors.handle(check_literal(kind, bound, "a range bound"));
            }
        }
        let max_length = args.max_length.map(SpannedValue::into_inner);
        errors.finish()?;
        Ok(Field {
            wire_span: args
                .rename
                .as_ref()
                .map_or_else(|| ident.span(), |r| r.span()),
            ident,
            wire,
            ty: field.ty.clone(),
            inner,
            presence,
            kind: kind.expect("a kind is parsed whenever no error was recorded"),
            range,
            max_length,
            description,
        })
    }
}

/// Each category takes its own inputs: image-to-video one image, first-last-frame two (first,
/// then last), reference-to-video one list, video-edit a video, text-to-video none.
fn check_media(category: &syn::LitStr, fields: &[Field], errors: &mut darling::error::Accumulator) {
    let of = |pred: fn(&Kind) -> bool| {
        fields
            .iter()
            .filter(move |f| pred(&f.kind))
            .collect::<Vec<_>>()
    };
    let singles = of(|k| matches!(k, Kind::Image));
    let lists = of(|k| matches!(k, Kind::Images { .. }));
    let videos = of(|k| matches!(k, Kind::Video));
    let name = category.value();
    let at_field = |errors: &mut darling::error::Accumulator, field: &Field, message: String| {
        errors.push(Error::custom(message).with_span(&field.ident));
    };
    let (wanted_singles, wanted_lists, hint) = match name.as_str() {
        "image-to-video" => (
            1,
            0,
            "one image: add a field `image: Image` with `#[param(image)]`",
        ),
        "first-last-frame" => (
            2,
            0,
            "two images, the first frame then the last frame: add two `Image` fields with `#[param(image)]`, in that order",
        ),
        "reference-to-video" => (
            0,
            1,
            "a list of images: add a field `images: Vec<Image>` with `#[param(images(min = …, max = …))]`",
        ),
        "video-edit" => (
            0,
            0,
            "a video: add a field `video: VideoInput` with `#[param(video)]`",
        ),
        _ => (0, 0, "no images or videos"),
    };
    for extra in singles.iter().skip(wanted_singles) {
        at_field(
            errors,
            extra,
            format!("a model of category `{name}` takes {hint}"),
        );
    }
    for extra in lists.iter().skip(wanted_lists) {
        at_field(
            errors,
            extra,
            format!("a model of category `{name}` takes {hint}"),
        );
    }
    if name != "video-edit" {
        for video in &videos {
            at_field(
                errors,
                video,
                format!(
                    "only `video-edit` models take a video; a model of category `{name}` takes {hint}"
                ),
            );
        }
    }
    let missing = singles.len() < wanted_singles
        || lists.len() < wanted_lists
        || name == "video-edit" && videos.is_empty();
    if missing {
        errors.push(
            Error::custom(format!("a model of category `{name}` takes {hint}")).with_span(category),
        );
    }
}

/// The kind of an `image`, `images(…)` or `video` field, after checking its type and
/// settings; `None` for other fields.
fn media_kind(args: &ParamArgs, ty: &Type, wire: &str) -> Result<Option<Kind>> {
    let flags = [
        args.image
            .is_present()
            .then(|| ("image", args.image.span())),
        args.images.as_ref().map(|i| ("images", i.span())),
        args.video
            .is_present()
            .then(|| ("video", args.video.span())),
    ];
    let mut set = flags.into_iter().flatten();
    let Some((flag, span)) = set.next() else {
        return Ok(None);
    };
    if let Some((second, span)) = set.next() {
        return Err(
            Error::custom(format!("`{flag}` and `{second}` cannot be combined")).with_span(&span),
        );
    }
    if let Some(values) = &args.values {
        return Err(
            Error::custom(format!("`values` cannot be used on {flag} inputs"))
                .with_span(&values.span()),
        );
    }
    let (kind, expected) = match (flag, &args.images) {
        ("images", Some(count)) => {
            let (min, max) = (count.min, count.max);
            if min == 0 || min > max || max - min > 32 {
                return Err(Error::custom(
                    "`images(min = …, max = …)` needs 1 ≤ min ≤ max ≤ min + 32",
                )
                .with_span(&span));
            }
            let elem = generic_inner(ty, "Vec").and_then(type_ident);
            (
                Kind::Images { min, max },
                elem.is_some_and(|e| e == "Image")
                    .then_some(())
                    .ok_or("Vec<Image>"),
            )
        }
        ("image", _) => (
            Kind::Image,
            type_ident(ty)
                .is_some_and(|t| t == "Image")
                .then_some(())
                .ok_or("Image"),
        ),
        _ => (
            Kind::Video,
            type_ident(ty)
                .is_some_and(|t| t == "VideoInput")
                .then_some(())
                .ok_or("VideoInput"),
        ),
    };
    match expected {
        Ok(()) => Ok(Some(kind)),
        Err(expected) => Err(Error::custom(format!(
            "`#[param({flag})]` needs the type `{expected}`: `{wire}: {expected}`"
        ))
        .with_span(ty)),
    }
}

fn join_group(
    groups: &mut Vec<Group>,
    name: &syn::LitStr,
    exactly_one: bool,
    index: usize,
    errors: &mut darling::error::Accumulator,
) -> usize {
    let value = name.value();
    match groups.iter().position(|g| g.name == value) {
        Some(at) => {
            if groups[at].exactly_one != exactly_one {
                errors.push(
                    Error::custom(format!(
                        "group `{value}` is used with both `exactly_one_of` and `at_most_one_of`"
                    ))
                    .with_span(name),
                );
            }
            groups[at].members.push(index);
            at
        }
        None => {
            groups.push(Group {
                name: value,
                exactly_one,
                members: vec![index],
            });
            groups.len() - 1
        }
    }
}

/// The single identifier a type is written as (`String`, `Resolution`), if it is one.
fn type_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p)
            if p.qself.is_none()
                && p.path.segments.len() == 1
                && p.path.segments[0].arguments.is_none() =>
        {
            Some(&p.path.segments[0].ident)
        }
        _ => None,
    }
}

/// `T` of a type written `Wrapper<T>`.
fn generic_inner<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    generic_inner(ty, "Option")
}

const INTEGERS: [&str; 12] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

fn plain_kind(ty: &Type) -> Result<Kind> {
    if let Some(elem) = generic_inner(ty, "Vec") {
        let elem_kind = match type_ident(elem) {
            Some(_) => plain_kind(elem).ok().map(Box::new),
            None => None,
        };
        return Ok(Kind::List {
            elem: elem.clone(),
            elem_kind,
        });
    }
    let name = type_ident(ty).map(Ident::to_string);
    match name.as_deref() {
        Some("String") => Ok(Kind::String),
        Some("JsonObject") => Ok(Kind::Object),
        Some("bool") => Ok(Kind::Boolean),
        Some("f32" | "f64") => Ok(Kind::Number),
        Some(int) if INTEGERS.contains(&int) => Ok(Kind::Integer),
        _ => Err(Error::custom(
            "unsupported parameter type: use `String`, `bool`, an integer, `f64`, `Vec<_>`, `JsonObject`, or add `values(...)` to generate an enum of this name",
        )
        .with_span(ty)),
    }
}

fn enum_kind(ty: &Type, values: &SpannedValue<Values>, wire: &str) -> Result<Kind> {
    let Some(ident) = type_ident(ty) else {
        return Err(Error::custom("with `values`, the type is the name of the enum to generate, e.g. `resolution: Resolution`").with_span(ty));
    };
    match ident.to_string().as_str() {
        "bool" => return Err(Error::custom(format!(
            "`values` cannot be used on a boolean parameter: `{wire}` is already `true` or `false`"
        ))
        .with_span(&values.span())),
        name if name == "String"
            || name.starts_with('f') && name.len() == 3
            || INTEGERS.contains(&name) =>
        {
            return Err(Error::custom(format!(
                "with `values`, the type is the name of the enum to generate, e.g. `{wire}: {}`",
                naming::type_name(wire)
            ))
            .with_span(ty));
        }
        _ => {}
    }
    if values.0.is_empty() {
        return Err(Error::custom("`values` needs at least one value").with_span(&values.span()));
    }
    let mut errors = Error::accumulator();
    let integer = matches!(values.0[0].lit, Lit::Int(_));
    let mut variants: Vec<Variant> = Vec::new();
    for value in &values.0 {
        let wire_value = match (&value.lit, integer) {
            (Lit::Str(s), false) => s.value(),
            (Lit::Int(i), true) => i.base10_digits().to_owned(),
            (Lit::Str(_) | Lit::Int(_), _) => {
                errors.push(
                    Error::custom(
                        "every value of a parameter has the same type: all strings or all integers",
                    )
                    .with_span(&value.lit),
                );
                continue;
            }
            (other, _) => {
                errors
                    .push(Error::custom("allowed values are strings or integers").with_span(other));
                continue;
            }
        };
        let name = match &value.name {
            Some(name) => name.clone(),
            None => {
                let position = variants.len() + 1;
                let name =
                    naming::variant_name(&wire_value).unwrap_or_else(|| format!("Value{position}"));
                Ident::new(&name, value.lit.span())
            }
        };
        if variants.iter().any(|v| v.wire == wire_value) {
            errors.push(
                Error::custom(format!("`{wire_value}` is listed twice")).with_span(&value.lit),
            );
        } else if variants.iter().any(|v| v.ident == name) {
            errors.push(Error::custom(format!("two values are named `{name}`")).with_span(&name));
        } else {
            variants.push(Variant {
                ident: name,
                lit: value.lit.clone(),
                wire: wire_value,
            });
        }
    }
    errors.finish_with(Kind::Enum(ValueEnum {
        ident: ident.clone(),
        param: wire.to_owned(),
        integer,
        variants,
        default: None,
    }))
}

fn check_default(kind: &Kind, default: &Lit) -> Result<()> {
    match kind {
        Kind::Enum(e) if !e.variants.iter().any(|v| lit_eq(&v.lit, default)) => {
            let allowed = e
                .variants
                .iter()
                .map(|v| v.wire.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Err(Error::custom(format!(
                "`{}` is not among the allowed values: {allowed}",
                lit_text(default)
            ))
            .with_span(default))
        }
        Kind::Enum(_) => Ok(()),
        other => check_literal(other, default, "the default"),
    }
}

fn check_literal(kind: &Kind, lit: &Lit, what: &str) -> Result<()> {
    let (fits, expected) = match kind {
        Kind::String => (matches!(lit, Lit::Str(_)), "a string"),
        Kind::Integer => (matches!(lit, Lit::Int(_)), "an integer"),
        Kind::Number => (matches!(lit, Lit::Int(_) | Lit::Float(_)), "a number"),
        Kind::Boolean => (matches!(lit, Lit::Bool(_)), "`true` or `false`"),
        Kind::Enum(_) => (true, ""),
        Kind::List { .. } | Kind::Object => (
            false,
            "not allowed: a list or object parameter has no default",
        ),
        Kind::Image | Kind::Images { .. } | Kind::Video => {
            (false, "not allowed: media inputs have no default")
        }
    };
    if fits {
        Ok(())
    } else {
        Err(Error::custom(format!(
            "{what} `{}` does not fit: expected {expected}",
            lit_text(lit)
        ))
        .with_span(lit))
    }
}

/// A literal as the user reads it: `4k`, `5`, `true`.
pub(crate) fn lit_text(lit: &Lit) -> String {
    match lit {
        Lit::Str(s) => s.value(),
        Lit::Int(i) => i.base10_digits().to_owned(),
        Lit::Float(f) => f.base10_digits().to_owned(),
        other => other.to_token_stream().to_string(),
    }
}

fn lit_eq(a: &Lit, b: &Lit) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && lit_text(a) == lit_text(b)
}

fn check_wire_names(fields: &[Field], errors: &mut darling::error::Accumulator) {
    for (i, field) in fields.iter().enumerate() {
        if let Some(first) = fields[..i].iter().find(|f| f.wire == field.wire) {
            errors.push(
                Error::custom(format!(
                    "wire name `{}` is already used by field `{}`",
                    field.wire, first.ident
                ))
                .with_span(&field.wire_span),
            );
        }
    }
}

fn check_enum_names(fields: &[Field], errors: &mut darling::error::Accumulator) {
    for (i, field) in fields.iter().enumerate() {
        let Some(e) = field.value_enum() else {
            continue;
        };
        if let Some(first) = fields[..i]
            .iter()
            .find(|f| f.value_enum().is_some_and(|o| o.ident == e.ident))
        {
            errors.push(Error::custom(format!("enum `{}` is already generated for `{}`: give each enumerated parameter its own type name", e.ident, first.ident)).with_span(&field.inner));
        }
    }
}

fn check_groups(groups: &[Group], fields: &[Field], errors: &mut darling::error::Accumulator) {
    for group in groups.iter().filter(|g| g.members.len() < 2) {
        let kind = if group.exactly_one {
            "exactly_one_of"
        } else {
            "at_most_one_of"
        };
        if let Some(field) = group.members.first().and_then(|&m| fields.get(m)) {
            let message = format!(
                "`{kind} = \"{}\"` names only `{}`: a group needs two or more parameters",
                group.name, field.wire
            );
            errors.push(Error::custom(message).with_span(&field.ident));
        }
    }
}

/// The doc comment of an item, one string with the author's line breaks.
fn doc_text(attrs: &[Attribute]) -> String {
    let lines = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
    lines
        .map(|l| l.strip_prefix(' ').map(str::to_owned).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first paragraph of a doc comment, on one line.
fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n")
        .next()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}
