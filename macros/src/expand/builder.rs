//! The builder: a plain setter for every parameter, and typestate only where the compiler
//! must enforce something (required parameters, groups), with diagnostics that name them.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, Lit};

use crate::model::{Field, Kind, Model, Presence};
use crate::naming::type_name;

/// One generic parameter of the builder: a required field's value, or a group's marker.
struct State {
    generic: Ident,
    /// The builder field that holds the state.
    slot: Ident,
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let k = &model.krate;
    let vis = &model.item.vis;
    let ident = &model.item.ident;
    let builder = format_ident!("{}Builder", ident);
    let id = &model.id;
    // Diagnostics about the hidden traits point at the model's name.
    let span = ident.span();

    let required = model
        .fields
        .iter()
        .filter(|f| matches!(f.presence, Presence::Required));
    let mut states: Vec<State> = required
        .map(|f| State {
            generic: format_ident!("{}State", type_name(&f.wire)),
            slot: f.ident.clone(),
        })
        .collect();
    let group_start = states.len();
    states.extend(model.groups.iter().map(|g| State {
        generic: format_ident!("{}GroupState", type_name(&g.name)),
        slot: format_ident!("__{}_group", g.name),
    }));
    let generics = states.iter().map(|s| &s.generic).collect::<Vec<_>>();
    let unset = quote!(#k::Unset);

    // Builder fields and their initial values.
    let mut decls = Vec::new();
    let mut inits = Vec::new();
    for field in &model.fields {
        let name = &field.ident;
        let ty = &field.ty;
        match &field.presence {
            Presence::Required => {
                let generic = &states.iter().find(|s| s.slot == *name).map(|s| &s.generic);
                decls.push(quote!(#name: #generic));
                inits.push(quote!(#name: #unset));
            }
            Presence::Default(lit) => {
                decls.push(quote!(#name: #ty));
                let value = default_value(field, lit);
                inits.push(quote!(#name: #value));
            }
            Presence::Optional | Presence::Grouped(_) => {
                decls.push(quote!(#name: #ty));
                inits.push(quote!(#name: ::core::option::Option::None));
            }
        }
    }
    for state in &states[group_start..] {
        let (slot, generic) = (&state.slot, &state.generic);
        decls.push(quote!(#slot: #generic));
        inits.push(quote!(#slot: #unset));
    }
    let all_slots = model
        .fields
        .iter()
        .map(|f| f.ident.clone())
        .chain(states[group_start..].iter().map(|s| s.slot.clone()))
        .collect::<Vec<_>>();

    // Hidden traits whose diagnostics name what is missing or in conflict.
    let mut traits = Vec::new();
    let mut build_bounds = Vec::new();
    let mut build_fields = Vec::new();
    for field in &model.fields {
        let name = &field.ident;
        if let Presence::Required = field.presence {
            let trait_ident = format_ident!("__{}Has{}", ident, type_name(&field.wire));
            let generic = &states.iter().find(|s| s.slot == *name).map(|s| &s.generic);
            let ty = &field.ty;
            let message = format!("missing required parameter `{}` of `{id}`", field.wire);
            let label = format!("`{}` was never set", field.wire);
            let note = format!("call `.{name}(...)` on the builder before `.build()`");
            traits.push(quote_spanned! {span=>
                #[doc(hidden)]
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                #vis trait #trait_ident {
                    #[doc(hidden)]
                    fn __value(self) -> #ty;
                }
                #[automatically_derived]
                impl #trait_ident for #k::Set<#ty> {
                    fn __value(self) -> #ty {
                        self.0
                    }
                }
            });
            build_bounds.push(quote!(#generic: #trait_ident));
            build_fields.push(quote!(#name: #trait_ident::__value(self.#name)));
        } else {
            build_fields.push(quote!(#name: self.#name));
        }
    }
    for field in &model.fields {
        if let Kind::Images { min, max } = field.kind {
            let count = format_ident!("__{}{}Count", ident, type_name(&field.wire));
            let name = &field.ident;
            let message = format!("`{id}` takes {min} to {max} images in `{name}`, not `{{Self}}`");
            let label = format!("an array of {min} to {max} `Image`s is expected here");
            let note = format!("for a list built at run time, use `.try_{name}(list)?`");
            let sizes = (min..=max).map(|n| n as usize);
            traits.push(quote_spanned! {span=>
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
            });
        }
    }
    let mut open_traits = Vec::new();
    for (group, state) in model.groups.iter().zip(&states[group_start..]) {
        let names = group
            .members
            .iter()
            .map(|&m| format!("`{}`", model.fields[m].wire))
            .collect::<Vec<_>>()
            .join(", ");
        let open = format_ident!("__{}{}GroupOpen", ident, type_name(&group.name));
        let rule = if group.exactly_one {
            "exactly one"
        } else {
            "at most one"
        };
        let message =
            format!("{names} of `{id}` are mutually exclusive: {rule} of them can be set");
        let label = "one of them is set already".to_owned();
        traits.push(quote_spanned! {span=>
            #[doc(hidden)]
            #[diagnostic::on_unimplemented(message = #message, label = #label)]
            #vis trait #open {}
            #[automatically_derived]
            impl #open for #k::Unset {}
        });
        open_traits.push(open);
        if group.exactly_one {
            let given = format_ident!("__{}{}GroupGiven", ident, type_name(&group.name));
            let message =
                format!("missing parameter: exactly one of {names} of `{id}` must be set");
            let label = "none of them was set".to_owned();
            traits.push(quote_spanned! {span=>
                #[doc(hidden)]
                #[diagnostic::on_unimplemented(message = #message, label = #label)]
                #vis trait #given {}
                #[automatically_derived]
                impl #given for #k::Set<()> {}
            });
            let generic = &state.generic;
            build_bounds.push(quote!(#generic: #given));
        }
    }

    // Setters. A setter that changes a state returns the builder with that generic replaced.
    let generics_with = |slot: &Ident, set: TokenStream| -> Vec<TokenStream> {
        let replace = |s: &State| {
            if s.slot == *slot {
                set.clone()
            } else {
                s.generic.to_token_stream()
            }
        };
        states.iter().map(replace).collect()
    };
    let setters = model.fields.iter().map(|field| {
        let name = &field.ident;
        let doc = setter_doc(field, model);
        let (arg, value) = setter_arg(field);
        match &field.presence {
            Presence::Required => {
                let ty = &field.ty;
                let out = generics_with(name, quote!(#k::Set<#ty>));
                let moves = all_slots.iter().map(|s| {
                    if s == name {
                        quote!(#s: #k::Set(#value))
                    } else {
                        quote!(#s: self.#s)
                    }
                });
                let moves = moves.collect::<Vec<_>>();
                match field.kind {
                    Kind::Images { min, max } => {
                        let count = format_ident!("__{}{}Count", ident, type_name(&field.wire));
                        let try_name = format_ident!("try_{}", name);
                        let wire = &field.wire;
                        let try_doc = format!("Sets `{wire}` from a list built at run time: {min} to {max} images, or an error that says how many were given.");
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
                    _ => quote! {
                        #[doc = #doc]
                        #vis fn #name(self, value: #arg) -> #builder<#(#out),*> {
                            #builder { #(#moves),* }
                        }
                    },
                }
            }
            Presence::Grouped(g) => {
                let state = &states[group_start + g];
                let open = &open_traits[*g];
                let generic = &state.generic;
                let out = generics_with(&state.slot, quote!(#k::Set<()>));
                let moves = all_slots.iter().map(|s| {
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
            Presence::Default(_) => quote! {
                #[doc = #doc]
                #vis fn #name(mut self, value: #arg) -> Self {
                    self.#name = #value;
                    self
                }
            },
            Presence::Optional => quote! {
                #[doc = #doc]
                #vis fn #name(mut self, value: #arg) -> Self {
                    self.#name = ::core::option::Option::Some(#value);
                    self
                }
            },
        }
    });

    let builder_doc = format!("Builds a [`{ident}`] request; start with [`{ident}::builder`].");
    let new_doc = format!("Starts a `{id}` request with every documented default in place.");
    quote! {
        #[doc = #builder_doc]
        #[must_use = "a builder does nothing until `.build()` is called"]
        #[derive(Debug, Clone)]
        #vis struct #builder<#(#generics = #unset),*> {
            #(#decls,)*
        }

        impl #ident {
            #[doc = #new_doc]
            #vis fn builder() -> #builder {
                #builder { #(#inits,)* }
            }
        }

        impl<#(#generics),*> #builder<#(#generics),*> {
            #(#setters)*

            /// Finishes the request. Available once every required parameter is set.
            #vis fn build(self) -> #ident
            where
                #(#build_bounds,)*
            {
                #ident { #(#build_fields,)* }
            }
        }

        #(#traits)*
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

fn setter_doc(field: &Field, model: &Model) -> String {
    let mut doc = field.description.clone();
    let mut facts = Vec::new();
    match &field.presence {
        Presence::Required => facts.push("**Required.**".to_owned()),
        Presence::Grouped(g) => {
            let group = &model.groups[*g];
            let names = group
                .members
                .iter()
                .map(|&m| format!("`{}`", model.fields[m].wire))
                .collect::<Vec<_>>()
                .join(", ");
            let rule = if group.exactly_one {
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
