//! Values stored, sent and shown by their snake_case names — document kinds, statuses, roles,
//! lanes. Each enum derives its names with strum (`IntoStaticStr`, `EnumString`,
//! `VariantArray`, `serialize_all = "snake_case"`) and gets `ALL`, `as_str`, `parse` and
//! `names` from [`Named`], instead of a hand-written table per enum. The enums stored in the
//! database are also sea-orm active enums with the same names (a test keeps them equal).

use std::str::FromStr;

/// An enum known by its snake_case names.
pub trait Named: Copy + 'static + Into<&'static str> + FromStr + strum::VariantArray {
    /// Every value, in declaration order.
    const ALL: &'static [Self] = Self::VARIANTS;

    /// Its name: `in_review`, `iso_officer`…
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The value with this name.
    fn parse(text: &str) -> Option<Self> {
        Self::from_str(text).ok()
    }

    /// Every name, for "must be one of …" messages.
    fn names() -> String {
        Self::ALL
            .iter()
            .map(|value| value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<T> Named for T where T: Copy + 'static + Into<&'static str> + FromStr + strum::VariantArray {}

/// Declares an enum stored in the database as its snake_case names: a sea-orm active enum that
/// is also [`Named`], serialised and documented in OpenAPI by the same names. The caller has
/// `sea_orm::entity::prelude::*` in scope (for `StringLen`).
#[macro_export]
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            ::sea_orm::EnumIter,
            ::sea_orm::DeriveActiveEnum,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::utoipa::ToSchema,
            ::strum::IntoStaticStr,
            ::strum::EnumString,
            ::strum::VariantArray,
        )]
        #[sea_orm(
            rs_type = "String",
            db_type = "String(StringLen::None)",
            rename_all = "snake_case"
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),*
        }
    };
}

/// Declares an enum known by its snake_case names that is not stored as a column of its own (a
/// record's kind, a finding's grade): [`Named`], serialised and documented in OpenAPI by the
/// same names.
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::utoipa::ToSchema,
            ::strum::IntoStaticStr,
            ::strum::EnumString,
            ::strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),*
        }
    };
}
