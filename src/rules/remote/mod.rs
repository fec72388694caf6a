//! Remote rules (CC101–CC105): what the push URL itself says, before any credential or
//! key is looked at: a secret written into it, plain http, a url rewrite that changed it,
//! a scheme git cannot use, an address git reads as a local path.
//!
//! One rule per file, named after the rule. These rules read [`crate::facts`] (the
//! parsed, redacted push URLs) and [`crate::rules::advice`] only: they do no I/O and
//! never import `src/entry`.
//!
//! Their messages name the remote and the URL in their own words ("remote `origin` push
//! URL … embeds …") rather than through `PushUrl::label()`: the wording is older than
//! `label()`, and the doctor golden files pin it.

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    plaintext_http::PLAINTEXT_HTTP,
    push_url_rewritten::PUSH_URL_REWRITTEN,
    url_embeds_secret::URL_EMBEDS_SECRET,
    url_is_local_path::URL_IS_LOCAL_PATH,
    url_scheme_unsupported::URL_SCHEME_UNSUPPORTED,
}
