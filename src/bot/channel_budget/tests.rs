//! The budget's arithmetic on a short window, in paused time: the runtime
//! moves the clock on whenever every task waits, so a window passes without
//! a real wait and a slow machine cannot change what the tests see.

use std::sync::{Arc, Mutex};

use super::*;

const W: Duration = Duration::from_millis(100);

fn place(a: Admission) -> Place {
    match a {
        Admission::Place(p) => p,
        Admission::Full { .. } => panic!("expected a place in line"),
    }
}

/// Each place waits for its turn, "posts" (records its id and the time) and leaves.
async fn post_all(places: Vec<Place>) -> Vec<(u64, Duration)> {
    let start = Instant::now();
    let posted = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = places
        .into_iter()
        .map(|p| {
            let posted = posted.clone();
            tokio::spawn(async move {
                p.turn().await;
                posted.lock().unwrap().push((p.id, start.elapsed()));
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let out = posted.lock().unwrap().clone();
    out
}

#[tokio::test(start_paused = true)]
async fn the_budget_goes_out_first_and_the_rest_in_order_a_window_later() {
    let b = ChannelBudget::new(5, W, 10);
    // Places taken out of order, as concurrent events may take them.
    let ids = [3, 1, 2, 7, 5, 4, 6, 9, 8, 10];
    let places = ids.iter().map(|&id| place(b.admit(42, id))).collect();
    let posted = post_all(places).await;
    let order: Vec<u64> = posted.iter().map(|(id, _)| *id).collect();
    assert_eq!(order, (1..=10).collect::<Vec<_>>(), "in message order");
    for (id, at) in posted.iter().skip(5) {
        assert!(
            *at >= W,
            "message {id} went out at {at:?}, inside the first window"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn no_window_ever_holds_more_than_the_budget() {
    let b = ChannelBudget::new(5, W, 20);
    let places = (1..=25).map(|id| place(b.admit(42, id))).collect();
    let posted = post_all(places).await;
    let times: Vec<Duration> = posted.iter().map(|(_, t)| *t).collect();
    for (i, t) in times.iter().enumerate().skip(5) {
        assert!(*t - times[i - 5] >= W, "post {i} came too soon: {times:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn past_the_line_members_are_signalled_quietly_with_one_public_notice() {
    let b = ChannelBudget::new(5, W, 10);
    let places: Vec<Place> = (1..=15).map(|id| place(b.admit(42, id))).collect();
    let mut notices = Vec::new();
    for id in 16..=50 {
        match b.admit(42, id) {
            Admission::Place(_) => panic!("{id} should not fit in the line"),
            Admission::Full { notice } => notices.extend(notice),
        }
    }
    assert_eq!(notices.len(), 1, "one public notice for the whole burst");
    assert_eq!(notices[0].id, 16, "the first member turned away carries it");
    assert!(
        matches!(b.admit(43, 1), Admission::Place(_)),
        "another channel has its own budget"
    );
    drop(places);
    drop(notices);
    // The notice window outlasts the burst: the next overflow is quiet too.
    tokio::time::sleep(W).await;
    let again: Vec<Admission> = (100..=116).map(|id| b.admit(42, id)).collect();
    let fresh_notices = again
        .iter()
        .filter(|a| matches!(a, Admission::Full { notice: Some(_) }))
        .count();
    assert_eq!(fresh_notices, 0);
}

#[tokio::test(start_paused = true)]
async fn a_question_that_needs_no_post_gives_its_turn_to_the_next() {
    let b = ChannelBudget::new(1, Duration::from_secs(3600), 5);
    let first = place(b.admit(42, 1));
    let second = place(b.admit(42, 2));
    drop(first); // e.g. an overheard question the briefs cannot answer
                 // With an hour-long window, only the unused budget lets it through.
    tokio::time::timeout(Duration::from_secs(30), second.turn())
        .await
        .expect("the second question's turn came");
}

#[tokio::test(start_paused = true)]
async fn a_question_being_posted_is_not_counted_twice() {
    let b = ChannelBudget::new(5, Duration::from_secs(3600), 10);
    let head = place(b.admit(42, 1));
    head.turn().await; // its post is on the way: counted in the budget
                       // Four posts left and ten places in line: fourteen more fit.
    let line: Vec<Place> = (2..=15).map(|id| place(b.admit(42, id))).collect();
    assert!(matches!(b.admit(42, 16), Admission::Full { .. }));
    drop((head, line));
}
