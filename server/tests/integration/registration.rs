//! Registration and e-mail verification, with mail through a real SMTP
//! conversation to a sink on loopback.

use sanus::config::{Secret, Settings};
use sanus_core::mail::testing::SmtpSink;
use sanus_core::store::testing::TestDatabase;
use sanus_core::users::{Email, find_user_by_email};
use serde_json::Value;

use crate::flow::{VERIFIER, claims_of, location, params_of, spa_request};
use crate::helpers::{JANE, SEED, TestApp, spawn_app_with};

const EMAIL: &str = "new.person@klinik.example";
const PASSWORD: &str = "lantern meadow quartz 42";

pub async fn app_with(db: TestDatabase, configure: impl FnOnce(&mut Settings)) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(db, |settings| {
        settings.mail.smtp_url = Some(Secret::new(url));
        configure(settings);
    })
    .await;
    app.import(SEED).await;
    (app, sink)
}

/// A mail's raw MIME text with quoted-printable soft breaks and `=3D` undone.
pub fn decoded(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The six-digit code of a verification mail (its subject: "… 123 456").
fn code_of(raw: &str) -> String {
    let subject = raw.lines().find(|l| l.starts_with("Subject:")).expect("a subject");
    let digits: String = subject.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 6, "{subject}");
    digits
}

pub fn link_of(raw: &str, prefix: &str) -> String {
    let text = decoded(raw);
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect()
}

async fn register(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url("/register")).form(fields).send().await.unwrap()
}

fn good_form(interaction: Option<&str>) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("email", EMAIL.to_string()),
        ("given_name", "Nora".into()),
        ("family_name", "Neu".into()),
        ("locale", "en".into()),
        ("password", PASSWORD.into()),
        ("confirm", PASSWORD.into()),
    ];
    if let Some(id) = interaction {
        form.push(("interaction", id.trim_start_matches("/interaction/").to_string()));
    }
    form
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, String)]) -> reqwest::Response {
    app.client.post(app.url(path)).form(fields).send().await.unwrap()
}

async fn type_code(app: &TestApp, page: &str, code: &str) -> reqwest::Response {
    post_form(app, page, &[("code", code.to_string())]).await
}

/// Follows redirects inside Sanus up to the client's callback.
async fn to_callback(app: &TestApp, mut next: String) -> String {
    for _ in 0..4 {
        if !next.starts_with('/') {
            return next;
        }
        let response = if next.starts_with("/interaction/") {
            app.decide(&next, "allow").await
        } else {
            app.client.get(app.url(&next)).send().await.unwrap()
        };
        next = location(&response);
    }
    panic!("no callback reached: {next}");
}

sanus_core::engine_tests! {
    async fn registering_from_a_sign_in_page_confirms_by_code_and_returns_to_the_client(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let sign_in_page = app.get(&interaction).await.text().await.unwrap();
        let iid = interaction.trim_start_matches("/interaction/");
        assert!(sign_in_page.contains(&format!("href=\"/register?interaction={iid}\"")), "the page offers registration");

        let page = app.get(&format!("/register?interaction={iid}")).await;
        assert_eq!((page.status().as_u16(), page.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
        let page = page.text().await.unwrap();
        assert!(page.contains(&format!("name=\"interaction\" value=\"{iid}\"")) && page.contains("for=\"confirm-password\""));

        // Every mistake at once, each at its field; typed values stay, the password does not.
        let bad = [
            ("email", "nora@"),
            ("given_name", "Nora"),
            ("password", "short"),
            ("confirm", "short"),
            ("interaction", iid),
        ];
        let refused = register(&app, &bad).await;
        assert_eq!(refused.status(), 422);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("id=\"email-error\"") && refused.contains("id=\"new-password-error\""), "{refused}");
        assert!(refused.contains("value=\"nora@\"") && refused.contains("value=\"Nora\"") && !refused.contains("value=\"short\""));
        assert!(refused.contains("aria-invalid=\"true\"") && refused.contains("role=\"alert\""));
        let mismatch = good_form(Some(iid)).into_iter().map(|(k, v)| (k, if k == "confirm" { "other words entirely".into() } else { v }));
        let mismatch: Vec<(&str, String)> = mismatch.collect();
        let refused = post_form(&app, "/register", &mismatch).await.text().await.unwrap();
        assert!(refused.contains("id=\"confirm-password-error\""));
        assert!(find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().is_none(), "nothing half-written");

        let verify = location(&post_form(&app, "/register", &good_form(Some(iid))).await);
        assert!(verify.starts_with("/email/verify/") && verify.ends_with(&format!("?interaction={iid}")), "{verify}");
        let mail = sink.wait_for(1).await.remove(0);
        assert_eq!(mail.rcpt_to, [format!("<{EMAIL}>")]);
        let code = code_of(&mail.data);
        assert!(decoded(&mail.data).contains(&code[..3]) && mail.data.contains("/email/confirm/"));

        let page = app.get(&verify).await;
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("form-action 'self' https://app.acme.example/callback"), "{csp}");
        assert!(page.text().await.unwrap().contains("autocomplete=\"one-time-code\""));
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let (path, _) = verify.split_once('?').unwrap();
        assert_eq!(location(&type_code(&app, &verify, wrong).await), format!("{path}?interaction={iid}&notice=wrong-4"));
        let shown = app.get(&format!("{path}?interaction={iid}&notice=wrong-4")).await.text().await.unwrap();
        assert!(shown.contains("4 more tries") && shown.contains("id=\"code-error\""));

        // The right code (typed with a gap) signs the new account in and resumes the request.
        let resumed = type_code(&app, &verify, &format!("{} {}", &code[..3], &code[3..])).await;
        assert!(resumed.headers()["set-cookie"].to_str().unwrap().starts_with("sanus_session="));
        assert_eq!(location(&resumed), format!("/authorize/resume/{iid}"));
        let callback = to_callback(&app, location(&resumed)).await;
        let params = params_of(&callback);
        let tokens: Value = app.exchange(&params["code"], VERIFIER).await.json().await.unwrap();
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!((claims["email"].as_str(), claims["email_verified"].as_bool()), (Some(EMAIL), Some(true)));
        assert_eq!(claims["given_name"], "Nora");

        assert_eq!(type_code(&app, &verify, &code).await.status(), 303, "a used code is refused");
        let events = sanus_core::audit::latest(&app.store, 50).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        for kind in ["registration.created", "email_verification.sent", "email_verification.failed", "email_verification.succeeded", "consent.given"] {
            assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
        }
    }

    async fn a_locked_account_is_not_signed_in_by_its_confirmation_code(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let iid = interaction.trim_start_matches("/interaction/");
        let verify = location(&post_form(&app, "/register", &good_form(Some(iid))).await);
        let code = code_of(&sink.wait_for(1).await.remove(0).data);
        let new = find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap();
        let operator = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        sanus_core::admin::lock_account(&app.store, &new.id, &operator.id, "spam wave", sanus_core::UnixTime(1)).await.unwrap();
        let refused = type_code(&app, &verify, &code).await;
        assert_eq!(refused.status(), 403);
        assert!(refused.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().starts_with("sanus_session=")));
        assert!(refused.text().await.unwrap().contains("This account is locked"));
        let events = sanus_core::audit::latest(&app.store, 10).await.unwrap();
        let failed = events.iter().find(|e| e.kind == "sign_in.failed").expect("recorded");
        assert_eq!(failed.user_id.as_deref(), Some(new.id.as_str()));
        assert!(failed.detail.contains("account_locked"), "{}", failed.detail);
    }

    async fn an_address_with_an_account_gets_the_same_answers_as_a_new_one(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        // The same steps for a new address and for Jane's (in capitals): every
        // answer alike but for the pages' ids.
        let mut runs = Vec::new();
        for email in [EMAIL.to_string(), JANE.to_uppercase()] {
            let form: Vec<(&str, String)> =
                good_form(None).into_iter().map(|(k, v)| (k, if k == "email" { email.clone() } else { v })).collect();
            let browser = crate::helpers::client();
            let post = |path: String, fields: Vec<(&'static str, String)>| {
                let request = browser.post(app.url(&path)).form(&fields);
                async move { request.send().await.unwrap() }
            };
            let registered = post("/register".into(), form).await;
            assert!(registered.headers()["set-cookie"].to_str().unwrap().starts_with("sanus_verify="));
            let page = location(&registered);
            let code = |n: &str| vec![("code", n.to_string())];
            let mut answers = vec![page.clone()];
            answers.push(location(&post(page.clone(), code("000000")).await));
            let elsewhere = crate::helpers::client().post(app.url(&page)).form(&code("000000")).send().await.unwrap();
            answers.push(location(&elsewhere));
            answers.push(location(&post(format!("{page}/resend"), vec![]).await));
            app.clock.advance(60);
            let resent = location(&post(format!("{page}/resend"), vec![]).await);
            let second = resent.split('?').next().unwrap().to_string();
            assert_ne!(second, page, "a new mail, a new page");
            answers.push(resent);
            answers.push(location(&post(page.clone(), code("000000")).await));
            for _ in 0..5 {
                answers.push(location(&post(second.clone(), code("000000")).await));
            }
            let answers: Vec<String> =
                answers.iter().map(|a| a.replace(&page, "/email/verify/FIRST").replace(&second, "/email/verify/SECOND")).collect();
            runs.push(answers);
            // Each run with the guessing budget of a new address.
            sqlx::query("DELETE FROM sign_in_throttle").execute(app.store.pool()).await.unwrap();
        }
        assert_eq!(runs[0], runs[1], "a new address and Jane's answered alike");
        let notices: Vec<&str> = runs[1].iter().filter_map(|a| a.split("notice=").nth(1)).collect();
        assert_eq!(notices, ["wrong-4", "other-browser", "too-soon", "resent", "unusable", "wrong-4", "wrong-3", "wrong-2", "wrong-1", "unusable"]);

        // The new address got two codes; Jane a note, in her language, with a way back in.
        let mails = sink.wait_for(3).await;
        let to_jane: Vec<_> = mails.iter().filter(|m| m.rcpt_to == [format!("<{JANE}>")]).collect();
        assert_eq!(to_jane.len(), 1, "only the note to the owner");
        assert!(to_jane[0].data.contains("bereits") && to_jane[0].data.contains("/password/reset/"), "{}", to_jane[0].data);
        let user = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        assert_eq!(user.given_name.as_deref(), Some("Jane"), "the existing account is untouched");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 50).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.iter().any(|k| k == "registration.existing_address"), "{kinds:?}");
    }

    async fn an_unverified_account_confirms_by_link_before_it_signs_in(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        location(&post_form(&app, "/register", &good_form(None)).await);
        let first = sink.wait_for(1).await.remove(0);

        let interaction = location(&app.authorize(&spa_request()).await);
        let iid = interaction.trim_start_matches("/interaction/").to_string();
        assert_eq!(location(&app.sign_in(&interaction, EMAIL, "wrong password words").await), interaction);
        // The right password leads to the code page, not in: no new mail within the minute.
        let verify = location(&app.sign_in(&interaction, EMAIL, PASSWORD).await);
        assert!(verify.starts_with("/email/verify/") && verify.ends_with(&format!("?interaction={iid}")), "{verify}");
        assert_eq!(sink.received().len(), 1);
        assert!(!verify.contains("notice"));
        let page = app.get(&verify).await.text().await.unwrap();
        assert!(!page.contains("Confirm later"), "no way around confirming");

        // The link from the first mail: opening it changes nothing; the button confirms.
        let link = link_of(&first.data, "/email/confirm/");
        let confirm = app.get(&link).await;
        assert!(confirm.headers()["content-security-policy"].to_str().unwrap().contains("https://app.acme.example/callback"));
        let confirm = confirm.text().await.unwrap();
        assert!(confirm.contains(EMAIL) && confirm.contains(&format!("action=\"{link}\"")));
        assert!(!find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap().email_verified);
        let resumed = post_form(&app, &link, &[]).await;
        assert_eq!(location(&resumed), format!("/authorize/resume/{iid}"));
        assert!(find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap().email_verified);
        assert!(to_callback(&app, location(&resumed)).await.starts_with("https://app.acme.example/callback?code="));
        // Used: the link says so, and offers nothing to press.
        let used = app.get(&link).await.text().await.unwrap();
        assert!(used.contains("no longer works") && !used.contains("Confirm my address"));
        assert_eq!(location(&post_form(&app, &link, &[]).await), link);
    }

    async fn a_link_opened_elsewhere_confirms_without_signing_in(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        location(&post_form(&app, "/register", &good_form(None)).await);
        let link = link_of(&sink.wait_for(1).await[0].data, "/email/confirm/");
        let other_browser = crate::helpers::client();
        // Not the browser that registered: the page asks for the account's password.
        let page = other_browser.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"name="password""#), "{page}");
        let wrong = other_browser.post(app.url(&link)).form(&[("password", "not the password")]).send().await.unwrap();
        assert_eq!(location(&wrong), format!("{link}?error=password"));
        assert!(!find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap().email_verified);
        let done = other_browser.post(app.url(&link)).form(&[("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(location(&done), "/email/confirmed");
        assert!(done.headers().get("set-cookie").is_none(), "no session from a link alone");
        assert!(app.get("/email/confirmed").await.text().await.unwrap().contains("confirmed"));
    }

    async fn new_mails_are_limited_and_wrong_codes_run_out(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let verify = location(&post_form(&app, "/register", &good_form(None)).await);
        let code = code_of(&sink.wait_for(1).await[0].data);
        assert!(location(&post_form(&app, &format!("{verify}/resend"), &[]).await).ends_with("notice=too-soon"));
        app.clock.advance(60);
        assert!(location(&post_form(&app, &format!("{verify}/resend"), &[]).await).ends_with("notice=resent"));
        let second = code_of(&sink.wait_for(2).await[1].data);
        let stale = type_code(&app, &verify, &code).await;
        assert!(code == second || location(&stale).ends_with("notice=unusable"), "the old code died with the new mail");

        // The newest code's page: five wrong entries and it is gone.
        let newest = location(&post_form(&app, &format!("{verify}/resend"), &[]).await);
        let newest = newest.split_once('?').unwrap().0.to_string();
        let wrong = if second == "000000" { "111111" } else { "000000" };
        let mut last = String::new();
        for _ in 0..5 {
            last = location(&type_code(&app, &newest, wrong).await);
        }
        assert!(last.ends_with("notice=unusable"), "{last}");
        assert!(location(&type_code(&app, &newest, &second).await).ends_with("notice=unusable"));
        assert!(!find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap().email_verified);
        let page = app.get(&format!("{newest}?notice=unusable")).await.text().await.unwrap();
        assert!(page.contains("no longer works") && page.contains("/resend"));
    }

    async fn with_unverified_sign_in_allowed_apps_see_email_verified_false(db: TestDatabase) {
        let (app, _sink) = app_with(db, |s| s.accounts.unverified_may_sign_in = true).await;
        let interaction = location(&app.authorize(&spa_request()).await);
        let iid = interaction.trim_start_matches("/interaction/");
        let verify = location(&post_form(&app, "/register", &good_form(Some(iid))).await);
        let page = app.get(&verify).await.text().await.unwrap();
        assert!(page.contains(&format!("href=\"/interaction/{iid}\"")), "confirming can wait");
        let resumed = location(&app.sign_in(&interaction, EMAIL, PASSWORD).await);
        assert_eq!(resumed, format!("/authorize/resume/{iid}"));
        let params = params_of(&to_callback(&app, resumed).await);
        let tokens: Value = app.exchange(&params["code"], VERIFIER).await.json().await.unwrap();
        assert_eq!(claims_of(tokens["id_token"].as_str().unwrap())["email_verified"], false);
    }

    async fn registration_can_be_closed_or_limited_to_domains(db: TestDatabase) {
        let (closed, _sink) = app_with(db, |s| s.accounts.registration = false).await;
        let page = closed.get("/register").await;
        assert_eq!(page.status(), 403);
        assert!(page.text().await.unwrap().contains("Registration is closed"));
        assert_eq!(post_form(&closed, "/register", &good_form(None)).await.status(), 403);
        assert!(find_user_by_email(&closed.store, &Email::parse(EMAIL).unwrap()).await.unwrap().is_none());
        let interaction = location(&closed.authorize(&spa_request()).await);
        assert!(!closed.get(&interaction).await.text().await.unwrap().contains("/register"), "no offer to register");
    }

    async fn domains_and_terms_are_the_operators_choice(db: TestDatabase) {
        let (app, _sink) = app_with(db, |s| {
            s.accounts.registration_domains = vec!["Klinik.example".into()];
            s.accounts.terms_url = Some("https://klinik.example/terms".into());
        })
        .await;
        let page = app.get("/register").await.text().await.unwrap();
        assert!(page.contains("klinik.example") && page.contains("href=\"https://klinik.example/terms\""));
        let elsewhere = good_form(None).into_iter().map(|(k, v)| (k, if k == "email" { "nora@gmail.example".into() } else { v }));
        let elsewhere: Vec<(&str, String)> = elsewhere.chain([("accepted_terms", "yes".to_string())]).collect();
        let refused = post_form(&app, "/register", &elsewhere).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Only addresses at klinik.example can register"));
        let refused = post_form(&app, "/register", &good_form(None)).await.text().await.unwrap();
        assert!(refused.contains("id=\"terms-error\""), "the terms must be accepted");
        let accepted: Vec<(&str, String)> = good_form(None).into_iter().chain([("accepted_terms", "yes".to_string())]).collect();
        assert!(location(&post_form(&app, "/register", &accepted).await).starts_with("/email/verify/"));
    }

    async fn one_address_cannot_create_accounts_without_end(db: TestDatabase) {
        let (app, _sink) = app_with(db, |_| {}).await;
        let form = |n: usize| -> Vec<(&'static str, String)> {
            good_form(None).into_iter().map(|(k, v)| (k, if k == "email" { format!("person{n}@klinik.example") } else { v })).collect()
        };
        for n in 0..10 {
            assert!(location(&post_form(&app, "/register", &form(n)).await).starts_with("/email/verify/"), "{n}");
        }
        let refused = post_form(&app, "/register", &form(10)).await;
        assert_eq!(refused.status(), 429);
        assert!(refused.text().await.unwrap().contains("Try again in 60 s"));
        assert!(find_user_by_email(&app.store, &Email::parse("person10@klinik.example").unwrap()).await.unwrap().is_none());
        app.clock.advance(60);
        assert!(location(&post_form(&app, "/register", &form(10)).await).starts_with("/email/verify/"));
    }

    async fn an_account_moves_to_a_new_address_once_it_is_proven(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let signed_in = app
            .client
            .post(app.url("/signin"))
            .form(&[("email", JANE), ("password", crate::helpers::JANE_PASSWORD), ("return_to", "/account")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&signed_in), "/account");
        let change = |email: &'static str, password: &'static str| {
            let client = app.client.clone();
            let url = app.url("/account/email");
            async move { location(&client.post(url).form(&[("email", email), ("password", password)]).send().await.unwrap()) }
        };
        let password = crate::helpers::JANE_PASSWORD;
        assert_eq!(change("jane@", password).await, "/account?error=new-email-malformed");
        assert_eq!(change("JANE@acme.example", password).await, "/account?error=new-email-same");
        assert_eq!(change("jane.doe@klinik.example", "not her password").await, "/account?error=email-wrong-password");

        // Another account's address gets the answer a free one gets: a code
        // page that counts wrong codes and holds new mails for a minute; its
        // owner is told, and nothing moves.
        let taken = change("robot@acme.example", password).await;
        assert!(taken.starts_with("/email/verify/") && !taken.contains('?'), "{taken}");
        assert_eq!(location(&type_code(&app, &taken, "000000").await), format!("{taken}?notice=wrong-4"));
        assert_eq!(change("jane.doe@klinik.example", password).await, format!("{taken}?notice=too-soon"));
        let note = sink.wait_for(1).await.remove(0);
        assert_eq!(note.rcpt_to, ["<robot@acme.example>"]);
        assert!(decoded(&note.data).contains("nothing has changed"), "{}", note.data);
        assert!(find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().is_some());
        let events = sanus_core::audit::latest(&app.store, 10).await.unwrap();
        assert!(events.iter().any(|e| e.kind == "email_verification.sent" && e.detail.contains("address_taken")), "{events:?}");
        // Her own data export shows what any change shows.
        let export = app.client.get(app.url("/account/export")).send().await.unwrap().text().await.unwrap();
        assert!(export.contains("email_verification.sent") && !export.contains("address_taken"), "{export}");
        // A resend a minute later: another decoy, no code to anyone.
        app.clock.advance(60);
        let resent = location(&post_form(&app, &format!("{taken}/resend"), &[]).await);
        assert!(resent.ends_with("?notice=resent") && !resent.starts_with(&taken), "{resent}");
        assert!(sink.wait_for(2).await[1].rcpt_to == ["<robot@acme.example>"], "a second note, no code");
        app.clock.advance(60);

        let verify = change("jane.doe@klinik.example", password).await;
        assert!(verify.starts_with("/email/verify/"), "{verify}");
        let mail = sink.wait_for(3).await.remove(2);
        assert_eq!(mail.rcpt_to, ["<jane.doe@klinik.example>"], "the code goes to the new address");
        assert_eq!(location(&type_code(&app, &verify, &code_of(&mail.data)).await), "/account?notice=email-changed");
        let note = sink.wait_for(4).await.remove(3);
        assert_eq!(note.rcpt_to, [format!("<{JANE}>")], "the old address is told");
        assert!(decoded(&note.data).contains("jane.doe@klinik.example"));

        let moved = find_user_by_email(&app.store, &Email::parse("jane.doe@klinik.example").unwrap()).await.unwrap().unwrap();
        assert!(moved.email_verified && moved.given_name.as_deref() == Some("Jane"));
        assert!(find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().is_none());
        let console = app.get("/account?notice=email-changed").await.text().await.unwrap();
        assert!(console.contains("jane.doe@klinik.example") && console.contains("Your e-mail address is changed"), "{console}");
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.iter().any(|k| k == "email.changed"), "{kinds:?}");
    }

    async fn a_code_works_only_in_the_browser_that_proved_the_password(db: TestDatabase) {
        let (app, sink) = app_with(db, |_| {}).await;
        let started = app.authorize(&spa_request()).await;
        let browser_cookie = started
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("sanus_browser="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("the browser cookie");
        let interaction = location(&started);
        let iid = interaction.trim_start_matches("/interaction/").to_string();
        let verify = location(&post_form(&app, "/register", &good_form(Some(&iid))).await);
        let code = code_of(&sink.wait_for(1).await[0].data);
        // The same interaction cookie, but not the proof the registering browser got.
        let stranger = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let typed = stranger
            .post(app.url(&verify))
            .header("cookie", &browser_cookie)
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert!(location(&typed).ends_with("notice=other-browser"), "the code works only where the password was proven");
        assert!(typed.headers().get("set-cookie").is_none());
        assert!(!find_user_by_email(&app.store, &Email::parse(EMAIL).unwrap()).await.unwrap().unwrap().email_verified);
    }
}
