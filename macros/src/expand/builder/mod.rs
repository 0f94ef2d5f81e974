//! The builder: a plain setter for every parameter, and typestate only where the compiler
//! must enforce something (required parameters, groups), with diagnostics that name them.
//!
//! Generated piece by piece: `plan` names the typestate generics and the hidden traits,
//! `state` declares the builder and the values it starts from, `setters` writes one method
//! per parameter, `finish` writes `build()` with its bounds, and `diagnostics` the hidden
//! traits whose messages name what is missing or in conflict.

mod diagnostics;
mod finish;
mod plan;
mod setters;
mod state;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Model;
use plan::Plan;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let plan = Plan::of(model);
    let declaration = state::declaration(&plan);
    let start = state::start(&plan);
    let setters = setters::setters(&plan);
    let build = finish::build(&plan);
    let traits = diagnostics::traits(&plan);
    let builder = &plan.builder;
    let generics = plan.generics();
    quote! {
        #declaration
        #start

        impl<#(#generics),*> #builder<#(#generics),*> {
            #(#setters)*
            #build
        }

        #traits
    }
}
