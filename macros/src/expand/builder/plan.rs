//! The builder's plan: which parameters and groups carry a typestate generic, and the names
//! of the generated generics, slots and hidden traits that the other pieces share.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident};
use syn::Ident;

use crate::model::{Field, Model, Presence};
use crate::naming::type_name;

/// One generic parameter of the builder: a required field's value, or a group's marker.
pub(super) struct State {
    pub(super) generic: Ident,
    /// The builder field that holds the state.
    pub(super) slot: Ident,
}

/// What every generated piece of the builder agrees on.
pub(super) struct Plan<'m> {
    pub(super) model: &'m Model,
    /// The builder type: `{Model}Builder`.
    pub(super) builder: Ident,
    /// One state per required field, in field order, then one per group.
    states: Vec<State>,
    /// Where the groups' states begin in `states`.
    group_start: usize,
}

impl<'m> Plan<'m> {
    pub(super) fn of(model: &'m Model) -> Plan<'m> {
        let mut states: Vec<State> = model
            .fields
            .iter()
            .filter(|f| matches!(f.presence, Presence::Required))
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
        Plan {
            model,
            builder: format_ident!("{}Builder", model.item.ident),
            states,
            group_start,
        }
    }

    /// Diagnostics about the hidden traits point at the model's name.
    pub(super) fn span(&self) -> Span {
        self.model.item.ident.span()
    }

    /// The builder's generic parameters, in order.
    pub(super) fn generics(&self) -> Vec<&Ident> {
        self.states.iter().map(|s| &s.generic).collect()
    }

    /// The states of the groups, in the order of `Model::groups`.
    pub(super) fn group_states(&self) -> &[State] {
        &self.states[self.group_start..]
    }

    /// The generic that holds a required field's value.
    pub(super) fn required_generic(&self, field: &Field) -> &Ident {
        let state = self.states[..self.group_start]
            .iter()
            .find(|s| s.slot == field.ident)
            .expect("every required field has a state");
        &state.generic
    }

    /// Every field of the builder: one per parameter, then one per group.
    pub(super) fn slots(&self) -> Vec<&Ident> {
        let fields = self.model.fields.iter().map(|f| &f.ident);
        fields
            .chain(self.group_states().iter().map(|s| &s.slot))
            .collect()
    }

    /// The builder's generics with the one of `slot` replaced by `set`: what a setter that
    /// changes that state returns.
    pub(super) fn generics_with(&self, slot: &Ident, set: &TokenStream) -> Vec<TokenStream> {
        let replace = |s: &State| {
            if s.slot == *slot {
                set.clone()
            } else {
                s.generic.to_token_stream()
            }
        };
        self.states.iter().map(replace).collect()
    }

    /// The trait a required field's state implements once the field is set.
    pub(super) fn has_trait(&self, field: &Field) -> Ident {
        format_ident!("__{}Has{}", self.model.item.ident, type_name(&field.wire))
    }

    /// The trait implemented by arrays of as many images as `field` takes.
    pub(super) fn count_trait(&self, field: &Field) -> Ident {
        format_ident!("__{}{}Count", self.model.item.ident, type_name(&field.wire))
    }

    /// The trait a group's state implements while none of its members is set.
    pub(super) fn open_trait(&self, group: usize) -> Ident {
        let name = type_name(&self.model.groups[group].name);
        format_ident!("__{}{}GroupOpen", self.model.item.ident, name)
    }

    /// The trait an exactly-one group's state implements once one member is set.
    pub(super) fn given_trait(&self, group: usize) -> Ident {
        let name = type_name(&self.model.groups[group].name);
        format_ident!("__{}{}GroupGiven", self.model.item.ident, name)
    }
}

/// A group's members by wire name: "`a`, `b`".
pub(super) fn member_names(model: &Model, group: usize) -> String {
    model.groups[group]
        .members
        .iter()
        .map(|&m| format!("`{}`", model.fields[m].wire))
        .collect::<Vec<_>>()
        .join(", ")
}
