//! Property tests over every parser that reads outside input: no input panics, and
//! round trips hold where they exist. Thousands of generated inputs per parser.

use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn url_parse_never_panics(s in "\\PC{0,80}") {
        let _ = crate::facts::url::parse(&s);
    }

    #[test]
    fn url_like_never_panics(scheme in "(https?|HTTPS|ssh|git|file|ext|fd|)", user in "[a-z%:@ ]{0,8}", host in "(\\[[0-9a-f:%]{0,12}\\]|[a-z0-9.-]{0,12})", rest in "[/a-z0-9 %~:.]{0,20}") {
        let _ = crate::facts::url::parse(&format!("{scheme}://{user}@{host}{rest}"));
        let _ = crate::facts::url::parse(&format!("{user}@{host}:{rest}"));
    }

    #[test]
    fn redaction_hides_url_passwords(user in "[a-z]{1,8}", pw in "[A-Za-z0-9]{8,30}", host in "[a-z]{1,10}\\.[a-z]{2,3}", prefix in "\\PC{0,20}") {
        let text = format!("{prefix} https://{user}:{pw}@{host}/x");
        let red = crate::redact::text(&text);
        let tail = red.split("https://").last().unwrap_or("");
        prop_assert!(!tail.contains(&pw), "{}", red);
    }

    #[test]
    fn ref_lines_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = crate::facts::pushed::parse_line(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn fast_ref_check_agrees_with_the_parser(fields in proptest::collection::vec("(refs/heads/x|HEAD|[0a]{40}|[0f]{64}|[0g]{40}|)", 0..6)) {
        let line = fields.join(" ");
        prop_assert_eq!(crate::facts::pushed::valid_line(line.as_bytes()), crate::facts::pushed::parse_line(&line).is_some(), "{:?}", line);
    }

    #[test]
    fn ref_lines_round_trip(lr in "refs/heads/[a-z]{1,10}", lo in "[0-9a-f]{40}", rr in "refs/heads/[a-z]{1,10}", ro in "[0-9a-f]{40}") {
        let u = crate::facts::pushed::parse_line(&format!("{lr} {lo} {rr} {ro}\r\n")).expect("valid line");
        prop_assert_eq!((u.local_ref, u.local_oid, u.remote_ref, u.remote_oid), (lr, lo, rr, ro));
    }

    #[test]
    fn store_lines_never_panic(s in "\\PC{0,120}") {
        let _ = crate::facts::credential::parse_store_line(&s);
    }

    #[test]
    fn store_lines_round_trip(user in "[a-z][a-z0-9._-]{0,10}", pw in "[A-Za-z0-9_]{1,40}", host in "[a-z]{1,10}(\\.[a-z]{2,3})?(:[0-9]{2,5})?", path in "(/[a-z]{1,8}){0,2}") {
        let line = format!("https://{user}:{pw}@{host}{path}");
        let e = crate::facts::credential::parse_store_line(&line).expect("valid line");
        prop_assert_eq!(e.username.as_deref(), Some(user.as_str()));
        prop_assert_eq!(e.password.as_deref(), Some(pw.as_str()));
        prop_assert_eq!(e.host, host);
    }

    #[test]
    fn git_config_output_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let c = crate::facts::gitconfig::Config::parse(&bytes, std::path::Path::new("/r"));
        let _ = c.remote_names();
    }

    #[test]
    fn git_config_round_trip(section in "[a-z]{1,8}", sub in "[A-Za-z0-9:/.]{0,12}", name in "[a-z]{1,8}", value in "[ -~]{0,20}") {
        let key = if sub.is_empty() { format!("{section}.{name}") } else { format!("{section}.{sub}.{name}") };
        let raw = format!("global\0file:/h/.gitconfig\0{key}\n{value}\0");
        let c = crate::facts::gitconfig::Config::parse(raw.as_bytes(), std::path::Path::new("/r"));
        prop_assert_eq!(c.entries.len(), 1);
        prop_assert_eq!(c.entries[0].key(), key);
        prop_assert_eq!(c.entries[0].value.as_deref(), Some(value.as_str()));
    }

    #[test]
    fn credential_protocol_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = crate::facts::request::Attributes::parse(&bytes);
    }

    #[test]
    fn credential_protocol_round_trip(host in "[a-z0-9.:-]{1,20}", user in "[!-~]{0,12}", pw in "[!-~]{0,30}") {
        let a = crate::facts::request::Attributes::parse(format!("protocol=https\nhost={host}\nusername={user}\npassword={pw}\nwwwauth[]=Basic x\n\n").as_bytes());
        prop_assert_eq!(a.host.as_deref(), Some(host.as_str()));
        prop_assert_eq!(a.username.as_deref(), Some(user.as_str()));
        prop_assert_eq!(a.password.as_deref(), Some(pw.as_str()));
    }

    #[test]
    fn config_file_never_panics(s in "\\PC{0,200}") {
        let mut c = crate::config::Config::default();
        let _ = c.merge(std::path::Path::new("/r/.credcheck.yaml"), &s);
    }

    #[test]
    fn secret_shapes_never_copy_the_secret(s in "[A-Za-z0-9_-]{12,60}") {
        let d = crate::secret::Shape::of(&s).describe();
        // Only the fixed prefix may appear, never the body.
        let body = &s[s.len() - 8..];
        prop_assert!(!d.contains(body), "{}", d);
    }

    #[test]
    fn ssh_client_config_never_panics(s in "\\PC{0,200}") {
        let _ = crate::facts::ssh::parse_client_config(&s);
    }
}
