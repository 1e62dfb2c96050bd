//! `passeur review serve`: the editor over HTTP, on loopback, for one person's browser.
//!
//! Safe by default, as Jupyter is: it binds 127.0.0.1 only and prints its URL with a random
//! token; every request needs the token (in the URL or the `X-Passeur-Token` header) and a
//! loopback `Host` (so a page of another site cannot reach it by DNS rebinding); a change
//! needs, besides, a JSON body and a same-origin `Origin` (no form of another site can post
//! one). Pages get a strict Content-Security-Policy (scripts and styles of the server only,
//! none inline), and the page sets every text of an article, a glossary or the memory as
//! text, never as markup. The page and its script are in the binary: no node toolchain.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::{Query as UrlQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{Edit, EditError, Editor, Query};
use crate::align::ReviewState;

const PAGE: &str = include_str!("assets/editor.html");
const SCRIPT: &str = include_str!("assets/editor.js");
const STYLE: &str = include_str!("assets/editor.css");

/// The policy every response carries: nothing but this server's own script, style and API.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct App {
    editor: Mutex<Editor>,
    token: String,
    port: u16,
}

type Shared = Arc<App>;

/// Serves the editor over `editor`'s folder until Ctrl-C; the first line of stdout is the
/// URL to open (with `segment=` to open at a segment).
pub fn serve(editor: Editor, port: u16) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        let port = listener.local_addr()?.port();
        let app = Arc::new(App {
            editor: Mutex::new(editor),
            token: new_token()?,
            port,
        });
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "http://127.0.0.1:{port}/?token={}", app.token)?;
            out.flush()?;
        }
        eprintln!(
            "passeur: the editor of {} is at the address above (add &segment=ARTICLE:PARAGRAPH:INDEX \
             to open at a segment); Ctrl-C stops it",
            app.editor.lock().expect("editor").dir().display()
        );
        let router = routes(Arc::clone(&app));
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        // What a last change asked for is rendered before the server ends.
        let editor = app.editor.lock().expect("editor");
        editor.wait_for_rendering();
        eprintln!("passeur: editor stopped; every change is saved");
        Ok(())
    })
}

fn new_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
    Ok(crate::files::hex(bytes))
}

fn routes(app: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/editor.js",
            get(|| asset(SCRIPT, "text/javascript; charset=utf-8")),
        )
        .route(
            "/editor.css",
            get(|| asset(STYLE, "text/css; charset=utf-8")),
        )
        .route("/api/status", get(status))
        .route("/api/segments", get(segments))
        .route("/api/segment", get(segment))
        .route("/api/same-source", get(same_source))
        .route("/api/history", get(history))
        .route("/api/check", post(check))
        .route("/api/save", post(save))
        .route("/api/bulk", post(bulk))
        .route("/api/terms", get(terms))
        .route("/api/term", post(add_term))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app)
}

/// Refused with 403: a foreign Host, no token, or a change that is not same-origin JSON.
async fn guard(State(app): State<Shared>, request: Request, next: Next) -> Response {
    if let Err(why) = allowed(&app, request.method(), request.headers(), request.uri()) {
        return secure((StatusCode::FORBIDDEN, why).into_response());
    }
    secure(next.run(request).await)
}

fn allowed(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let origins = [
        format!("127.0.0.1:{}", app.port),
        format!("localhost:{}", app.port),
    ];
    if !header(header::HOST.as_str()).is_some_and(|host| origins.iter().any(|o| o == host)) {
        return Err("forbidden: this server answers to 127.0.0.1 and localhost only\n");
    }
    let query_token = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_string)
    });
    let token = header("x-passeur-token")
        .map(str::to_string)
        .or(query_token);
    if !token.is_some_and(|t| constant_time_eq(t.as_bytes(), app.token.as_bytes())) {
        return Err("forbidden: open the address passeur printed (with its token)\n");
    }
    if method != Method::GET && method != Method::HEAD {
        let json = header(header::CONTENT_TYPE.as_str())
            .is_some_and(|t| t.split(';').next() == Some("application/json"));
        if !json {
            return Err("forbidden: a change is a JSON request\n");
        }
        let same_origin = header(header::ORIGIN.as_str()).is_some_and(|origin| {
            origins
                .iter()
                .any(|o| origin == format!("http://{o}").as_str())
        });
        if !same_origin {
            return Err("forbidden: a change must come from the editor's own page\n");
        }
    }
    Ok(())
}

/// Compares tokens in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The headers every response carries.
fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn page(State(app): State<Shared>) -> Response {
    // The token is ours (hex), the only text put into the page: everything else comes
    // through the API and is set as text by the script.
    let body = PAGE.replace("{{token}}", &app.token);
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}

async fn asset(text: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// Runs `work` on the editor in a thread that may block (SQLite, files).
async fn with_editor<T: serde::Serialize + Send + 'static>(
    app: Shared,
    work: impl FnOnce(&mut Editor) -> Result<T, EditError> + Send + 'static,
) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        let mut editor = app.editor.lock().unwrap_or_else(|e| e.into_inner());
        work(&mut editor)
    })
    .await;
    match result {
        Ok(Ok(value)) => Json(value).into_response(),
        Ok(Err(error)) => error_response(error),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn error_response(error: EditError) -> Response {
    let message = error.to_string();
    let (status, body) = match error {
        EditError::ReadOnly(_) => (StatusCode::LOCKED, serde_json::json!({ "error": message })),
        EditError::Conflict { current, row } => (
            StatusCode::CONFLICT,
            serde_json::json!({ "error": message, "current": current, "segment": row }),
        ),
        EditError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            serde_json::json!({ "error": message }),
        ),
        EditError::Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({ "error": message }),
        ),
        EditError::Other(e) => {
            eprintln!("passeur: error: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({ "error": format!("{e:#}") }),
            )
        }
    };
    (status, Json(body)).into_response()
}

#[derive(Deserialize)]
struct Key {
    key: String,
}

async fn status(State(app): State<Shared>) -> Response {
    with_editor(app, |editor| Ok(editor.status()?)).await
}

async fn segments(State(app): State<Shared>, UrlQuery(query): UrlQuery<Query>) -> Response {
    with_editor(app, move |editor| editor.list(&query)).await
}

async fn segment(State(app): State<Shared>, UrlQuery(key): UrlQuery<Key>) -> Response {
    with_editor(app, move |editor| editor.segment(&key.key)).await
}

async fn same_source(State(app): State<Shared>, UrlQuery(key): UrlQuery<Key>) -> Response {
    with_editor(app, move |editor| editor.same_source(&key.key)).await
}

async fn history(State(app): State<Shared>, UrlQuery(key): UrlQuery<Key>) -> Response {
    with_editor(app, move |editor| editor.history(&key.key)).await
}

#[derive(Deserialize)]
struct CheckRequest {
    key: String,
    target: String,
}

async fn check(State(app): State<Shared>, Json(request): Json<CheckRequest>) -> Response {
    with_editor(app, move |editor| {
        editor.check(&request.key, &request.target)
    })
    .await
}

async fn save(State(app): State<Shared>, Json(edit): Json<Edit>) -> Response {
    with_editor(app, move |editor| editor.save(&edit)).await
}

#[derive(Deserialize)]
struct BulkRequest {
    #[serde(default)]
    query: Query,
    state: ReviewState,
}

async fn bulk(State(app): State<Shared>, Json(request): Json<BulkRequest>) -> Response {
    with_editor(app, move |editor| {
        editor.bulk(&request.query, request.state)
    })
    .await
}

#[derive(Deserialize)]
struct ArticleQuery {
    article: String,
}

async fn terms(State(app): State<Shared>, UrlQuery(query): UrlQuery<ArticleQuery>) -> Response {
    with_editor(app, move |editor| editor.terms_for(&query.article)).await
}

#[derive(Deserialize)]
struct TermRequest {
    source: String,
    target: String,
    #[serde(default)]
    note: Option<String>,
}

async fn add_term(State(app): State<Shared>, Json(request): Json<TermRequest>) -> Response {
    with_editor(app, move |editor| {
        editor.add_term(&request.source, &request.target, request.note.as_deref())
    })
    .await
}
