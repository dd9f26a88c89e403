//! The `pifa-image` protocol: the window loads offer pictures as
//! `pifa-image://localhost/<the picture's URL, percent-encoded>` (`http://pifa-image.localhost/…`
//! on Windows), which `convertFileSrc(url, 'pifa-image')` builds, and gets them from the
//! workbench's disk cache, which fetches only from 1688's image hosts (or the demo double).

use std::borrow::Cow;

use pifa_workbench::Workbench;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub(crate) const SCHEME: &str = "pifa-image";

/// The picture URL a protocol request path carries, if it carries one.
fn original_url(path: &str) -> Option<String> {
    let encoded = path.strip_prefix('/')?;
    let url = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    (!url.is_empty()).then(|| url.into_owned())
}

fn not_found() -> Response<Cow<'static, [u8]>> {
    let mut response = Response::new(Cow::Borrowed(&[][..]));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// Answers one request off the protocol's thread; any refusal or failure is an empty 404, so
/// the window shows its blank tile.
pub(crate) fn handle<R: Runtime>(
    context: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    let url = (request.method() == tauri::http::Method::GET)
        .then(|| original_url(request.uri().path()))
        .flatten();
    tauri::async_runtime::spawn(async move {
        let Some(url) = url else {
            return responder.respond(not_found());
        };
        let workbench = app.state::<Workbench>().inner().clone();
        let response = match workbench.offer_image(&url).await {
            Ok(image) => Response::builder()
                .header(header::CONTENT_TYPE, image.content_type)
                // The same URL is the same picture: the webview may keep it for the session.
                .header(header::CACHE_CONTROL, "private, max-age=86400")
                .body(Cow::Owned(image.bytes))
                .unwrap_or_else(|_| not_found()),
            Err(e) => {
                tracing::debug!("an offer picture could not be shown: {e}");
                not_found()
            }
        };
        responder.respond(response);
    });
}

#[cfg(test)]
mod tests {
    use super::original_url;

    #[test]
    fn the_path_carries_the_picture_url_percent_encoded() {
        // What `convertFileSrc` (encodeURIComponent) makes of a real picture URL.
        assert_eq!(
            original_url("/https%3A%2F%2Fcbu01.alicdn.com%2Fimg%2Fibank%2FO1CN01a_!!22-0-cib.jpg")
                .as_deref(),
            Some("https://cbu01.alicdn.com/img/ibank/O1CN01a_!!22-0-cib.jpg")
        );
        assert_eq!(original_url("/"), None);
        assert_eq!(original_url(""), None);
        assert_eq!(original_url("/%FF%FE"), None);
    }
}
