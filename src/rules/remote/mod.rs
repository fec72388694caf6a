//! Remote rules (CC101–CC104): what the push URL itself says, before any credential or
//! key is looked at: a secret written into it, plain http, a url rewrite that changed it,
//! a scheme git cannot use.
//!
//! One rule per file, named after the rule. These rules read [`crate::facts`] (the
//! parsed, redacted push URLs) and [`crate::rules::advice`] only: they do no I/O and
//! never import `src/entry`.
//!
//! Their messages name the remote and the URL in their own words ("remote `origin` push
//! URL … embeds …") rather than through `PushUrl::label()`: the wording is older than
//! `label()`, and the doctor golden files pin it.

mod plaintext_http;
mod push_url_rewritten;
mod url_embeds_secret;
mod url_scheme_unsupported;

pub(crate) use plaintext_http::PLAINTEXT_HTTP;
pub(crate) use push_url_rewritten::PUSH_URL_REWRITTEN;
pub(crate) use url_embeds_secret::URL_EMBEDS_SECRET;
pub(crate) use url_scheme_unsupported::URL_SCHEME_UNSUPPORTED;
