//! "Next match" and "Delete" on an answer: the asker pages and deletes,
//! anyone else is refused privately.

use serde_json::Value;

use crate::harness::*;
use fake_discord::{ButtonPress, Msg};

fn button<'a>(message: &'a Value, label: &str) -> &'a str {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no {label:?} button on {message}"))
}

fn is_ephemeral_refusal(r: &fake_discord::Recorded) -> bool {
    r.body["type"] == 4 && r.body["data"]["flags"].as_u64().unwrap_or(0) & 64 == 64
}

#[test]
fn next_match_pages_for_the_asker_and_delete_removes_the_answer() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, a, b) = (guild_a(), asker(), other());
        let question = f.send_message(&Msg::mention_bot(
            &g,
            CH_BUTTONS,
            &a,
            "north korean soldiers in kursk",
        ));
        let first = bot.reply_to(&question).await;
        let answer = first.response.clone();
        let first_text = first.text();

        // Someone else's press is refused, privately, and changes nothing.
        let stranger = f.press_button(&ButtonPress::new(
            &g,
            &b,
            &answer,
            button(&answer, "Next match"),
        ));
        let refusal = f
            .wait_for_request(|r| r.path.ends_with(&format!("/{stranger}/callback")), T)
            .await;
        assert!(
            refusal.ok() && is_ephemeral_refusal(&refusal),
            "{:?}",
            refusal.body
        );
        assert!(
            refusal.text().contains("Only the member who asked"),
            "{}",
            refusal.text()
        );

        // The asker's press updates the message in place with the next passage.
        let mine = f.press_button(&ButtonPress::new(
            &g,
            &a,
            &answer,
            button(&answer, "Next match"),
        ));
        let update = f.wait_for_interaction_reply(&mine, T).await;
        assert_eq!(
            update.body["type"], 7,
            "Next match edits the answer: {}",
            update.body
        );
        assert_ne!(
            update.text(),
            first_text,
            "the second match differs from the first"
        );
        assert!(
            update.message()["embeds"][0]["footer"]["text"]
                .as_str()
                .unwrap_or_default()
                .contains("Match 2"),
            "{}",
            update.body
        );
        assert_no_pings(&update);

        // A stranger cannot delete it either; the asker can.
        let id = answer["id"].as_str().unwrap().to_string();
        let delete_path = format!("/channels/{CH_BUTTONS}/messages/{id}");
        let updated = f
            .message(id.parse().unwrap())
            .expect("the answer is still there");
        let stranger = f.press_button(&ButtonPress::new(
            &g,
            &b,
            &updated,
            button(&updated, "Delete"),
        ));
        let refusal = f
            .wait_for_request(|r| r.path.ends_with(&format!("/{stranger}/callback")), T)
            .await;
        assert!(is_ephemeral_refusal(&refusal), "{:?}", refusal.body);
        let mine = f.press_button(&ButtonPress::new(
            &g,
            &a,
            &updated,
            button(&updated, "Delete"),
        ));
        f.wait_for_request(|r| r.is("DELETE", &delete_path), T)
            .await;
        let acks = f.requests_matching(|r| r.path.ends_with(&format!("/{mine}/callback")));
        assert_eq!(acks.len(), 1, "one response to the delete press: {acks:?}");
        assert!(acks[0].ok());
        assert!(f.requests_matching(|r| r.is("DELETE", &delete_path)).len() == 1);
    });
}
