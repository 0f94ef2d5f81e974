//! The request's getters, its runtime checks, and the `Model` impl that wires it to the
//! hub.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Type, parse_quote};

use crate::expand::schema::literal;
use crate::model::{Field, Kind, Model, Presence};

/// Getters, `validate` and the `Model` impl.
pub(crate) fn expand(model: &Model) -> TokenStream {
    let k = &model.krate;
    let ident = &model.item.ident;
    let id = &model.id;
    let getters = model.fields.iter().map(|f| getter(f, &model.item.vis, k));
    let schema = crate::expand::schema::expand(model);
    let checks = model
        .fields
        .iter()
        .filter_map(|f| check(f, k))
        .collect::<Vec<_>>();
    let validate = if checks.is_empty() {
        quote!(::core::result::Result::Ok(()))
    } else {
        quote! {
            let mut errors = ::std::vec::Vec::new();
            #(#checks)*
            #k::ValidationErrors::check(errors)
        }
    };
    quote! {
        impl #ident {
            #(#getters)*
        }

        #[automatically_derived]
        impl #k::Model for #ident {
            const ID: &'static str = #id;
            const SCHEMA: &'static #k::ModelSchema = #schema;

            fn validate(&self) -> ::core::result::Result<(), #k::ValidationErrors> {
                #validate
            }
        }
    }
}

fn getter(field: &Field, vis: &syn::Visibility, k: &TokenStream) -> TokenStream {
    let name = &field.ident;
    let inner = match &field.kind {
        Kind::Images { .. } => quote!(#k::Image),
        _ => {
            let inner = &field.inner;
            quote!(#inner)
        }
    };
    let optional = !matches!(field.presence, Presence::Required | Presence::Default(_));
    let doc = match &field.presence {
        Presence::Default(lit) => format!(
            "{} (default `{}`)",
            field.description,
            crate::model::lit_text(lit)
        ),
        _ => field.description.clone(),
    };
    let (ty, body): (Type, TokenStream) = match (&field.kind, optional) {
        (Kind::String, false) => (parse_quote!(&str), quote!(&self.#name)),
        (Kind::String, true) => (
            parse_quote!(::core::option::Option<&str>),
            quote!(self.#name.as_deref()),
        ),
        (Kind::List { elem, .. }, false) => (parse_quote!(&[#elem]), quote!(&self.#name)),
        (Kind::Images { .. }, _) => (parse_quote!(&[#inner]), quote!(&self.#name)),
        (Kind::Media(_) | Kind::Object, false) => (parse_quote!(&#inner), quote!(&self.#name)),
        (Kind::Object, true) => (
            parse_quote!(::core::option::Option<&#inner>),
            quote!(self.#name.as_ref()),
        ),
        (Kind::List { elem, .. }, true) => (
            parse_quote!(::core::option::Option<&[#elem]>),
            quote!(self.#name.as_deref()),
        ),
        _ => (field.ty.clone(), quote!(self.#name)),
    };
    quote! {
        #[doc = #doc]
        #vis fn #name(&self) -> #ty {
            #body
        }
    }
}

/// The runtime check of a field with a range or a maximum length.
fn check(field: &Field, k: &TokenStream) -> Option<TokenStream> {
    let name = &field.ident;
    let wire = &field.wire;
    let test = match (&field.range, field.max_length) {
        (Some((min, max)), _) => {
            let number = matches!(field.kind, Kind::Number);
            let (min, max) = (literal(min, number, k), literal(max, number, k));
            quote! {
                #k::__private::check_range(&mut errors, #wire, *value as f64, &#k::schema::Range::inclusive(#min, #max), value);
            }
        }
        (None, Some(max)) => quote!(#k::__private::check_length(&mut errors, #wire, value, #max);),
        (None, None) => return None,
    };
    Some(match field.presence {
        Presence::Required | Presence::Default(_) => quote! {
            let value = &self.#name;
            #test
        },
        _ => quote! {
            if let ::core::option::Option::Some(value) = &self.#name {
                #test
            }
        },
    })
}
