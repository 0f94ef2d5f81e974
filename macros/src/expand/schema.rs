//! The model's static `ModelSchema`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Lit;

use videohub_vocab::IMAGE_LIST;

use crate::model::{Field, Kind, Model, Presence};

/// The `ModelSchema` expression of the model.
pub(crate) fn expand(model: &Model) -> TokenStream {
    let k = &model.krate;
    let (id, name, vendor, description) =
        (&model.id, &model.name, &model.vendor, &model.description);
    let category = crate::naming::variant(model.category);
    let is_image = |f: &&Field| f.in_image_list();
    let params = model
        .fields
        .iter()
        .filter(|f| !is_image(f))
        .map(|f| param(f, k));
    let images = model.fields.iter().filter(is_image).collect::<Vec<_>>();
    let image_inputs = if images.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        let (min, max) = images
            .iter()
            .fold((0u32, 0u32), |(min, max), f| match f.kind {
                Kind::Images { min: lo, max: hi } => (min + lo, max + hi),
                _ => (min + 1, max + 1),
            });
        let roles = images.iter().map(|f| &f.description);
        let list = IMAGE_LIST;
        quote! {
            ::core::option::Option::Some(#k::schema::ImageInputs {
                param: #k::__private::Cow::Borrowed(#list),
                min: #min,
                max: #max,
                roles: #k::__private::Cow::Borrowed(&[#(#k::__private::Cow::Borrowed(#roles)),*]),
            })
        }
    };
    let constraints = model.groups.iter().map(|g| {
        let kind = if g.exactly_one {
            quote!(ExactlyOneOf)
        } else {
            quote!(AtMostOneOf)
        };
        let names = g.members.iter().map(|&m| model.fields[m].wire.as_str());
        quote! {
            #k::schema::Constraint {
                kind: #k::schema::ConstraintKind::#kind,
                params: #k::__private::Cow::Borrowed(&[#(#k::__private::Cow::Borrowed(#names)),*]),
            }
        }
    });
    quote! {
        &#k::ModelSchema {
            id: #k::__private::Cow::Borrowed(#id),
            name: #k::__private::Cow::Borrowed(#name),
            vendor: #k::__private::Cow::Borrowed(#vendor),
            category: #k::schema::Category::#category,
            description: #k::__private::Cow::Borrowed(#description),
            params: #k::__private::Cow::Borrowed(&[#(#params),*]),
            image_inputs: #image_inputs,
            constraints: #k::__private::Cow::Borrowed(&[#(#constraints),*]),
        }
    }
}

fn param(field: &Field, k: &TokenStream) -> TokenStream {
    let name = &field.wire;
    let ty = param_type(&field.kind, k);
    let required = matches!(field.presence, Presence::Required);
    let number = matches!(field.kind, Kind::Number);
    let default = match &field.presence {
        Presence::Default(lit) => {
            let lit = literal(lit, number, k);
            quote!(::core::option::Option::Some(#lit))
        }
        _ => quote!(::core::option::Option::None),
    };
    let values = match &field.kind {
        Kind::Enum(e) => {
            let ident = &e.ident;
            quote!(::core::option::Option::Some(#k::__private::Cow::Borrowed(<#ident as #k::ValueEnum>::VALUES)))
        }
        _ => quote!(::core::option::Option::None),
    };
    let range = match &field.range {
        Some((min, max)) => {
            let (min, max) = (literal(min, number, k), literal(max, number, k));
            quote!(::core::option::Option::Some(#k::schema::Range::inclusive(#min, #max)))
        }
        None => quote!(::core::option::Option::None),
    };
    let max_length = match field.max_length {
        Some(max) => quote!(::core::option::Option::Some(#max)),
        None => quote!(::core::option::Option::None),
    };
    let items = match &field.kind {
        Kind::List {
            elem_kind: Some(elem),
            ..
        } => {
            let ty = param_type(elem, k);
            quote!(::core::option::Option::Some(#k::schema::Items { ty: #ty, fields: #k::__private::Cow::Borrowed(&[]) }))
        }
        Kind::List {
            elem,
            elem_kind: None,
        } => quote! {
            ::core::option::Option::Some(#k::schema::Items {
                ty: #k::schema::ParamType::Object,
                fields: #k::__private::Cow::Borrowed(<#elem as #k::model::ParamObject>::FIELDS),
            })
        },
        _ => quote!(::core::option::Option::None),
    };
    let description = &field.description;
    quote! {
        #k::schema::ParamSchema {
            name: #k::__private::Cow::Borrowed(#name),
            ty: #ty,
            required: #required,
            default: #default,
            values: #values,
            range: #range,
            max_length: #max_length,
            items: #items,
            description: #k::__private::Cow::Borrowed(#description),
            more: #k::schema::More::NONE,
        }
    }
}

fn param_type(kind: &Kind, k: &TokenStream) -> TokenStream {
    let variant = match kind {
        Kind::String => quote!(String),
        Kind::Integer => quote!(Integer),
        Kind::Number => quote!(Number),
        Kind::Boolean => quote!(Boolean),
        Kind::Enum(e) if e.integer => quote!(Integer),
        Kind::Enum(_) => quote!(String),
        Kind::List { .. } | Kind::Images { .. } => quote!(Array),
        Kind::Media(_) => quote!(String),
        Kind::Object => quote!(Object),
    };
    quote!(#k::schema::ParamType::#variant)
}

/// A `Literal` expression; integers of a `number` parameter become floats.
pub(crate) fn literal(lit: &Lit, number: bool, k: &TokenStream) -> TokenStream {
    match lit {
        Lit::Str(s) => quote!(#k::schema::Literal::str(#s)),
        Lit::Int(i) if number => {
            let float = syn::LitFloat::new(&format!("{}.0", i.base10_digits()), i.span());
            quote!(#k::schema::Literal::Float(#float))
        }
        Lit::Int(i) => {
            let int = syn::LitInt::new(i.base10_digits(), i.span());
            quote!(#k::schema::Literal::Int(#int))
        }
        Lit::Float(f) => {
            let float = syn::LitFloat::new(f.base10_digits(), f.span());
            quote!(#k::schema::Literal::Float(#float))
        }
        other => quote!(#k::schema::Literal::Bool(#other)),
    }
}
