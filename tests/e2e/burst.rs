//! Fifty members asking in one channel at once: every `/ask` is
//! answered, mentions are answered in the order asked within the channel's
//! posting budget, the rest get a quiet ⏳, and the channel at most one notice.

use std::collections::HashSet;
use std::sync::Arc;

use crate::harness::*;
use fake_discord::{Member, Msg, Recorded, Slash, User};

const BURST: u64 = 50;
/// The committed config's `channel_budget`; the harness sets the window to 1 s.
const BUDGET: usize = 5;
const WINDOW_SECS: f64 = 1.0;

fn member(id: u64) -> Member {
    Member::new(User::new(id, &format!("member{id}")))
}

#[test]
fn fifty_members_at_once_are_all_answered_or_quietly_told_in_order() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let g = guild_a();
        let path = format!("/channels/{CH_BURST}/messages");
        let mut tokens = Vec::new();
        let mut questions = Vec::new();
        for i in 0..BURST {
            let ask = Slash::new("ask", &g, CH_BURST, &member(10_000 + i))
                .string("question", "how many soldiers?");
            tokens.push(f.send_slash(&ask));
            let mention = Msg::mention_bot(&g, CH_BURST, &member(20_000 + i), "how many soldiers?");
            questions.push(f.send_message(&mention));
        }

        // Every /ask gets its answer, whatever the channel is doing.
        for token in &tokens {
            let reply = f.wait_for_interaction_reply(token, T).await;
            assert!(reply.text().contains("11,000"), "{}", reply.text());
        }

        // Every mention gets exactly one outcome: an answer or a ⏳.
        let ids: HashSet<String> = questions
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_string())
            .collect();
        let reply_to = |r: &Recorded| -> Option<String> {
            let id = r.body["message_reference"]["message_id"].as_str()?;
            (r.is("POST", &path) && ids.contains(id)).then(|| id.to_string())
        };
        let reaction_on = |r: &Recorded| -> Option<String> {
            let rest = r.path.strip_prefix(&format!("{path}/"))?;
            let (id, _) = rest.split_once("/reactions/")?;
            (r.method == "PUT" && ids.contains(id)).then(|| id.to_string())
        };
        let outcomes = f
            .wait_for_requests(
                BURST as usize,
                |r| reply_to(r).is_some() || reaction_on(r).is_some(),
                T,
            )
            .await;
        let answered: Vec<&Arc<Recorded>> =
            outcomes.iter().filter(|r| reply_to(r).is_some()).collect();
        let signalled: HashSet<String> = outcomes.iter().filter_map(|r| reaction_on(r)).collect();
        let answered_ids: HashSet<String> = answered.iter().filter_map(|r| reply_to(r)).collect();
        assert_eq!(
            answered.len(),
            answered_ids.len(),
            "one answer per question"
        );
        assert!(
            answered_ids.is_disjoint(&signalled),
            "answered and signalled"
        );
        assert_eq!(answered_ids.len() + signalled.len(), BURST as usize);
        assert!(
            answered.len() >= 15,
            "the budget (5) and the line (10) are used: {} answered",
            answered.len()
        );
        for r in &answered {
            assert!(r.ok(), "{}", r.response);
            assert!(r.text().contains("11,000"), "{}", r.text());
            assert_no_pings(r);
        }

        // Those that waited in line are answered in the order they were asked
        // (message ids grow with time). The first `BUDGET` go out as soon as
        // each is found: serenity hands events to concurrent tasks, so their
        // order among themselves is the scheduler's.
        let order: Vec<u64> = answered
            .iter()
            .skip(BUDGET)
            .map(|r| reply_to(r).unwrap().parse().unwrap())
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "waiting answers out of order");

        // One public notice for the overflow, and nothing else in the channel.
        if !signalled.is_empty() {
            f.wait_for_request(|r| r.is("POST", &path) && reply_to(r).is_none(), T)
                .await;
        }
        let posts = f.requests_matching(|r| r.is("POST", &path));
        let notices: Vec<_> = posts.iter().filter(|r| reply_to(r).is_none()).collect();
        assert!(notices.len() <= 1, "{notices:?}");
        for n in &notices {
            assert!(n.text().contains("/ask"), "{}", n.text());
            assert_no_pings(n);
        }

        eprintln!(
            "burst: /ask {n}/{n} answered; mentions {} answered (the waiting ones in order), {} ⏳, {} public notice",
            answered.len(),
            signalled.len(),
            notices.len(),
            n = tokens.len()
        );
        // Within the budget: over the time the posts took, never more than
        // `BUDGET` per window (counted from the fake's arrival stamps, which a
        // slow machine only spreads further apart; a post held up on its way
        // shortens the span by less than a window).
        let span = posts
            .last()
            .unwrap()
            .at
            .duration_since(posts[0].at)
            .as_secs_f64();
        let allowed = BUDGET as f64 * (span / WINDOW_SECS + 1.0).ceil();
        assert!(
            posts.len() as f64 <= allowed,
            "{} posts in {span:.2} s, over {BUDGET} per {WINDOW_SECS} s",
            posts.len()
        );
    });
}
