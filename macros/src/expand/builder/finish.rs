//! `build()`: available once every required parameter and every exactly-one group is set,
//! through bounds on the hidden traits.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::Plan;
use crate::model::Presence;

pub(super) fn build(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let (vis, ident) = (&model.item.vis, &model.item.ident);
    let mut bounds = Vec::new();
    let mut fields = Vec::new();
    for field in &model.fields {
        let name = &field.ident;
        if let Presence::Required = field.presence {
            let generic = plan.required_generic(field);
            let has = plan.has_trait(field);
            bounds.push(quote!(#generic: #has));
            fields.push(quote!(#name: #has::__value(self.#name)));
        } else {
            fields.push(quote!(#name: self.#name));
        }
    }
    for (g, state) in plan.group_states().iter().enumerate() {
        if model.groups[g].exactly_one {
            let generic = &state.generic;
            let given = plan.given_trait(g);
            bounds.push(quote!(#generic: #given));
        }
    }
    quote! {
        /// Finishes the request. Available once every required parameter is set.
        #vis fn build(self) -> #ident
        where
            #(#bounds,)*
        {
            #ident { #(#fields,)* }
        }
    }
}
