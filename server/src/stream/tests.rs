//! The hub's buffer, resume bounds, overflow and scoping, without a server.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use app::model::ledger::Ledger;

use super::hub::{Hub, StreamSettings};
use super::{Delta, Visibility};
use crate::ingest::projection::Projection;

fn delta(seq: i64, queue: &str) -> Delta {
    Delta {
        seq,
        kind: "conversation",
        visibility: Visibility::Queues(vec![queue.to_owned()]),
        data: Arc::from(format!("{{\"seq\":{seq}}}")),
    }
}

fn hub(buffer: usize, client_buffer: usize) -> Hub {
    let hub = Hub::new(StreamSettings {
        buffer,
        client_buffer,
    });
    hub.attached(&Ledger::new(), 10);
    hub
}

#[test]
fn resume_replays_what_the_buffer_holds_and_refuses_the_rest() {
    let hub = hub(3, 16);
    for seq in 11..=15 {
        hub.publish(vec![delta(seq, "q1")]);
    }
    // The buffer holds 13..=15: resuming after 12 or later works, earlier or beyond does not.
    let seqs = |after| {
        hub.resume(after, None)
            .map(|s| s.replay.iter().map(|d| d.seq).collect::<Vec<_>>())
    };
    assert_eq!(seqs(12), Some(vec![13, 14, 15]));
    assert_eq!(seqs(15), Some(vec![]));
    assert_eq!(seqs(11), None);
    assert_eq!(seqs(16), None);
    assert_eq!(hub.counts().resyncs_too_far_behind, 2);
}

#[test]
fn a_full_subscriber_is_flagged_and_dropped_without_blocking_the_others() {
    let hub = hub(100, 2);
    let mut slow = hub.subscribe(None);
    let mut fast = hub.subscribe(None);
    let mut received = Vec::new();
    for seq in 11..=15 {
        hub.publish(vec![delta(seq, "q1")]);
        received.push(
            fast.frames
                .try_recv()
                .expect("the fast one takes every frame"),
        );
    }
    assert!(slow.overflowed.load(Ordering::Acquire));
    assert!(!fast.overflowed.load(Ordering::Acquire));
    assert_eq!(hub.counts().resyncs_overflow, 1);
    // Its queued frames are freed at once, not kept until it reads again; its queue ends.
    assert!(slow.frames.try_recv().is_err());
    assert_eq!(
        Arc::strong_count(&received[0]),
        1,
        "a frame the slow one had queued is held by nothing but this test"
    );
}

#[test]
fn subscribers_get_only_frames_of_their_queues() {
    let hub = hub(100, 16);
    let mut q1 = hub.subscribe(Some(vec!["q1".to_owned()]));
    let mut all = hub.subscribe(None);
    hub.publish(vec![delta(11, "q2")]);
    hub.publish(vec![delta(12, "q1"), delta(12, "q2")]);
    let frame = q1.frames.try_recv().expect("the q1 frame");
    let visible: Vec<i64> = frame
        .iter()
        .filter(|d| d.visible_to(&Some(vec!["q1".to_owned()])))
        .map(|d| d.seq)
        .collect();
    assert_eq!(visible, [12]);
    assert!(q1.frames.try_recv().is_err());
    assert_eq!(
        (all.frames.try_recv().is_ok(), all.frames.try_recv().is_ok()),
        (true, true)
    );
    let resumed = hub
        .resume(10, Some(vec!["q2".to_owned()]))
        .expect("in buffer");
    assert_eq!(resumed.replay.len(), 2);
}
