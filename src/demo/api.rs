//! The demo speaks to hoso as its users would: through the JSON API, in process, each request
//! signed by the person who would make it, so every rule and permission check applies.

use anyhow::{Context, bail};
use axum::{
    Router,
    body::Body,
    http::{Method, Request, header},
};
use serde_json::Value;
use tower::ServiceExt;

/// The API of one hoso instance.
pub struct Api {
    router: Router,
}

impl Api {
    pub fn new(router: Router) -> Self {
        Self { router }
    }

    async fn send(&self, request: Request<Body>, what: &str) -> anyhow::Result<Value> {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .context("the router answers")?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .context("reading the answer")?;
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{what}: {status} {json}");
        }
        Ok(json)
    }

    /// A JSON request as the holder of `token`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> anyhow::Result<Value> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        if method == Method::PATCH {
            request = request.header(header::IF_MATCH, "*");
        }
        let request = request
            .body(Body::from(serde_json::to_vec(&body)?))
            .context("a request")?;
        self.send(request, &format!("{method} {path}")).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, token, body).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::PUT, path, token, body).await
    }

    pub async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        let request = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .context("a request")?;
        self.send(request, &format!("GET {path}")).await
    }

    /// A multipart upload of one file with text fields.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        (filename, bytes): (&str, &[u8]),
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Value> {
        let boundary = "hoso-demo-boundary-7d1f0c";
        let mut body = Vec::with_capacity(bytes.len() + 1024);
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .context("a request")?;
        self.send(request, &format!("POST {path}")).await
    }
}

/// The `id` of an API answer.
pub fn id(value: &Value) -> anyhow::Result<String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("an id in {value}"))
}
