//! The builder's declaration, and `builder()`: one field per parameter and one per group,
//! each with the value it starts from.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Lit;

use super::plan::Plan;
use crate::model::{Field, Kind, Presence};

/// The builder struct: a required field's type is its state generic; the others hold their
/// value (or `Option` of it); each group has a marker field.
pub(super) fn declaration(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let (k, vis, ident, builder) = (
        &model.krate,
        &model.item.vis,
        &model.item.ident,
        &plan.builder,
    );
    let mut decls = Vec::new();
    for field in &model.fields {
        let name = &field.ident;
        let ty = &field.ty;
        match &field.presence {
            Presence::Required => {
                let generic = plan.required_generic(field);
                decls.push(quote!(#name: #generic));
            }
            Presence::Default(_) | Presence::Optional | Presence::Grouped(_) => {
                decls.push(quote!(#name: #ty));
            }
        }
    }
    for state in plan.group_states() {
        let (slot, generic) = (&state.slot, &state.generic);
        decls.push(quote!(#slot: #generic));
    }
    let generics = plan.generics();
    let unset = quote!(#k::Unset);
    let doc = format!("Builds a [`{ident}`] request; start with [`{ident}::builder`].");
    quote! {
        #[doc = #doc]
        #[must_use = "a builder does nothing until `.build()` is called"]
        #[derive(Debug, Clone)]
        #vis struct #builder<#(#generics = #unset),*> {
            #(#decls,)*
        }
    }
}

/// `Model::builder()`: every state unset, every default in place.
pub(super) fn start(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let (k, vis, ident, builder) = (
        &model.krate,
        &model.item.vis,
        &model.item.ident,
        &plan.builder,
    );
    let unset = quote!(#k::Unset);
    let mut inits = Vec::new();
    for field in &model.fields {
        let name = &field.ident;
        match &field.presence {
            Presence::Required => inits.push(quote!(#name: #unset)),
            Presence::Default(lit) => {
                let value = default_value(field, lit);
                inits.push(quote!(#name: #value));
            }
            Presence::Optional | Presence::Grouped(_) => {
                inits.push(quote!(#name: ::core::option::Option::None));
            }
        }
    }
    for state in plan.group_states() {
        let slot = &state.slot;
        inits.push(quote!(#slot: #unset));
    }
    let doc = format!(
        "Starts a `{}` request with every documented default in place.",
        model.id
    );
    quote! {
        impl #ident {
            #[doc = #doc]
            #vis fn builder() -> #builder {
                #builder { #(#inits,)* }
            }
        }
    }
}

/// The initial value of a defaulted field.
fn default_value(field: &Field, lit: &Lit) -> TokenStream {
    match (&field.kind, lit) {
        (Kind::Enum(e), _) => {
            let ty = &field.inner;
            let variant = &e.variants[e.default.unwrap_or_default()].ident;
            quote!(#ty::#variant)
        }
        (Kind::String, lit) => quote!(::std::string::String::from(#lit)),
        (Kind::Number, Lit::Int(i)) => {
            let float = syn::LitFloat::new(&format!("{}.0", i.base10_digits()), i.span());
            quote!(#float)
        }
        (_, lit) => quote!(#lit),
    }
}
