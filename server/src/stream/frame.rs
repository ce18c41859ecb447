//! A publish's deltas, and their Server-Sent Events text rendered once per subscriber scope.
//!
//! With many subscribers most share a handful of scopes, so the first subscriber of a scope
//! renders the frame and the others send the same bytes (reference-counted, never copied): the
//! per-subscriber cost of a frame is one queue slot and one socket write.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;

use super::{Delta, Scope};

/// The deltas of one publish, shared by every subscriber.
pub struct Frame {
    deltas: Box<[Arc<Delta>]>,
    rendered: Mutex<Vec<(Scope, Bytes)>>,
}

impl Frame {
    /// A frame of these deltas (in publish order).
    pub fn new(deltas: Vec<Delta>) -> Frame {
        Frame {
            deltas: deltas.into_iter().map(Arc::new).collect(),
            rendered: Mutex::new(Vec::new()),
        }
    }

    /// The SSE text of the deltas `scope` may see (empty when none), rendered once per scope.
    pub fn sse(&self, scope: &Scope) -> Bytes {
        let mut rendered = self.rendered.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, text)) = rendered.iter().find(|(s, _)| s == scope) {
            return text.clone();
        }
        let text = render(&self.deltas, scope);
        rendered.push((scope.clone(), text.clone()));
        text
    }
}

impl Deref for Frame {
    type Target = [Arc<Delta>];

    fn deref(&self) -> &[Arc<Delta>] {
        &self.deltas
    }
}

/// The SSE text of the deltas the scope may see; the id goes on the last one of each sequence.
pub fn render(deltas: &[Arc<Delta>], scope: &Scope) -> Bytes {
    let mut out = String::new();
    let mut visible = deltas.iter().filter(|d| d.visible_to(scope)).peekable();
    while let Some(delta) = visible.next() {
        // Figures (tiles, alerts) are not kept for resumes: they carry no id, so a client's
        // Last-Event-ID always names a log position whose deltas it has all seen.
        let figures = matches!(delta.kind, "kpis" | "alert");
        let last_of_seq = visible.peek().is_none_or(|next| next.seq != delta.seq);
        let id = (!figures && last_of_seq).then_some(delta.seq);
        event(&mut out, delta.kind, &delta.data, id, None);
    }
    Bytes::from(out)
}

/// Appends one SSE message: `event`, `data` (one line per line of `data`), `id`, `retry` (ms).
pub fn event(out: &mut String, kind: &str, data: &str, id: Option<i64>, retry: Option<u64>) {
    use std::fmt::Write;
    if !kind.is_empty() {
        let _ = writeln!(out, "event: {kind}");
    }
    if !data.is_empty() {
        for line in data.split('\n') {
            let _ = writeln!(out, "data: {}", line.trim_end_matches('\r'));
        }
    }
    if let Some(id) = id {
        let _ = writeln!(out, "id: {id}");
    }
    if let Some(retry) = retry {
        let _ = writeln!(out, "retry: {retry}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Visibility;

    fn delta(seq: i64, kind: &'static str, queue: &str) -> Delta {
        Delta {
            seq,
            kind,
            visibility: Visibility::Queues(vec![queue.to_owned()]),
            data: Arc::from(format!("{{\"seq\":{seq}}}")),
        }
    }

    #[test]
    fn the_id_goes_on_the_last_visible_delta_of_each_sequence() {
        let frame = Frame::new(vec![
            delta(7, "conversation", "q1"),
            delta(7, "agent", "q2"),
            delta(8, "conversation", "q2"),
        ]);
        let all = frame.sse(&None);
        assert_eq!(
            &all[..],
            b"event: conversation\ndata: {\"seq\":7}\n\n\
              event: agent\ndata: {\"seq\":7}\nid: 7\n\n\
              event: conversation\ndata: {\"seq\":8}\nid: 8\n\n"
        );
        let q1 = frame.sse(&Some(vec!["q1".to_owned()]));
        assert_eq!(
            &q1[..],
            b"event: conversation\ndata: {\"seq\":7}\nid: 7\n\n"
        );
        assert!(frame.sse(&Some(vec!["q3".to_owned()])).is_empty());
        assert_eq!(
            frame.sse(&None).as_ptr(),
            all.as_ptr(),
            "rendered once per scope"
        );
    }
}
