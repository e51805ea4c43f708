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
