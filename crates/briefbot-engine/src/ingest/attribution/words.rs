//! Word lists the attribution patterns are built from: grammatical words
//! and verbs of speech, never names.

/// Verbs that introduce what someone said or disclosed.
pub(super) const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "announced",
    "announces",
    "revealed",
    "reveals",
    "warned",
    "warns",
    "added",
    "adds",
    "claimed",
    "claims",
    "accused",
    "accuses",
    "stated",
    "noted",
    "explained",
    "insisted",
    "argued",
    "wrote",
    "writes",
    "admitted",
    "acknowledged",
    "declared",
    "testified",
];

/// Words between a subject and its verb that are not part of the subject.
pub(super) const SKIPPABLE: &[&str] = &[
    "also",
    "has",
    "have",
    "had",
    "once",
    "again",
    "later",
    "then",
    "yesterday",
    "today",
    "previously",
    "earlier",
    "recently",
    "reportedly",
    "repeatedly",
    "separately",
    "publicly",
    "privately",
    "already",
    "last",
    "week",
    "night",
    "month",
    "year",
    "both",
    "all",
];

/// Before a speech verb these make it passive or non-finite ("was told",
/// "having claimed"): no one is being cited.
pub(super) const BE_FORMS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "am", "having",
];

/// Subjects that point elsewhere: no source can be named from them.
pub(super) const PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "this", "there",
    "someone", "everyone", "nobody",
];

/// Words that can open a cited group: "the soldiers", "one think tank".
pub(super) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "one", "two", "three", "four", "five", "several", "some", "many", "most",
    "these", "those", "other", "senior", "western", "foreign",
];

/// Lowercase words allowed inside a capitalised name ("Center for Strategic
/// and International Studies", "Bank of England").
pub(super) const NAME_JOINERS: &[&str] = &[
    "of", "for", "and", "the", "on", "in", "de", "del", "van", "von",
];
