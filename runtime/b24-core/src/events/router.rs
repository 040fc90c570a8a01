//! The axum handler of event posts (feature `event-handler`).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;

use super::{Event, EventError};
use crate::Secret;

/// The largest event post read (bytes); a bigger one is refused with 413 unread.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

struct Handler<F> {
    token: Secret,
    on_event: F,
}

/// An axum router whose `POST /` receives the portal's event posts (nest it where the
/// handler URL points). A post is read (at most [`MAX_EVENT_BYTES`]), its
/// `auth[application_token]` compared with `application_token` in constant time, and
/// `on_event` started on its own task with the [`Event`]; the portal gets its answer at
/// once. A post that is not an event is refused with 400, one without the application's
/// token with 401, a bigger one with 413: none of them reaches `on_event`.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let token = b24::Secret::new(std::env::var("B24_APPLICATION_TOKEN").unwrap_or_default());
/// let app = axum::Router::new().nest(
///     "/b24/events",
///     b24::events::router(token, |event: b24::events::Event| async move {
///         println!("{} {}", event.name, event.data);
///     }),
/// );
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
pub fn router<F, Fut>(application_token: Secret, on_event: F) -> Router
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handler = Arc::new(Handler {
        token: application_token,
        on_event,
    });
    Router::new()
        .route("/", post(receive::<F, Fut>))
        .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES))
        .with_state(handler)
}

async fn receive<F, Fut>(
    State(h): State<Arc<Handler<F>>>,
    body: Bytes,
) -> (StatusCode, &'static str)
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let event = match Event::from_form(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(target: "b24", "an event post was refused: {e}");
            return (StatusCode::BAD_REQUEST, "not an event");
        }
    };
    match event.verify(&h.token) {
        Ok(()) => {
            tokio::spawn((h.on_event)(event));
            (StatusCode::OK, "OK")
        }
        Err(e @ (EventError::NoToken | EventError::WrongToken)) => {
            tracing::warn!(target: "b24", event = %event.name, "an event post was refused: {e}");
            (StatusCode::UNAUTHORIZED, "unauthorized")
        }
        Err(e) => {
            tracing::warn!(target: "b24", "an event post was refused: {e}");
            (StatusCode::BAD_REQUEST, "not an event")
        }
    }
}
