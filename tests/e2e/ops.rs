//! The operator's view: `/healthz` follows the gateway, the registration and
//! the database; `/metrics` counts questions in the Prometheus format.

use std::collections::HashMap;
use std::time::Duration;

use briefbot::bot::readiness::Level;
use fake_discord::{Hold, Msg, RestFault, Slash};
use prometheus_parse::{LineInfo, Scrape, Value};

use crate::harness::*;

/// A loopback port nothing listens on now, for the bot's `ops.listen`.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn ops_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("BRIEFBOT_OPS_LISTEN", format!("127.0.0.1:{port}")),
        ("BRIEFBOT_REGISTER_RETRY_SECS", "0.02".into()),
        ("BRIEFBOT_REGISTER_RETRY_MAX_SECS", "0.05".into()),
    ]
}

/// GET `path` on the bot's listener, once it listens: (status, body).
async fn get(port: u16, path: &str) -> (u16, String) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        match client.get(&url).send().await {
            Ok(r) => return (r.status().as_u16(), r.text().await.unwrap()),
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{url} never answered: {e}"),
        }
    }
}

async fn health(port: u16) -> (u16, serde_json::Value) {
    let (status, body) = get(port, "/healthz").await;
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, json)
}

fn problems(json: &serde_json::Value) -> Vec<String> {
    json["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems list in {json}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn healthz_is_503_until_connected_and_registered_and_again_when_the_gateway_drops() {
    run(async {
        let port = free_port();
        let held = Hold::default();
        let bot = Bot::start(BotOptions {
            gateway_refused: true,
            registration_faults: vec![
                RestFault::Refused {
                    status: 403,
                    code: 50001,
                    message: "Missing Access".into(),
                },
                RestFault::Hold(held.clone()),
            ],
            env: ops_env(port),
            ..Default::default()
        })
        .await;
        let within = |level| tokio::time::timeout(T, bot.readiness.wait_for(level));

        // Before READY: the gateway refuses, nothing is registered.
        let (status, json) = health(port).await;
        assert_eq!(status, 503, "{json}");
        assert_eq!(bot.readiness.level(), Level::GatewayDown);
        let p = problems(&json);
        assert!(p.iter().any(|p| p.starts_with("gateway")), "{p:?}");
        assert!(p.contains(&"slash commands not registered".into()), "{p:?}");
        assert_eq!(json["database"], "ok", "{json}");
        assert_eq!(json["index"]["opened"], true, "{json}");

        // Connected, but the registration is refused, then held.
        bot.fake.refuse_gateway(false);
        assert!(held.arrived(T).await, "registration tried again");
        within(Level::CommandsUnregistered)
            .await
            .expect("connected");
        let (status, json) = health(port).await;
        assert_eq!(status, 503, "{json}");
        assert_eq!(problems(&json), ["slash commands not registered"]);

        held.release();
        within(Level::Answering).await.expect("registered");
        let (status, json) = health(port).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["status"], "ok");
        assert!(problems(&json).is_empty());

        bot.fake.refuse_gateway(true);
        within(Level::GatewayDown).await.expect("gateway down");
        let (status, json) = health(port).await;
        assert_eq!(status, 503, "{json}");
        let p = problems(&json);
        assert!(p.iter().any(|p| p.starts_with("gateway: shard 0")), "{p:?}");
        bot.stop().await.expect("clean stop");
    });
}

#[test]
fn metrics_count_an_answered_and_a_declined_question_in_the_prometheus_format() {
    run(async {
        let port = free_port();
        let bot = Bot::start(BotOptions {
            env: ops_env(port),
            ..Default::default()
        })
        .await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());
        // The answer's first post meets a 500 and is sent again.
        let path = format!("/channels/{CH_MENTION}/messages");
        f.fail_next(move |r| r.is("POST", &path), RestFault::ServerError);
        let answered = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &a, "how many soldiers?"));
        let r = bot.reply_to(&answered).await;
        assert!(r.text().contains("11,000"), "{}", r.text());
        let declined = f.send_message(&Msg::mention_bot(
            &g,
            CH_MENTION,
            &a,
            "what is the capital of france?",
        ));
        let r = bot.reply_to(&declined).await;
        assert!(
            r.plain_text().contains("I couldn't find that"),
            "{}",
            r.text()
        );

        let reindex = f.send_slash(&Slash::new("reindex", &g, CH_MOD, &moderator()));
        let report = f.wait_for_interaction_reply(&reindex, T).await;
        assert!(report.text().contains("Re-indexed"), "{}", report.text());

        let (status, text) = get(port, "/metrics").await;
        assert_eq!(status, 200, "{text}");
        // Every line is a sample, a HELP, TYPE or UNIT line, or the final EOF.
        for line in text.lines() {
            let known = !matches!(LineInfo::parse(line), LineInfo::Ignored)
                || line.starts_with("# UNIT ")
                || line == "# EOF";
            assert!(known, "not exposition format: {line:?}");
        }
        assert_eq!(text.lines().last(), Some("# EOF"));
        let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
        let value = |metric: &str, labels: &[(&str, &str)]| -> f64 {
            let found: Vec<f64> = scrape
                .samples
                .iter()
                .filter(|s| s.metric == metric)
                .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
                .map(|s| match &s.value {
                    Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
                    other => panic!("{metric}: {other:?}"),
                })
                .collect();
            assert_eq!(found.len(), 1, "{metric} {labels:?} in\n{text}");
            found[0]
        };
        let question = |verdict| {
            value(
                "briefbot_questions_total",
                &[("entry_point", "message"), ("verdict", verdict)],
            )
        };
        assert_eq!(question("answered"), 1.0);
        assert_eq!(question("declined"), 1.0);
        assert_eq!(value("briefbot_answer_latency_seconds_count", &[]), 2.0);
        let buckets: HashMap<String, f64> = scrape
            .samples
            .iter()
            .find(|s| s.metric == "briefbot_answer_latency_seconds")
            .map(|s| match &s.value {
                Value::Histogram(h) => h
                    .iter()
                    .map(|b| (b.less_than.to_string(), b.count))
                    .collect(),
                other => panic!("{other:?}"),
            })
            .expect("the latency histogram");
        assert_eq!(buckets.get("inf"), Some(&2.0), "{buckets:?}");
        assert_eq!(
            value("briefbot_discord_rest_errors_total", &[("status", "500")]),
            1.0
        );
        assert_eq!(value("briefbot_discord_rest_retries_total", &[]), 1.0);
        assert_eq!(
            value("briefbot_index_rebuild_duration_seconds_count", &[]),
            1.0
        );
        assert_eq!(
            value(
                "briefbot_gateway_shard",
                &[("shard", "0"), ("state", "connected")]
            ),
            1.0
        );
        assert!(value("briefbot_index_passages", &[]) > 0.0);
        // No member's words or ids reach a label.
        assert!(!text.contains("soldiers") && !text.contains("france"));
        // Only labels are searched for the id: a sample's value (a latency
        // such as 0.0030142) can hold its digits by chance.
        let id = a.user.id.to_string();
        let labelled: Vec<_> = scrape
            .samples
            .iter()
            .filter(|s| s.labels.values().any(|v| v.contains(&id)))
            .map(|s| &s.metric)
            .collect();
        assert!(labelled.is_empty(), "the member's id labels {labelled:?}");
        bot.stop().await.expect("clean stop");
    });
}
