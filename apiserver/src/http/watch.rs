//! Watch: a stream of newline-delimited JSON events over a storage watch.
//!
//! * `resourceVersion` unset or `0`: synthetic ADDED events for the current state, then changes;
//!   `N`: only changes after N; a compacted N is an ERROR event with a 410 Status (not an HTTP 410).
//! * `sendInitialEvents=true`: the current state as ADDED events, then a BOOKMARK annotated
//!   `k8s.io/initial-events-end` at the list's revision (kube-rs `streaming_lists()`).
//! * `allowWatchBookmarks=true`: periodic BOOKMARKs at the last revision delivered.
//! * Selectors are applied to both the old and the new object, so an object that stops matching is
//!   DELETED from the watcher's view and one that starts matching is ADDED.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::negotiate::{Representation, choose};
use super::object;
use super::resources::ResourceRequest;
use super::table;
use crate::status::ApiError;
use crate::storage::{Event, EventKind, Revision, StorageError};

/// How often an idle watch that allows bookmarks gets one.
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(30);
/// The longest a watch stays open without `timeoutSeconds` (kube-apiserver: 30–60 min).
const MAX_WATCH: Duration = Duration::from_secs(45 * 60);

fn event_line(kind: &str, object: Value) -> Bytes {
    let mut line = serde_json::to_vec(&json!({"type": kind, "object": object}))
        .expect("a JSON value always serializes");
    line.push(b'\n');
    Bytes::from(line)
}

fn error_line(error: ApiError) -> Bytes {
    event_line("ERROR", error.to_status())
}

/// Serves a watch request.
pub async fn serve(request: ResourceRequest) -> Result<Response, ApiError> {
    let labels = request.params.label_selector()?;
    let fields = request.params.field_selector_for(&request.info)?;
    let bookmarks = request.params.flag("allowWatchBookmarks")?;
    let initial_events = request.params.flag("sendInitialEvents")?;
    let timeout = match request.params.get("timeoutSeconds") {
        Some(t) => Duration::from_secs(t.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("invalid value for timeoutSeconds: {t:?}"))
        })?),
        None => MAX_WATCH,
    };
    let table = choose(
        &request.headers,
        &[Representation::Json, Representation::Table],
    ) == Some(Representation::Table);
    let requested = request
        .params
        .get("resourceVersion")
        .map(object::parse_resource_version)
        .transpose()?;
    let prefix = request.info.scope_prefix(request.namespace.as_deref());

    // What comes first: the current state (as ADDED) or nothing.
    let mut initial = Vec::new();
    let start = match requested {
        Some(rv) if rv.0 > 0 && !initial_events => rv,
        _ => {
            let (items, revision, _, _) = request.list_objects().await?;
            initial = items;
            revision
        }
    };
    let store = std::sync::Arc::clone(&request.state.store);
    let info = std::sync::Arc::clone(&request.info);
    let encode = move |object: Value| -> Value {
        if table {
            let rv = object.pointer("/metadata/resourceVersion").cloned();
            table::table(&info, &[object], json!({"resourceVersion": rv}))
        } else {
            object
        }
    };

    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(64);
    let api_version = request.info.api_version();
    let kind = request.info.kind.clone();
    tokio::spawn(async move {
        let send = |line: Bytes| {
            let tx = tx.clone();
            async move { tx.send(Ok(line)).await.is_ok() }
        };
        let bookmark = |revision: Revision, end_of_initial: bool| {
            let mut metadata = json!({"resourceVersion": revision.to_resource_version()});
            if end_of_initial {
                metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            event_line(
                "BOOKMARK",
                json!({"kind": kind, "apiVersion": api_version, "metadata": metadata}),
            )
        };
        for object in initial {
            if !send(event_line("ADDED", encode(object))).await {
                return;
            }
        }
        if initial_events && !send(bookmark(start, true)).await {
            return;
        }
        let mut events = match store.watch(&prefix, Some(start)).await {
            Ok(events) => events,
            Err(error) => {
                let _ = send(error_line(watch_error(error, start))).await;
                return;
            }
        };
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(BOOKMARK_INTERVAL);
        ticker.tick().await;
        let mut last = start;
        loop {
            let item = tokio::select! {
                item = events.next() => item,
                _ = ticker.tick(), if bookmarks => {
                    if !send(bookmark(last, false)).await { return; }
                    continue;
                }
                _ = tx.closed() => return,
                _ = &mut deadline => return,
            };
            let event = match item {
                Some(Ok(event)) => event,
                Some(Err(error)) => {
                    let _ = send(error_line(watch_error(error, last))).await;
                    return;
                }
                None => return,
            };
            last = event.revision();
            match translate(&event, &labels, &fields) {
                Ok(Some((kind, object))) => {
                    if !send(event_line(kind, encode(object))).await {
                        return;
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    let _ = send(error_line(error)).await;
                    return;
                }
            }
        }
    });

    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let mut response = (StatusCode::OK, body).into_response();
    let content_type = if table {
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    } else {
        "application/json"
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

fn watch_error(error: StorageError, at: Revision) -> ApiError {
    match error {
        StorageError::Compacted { compacted, .. } => ApiError::new(
            StatusCode::GONE,
            "Expired",
            format!("too old resource version: {at} ({compacted})"),
        ),
        other => other.into(),
    }
}

/// Turns a storage event into what this watcher sees, given its selectors.
fn translate(
    event: &Event,
    labels: &super::selector::LabelSelector,
    fields: &super::selector::FieldSelector,
) -> Result<Option<(&'static str, Value)>, ApiError> {
    let matches = |object: &Value| labels.matches(object) && fields.matches(object);
    let prev = event.prev.as_ref().map(object::from_storage).transpose()?;
    match event.kind {
        EventKind::Delete => {
            let Some(mut prev) = prev else {
                return Ok(None);
            };
            if !matches(&prev) {
                return Ok(None);
            }
            object::set_resource_version(&mut prev, event.revision());
            Ok(Some(("DELETED", prev)))
        }
        EventKind::Put => {
            let object = object::from_storage(&event.kv)?;
            let now = matches(&object);
            let before = prev.as_ref().is_some_and(matches);
            Ok(match (before, now) {
                (false, true) => Some(("ADDED", object)),
                (true, true) => Some(("MODIFIED", object)),
                (true, false) => Some(("DELETED", object)),
                (false, false) => None,
            })
        }
    }
}
