//! Tests of brief parsing: the shipped brief, plain paragraphs, bad files and
//! garbage input.

use super::*;

const SHIPPED: &str = include_str!("../../../../../briefs/north-korea-war-in-europe.md");
/// Plain paragraphs with no lead-ins, written for the tests.
const PLAIN: &str = include_str!("../../../../../tests/data/briefs-paraphrase/baltic-ferries.md");

fn parse(name: &str, bytes: &[u8]) -> Result<ParsedBrief, BriefError> {
    parse_brief(
        Path::new(name),
        bytes,
        Scope::Global,
        &BriefLimits::default(),
    )
}

fn ok(name: &str, text: &str) -> ParsedBrief {
    parse(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The passages' texts, in order.
fn texts(brief: &ParsedBrief) -> Vec<&str> {
    brief.passages.iter().map(|p| p.text.as_str()).collect()
}

/// Offsets point at the text in the original bytes, and sentences lie in the text.
fn assert_consistent(bytes: &[u8], brief: &ParsedBrief) {
    for p in &brief.passages {
        let original = std::str::from_utf8(&bytes[p.offsets.clone()]).unwrap();
        let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(collapse(original), collapse(&p.text), "{}", p.id);
        assert!(!p.sentences.is_empty(), "{}", p.id);
        for s in &p.sentences {
            assert!(
                p.text.get(s.clone()).is_some_and(|t| !t.is_empty()),
                "{}",
                p.id
            );
        }
        // The heading opens the text and no sentence overlaps it.
        if let Some(h) = &p.heading {
            assert!(p.sentences[0].start > 0, "{}", p.id);
            let unwrapped = p.text.replace("**", "").replace("__", "");
            assert!(unwrapped.starts_with(h.as_str()), "{}: {h}", p.id);
        }
    }
}

#[test]
fn shipped_brief_reads_its_front_matter() {
    let brief = ok("briefs/north-korea-war-in-europe.md", SHIPPED);
    assert_eq!(brief.meta.title, "North Korea’s war in Europe");
    assert_eq!(brief.meta.publisher.as_deref(), Some("Tortoise"));
    assert_eq!(
        brief.meta.tags,
        vec!["north korea", "russia", "ukraine", "war"]
    );
    assert_eq!(brief.meta.date, None);
    assert_eq!(brief.meta.url, None);
}

#[test]
fn shipped_brief_has_one_passage_per_line_with_exact_offsets() {
    let brief = ok("briefs/north-korea-war-in-europe.md", SHIPPED);
    assert_eq!(brief.passages.len(), 13);
    assert_consistent(SHIPPED.as_bytes(), &brief);
    for (i, p) in brief.passages.iter().enumerate() {
        assert_eq!(p.paragraph, i + 1);
        assert_eq!(p.id, format!("north-korea-war-in-europe#{}", i + 1));
        assert_eq!(&SHIPPED[p.offsets.clone()].replace('\n', " "), &p.text);
    }
    assert!(brief.passages[0]
        .text
        .starts_with("Talks between diplomats"));
    // The third line stops at "revealed that they": the next line goes on.
    assert!(brief.passages[2]
        .text
        .contains("revealed that they The soldiers also said"));
    assert!(brief.passages[12].text.starts_with("Further listening:"));
}

#[test]
fn a_paragraph_cut_mid_sentence_joins_the_next_unless_a_heading_intervenes() {
    let text = "It was sold to the

buyers, who paid
cash.

Next one.

Cut off with the
## Heading
After.
";
    let brief = ok("cut.md", text);
    assert_eq!(
        texts(&brief),
        vec![
            "It was sold to the buyers, who paid cash.",
            "Next one.",
            "Cut off with the",
            "After."
        ]
    );
    assert_consistent(text.as_bytes(), &brief);
}

#[test]
fn list_items_and_quotations_are_passages_of_their_own_without_their_markers() {
    let text = "Key points:\n- Russia bought shells from\n  North Korea.\n* Kim visited Moscow.\n\
        12. Putin went to Pyongyang.\n3) Shells arrive by rail.\n> \"We are brothers,\" Kim said.\n\n\
        **So what?** The bold stays.\n-5C was the low.\n";
    let brief = ok("list.md", text);
    assert_eq!(
        texts(&brief),
        vec![
            "Key points:",
            "Russia bought shells from North Korea.",
            "Kim visited Moscow.",
            "Putin went to Pyongyang.",
            "Shells arrive by rail.",
            "\"We are brothers,\" Kim said.",
            "**So what?** The bold stays. -5C was the low.",
        ]
    );
    assert_consistent(text.as_bytes(), &brief);
}

#[test]
fn shipped_brief_lead_ins_are_detected_generally() {
    let brief = ok("north-korea-war-in-europe.md", SHIPPED);
    let headings: Vec<Option<&str>> = brief
        .passages
        .iter()
        .map(|p| p.heading.as_deref())
        .collect();
    assert_eq!(
        headings,
        vec![
            None,
            Some("So what?"),
            Some("Who are the fighters?"),
            Some("Not mercenaries."),
            Some("Is it a bird?"),
            Some("Munitions, munitions, munitions."),
            Some("Seeing a friend."),
            Some("What’s in it for Kim?"),
            None,
            Some("And Putin?"),
            Some("Quid pro no."),
            Some("What’s more…"),
            Some("Further listening:"),
        ]
    );
}

#[test]
fn sentences_exclude_the_heading() {
    let brief = ok("b.md", SHIPPED);
    let so_what = &brief.passages[1];
    let sentences: Vec<&str> = so_what
        .sentences
        .iter()
        .map(|r| &so_what.text[r.clone()])
        .collect();
    assert_eq!(sentences[0], "The war continues.");
    assert_eq!(sentences.len(), 3);
    let listening = &brief.passages[12];
    assert_eq!(
        &listening.text[listening.sentences[0].clone()],
        "North Korea’s war in Europe"
    );
    // Without a heading the first sentence starts the paragraph.
    let more = &brief.passages[8];
    assert!(more.text.starts_with("More importantly"));
    assert_eq!(more.sentences[0].start, 0);
}

#[test]
fn plain_paragraphs_split_on_blank_lines_and_get_no_heading() {
    let brief = ok("baltic-ferries.md", PLAIN);
    assert_eq!(brief.passages.len(), 12);
    assert_consistent(PLAIN.as_bytes(), &brief);
    for p in &brief.passages {
        assert_eq!(p.heading, None, "{}", p.text);
        assert!(!p.sentences.is_empty());
    }
    assert_eq!(brief.meta.publisher.as_deref(), Some("briefbot test desk"));
}

#[test]
fn multi_line_blocks_are_joined_and_markdown_headings_skipped() {
    let text = "# The Title\n\nFirst line of one\nparagraph here.\n\n## Section\nSecond paragraph.\n\n\nThird.\n";
    let brief = ok("notes.md", text);
    assert_eq!(brief.meta.title, "The Title");
    assert_eq!(
        texts(&brief),
        vec![
            "First line of one paragraph here.",
            "Second paragraph.",
            "Third."
        ]
    );
    assert_consistent(text.as_bytes(), &brief);
    assert_eq!(
        &text[brief.passages[1].offsets.clone()],
        "Second paragraph."
    );
}

#[test]
fn rules_and_punctuation_only_lines_are_not_passages() {
    let brief = ok("x.md", "First.\n\n***\n\n---\nSecond.\n\n…\n");
    assert_eq!(texts(&brief), vec!["First.", "Second."]);
    assert_eq!(
        parse("x.md", b"---\ntitle: t\n---\n***\n").unwrap_err(),
        BriefError::NoText
    );
}

#[test]
fn one_line_per_paragraph_when_no_blank_line_separates_them() {
    let text = "\n\nOne. Two.\nThree.\n\n";
    let brief = ok("x.txt", text);
    assert_eq!(brief.passages.len(), 2);
    assert_eq!(brief.passages[1].paragraph, 2);
}

#[test]
fn title_falls_back_to_the_file_stem() {
    let brief = ok("dir/war-in_the-east.md", "Some text.");
    assert_eq!(brief.meta.title, "War in the east");
    assert_eq!(brief.passages[0].id, "war-in_the-east#1");
}

#[test]
fn bom_and_crlf_are_accepted_and_offsets_count_the_bom() {
    let text = "\u{feff}---\r\ntitle: T\r\n---\r\nSo what? It ends.\r\nSecond line.\r\n";
    let brief = ok("b.md", text);
    assert_eq!(brief.meta.title, "T");
    assert_eq!(brief.passages.len(), 2);
    assert_eq!(brief.passages[0].text, "So what? It ends.");
    assert_eq!(brief.passages[0].heading.as_deref(), Some("So what?"));
    assert_eq!(
        &text[brief.passages[0].offsets.clone()],
        "So what? It ends."
    );
    assert_consistent(text.as_bytes(), &brief);
}

#[test]
fn bad_files_are_reported_precisely() {
    let limits = BriefLimits { max_bytes: 10 };
    assert_eq!(
        parse_brief(Path::new("a.md"), &[b'a'; 11], Scope::Global, &limits).unwrap_err(),
        BriefError::TooLarge {
            size: 11,
            limit: 10
        }
    );
    assert_eq!(parse("a.md", b"").unwrap_err(), BriefError::Empty);
    assert_eq!(parse("a.md", b" \n\r\n\t").unwrap_err(), BriefError::Empty);
    assert_eq!(
        parse("a.md", "\u{feff}\n".as_bytes()).unwrap_err(),
        BriefError::Empty
    );
    assert_eq!(
        parse("a.md", b"abc\0def").unwrap_err(),
        BriefError::Binary { offset: 3 }
    );
    assert_eq!(
        parse("a.md", b"line one\nline \xff two").unwrap_err(),
        BriefError::InvalidUtf8 {
            line: 2,
            offset: 14
        }
    );
    assert_eq!(
        parse("a.pdf", b"text").unwrap_err(),
        BriefError::UnsupportedType {
            extension: "pdf".into()
        }
    );
}

#[test]
fn front_matter_errors_carry_their_line() {
    let err = parse("a.md", b"---\ntitle: x\ntitle: y\n---\nText.").unwrap_err();
    assert!(
        matches!(err, BriefError::FrontMatter { line: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("line 3"), "{err}");
    let err = parse("a.md", b"---\ntitle: x\n").unwrap_err();
    assert!(
        matches!(err, BriefError::FrontMatter { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn no_text_after_front_matter_is_an_error() {
    assert_eq!(
        parse("a.md", b"---\ntitle: x\n---\n\n  \n").unwrap_err(),
        BriefError::NoText
    );
    assert_eq!(
        parse("a.md", b"# Only a heading\n").unwrap_err(),
        BriefError::NoText
    );
}

/// A tiny deterministic generator, so the fuzz test needs no extra crate and
/// any failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_input_never_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let alphabet: Vec<&[u8]> = vec![
        b"---\n",
        b"title: ",
        b"date: ",
        b"url: ",
        b"tags: [",
        b"\n",
        b"\r\n",
        b" ",
        b"\n\n",
        b"# ",
        b"**",
        b"? ",
        b". ",
        b": ",
        "…".as_bytes(),
        "’".as_bytes(),
        b"\"",
        b"Mr.",
        b"said",
        b", a ",
        b"A",
        b"z",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\xe2\x80",
        b"\0",
        b"...",
    ];
    for _ in 0..3000 {
        let len = (rng.next() % 60) as usize;
        let mut bytes = Vec::new();
        for _ in 0..len {
            if rng.next() & 3 == 0 {
                bytes.push((rng.next() % 256) as u8);
            } else {
                bytes.extend_from_slice(alphabet[(rng.next() as usize) % alphabet.len()]);
            }
        }
        if let Ok(brief) = parse("fuzz.md", &bytes) {
            assert_consistent(&bytes, &brief);
        }
    }
}

#[test]
fn every_truncation_and_byte_flip_of_the_shipped_brief_is_handled() {
    let bytes = SHIPPED.as_bytes();
    for end in (0..bytes.len()).step_by(7) {
        if let Ok(brief) = parse("b.md", &bytes[..end]) {
            assert_consistent(&bytes[..end], &brief);
        }
    }
    let mut rng = XorShift(42);
    for _ in 0..300 {
        let mut copy = bytes.to_vec();
        let at = (rng.next() as usize) % copy.len();
        copy[at] = (rng.next() % 256) as u8;
        let _ = parse("b.md", &copy);
    }
}

mod properties {
    use super::super::frontmatter::split;
    use super::super::{parse_brief, BriefLimits};
    use crate::types::Scope;
    use proptest::prelude::*;
    use std::path::Path;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Front-matter of any shape is parsed or refused, never a panic.
        #[test]
        fn any_front_matter_is_parsed_or_refused(
            keys in proptest::collection::vec("[a-z]{0,8}", 0..6),
            values in proptest::collection::vec("\\PC{0,40}", 0..6),
            body in "\\PC{0,200}",
            close in any::<bool>(),
        ) {
            let mut text = String::from("---\n");
            for (k, v) in keys.iter().zip(&values) {
                text.push_str(&format!("{k}: {v}\n"));
            }
            if close {
                text.push_str("---\n");
            }
            text.push_str(&body);
            let _ = split(&text);
            let _ = parse_brief(Path::new("p.md"), text.as_bytes(), Scope::Global, &BriefLimits::default());
        }

        /// Arbitrary bytes as a brief: refused or parsed, never a panic.
        #[test]
        fn any_bytes_are_parsed_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_brief(Path::new("b.md"), &bytes, Scope::Global, &BriefLimits::default());
        }
    }
}
