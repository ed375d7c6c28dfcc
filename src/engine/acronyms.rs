//! Acronyms learned from the briefs themselves, so "WHO" finds a brief that
//! spells out "the World Health Organization".
//! MINIMAL VERSION: to be completed.

/// An acronym and the phrase it stands for, as found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Acronym {
    /// Upper-case initials: "CSIS".
    pub short: String,
    /// The phrase as written: "Center for Strategic and International Studies".
    pub long: String,
}

/// Acronyms that a text defines or implies.
pub fn learn(_text: &str) -> Vec<Acronym> {
    Vec::new()
}
