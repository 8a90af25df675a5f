//! The `sanus` binary as an operator meets it: help, `migrate`, and the
//! one-line errors for bad configuration and unreachable databases.

use std::process::{Command, Output};

fn sanus(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sanus"));
    command.args(args).current_dir(dir.path()).env_clear();
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim_end().to_string()
}

#[test]
fn help_explains_commands_and_configuration() {
    let output = sanus(&["--help"], &[]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in ["serve", "migrate", "--config", "SANUS__SERVER__PUBLIC_URL", "docs/configuration.md"] {
        assert!(help.contains(expected), "--help mentions {expected}:\n{help}");
    }
    let serve = sanus(&["serve", "--help"], &[]);
    assert!(String::from_utf8_lossy(&serve.stdout).to_lowercase().contains("in-flight requests"));
}

#[test]
fn invalid_environment_value_names_the_variable_in_one_line() {
    let output = sanus(&["migrate"], &[("SANUS__SERVER__BIND", "not-an-address")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with("sanus: invalid configuration: SANUS__SERVER__BIND: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn unknown_environment_key_is_refused() {
    let output = sanus(&["migrate"], &[("SANUS__SERVER__PUBLICURL", "https://x.example")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("unknown key \"publicurl\""), "{stderr}");
}

#[test]
fn missing_config_file_is_named() {
    let output = sanus(&["--config", "nowhere.toml", "migrate"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr_of(&output), "sanus: configuration file nowhere.toml does not exist");
}

#[test]
fn unreachable_database_is_one_line_without_the_password() {
    let output = sanus(
        &["serve"],
        &[
            ("SANUS__DATABASE__URL", "postgres://sanus:hunter2@127.0.0.1:1/sanus"),
            ("SANUS__DATABASE__CONNECT_TIMEOUT_SECONDS", "1"),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.starts_with("sanus: cannot connect to the database at postgres://sanus:********@127.0.0.1:1/sanus"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("hunter2"));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("hunter2"), "nor in the log");
}

#[test]
fn migrate_creates_the_embedded_database_in_the_data_dir() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("nested/data");
    let output = sanus(&["migrate"], &[("SANUS__SERVER__DATA_DIR", data_dir.to_str().unwrap())]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(data_dir.join("sanus.db").is_file());
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(log.contains("database ready"), "{log}");
}

#[test]
fn a_backup_is_a_working_database_and_never_overwrites() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    // Logs go to stdout too: only warnings, so that stdout is the key list.
    let env = [("SANUS__SERVER__DATA_DIR", data_dir), ("SANUS__LOG__FILTER", "warn")];
    assert!(sanus(&["keys", "rotate"], &env).status.success());
    let before = String::from_utf8_lossy(&sanus(&["keys", "list"], &env).stdout).to_string();
    let copy = data.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    let output = sanus(&["backup", copy_arg], &env);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("backed up the database to"));

    // The copy, opened as the database (with the same KEK), holds the same keys.
    let restored_url = format!("sqlite:{copy_arg}");
    let restored = [
        ("SANUS__SERVER__DATA_DIR", data_dir),
        ("SANUS__LOG__FILTER", "warn"),
        ("SANUS__DATABASE__URL", restored_url.as_str()),
    ];
    let listed = sanus(&["keys", "list"], &restored);
    assert!(listed.status.success(), "{}", stderr_of(&listed));
    let key_ids = |list: &str| {
        list.lines().skip(2).filter_map(|l| l.split_whitespace().next().map(str::to_owned)).collect::<Vec<_>>()
    };
    assert_eq!(key_ids(&String::from_utf8_lossy(&listed.stdout)), key_ids(&before));
    assert_eq!(key_ids(&before).len(), 6, "three algorithms, rotated once");

    let again = sanus(&["backup", copy_arg], &env);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr_of(&again).contains("exists already"), "{}", stderr_of(&again));
}

#[tokio::test]
async fn operators_read_the_outbox_and_the_audit_log() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let env = [("SANUS__SERVER__DATA_DIR", data_dir), ("SANUS__LOG__FILTER", "warn")];
    assert!(sanus(&["migrate"], &env).status.success());
    let url = format!("sqlite:{}", data.path().join("sanus.db").display());
    let options =
        sanus_core::store::StoreOptions { url, max_connections: 1, connect_timeout: std::time::Duration::from_secs(5) };
    let store = sanus_core::Store::connect(&options).await.unwrap();
    let mailer = sanus_core::mail::Mailer::new("Sanus <no-reply@localhost>", None).unwrap();
    for (at, subject) in [(1, "older"), (2, "Your link to reset your password")] {
        let mail =
            sanus_core::mail::password_reset_mail("en", "jane@example.org", "http://127.0.0.1:3000/password/reset/abc");
        let mail = sanus_core::mail::Mail { subject: subject.into(), ..mail };
        mailer.send(&store, &mail, sanus_core::UnixTime(at)).await.unwrap();
    }
    let mut event = sanus_core::audit::Event::new(sanus_core::audit::EventKind::SignInThrottled);
    event.client_id = Some("spa");
    event.address = Some("192.0.2.7".into());
    sanus_core::audit::record(&store, &event, sanus_core::UnixTime(3)).await.unwrap();
    store.close().await;

    let outbox = sanus(&["outbox", "--limit", "1"], &env);
    assert!(outbox.status.success(), "{}", stderr_of(&outbox));
    let shown = String::from_utf8_lossy(&outbox.stdout);
    assert!(shown.contains("To: jane@example.org") && shown.contains("/password/reset/abc"), "{shown}");
    assert!(!shown.contains("older"), "newest first, at most the limit: {shown}");
    let audit = sanus(&["audit"], &env);
    let shown = String::from_utf8_lossy(&audit.stdout);
    assert!(shown.contains("sign_in.throttled") && shown.contains("client=spa address=192.0.2.7 request=-"), "{shown}");
}

#[test]
fn operators_are_made_and_unmade_on_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let env = [("SANUS__SERVER__DATA_DIR", data_dir), ("SANUS__LOG__FILTER", "warn")];
    let people = data.path().join("people.toml");
    std::fs::write(&people, "[[users]]\nemail = \"ops@example.org\"\nemail_verified = true\n").unwrap();
    assert!(sanus(&["import", people.to_str().unwrap()], &env).status.success());

    let unknown = sanus(&["admin", "grant", "nobody@example.org", "operator"], &env);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr_of(&unknown), "sanus: no account with a confirmed address nobody@example.org");
    let malformed = sanus(&["admin", "grant", "not an address", "operator"], &env);
    assert!(stderr_of(&malformed).contains("is not an e-mail address"), "{}", stderr_of(&malformed));

    let no_role = sanus(&["admin", "grant", "ops@example.org", "admin"], &env);
    assert_eq!(no_role.status.code(), Some(2), "clap refuses roles it does not know");
    let granted = sanus(&["admin", "grant", "OPS@example.org", "operator"], &env);
    assert!(granted.status.success(), "{}", stderr_of(&granted));
    assert_eq!(String::from_utf8_lossy(&granted.stdout).trim(), "ops@example.org is operator now");
    let listed = sanus(&["admin", "list"], &env);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("ops@example.org operator (since unix time "));
    let revoked = sanus(&["admin", "revoke", "ops@example.org", "operator"], &env);
    assert_eq!(String::from_utf8_lossy(&revoked.stdout).trim(), "ops@example.org is no longer operator");
    assert!(String::from_utf8_lossy(&sanus(&["admin", "list"], &env).stdout).trim().is_empty());
}

#[test]
fn json_logs_are_one_object_per_line() {
    let data = tempfile::tempdir().unwrap();
    let output = sanus(
        &["migrate"],
        &[("SANUS__SERVER__DATA_DIR", data.path().to_str().unwrap()), ("SANUS__LOG__FORMAT", "json")],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(!log.trim().is_empty());
    for line in log.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(value.get("level").is_some(), "{line}");
    }
}

#[test]
fn keys_rotate_and_list_show_no_private_material() {
    let data = tempfile::tempdir().unwrap();
    let env = [("SANUS__SERVER__DATA_DIR", data.path().to_str().unwrap()), ("SANUS__LOG__FILTER", "warn")];
    let rotated = sanus(&["keys", "rotate"], &env);
    assert!(rotated.status.success(), "{}", stderr_of(&rotated));
    let rotated = String::from_utf8_lossy(&rotated.stdout).into_owned();
    // First start made three keys, which sign until the three new ones,
    // published now, take over.
    assert_eq!(rotated.lines().filter(|l| l.contains("signs until unix time")).count(), 3, "{rotated}");
    assert_eq!(rotated.lines().filter(|l| l.contains("published, signs from unix time")).count(), 3, "{rotated}");

    let listed = sanus(&["keys", "list"], &env);
    assert!(listed.status.success(), "{}", stderr_of(&listed));
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert_eq!(rotated.lines().skip(1).collect::<Vec<_>>(), listed.lines().skip(1).collect::<Vec<_>>());
    let kek = std::fs::read_to_string(data.path().join("kek")).unwrap();
    assert!(!listed.contains(kek.trim()) && !listed.contains("BEGIN"), "{listed}");
}

#[test]
fn import_is_idempotent_and_never_prints_secrets() {
    let data = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/import.toml");
    let env = [("SANUS__SERVER__DATA_DIR", data.path().to_str().unwrap()), ("SANUS__LOG__FILTER", "warn")];
    let first = sanus(&["import", example], &env);
    assert!(first.status.success(), "{}", stderr_of(&first));
    let first = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(first.contains("clients: 2 created"), "{first}");
    let second = sanus(&["import", example], &env);
    let second = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(second.contains("clients: 0 created, 2 up to date"), "{second}");
    let secret = "change-me-to-at-least-32-random-characters";
    assert!(!first.contains(secret) && !second.contains(secret));

    // The export is the import format without secrets, and imports again.
    let exported = sanus(&["export", "-"], &env);
    assert!(exported.status.success(), "{}", stderr_of(&exported));
    let text = String::from_utf8_lossy(&exported.stdout).into_owned();
    assert!(text.contains("[[clients]]") && text.contains("[[applications]]"), "{text}");
    assert!(!text.contains(secret) && !text.contains("password"), "never a secret: {text}");
    let file = data.path().join("directory.json");
    let written = sanus(&["export", file.to_str().unwrap()], &env);
    assert!(written.status.success(), "{}", stderr_of(&written));
    let again = sanus(&["import", file.to_str().unwrap()], &env);
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("clients: 0 created, 2 up to date"));

    let bad = data.path().join("bad.json");
    std::fs::write(&bad, r#"{"clients":[{"application":"nope","client_id":"x","kind":"spa","name":"x","redirect_uris":["http://evil.example/cb"]}]}"#).unwrap();
    let output = sanus(&["import", bad.to_str().unwrap()], &env);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("clients[0].application: no application \"nope\""), "{stderr}");
    assert!(stderr.contains("clients[0].redirect_uris: http://evil.example/cb: use https"), "{stderr}");
}

/// A stand-in OpenTelemetry collector on loopback: answers every HTTP
/// request 200 and hands its request line and body over.
fn fake_collector() -> (u16, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let sender = sender.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0usize;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    stream
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
                        )
                        .unwrap();
                    if sender.send((request_line.trim().to_string(), body)).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn traces_reach_an_otlp_collector_and_continue_the_callers_trace() {
    let (collector, received) = fake_collector();
    let dir = tempfile::tempdir().unwrap();
    crate::helpers::write_fake_site(&dir.path().join("site"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_sanus"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("SANUS__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SANUS__SERVER__PUBLIC_URL", &base)
        .env("SANUS__SERVER__DATA_DIR", dir.path().join("data"))
        .env("SANUS__SERVER__SITE_DIR", dir.path().join("site"))
        .env("SANUS__LOG__FILTER", "warn")
        .env("SANUS__TRACES__OTLP_ENDPOINT", format!("http://127.0.0.1:{collector}/v1/traces"))
        .env("SANUS__TRACES__SERVICE_NAME", "sanus-under-test")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..500 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ready, "the server did not start");
    // A caller's trace: the request's span must continue it.
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let traced = client
        .get(format!("{base}/jwks"))
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(traced.status(), 200);
    // Stopping sends what is queued.
    assert!(Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap().success());
    assert!(server.wait().unwrap().success());
    let trace_bytes: Vec<u8> = (0..16).map(|i| u8::from_str_radix(&trace_id[2 * i..2 * i + 2], 16).unwrap()).collect();
    let contains = |body: &[u8], needle: &[u8]| body.windows(needle.len()).any(|window| window == needle);
    let mut seen = Vec::new();
    while let Ok((line, body)) = received.recv_timeout(std::time::Duration::from_secs(10)) {
        if contains(&body, &trace_bytes) {
            assert!(line.starts_with("POST /v1/traces "), "{line}");
            assert!(contains(&body, b"sanus-under-test") && contains(&body, b"request"));
            return;
        }
        seen.push(line);
    }
    panic!("no span of the caller's trace reached the collector; requests: {seen:?}");
}
