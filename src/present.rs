//! What every front end shows the same way, whatever its markup: the source
//! line under an answer. The CLI and the Discord bot once formatted it each
//! in their own way and drifted apart; both now call this, and escape the
//! result for the place it goes.

use briefbot_engine::{Attribution, Passage};

/// "Tortoise · North Korea's war in Europe · 2024-11-05 · ¶3 · Quoted: Jennifer Jun, CSIS".
/// Plain text: callers escape it for their markup.
pub fn source_line(p: &Passage) -> String {
    let b = &p.brief;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(b.publisher.clone().filter(|s| !s.trim().is_empty()));
    parts.push(b.title.clone());
    parts.extend(b.date.clone().filter(|s| !s.trim().is_empty()));
    parts.push(format!("¶{}", p.paragraph));
    let quoted: Vec<String> = p.attribution.iter().map(quoted).collect();
    if !quoted.is_empty() {
        parts.push(format!("Quoted: {}", quoted.join("; ")));
    }
    parts.join(" · ")
}

/// "Jennifer Jun, CSIS": the name and the one detail that best places it —
/// the organisation, else the role. A source line has room for no more.
pub(crate) fn quoted(a: &Attribution) -> String {
    let detail = a.org.as_ref().or(a.role.as_ref()).filter(|s| !s.is_empty());
    match detail {
        Some(d) => format!("{}, {d}", a.name),
        None => a.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organisation_is_preferred_to_the_role_and_empty_details_are_skipped() {
        let a = |role: Option<&str>, org: Option<&str>| Attribution {
            name: "Jennifer Jun".into(),
            role: role.map(Into::into),
            org: org.map(Into::into),
        };
        assert_eq!(
            quoted(&a(Some("analyst"), Some("CSIS"))),
            "Jennifer Jun, CSIS"
        );
        assert_eq!(quoted(&a(Some("analyst"), None)), "Jennifer Jun, analyst");
        assert_eq!(quoted(&a(None, Some(""))), "Jennifer Jun");
    }
}
