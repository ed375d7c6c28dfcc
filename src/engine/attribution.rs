//! Who a passage quotes or cites.
//! MINIMAL VERSION: to be completed.

use super::types::Attribution;

/// The people and bodies quoted or cited in one paragraph, in order of appearance.
pub fn extract(_text: &str) -> Vec<Attribution> {
    Vec::new()
}
