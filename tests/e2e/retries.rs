//! Replies that meet Discord's transient faults: a 429 is waited
//! out, a 500 retried, and a response lost after the request took effect is
//! never turned into a second message.

use crate::harness::*;
use fake_discord::{Msg, Recorded, RestFault, Slash, APP_ID};

/// The messages the fake holds that reply to `question`: what members see.
fn replies_shown(bot: &Bot, question: &serde_json::Value) -> usize {
    let posts = bot.fake.requests_matching(|r| {
        r.body["message_reference"]["message_id"] == question["id"] && r.method == "POST"
    });
    let ids: std::collections::HashSet<String> = posts
        .iter()
        .filter_map(|r| r.response["id"].as_str().map(str::to_string))
        .filter(|id| bot.fake.message(id.parse().unwrap()).is_some())
        .collect();
    ids.len()
}

#[test]
fn a_reply_that_meets_429_500_or_a_lost_response_arrives_exactly_once() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let path = format!("/channels/{CH_RETRY}/messages");
        for fault in [
            RestFault::RateLimited { retry_after: 0.3 },
            RestFault::ServerError,
            RestFault::Lost(500),
            RestFault::Lost(502),
        ] {
            let p = path.clone();
            f.fail_next(move |r| r.is("POST", &p), fault.clone());
            let q = f.send_message(&Msg::mention_bot(
                &guild_a(),
                CH_RETRY,
                &asker(),
                "how many soldiers?",
            ));
            let id = q["id"].clone();
            let to_q = move |r: &Recorded| r.body["message_reference"]["message_id"] == id;
            let delivered = f
                .wait_for_request(|r| to_q(r) && r.ok() && r.is("POST", &path), T)
                .await;
            assert!(delivered.text().contains("11,000"), "{fault:?}");
            let tries = f.requests_matching(|r| to_q(r));
            assert_eq!(
                tries.len(),
                2,
                "{fault:?}: one failure, one retry: {tries:?}"
            );
            assert!(!tries[0].ok(), "{fault:?}: the fault was applied");
            let nonce = &tries[0].body["nonce"];
            assert!(nonce.is_string() && tries[0].body["enforce_nonce"] == true);
            assert_eq!(&tries[1].body["nonce"], nonce, "a retry keeps its nonce");
            assert_eq!(
                replies_shown(bot, &q),
                1,
                "{fault:?}: members see one reply"
            );
        }
        // A 429 is waited out for as long as Discord asks.
        let limited = f.requests_matching(|r| r.is("POST", &path) && r.status == 429);
        let retried = f.requests_matching(|r| r.is("POST", &path) && r.seq > limited[0].seq);
        let waited = retried[0].at.duration_since(limited[0].at);
        assert!(waited.as_secs_f64() >= 0.3, "retried after {waited:?}");
        assert!(
            !logged("sending a message failed (429").is_empty(),
            "each retry is logged"
        );
    });
}

#[test]
fn a_reply_whose_answer_times_out_is_retried_without_a_second_message() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let path = format!("/channels/{CH_TIMEOUT}/messages");
        // The fake holds the first try past the bot's timeout, then creates
        // the message anyway, as Discord may: the retry, sent meanwhile,
        // created it first, and the late first try meets its nonce.
        let slow = std::time::Duration::from_secs(REQUEST_TIMEOUT_SECS + 1);
        let p = path.clone();
        f.fail_next(move |r| r.is("POST", &p), RestFault::Delay(slow));
        let q = f.send_message(&Msg::mention_bot(
            &guild_a(),
            CH_TIMEOUT,
            &other(),
            "who is Jennifer Jun?",
        ));
        let id = q["id"].clone();
        let to_q = move |r: &Recorded| r.body["message_reference"]["message_id"] == id;
        let tries = f
            .wait_for_requests(2, |r| to_q(r) && r.is("POST", &path), T)
            .await;
        assert!(tries.iter().all(|r| r.ok()), "{tries:?}");
        assert_eq!(
            tries[0].response["id"], tries[1].response["id"],
            "both tries name the same message"
        );
        assert_eq!(replies_shown(bot, &q), 1);
    });
}

#[test]
fn an_ask_whose_first_response_fails_or_is_lost_is_answered_once() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        for fault in [RestFault::ServerError, RestFault::Lost(500)] {
            f.fail_next(
                |r| r.path.ends_with("/callback") && r.body["type"] == 4,
                fault.clone(),
            );
            let ask = Slash::new("ask", &guild_a(), CH_RETRY, &other())
                .string("question", "how many soldiers?");
            let token = f.send_slash(&ask);
            let webhook = format!("/webhooks/{APP_ID}/{token}");
            // A first response that never landed is simply sent again; one
            // that landed (Discord: already acknowledged) is edited instead.
            let shown = f
                .wait_for_request(
                    |r| {
                        r.ok()
                            && r.path.contains(&format!("/{token}"))
                            && (r.path.ends_with("/callback")
                                || r.path == format!("{webhook}/messages/@original"))
                    },
                    T,
                )
                .await;
            assert!(
                shown.text().contains("11,000"),
                "{fault:?}: {}",
                shown.text()
            );
            let all = f.interaction_requests(&token);
            assert!(
                all.iter().all(|r| !r.is("POST", &webhook)),
                "{fault:?}: no follow-up could duplicate the answer: {all:?}"
            );
            let originals =
                f.requests_matching(|r| r.path.ends_with(&format!("/{token}/callback")) && r.ok());
            assert!(originals.len() <= 1, "{fault:?}: {originals:?}");
        }
    });
}
