//! The HTTP listener behind `[ops] listen`: two read-only routes, nothing
//! that changes the bot. Stops when the bot's shutdown begins.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::task::JoinHandle;

use super::health;
use super::metrics::{Observed, CONTENT_TYPE};
use crate::bot::Data;

/// Bind `addr` (failing at once, with the setting named, if it cannot be)
/// and serve until `state.shutdown` is cancelled. Returns the bound address
/// (the port chosen, for `:0`) and the server's task.
pub async fn serve(addr: SocketAddr, state: Data) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr} (setting `ops.listen`)"))?;
    let bound = listener
        .local_addr()
        .context("the ops listener's address")?;
    let stop = state.shutdown.clone();
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(state);
    tracing::info!(%bound, "serving /healthz and /metrics");
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::warn!("the ops listener stopped: {e}");
        }
    });
    Ok((bound, task))
}

async fn healthz(State(state): State<Data>) -> Response {
    let health = health::check(&state).await;
    let status = if health.ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health)).into_response()
}

async fn metrics(State(state): State<Data>) -> Response {
    let readiness = state.readiness.snapshot();
    let stats = state.engine.stats();
    let text = state.metrics.encode(&Observed {
        readiness: &readiness,
        generation: stats.generation,
        briefs: stats.briefs,
        passages: stats.passages,
        channel_queue: state.channels.waiting(),
        database_errors: state.store.errors(),
    });
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}
