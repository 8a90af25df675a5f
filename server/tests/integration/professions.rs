//! Professional profiles: the page and its checks, documents (limits, who
//! may see them), the verifiers' queue, and the claims apps receive, only
//! for the fields the person shares, as `verified_claims` once verified.

use sanus_core::Clock as _;
use sanus_core::platform_roles::{Role, grant};
use sanus_core::users::Email;
use serde_json::{Value, json};

use crate::flow::{VERIFIER, claims_of, location, params_of, spa_request, with};
use crate::helpers::{JANE, JANE_PASSWORD, TestApp, client, spawn_seeded_app};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const VERA: &str = "vera@sanus.example";
const VERA_PASSWORD: &str = "vera-correct-horse-battery";
const OTTO: &str = "otto@acme.example";

const PEOPLE: &str = r#"
[[users]]
email = "vera@sanus.example"
given_name = "Vera"
email_verified = true
password = "vera-correct-horse-battery"

[[users]]
email = "otto@acme.example"
given_name = "Otto"
email_verified = true
password = "vera-correct-horse-battery"
"#;

/// A browser signed in at `/signin` as `email`.
async fn browser(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let browser = client();
    let response = browser
        .post(app.url("/signin"))
        .form(&[("email", email), ("password", password), ("return_to", "/account")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/account", "{email} signs in");
    browser
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(fields).send().await.unwrap()
}

/// Uploads `content` as the form's `file`, as a browser does.
async fn upload(app: &TestApp, browser: &reqwest::Client, name: &str, content: &[u8]) -> reqwest::Response {
    let boundary = "----sanus-test-boundary-7d1c";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    browser
        .post(app.url("/account/profession/evidence"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

const PHYSICIAN: [(&str, &str); 5] = [
    ("profession", "physician"),
    ("lanr", "123456601"),
    ("efn", "802760901234566"),
    ("chamber", "bayern"),
    ("workplace", "Praxis Doe, München"),
];

/// Jane with a complete physician's profile and one document.
async fn jane_ready(app: &TestApp) -> reqwest::Client {
    let jane = browser(app, JANE, JANE_PASSWORD).await;
    assert_eq!(
        location(&post(app, &jane, "/account/profession", &PHYSICIAN).await),
        "/account/profession?notice=saved"
    );
    assert_eq!(
        location(&upload(app, &jane, "approbation.pdf", PDF).await),
        "/account/profession?notice=evidence-added"
    );
    jane
}

sanus_core::engine_tests! {
    async fn the_form_checks_each_number_and_says_what_is_wrong(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        assert_eq!(location(&app.get("/account/profession").await), "/signin?return_to=%2Faccount%2Fprofession");
        let jane = browser(&app, JANE, JANE_PASSWORD).await;
        let empty = page(&app, &jane, "/account/profession").await;
        assert!(empty.contains(r#"name="profession""#) && !empty.contains(r#"name="lanr""#));
        let fields = page(&app, &jane, "/account/profession?profession=physician").await;
        for id in ["field-lanr", "field-efn", "field-bsnr", "field-telematik_id", "field-chamber", "help-lanr"] {
            assert!(fields.contains(&format!(r#"id="{id}""#)), "{id}");
        }
        assert!(fields.contains(r#"<label for="field-lanr""#), "every input is labelled");

        let mut wrong = PHYSICIAN.to_vec();
        wrong[1] = ("lanr", "123456701");
        wrong[2] = ("efn", "80276090123456");
        let refused = post(&app, &jane, "/account/profession", &wrong).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("The check digit should be 6"), "the message names the right digit");
        assert!(text.contains("The number has 15 digits; this has 14."));
        assert!(text.contains(r#"value="123456701""#), "the input comes back");
        assert!(text.contains(r#"aria-invalid="true""#) && text.contains(r#"id="profile-errors""#));
        assert!(sanus_core::professions::find(&app.store, &jane_id(&app).await, app.clock.now()).await.unwrap().is_none());

        // A placeholder number, an unknown region.
        let mut placeholder = PHYSICIAN.to_vec();
        placeholder[1] = ("lanr", "999999900");
        placeholder.push(("bsnr", "221234500"));
        let text = post(&app, &jane, "/account/profession", &placeholder).await.text().await.unwrap();
        assert!(text.contains("placeholder number") && text.contains("starting with 22"));

        let saved = post(&app, &jane, "/account/profession", &PHYSICIAN).await;
        assert_eq!(location(&saved), "/account/profession?notice=saved");
        let text = page(&app, &jane, "/account/profession?notice=saved").await;
        assert!(text.contains("Checked automatically") && text.contains(r#"value="123456601""#));
        let unchanged = post(&app, &jane, "/account/profession", &PHYSICIAN).await;
        assert_eq!(location(&unchanged), "/account/profession?notice=unchanged");
        // A profession that does not exist changes nothing.
        let unknown = post(&app, &jane, "/account/profession", &[("profession", "wizard")]).await;
        assert_eq!(location(&unknown), "/account/profession");
    }

    async fn documents_are_limited_and_seen_only_by_their_owner_and_verifiers(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(PEOPLE).await;
        let jane = browser(&app, JANE, JANE_PASSWORD).await;
        assert_eq!(
            location(&upload(&app, &jane, "a.pdf", PDF).await),
            "/account/profession?error=no-profile",
            "a profile first"
        );
        post(&app, &jane, "/account/profession", &PHYSICIAN).await;
        let html = upload(&app, &jane, "fake.pdf", b"<html><script>alert(1)</script></html>").await;
        assert_eq!(location(&html), "/account/profession?error=evidence-type", "told by content, not name");
        let mut large = PDF.to_vec();
        large.resize(10 * 1024 * 1024 + 1, b' ');
        assert_eq!(location(&upload(&app, &jane, "large.pdf", &large).await), "/account/profession?error=evidence-too-large");
        large.resize(12 * 1024 * 1024, b' ');
        assert_eq!(
            location(&upload(&app, &jane, "huge.pdf", &large).await),
            "/account/profession?error=evidence-too-large",
            "past the body limit: the same clear answer"
        );
        let empty = upload(&app, &jane, "", b"").await;
        assert_eq!(location(&empty), "/account/profession?error=evidence-empty");
        large.truncate(10 * 1024 * 1024);
        assert_eq!(location(&upload(&app, &jane, "scan.pdf", &large).await), "/account/profession?notice=evidence-added");

        let files = sanus_core::professions::evidence::list(&app.store, &jane_id(&app).await).await.unwrap();
        let own = format!("/account/profession/evidence/{}", files[0].id);
        let response = jane.get(app.url(&own)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"scan.pdf\""));
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert!(response.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
        assert_eq!(response.headers()["cache-control"], "private, no-store");
        assert_eq!(response.bytes().await.unwrap().len(), 10 * 1024 * 1024);

        let otto = browser(&app, OTTO, VERA_PASSWORD).await;
        assert_eq!(otto.get(app.url(&own)).send().await.unwrap().status(), 404, "not someone else's");
        assert_eq!(location(&app.get(&own).await), format!("/signin?return_to={}", own.replace('/', "%2F")));
        assert_eq!(otto.get(app.url("/verify")).send().await.unwrap().status(), 404, "no verifier, no queue");

        assert_eq!(location(&post(&app, &jane, "/account/profession/submit", &[]).await), "/account/profession?notice=submitted");
        let case = sanus_core::professions::verification::latest_case(&app.store, &jane_id(&app).await).await.unwrap().unwrap();
        let theirs = format!("/verify/cases/{}/evidence/{}", case.id, files[0].id);
        assert_eq!(otto.get(app.url(&theirs)).send().await.unwrap().status(), 404);
        assert_eq!(otto.get(app.url(&format!("/verify/cases/{}", case.id))).send().await.unwrap().status(), 404);
        let decide = format!("/verify/cases/{}/decide", case.id);
        assert_eq!(post(&app, &otto, &decide, &[("decision", "approve")]).await.status(), 404, "no verifier, no decision");
        assert_eq!(post(&app, &jane, &decide, &[("decision", "approve")]).await.status(), 404, "nor the person herself");
        grant(&app.store, &Email::parse(VERA).unwrap(), Role::Verifier, app.clock.now()).await.unwrap().unwrap();
        let vera = browser(&app, VERA, VERA_PASSWORD).await;
        assert_eq!(vera.get(app.url(&theirs)).send().await.unwrap().status(), 200);
        assert_eq!(vera.get(app.url(&own)).send().await.unwrap().status(), 404, "the owner's address is the owner's");
        let wrong_case = format!("/verify/cases/{}/evidence/{}", "0".repeat(36), files[0].id);
        assert_eq!(vera.get(app.url(&wrong_case)).send().await.unwrap().status(), 404);
        let kinds: Vec<String> = sanus_core::audit::latest(&app.store, 20).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"profession.evidence_viewed".to_string()), "{kinds:?}");
        vera.get(app.url(&format!("/verify/cases/{}", case.id))).send().await.unwrap();
        let latest = sanus_core::audit::latest(&app.store, 1).await.unwrap();
        assert_eq!(latest[0].kind, "profession.case_viewed", "opening a case is audited");
        // While the verifier has it, the documents stay; taken back, they may change.
        assert_eq!(location(&upload(&app, &jane, "more.pdf", PDF).await), "/account/profession?error=evidence-locked");
        assert!(page(&app, &jane, "/account/profession").await.contains(r#"action="/account/profession/withdraw""#));
        let withdrawn = post(&app, &jane, "/account/profession/withdraw", &[]).await;
        assert_eq!(location(&withdrawn), "/account/profession?notice=withdrawn");
        assert_eq!(location(&upload(&app, &jane, "more.pdf", PDF).await), "/account/profession?notice=evidence-added");
        assert_eq!(location(&post(&app, &jane, "/account/profession/withdraw", &[]).await), "/account/profession");
    }

    async fn a_case_shows_the_name_submitted_and_a_rename_since(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(PEOPLE).await;
        let jane = jane_ready(&app).await;
        assert_eq!(location(&post(&app, &jane, "/account/profession/submit", &[]).await), "/account/profession?notice=submitted");
        grant(&app.store, &Email::parse(VERA).unwrap(), Role::Verifier, app.clock.now()).await.unwrap().unwrap();
        let vera = browser(&app, VERA, VERA_PASSWORD).await;
        let case = sanus_core::professions::verification::latest_case(&app.store, &jane_id(&app).await).await.unwrap().unwrap();
        let path = format!("/verify/cases/{}", case.id);
        let before = page(&app, &vera, &path).await;
        assert!(before.contains("Name at submission:") && before.contains("Jane Doe"), "{before}");
        assert!(!before.contains("case-renamed"), "{before}");

        // Renamed while the case waits: the documents are still checked
        // against the name submitted, and the page says what it is now.
        let renamed =
            post(&app, &jane, "/account/profile", &[("given_name", "Janet"), ("family_name", "Roe"), ("locale", "de")]).await;
        assert!(renamed.status().is_redirection(), "{}", renamed.status());
        let after = page(&app, &vera, &path).await;
        assert!(after.contains("Jane Doe"), "{after}");
        assert!(after.contains(r#"id="case-renamed""#) && after.contains("Janet Roe"), "{after}");
    }

    async fn a_verifier_decides_and_apps_receive_only_what_is_shared(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import(PEOPLE).await;
        let jane = jane_ready(&app).await;
        assert_eq!(location(&post(&app, &jane, "/account/profession/submit", &[]).await), "/account/profession?notice=submitted");
        assert!(page(&app, &jane, "/account/profession").await.contains("Waiting for a verifier"));

        grant(&app.store, &Email::parse(VERA).unwrap(), Role::Verifier, app.clock.now()).await.unwrap().unwrap();
        let vera = browser(&app, VERA, VERA_PASSWORD).await;
        let queue = page(&app, &vera, "/verify").await;
        assert!(queue.contains(JANE), "{queue}");
        let case = sanus_core::professions::verification::latest_case(&app.store, &jane_id(&app).await).await.unwrap().unwrap();
        let case_page = page(&app, &vera, &format!("/verify/cases/{}", case.id)).await;
        assert!(case_page.contains("123456601") && case_page.contains("Specialty group 01: General practice"));
        let path = format!("/verify/cases/{}/decide", case.id);
        let refused = post(&app, &vera, &path, &[("decision", "reject"), ("reason", " ")]).await;
        assert_eq!(location(&refused), format!("/verify/cases/{}?error=reason-missing", case.id));
        let approved = post(&app, &vera, &path, &[("decision", "approve"), ("reason", "")]).await;
        assert_eq!(location(&approved), format!("/verify/cases/{}?notice=verified", case.id));
        let again = post(&app, &vera, &path, &[("decision", "approve")]).await;
        assert_eq!(location(&again), format!("/verify/cases/{}?error=not-pending", case.id));
        assert!(page(&app, &jane, "/account/profession").await.contains("Verified"));
        let subjects: Vec<String> =
            sanus_core::mail::outbox(&app.store, 10).await.unwrap().into_iter().map(|m| m.subject).collect();
        assert!(subjects.iter().any(|s| s.contains("ist verifiziert")), "Jane reads German: {subjects:?}");

        // The app asks; the consent screen offers each filled field; Jane shares the LANR only.
        let request = with(spa_request(), "scope", Some("openid profession professional_profile"));
        let mut next = location(&app.authorize(&request).await);
        let interaction = next.clone();
        next = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
        next = location(&app.get(&next).await);
        assert_eq!(next, interaction, "on to the consent screen");
        let consent = app.get(&interaction).await.text().await.unwrap();
        for field in ["lanr", "efn", "chamber", "workplace"] {
            assert!(consent.contains(&format!(r#"id="share-{field}""#)), "{field} is offered");
        }
        let allowed = app
            .client
            .post(app.url(&format!("{interaction}/consent")))
            .form(&[("decision", "allow"), ("share", "lanr")])
            .send()
            .await
            .unwrap();
        let callback = location(&app.client.get(app.url(&location(&allowed))).send().await.unwrap());
        let code = params_of(&callback)["code"].clone();
        let tokens: Value = app.exchange(&code, VERIFIER).await.json().await.unwrap();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["profession"], "physician");
        assert_eq!(id["profession_status"], "verified");
        assert_eq!(id["lanr"], "123456601");
        for withheld in ["efn", "chamber", "workplace"] {
            assert!(id.get(withheld).is_none(), "{withheld} was not shared");
        }
        let verified = &id["verified_claims"];
        assert_eq!(verified["claims"], json!({ "profession": "physician", "lanr": "123456601" }));
        assert_eq!(verified["verification"]["trust_framework"], "sanus_professional");
        assert_eq!(verified["verification"]["verification_process"], case.id.as_str());
        assert_eq!(verified["verification"]["evidence"][0]["check_details"][0]["check_method"], "vri");
        assert!(verified["verification"]["time"].as_str().unwrap().ends_with('Z'));
        let access = claims_of(tokens["access_token"].as_str().unwrap());
        assert!(access.get("lanr").is_none() && access.get("verified_claims").is_none(), "not in the access token");
        let info: Value = app.userinfo(tokens["access_token"].as_str().unwrap()).await.json().await.unwrap();
        assert_eq!(info["lanr"], "123456601");
        assert_eq!(info["verified_claims"], id["verified_claims"]);

        // The same request again: decided, so no consent screen.
        let again = location(&app.authorize(&request).await);
        assert!(again.starts_with("https://app.acme.example/callback?code="), "{again}");

        // A new field (GLN is not a physician's; a BSNR is) is asked about again; a change drops the verification.
        let mut changed = PHYSICIAN.to_vec();
        changed.push(("bsnr", "711234500"));
        assert_eq!(
            location(&post(&app, &jane, "/account/profession", &changed).await),
            "/account/profession?notice=verification-dropped"
        );
        let asked = location(&app.authorize(&request).await);
        assert!(asked.starts_with("/interaction/"), "the BSNR was never offered: {asked}");
        let allowed = app
            .client
            .post(app.url(&format!("{asked}/consent")))
            .form(&[("decision", "allow"), ("share", "lanr"), ("share", "bsnr")])
            .send()
            .await
            .unwrap();
        let callback = location(&app.client.get(app.url(&location(&allowed))).send().await.unwrap());
        let tokens: Value = app.exchange(&params_of(&callback)["code"], VERIFIER).await.json().await.unwrap();
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!((id["profession_status"].as_str(), id["bsnr"].as_str()), (Some("validated"), Some("711234500")));
        assert!(id.get("verified_claims").is_none(), "a changed profile is no longer vouched for");

        // The console changes what the app receives.
        let console = page(&app, &jane, "/account").await;
        assert!(console.contains(r#"action="/account/apps/spa/profile-fields""#));
        let saved = post(&app, &jane, "/account/apps/spa/profile-fields", &[("share", "lanr"), ("share", "efn")]).await;
        assert_eq!(location(&saved), "/account?notice=sharing-saved");
        let decided = sanus_core::consents::profile_fields(&app.store, jane_id(&app).await.as_str(), "spa").await.unwrap();
        assert_eq!(decided.get("efn"), Some(&true));
        assert_eq!(decided.get("chamber"), Some(&false));
        assert_eq!(post(&app, &jane, "/account/apps/spa2/profile-fields", &[]).await.status(), 404);

        // Her export holds all of it, the documents without their content.
        let export: Value = jane.get(app.url("/account/export")).send().await.unwrap().json().await.unwrap();
        let professional = &export["professional_profile"];
        assert_eq!(professional["profession"], "physician");
        assert_eq!(professional["fields"]["bsnr"], "711234500");
        assert_eq!(professional["documents"][0]["file_name"], "approbation.pdf");
        assert!(professional["documents"][0].get("content").is_none());
        assert_eq!(professional["submissions"][0]["state"], "verified");
        assert_eq!(professional["submissions"][0]["name"], json!({ "given_name": "Jane", "family_name": "Doe" }));
        assert_eq!(export["connected_apps"][0]["shared_profile_fields"]["efn"], true);
    }

    async fn four_eyes_needs_a_second_verifier(db: TestDatabase) {
        let app = crate::helpers::spawn_app_with(db, |settings| settings.professions.four_eyes = true).await;
        app.import(crate::helpers::SEED).await;
        app.import(PEOPLE).await;
        let jane = jane_ready(&app).await;
        post(&app, &jane, "/account/profession/submit", &[]).await;
        let case = sanus_core::professions::verification::latest_case(&app.store, &jane_id(&app).await).await.unwrap().unwrap();
        let path = format!("/verify/cases/{}/decide", case.id);
        for email in [VERA, OTTO] {
            grant(&app.store, &Email::parse(email).unwrap(), Role::Verifier, app.clock.now()).await.unwrap().unwrap();
        }
        let vera = browser(&app, VERA, VERA_PASSWORD).await;
        assert!(page(&app, &vera, "/verify").await.contains("Four-eyes approval is on"));
        let first = post(&app, &vera, &path, &[("decision", "approve"), ("reason", "Approbation matches")]).await;
        assert_eq!(location(&first), format!("/verify/cases/{}?notice=first-approval", case.id));
        let case_page = page(&app, &vera, &format!("/verify/cases/{}", case.id)).await;
        assert!(case_page.contains("You approved this case already") && !case_page.contains(r#"value="approve""#));
        assert!(page(&app, &jane, "/account/profession").await.contains("Waiting for a verifier"));
        let twice = post(&app, &vera, &path, &[("decision", "approve")]).await;
        assert_eq!(location(&twice), format!("/verify/cases/{}?error=already-approved", case.id));
        let otto = browser(&app, OTTO, VERA_PASSWORD).await;
        let second = post(&app, &otto, &path, &[("decision", "approve")]).await;
        assert_eq!(location(&second), format!("/verify/cases/{}?notice=verified", case.id));
        assert!(page(&app, &jane, "/account/profession").await.contains("Verified on"));
        let approvals = sanus_core::audit::latest(&app.store, 30)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "profession.verification_approved")
            .count();
        assert_eq!(approvals, 2, "each approval is audited");
    }

    async fn first_party_clients_still_ask_before_professional_data(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        jane_ready(&app).await;
        let request = vec![
            ("response_type", "code".to_string()),
            ("client_id", "portal".to_string()),
            ("redirect_uri", "https://portal.acme.example/cb".to_string()),
            ("scope", "openid profession".to_string()),
            ("code_challenge", crate::flow::CHALLENGE.to_string()),
            ("code_challenge_method", "S256".to_string()),
            ("state", "s".to_string()),
        ];
        let interaction = location(&app.authorize(&request).await);
        let resume = location(&app.sign_in(&interaction, JANE, JANE_PASSWORD).await);
        assert_eq!(location(&app.get(&resume).await), interaction, "consent, although the portal is first party");
        let plain = with(request.clone(), "scope", Some("openid"));
        let direct = location(&app.authorize(&plain).await);
        assert!(direct.starts_with("https://portal.acme.example/cb?code="), "{direct}");
    }
}

async fn jane_id(app: &TestApp) -> sanus_core::users::UserId {
    sanus_core::users::find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id
}
