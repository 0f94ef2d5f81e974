//! The hidden traits behind the builder's typestate, each with the message the compiler
//! prints when it is not implemented: a required parameter never set, the wrong number of
//! images, two members of a group, none of an exactly-one group.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::plan::{Plan, member_names};
use crate::model::{Kind, Presence};

pub(super) fn traits(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let mut traits = Vec::new();
    for field in &model.fields {
        if let Presence::Required = field.presence {
            traits.push(required(plan, field));
        }
    }
    for field in &model.fields {
        if let Kind::Images { min, max } = field.kind {
            traits.push(image_count(plan, field, min, max));
        }
    }
    for g in 0..model.groups.len() {
        traits.push(group(plan, g));
    }
    quote!(#(#traits)*)
}

/// Implemented by `Set<T>` only: `build()` needs it for every required parameter.
fn required(plan: &Plan<'_>, field: &crate::model::Field) -> TokenStream {
    let model = plan.model;
    let (k, vis, id, span) = (&model.krate, &model.item.vis, &model.id, plan.span());
    let (name, ty) = (&field.ident, &field.ty);
    let has = plan.has_trait(field);
    let message = format!("missing required parameter `{}` of `{id}`", field.wire);
    let label = format!("`{}` was never set", field.wire);
    let note = format!("call `.{name}(...)` on the builder before `.build()`");
    quote_spanned! {span=>
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        #vis trait #has {
            #[doc(hidden)]
            fn __value(self) -> #ty;
        }
        #[automatically_derived]
        impl #has for #k::Set<#ty> {
            fn __value(self) -> #ty {
                self.0
            }
        }
    }
}

/// Implemented by arrays of `min` to `max` images: the setter takes nothing else.
fn image_count(plan: &Plan<'_>, field: &crate::model::Field, min: u32, max: u32) -> TokenStream {
    let model = plan.model;
    let (k, vis, id, span) = (&model.krate, &model.item.vis, &model.id, plan.span());
    let name = &field.ident;
    let count = plan.count_trait(field);
    let message = format!("`{id}` takes {min} to {max} images in `{name}`, not `{{Self}}`");
    let label = format!("an array of {min} to {max} `Image`s is expected here");
    let note = format!("for a list built at run time, use `.try_{name}(list)?`");
    let sizes = (min..=max).map(|n| n as usize);
    quote_spanned! {span=>
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        #vis trait #count {
            #[doc(hidden)]
            fn __into_vec(self) -> ::std::vec::Vec<#k::Image>;
        }
        #(
            #[automatically_derived]
            impl #count for [#k::Image; #sizes] {
                fn __into_vec(self) -> ::std::vec::Vec<#k::Image> {
                    ::std::vec::Vec::from(self)
                }
            }
        )*
    }
}

/// A group's "open" trait (no member set yet), and for an exactly-one group its "given"
/// trait (one member set), which `build()` requires.
fn group(plan: &Plan<'_>, g: usize) -> TokenStream {
    let model = plan.model;
    let (k, vis, id, span) = (&model.krate, &model.item.vis, &model.id, plan.span());
    let group = &model.groups[g];
    let names = member_names(model, g);
    let open = plan.open_trait(g);
    let rule = if group.exactly_one {
        "exactly one"
    } else {
        "at most one"
    };
    let message = format!("{names} of `{id}` are mutually exclusive: {rule} of them can be set");
    let label = "one of them is set already".to_owned();
    let mut tokens = quote_spanned! {span=>
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = #message, label = #label)]
        #vis trait #open {}
        #[automatically_derived]
        impl #open for #k::Unset {}
    };
    if group.exactly_one {
        let given = plan.given_trait(g);
        let message = format!("missing parameter: exactly one of {names} of `{id}` must be set");
        let label = "none of them was set".to_owned();
        tokens.extend(quote_spanned! {span=>
            #[doc(hidden)]
            #[diagnostic::on_unimplemented(message = #message, label = #label)]
            #vis trait #given {}
            #[automatically_derived]
            impl #given for #k::Set<()> {}
        });
    }
    tokens
}
