//! One parameter: its presence, kind, limits and default, read from its settings and
//! checked by the rules of one parameter (`rules::param`).

use darling::util::SpannedValue;
use darling::{Error, Result};

use super::docs::{doc_text, first_paragraph};
use super::kind::{declares_media, enum_kind, media_kind, option_inner, plain_kind};
use super::rules::param;
use super::{Field, Group};
use crate::attr::ParamArgs;

impl Field {
    pub(super) fn from_syn(
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

        let group = param::group_setting(&args, &mut errors);
        let media = errors.handle(media_kind(&args, &inner, &wire));
        // Media inputs are always required, whether or not their type is right.
        let required = args.required.is_present() || declares_media(&args);
        let presence = param::presence(
            required,
            args.default.as_ref(),
            group,
            &wire,
            (groups, index),
            &mut errors,
        );
        param::check_option(
            &presence,
            option_inner.is_some(),
            &wire,
            &field.ty,
            &mut errors,
        );
        let kind = match (media, &args.values) {
            (None, _) => None,
            (Some(Some(media)), _) => Some(media),
            (Some(None), Some(values)) => errors.handle(enum_kind(&inner, values, &wire)),
            (Some(None), None) => errors.handle(plain_kind(&inner)),
        };
        let kind = kind.map(|kind| param::with_default(kind, &presence, &mut errors));
        param::check_limits(&args, kind.as_ref(), &presence, &wire, &mut errors);
        errors.finish()?;
        Ok(Field {
            renamed: args.rename.is_some(),
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
            range: args
                .range
                .map(SpannedValue::into_inner)
                .map(|r| (r.min, r.max)),
            max_length: args.max_length.map(SpannedValue::into_inner),
            description,
        })
    }
}
