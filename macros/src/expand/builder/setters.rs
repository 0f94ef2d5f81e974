//! One setter per parameter. A setter that changes a state (a required parameter, a
//! group member) returns the builder with that generic replaced; the others return `Self`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::plan::{Plan, member_names};
use crate::model::{Field, Kind, Model, Presence};

pub(super) fn setters(plan: &Plan<'_>) -> Vec<TokenStream> {
    let fields = plan.model.fields.iter();
    fields
        .map(|field| match &field.presence {
            Presence::Required => required(plan, field),
            Presence::Grouped(g) => grouped(plan, field, *g),
            Presence::Default(_) | Presence::Optional => plain(plan, field),
        })
        .collect()
}

/// A required parameter's setter moves every slot into a builder whose state for it is
/// `Set`; an image list's takes an array of an allowed size, and `try_` a list checked at
/// run time.
fn required(plan: &Plan<'_>, field: &Field) -> TokenStream {
    let model = plan.model;
    let (k, vis, builder) = (&model.krate, &model.item.vis, &plan.builder);
    let name = &field.ident;
    let doc = setter_doc(field, model);
    let (arg, value) = setter_arg(field);
    let ty = &field.ty;
    let out = plan.generics_with(name, &quote!(#k::Set<#ty>));
    let moves = plan
        .slots()
        .into_iter()
        .map(|s| {
            if s == name {
                quote!(#s: #k::Set(#value))
            } else {
                quote!(#s: self.#s)
            }
        })
        .collect::<Vec<_>>();
    let Kind::Images { min, max } = field.kind else {
        return quote! {
            #[doc = #doc]
            #vis fn #name(self, value: #arg) -> #builder<#(#out),*> {
                #builder { #(#moves),* }
            }
        };
    };
    let count = plan.count_trait(field);
    let try_name = format_ident!("try_{}", name);
    let wire = &field.wire;
    let try_doc = format!(
        "Sets `{wire}` from a list built at run time: {min} to {max} images, or an error that says how many were given."
    );
    let (lo, hi) = (min as usize, max as usize);
    quote! {
        #[doc = #doc]
        #vis fn #name<A: #count>(self, images: A) -> #builder<#(#out),*> {
            let value = #count::__into_vec(images);
            #builder { #(#moves),* }
        }

        #[doc = #try_doc]
        #vis fn #try_name(self, images: impl ::core::iter::IntoIterator<Item = #k::Image>) -> ::core::result::Result<#builder<#(#out),*>, #k::ParamError> {
            let value: ::std::vec::Vec<#k::Image> = images.into_iter().collect();
            if value.len() < #lo || value.len() > #hi {
                return ::core::result::Result::Err(#k::__private::image_count(#wire, #min, #max, value.len()));
            }
            ::core::result::Result::Ok(#builder { #(#moves),* })
        }
    }
}

/// A group member's setter is there only while the group is open, and closes it.
fn grouped(plan: &Plan<'_>, field: &Field, g: usize) -> TokenStream {
    let model = plan.model;
    let (k, vis, builder) = (&model.krate, &model.item.vis, &plan.builder);
    let name = &field.ident;
    let doc = setter_doc(field, model);
    let (arg, value) = setter_arg(field);
    let state = &plan.group_states()[g];
    let open = plan.open_trait(g);
    let generic = &state.generic;
    let out = plan.generics_with(&state.slot, &quote!(#k::Set<()>));
    let moves = plan.slots().into_iter().map(|s| {
        if s == name {
            quote!(#s: ::core::option::Option::Some(#value))
        } else if *s == state.slot {
            quote!(#s: #k::Set(()))
        } else {
            quote!(#s: self.#s)
        }
    });
    quote! {
        #[doc = #doc]
        #vis fn #name(self, value: #arg) -> #builder<#(#out),*>
        where
            #generic: #open,
        {
            #builder { #(#moves),* }
        }
    }
}

/// A parameter with a default, or optional: its setter changes no state.
fn plain(plan: &Plan<'_>, field: &Field) -> TokenStream {
    let vis = &plan.model.item.vis;
    let name = &field.ident;
    let doc = setter_doc(field, plan.model);
    let (arg, value) = setter_arg(field);
    let value = match field.presence {
        Presence::Default(_) => value,
        _ => quote!(::core::option::Option::Some(#value)),
    };
    quote! {
        #[doc = #doc]
        #vis fn #name(mut self, value: #arg) -> Self {
            self.#name = #value;
            self
        }
    }
}

/// The setter's argument type, and the expression that turns `value` into the stored value.
fn setter_arg(field: &Field) -> (TokenStream, TokenStream) {
    match &field.kind {
        Kind::String => (
            quote!(impl ::core::convert::Into<::std::string::String>),
            quote!(value.into()),
        ),
        Kind::List { elem, .. } => (
            quote!(impl ::core::iter::IntoIterator<Item = #elem>),
            quote!(value.into_iter().collect()),
        ),
        _ => {
            let inner = &field.inner;
            (quote!(#inner), quote!(value))
        }
    }
}

/// The setter's documentation: the parameter's description and what limits it.
fn setter_doc(field: &Field, model: &Model) -> String {
    let mut doc = field.description.clone();
    let mut facts = Vec::new();
    match &field.presence {
        Presence::Required => facts.push("**Required.**".to_owned()),
        Presence::Grouped(g) => {
            let names = member_names(model, *g);
            let rule = if model.groups[*g].exactly_one {
                "Exactly one"
            } else {
                "At most one"
            };
            facts.push(format!("{rule} of {names} can be set."));
        }
        _ => {}
    }
    if let Some(e) = field.value_enum() {
        let values = e
            .variants
            .iter()
            .map(|v| format!("`{}`", v.wire))
            .collect::<Vec<_>>()
            .join(", ");
        facts.push(format!("Allowed values: {values}."));
    }
    if let Presence::Default(lit) = &field.presence {
        facts.push(format!("Default: `{}`.", crate::model::lit_text(lit)));
    }
    if let Some((min, max)) = &field.range {
        facts.push(format!(
            "Range: {}..={}.",
            crate::model::lit_text(min),
            crate::model::lit_text(max)
        ));
    }
    if let Some(max) = field.max_length {
        facts.push(format!("At most {max} characters."));
    }
    if !facts.is_empty() {
        doc.push_str("\n\n");
        doc.push_str(&facts.join(" "));
    }
    doc
}
