//! The enum of an enumerated parameter: variants, wire values, `Display`, `FromStr`,
//! `Serialize` and the `ValueEnum` impl.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{LitStr, Visibility};

use crate::model::ValueEnum;

pub(crate) fn expand(e: &ValueEnum, krate: &TokenStream, vis: &Visibility) -> TokenStream {
    let ident = &e.ident;
    let wire = &e.param;
    let variants = e.variants.iter().map(|v| &v.ident).collect::<Vec<_>>();
    let wires = e
        .variants
        .iter()
        .map(|v| v.wire.as_str())
        .collect::<Vec<_>>();
    let variant_docs = wires.iter().map(|w| format!("`{w}`"));
    let list = wires
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!("The values `{wire}` allows: {list}.");
    let lits = e.variants.iter().map(|v| &v.lit).collect::<Vec<_>>();
    let (literals, ty, serialize, value_fn) = if e.integer {
        (
            quote!(#(#krate::schema::Literal::Int(#lits)),*),
            quote!(#krate::schema::ParamType::Integer),
            quote!(serializer.serialize_i64(self.value())),
            quote! {
                /// The wire value, as the integer sent to the hub.
                #vis const fn value(self) -> i64 {
                    match self {
                        #(Self::#variants => #lits,)*
                    }
                }
            },
        )
    } else {
        (
            quote!(#(#krate::schema::Literal::str(#lits)),*),
            quote!(#krate::schema::ParamType::String),
            quote!(serializer.serialize_str(self.as_str())),
            TokenStream::new(),
        )
    };
    let default = e.default.map(|i| {
        let variant = &e.variants[i].ident;
        let doc = format!("The hub's default: `{}`.", e.variants[i].wire);
        quote! {
            #[doc = #doc]
            #[automatically_derived]
            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    Self::#variant
                }
            }
        }
    });
    let wire_lit = LitStr::new(wire, ident.span());
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #vis enum #ident {
            #(#[doc = #variant_docs] #variants,)*
        }

        impl #ident {
            /// Every allowed value, in the model's order.
            #vis const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The wire value, as text.
            #vis const fn as_str(self) -> &'static str {
                match self {
                    #(Self::#variants => #wires,)*
                }
            }

            #value_fn
        }

        #default

        #[automatically_derived]
        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[automatically_derived]
        impl ::core::str::FromStr for #ident {
            type Err = #krate::schema::ParamError;

            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                match s {
                    #(#wires => ::core::result::Result::Ok(Self::#variants),)*
                    _ => ::core::result::Result::Err(#krate::__private::not_allowed(#wire_lit, s, <Self as #krate::ValueEnum>::VALUES)),
                }
            }
        }

        #[automatically_derived]
        impl #krate::__private::serde::Serialize for #ident {
            fn serialize<S: #krate::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                #serialize
            }
        }

        #[automatically_derived]
        impl #krate::ValueEnum for #ident {
            const PARAM: &'static str = #wire_lit;
            const TYPE: #krate::schema::ParamType = #ty;
            const VALUES: &'static [#krate::schema::Literal] = &[#literals];

            fn all() -> &'static [Self] {
                Self::ALL
            }

            fn to_literal(self) -> #krate::schema::Literal {
                <Self as #krate::ValueEnum>::VALUES[self as usize].clone()
            }
        }
    }
}
