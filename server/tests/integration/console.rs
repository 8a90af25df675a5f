//! The operators' console: only operators reach it; finding, locking,
//! unlocking an account, ending its sessions and forcing a new password
//! work and are audited; keys rotate from it; the audit log filters.

use sanus_core::Clock as _;
use sanus_core::users::{Email, find_user_by_email};
use serde_json::Value;

use crate::flow::{VERIFIER, location, params_of, spa_request, with};
use crate::helpers::{JANE, TestApp, client, jane_signed_in, signed_in, spawn_seeded_app};

const BEN: &str = "ben@acme.example";
const BEN_PASSWORD: &str = "ben-correct-horse-battery";

async fn with_ben_and_an_operator(db: sanus_core::store::testing::TestDatabase) -> (TestApp, String) {
    let app = spawn_seeded_app(db).await;
    app.import(&format!(
        "[[users]]\nemail = \"{BEN}\"\ngiven_name = \"Ben\"\nemail_verified = true\npassword = \"{BEN_PASSWORD}\"\n"
    ))
    .await;
    let jane = Email::parse(JANE).unwrap();
    let operator = sanus_core::platform_roles::Role::Operator;
    sanus_core::platform_roles::grant(&app.store, &jane, operator, app.clock.now()).await.unwrap();
    let ben = find_user_by_email(&app.store, &Email::parse(BEN).unwrap()).await.unwrap().unwrap();
    (app, ben.id.as_str().to_string())
}

/// The newest audit event of `kind`, its detail parsed.
async fn last_event(app: &TestApp, kind: &str) -> (Option<String>, Value) {
    let events = sanus_core::audit::latest(&app.store, 100).await.unwrap();
    let event = events.into_iter().find(|event| event.kind == kind).unwrap_or_else(|| panic!("no {kind}"));
    (event.user_id, serde_json::from_str(&event.detail).unwrap())
}

/// Ben's attempt to sign in: where the sign-in page sends him.
async fn ben_signs_in(app: &TestApp, password: &str) -> String {
    let browser = client();
    let answer = browser
        .post(app.url("/signin"))
        .form(&[("email", BEN), ("password", password), ("return_to", "/account")])
        .send()
        .await
        .unwrap();
    location(&answer)
}

sanus_core::engine_tests! {
    async fn the_console_is_for_operators_only(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let pages = ["/admin", "/admin/users", "/admin/users/x", "/admin/tenants", "/admin/keys", "/admin/audit", "/admin/outbox"];
        for page in pages {
            assert_eq!(location(&app.get(page).await), format!("/signin?return_to={page}"), "{page}");
        }
        let jane = jane_signed_in(&app, "/account").await;
        for page in pages {
            let refused = jane.get(app.url(page)).send().await.unwrap();
            assert_eq!(refused.status(), 403, "{page}");
            assert!(refused.text().await.unwrap().contains("sanus admin grant"));
        }
        let robot = find_user_by_email(&app.store, &Email::parse("robot@acme.example").unwrap()).await.unwrap().unwrap();
        let actions = ["lock", "unlock", "sessions/end", "password-reset"];
        for action in actions {
            let path = format!("/admin/users/{}/{action}", robot.id.as_str());
            let refused = jane.post(app.url(&path)).form(&[("reason", "because")]).send().await.unwrap();
            assert_eq!(refused.status(), 403, "{action}");
        }
        assert_eq!(jane.post(app.url("/admin/keys/rotate")).send().await.unwrap().status(), 403);
        assert!(!sanus_core::admin::is_locked(&app.store, &robot.id).await.unwrap());
        assert_eq!(sanus_core::keys::list_signing_keys(&app.store).await.unwrap().len(), 3, "nothing rotated");
        assert!(!jane.get(app.url("/account")).send().await.unwrap().text().await.unwrap().contains(r#"href="/admin""#));
    }

    async fn an_operator_finds_locks_and_unlocks_an_account(db: TestDatabase) {
        let (app, ben) = with_ben_and_an_operator(db).await;
        let operator = jane_signed_in(&app, "/account").await;
        assert!(operator.get(app.url("/account")).send().await.unwrap().text().await.unwrap().contains(r#"href="/admin""#));
        let home = operator.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
        for link in ["/admin/users", "/admin/tenants", "/admin/keys", "/admin/audit", "/admin/outbox"] {
            assert!(home.contains(&format!("href=\"{link}\"")), "{link}");
        }
        let found = operator.get(app.url("/admin/users?q=BEN")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains(&format!("href=\"/admin/users/{ben}\"")) && !found.contains("robot@acme.example"));
        let by_tenant = operator.get(app.url("/admin/users?q=acme-dev")).send().await.unwrap().text().await.unwrap();
        assert!(!by_tenant.contains(BEN), "Ben belongs to no organisation");

        let ben_browser = signed_in(&app, BEN, BEN_PASSWORD, "/account").await;
        let page = operator.get(app.url(&format!("/admin/users/{ben}"))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains(BEN) && page.contains("Lock the account") && page.contains("Authenticator app: off"));
        let (user, detail) = last_event(&app, "operator.account_viewed").await;
        assert_eq!((user.as_deref(), detail["email"].as_str(), detail["operator_email"].as_str()), (Some(ben.as_str()), Some(BEN), Some(JANE)));

        // A lock needs a reason; a refused one changes nothing and keeps what was typed.
        let lock = format!("/admin/users/{ben}/lock");
        let refused = operator.post(app.url(&lock)).form(&[("reason", "   ")]).send().await.unwrap();
        assert_eq!(refused.status(), 400);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Say why") && refused.contains(r#"aria-invalid="true""#), "{refused}");
        assert_eq!(ben_browser.get(app.url("/account")).send().await.unwrap().status(), 200, "still signed in");

        let locked = operator.post(app.url(&lock)).form(&[("reason", "phished, ticket <42>")]).send().await.unwrap();
        assert_eq!(location(&locked), format!("/admin/users/{ben}?done=locked"));
        assert_eq!(location(&ben_browser.get(app.url("/account")).send().await.unwrap()), "/signin?return_to=/account", "signed out");
        let page = operator.get(app.url(&format!("/admin/users/{ben}?done=locked"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("The account is locked") && page.contains("phished, ticket &lt;42&gt;") && page.contains("Unlock the account"));
        let (user, detail) = last_event(&app, "operator.account_locked").await;
        assert_eq!((user.as_deref(), detail["reason"].as_str(), detail["sessions_ended"].as_i64()), (Some(ben.as_str()), Some("phished, ticket <42>"), Some(1)));

        // The right password says "locked"; a wrong one says only "wrong".
        let right = ben_signs_in(&app, BEN_PASSWORD).await;
        assert!(right.contains("error=account_locked"), "{right}");
        let shown = client().get(app.url(&right)).send().await.unwrap().text().await.unwrap();
        assert!(shown.contains("This account is locked"), "{shown}");
        assert!(ben_signs_in(&app, "not ben's password").await.contains("error=invalid_credentials"));
        let (user, detail) = last_event(&app, "sign_in.failed").await;
        assert_eq!(user.as_deref(), Some(ben.as_str()));
        assert_eq!(detail["reason"], "invalid_credentials");

        // Nobody locks themselves.
        let jane_id = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap().id;
        let own = operator.get(app.url(&format!("/admin/users/{}", jane_id.as_str()))).send().await.unwrap().text().await.unwrap();
        assert!(own.contains("This is your own account") && !own.contains("Lock the account"));
        let own_lock = operator.post(app.url(&format!("/admin/users/{}/lock", jane_id.as_str()))).form(&[("reason", "test")]).send().await.unwrap();
        assert_eq!(own_lock.status(), 400);
        assert!(!sanus_core::admin::is_locked(&app.store, &jane_id).await.unwrap());

        let unlocked = operator.post(app.url(&format!("/admin/users/{ben}/unlock"))).send().await.unwrap();
        assert_eq!(location(&unlocked), format!("/admin/users/{ben}?done=unlocked"));
        assert_eq!(ben_signs_in(&app, BEN_PASSWORD).await, "/account");
        assert_eq!(last_event(&app, "operator.account_unlocked").await.0.as_deref(), Some(ben.as_str()));

        let list = operator.get(app.url("/admin/users?q=ben")).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains(">locked<"), "no longer marked");
        let missing = operator.get(app.url("/admin/users/no-such-account")).send().await.unwrap();
        assert_eq!(missing.status(), 404);
    }

    async fn an_operator_ends_sessions_and_forces_a_new_password(db: TestDatabase) {
        let (app, ben) = with_ben_and_an_operator(db).await;
        let operator = jane_signed_in(&app, "/account").await;
        let ben_browser = signed_in(&app, BEN, BEN_PASSWORD, "/account").await;
        let ended = operator.post(app.url(&format!("/admin/users/{ben}/sessions/end"))).send().await.unwrap();
        assert_eq!(location(&ended), format!("/admin/users/{ben}?done=sessions_ended"));
        assert_eq!(ben_browser.get(app.url("/account")).send().await.unwrap().status(), 303);
        assert_eq!(last_event(&app, "operator.sessions_ended").await.1["sessions_ended"], 1);
        assert_eq!(ben_signs_in(&app, BEN_PASSWORD).await, "/account", "he may sign in again at once");

        let reset = operator.post(app.url(&format!("/admin/users/{ben}/password-reset"))).send().await.unwrap();
        assert_eq!(location(&reset), format!("/admin/users/{ben}?done=reset_sent"));
        assert!(ben_signs_in(&app, BEN_PASSWORD).await.contains("error=invalid_credentials"), "the old password is gone");
        let mails = sanus_core::mail::outbox(&app.store, 10).await.unwrap();
        let mail = mails.iter().find(|mail| mail.recipient == BEN).expect("a reset link for Ben");
        assert!(mail.text_body.contains("/password/reset/"));
        assert_eq!(last_event(&app, "operator.password_reset_forced").await.1["link_sent"], true);
        let page = operator.get(app.url(&format!("/admin/users/{ben}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("none (passkeys only, or a reset is pending)"));
    }

    async fn keys_rotate_from_the_console_and_the_audit_log_filters(db: TestDatabase) {
        let (app, ben) = with_ben_and_an_operator(db).await;
        let operator = jane_signed_in(&app, "/account").await;
        let keys = operator.get(app.url("/admin/keys")).send().await.unwrap().text().await.unwrap();
        assert_eq!(keys.matches(">signs<").count(), 3, "{keys}");
        let rotated = operator.post(app.url("/admin/keys/rotate")).send().await.unwrap();
        assert_eq!(location(&rotated), "/admin/keys?done=rotated");
        let keys = operator.get(app.url("/admin/keys?done=rotated")).send().await.unwrap().text().await.unwrap();
        assert_eq!(keys.matches("published; signs from").count(), 3, "{keys}");
        assert_eq!(keys.matches("signs until").count(), 3);
        let (_, detail) = last_event(&app, "operator.keys_rotated").await;
        assert_eq!(detail["new_keys"].as_array().unwrap().len(), 3);

        let tenants = operator.get(app.url("/admin/tenants?q=acme")).send().await.unwrap().text().await.unwrap();
        assert!(tenants.contains("ACME Development") && tenants.contains("/admin/users?q=acme-dev"));

        operator.get(app.url(&format!("/admin/users/{ben}"))).send().await.unwrap();
        assert!(ben_signs_in(&app, "wrong").await.contains("error=invalid_credentials"));
        // Kinds in the table are <code>kind</code>; the help text names some too.
        let listed = |page: &str, kind: &str| page.contains(&format!("<code>{kind}</code>"));
        let all = operator.get(app.url("/admin/audit")).send().await.unwrap().text().await.unwrap();
        assert!(listed(&all, "operator.keys_rotated") && listed(&all, "sign_in.failed"));
        let family = operator.get(app.url("/admin/audit?kind=operator")).send().await.unwrap().text().await.unwrap();
        assert!(listed(&family, "operator.account_viewed") && !listed(&family, "sign_in.failed"));
        let exact = operator.get(app.url("/admin/audit?kind=operator.keys_rotated")).send().await.unwrap().text().await.unwrap();
        assert!(listed(&exact, "operator.keys_rotated") && !listed(&exact, "operator.account_viewed"));
        let by_user = operator.get(app.url(&format!("/admin/audit?user={BEN}"))).send().await.unwrap().text().await.unwrap();
        assert!(listed(&by_user, "sign_in.failed") && listed(&by_user, "operator.account_viewed"));
        assert!(!listed(&by_user, "operator.keys_rotated"));
        let bad = operator.get(app.url("/admin/audit?kind=nonsense&user=nobody%40acme.example")).send().await.unwrap();
        assert_eq!(bad.status(), 400);
        let bad = bad.text().await.unwrap();
        assert!(bad.contains("No such kind or family") && bad.contains("No account has this address"));
        assert!(bad.contains(r#"value="nonsense""#), "the filters stay as typed");
    }

    async fn a_lock_ends_grants_and_refuses_what_a_racing_sign_in_left(db: TestDatabase) {
        let (app, _) = with_ben_and_an_operator(db).await;
        let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        let ben = find_user_by_email(&app.store, &Email::parse(BEN).unwrap()).await.unwrap().unwrap();
        let operator = sanus_core::platform_roles::Role::Operator;
        sanus_core::platform_roles::grant(&app.store, &Email::parse(BEN).unwrap(), operator, app.clock.now()).await.unwrap();
        let tokens: Value = app.exchange(&params_of(&app.run_flow(&spa_request()).await)["code"], VERIFIER).await.json().await.unwrap();
        let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());

        // A lock written while a sign-in was under way: its code is still
        // live, and so is the session it made.
        let code = params_of(&app.run_flow(&spa_request()).await)["code"].clone();
        let racing = signed_in(&app, JANE, crate::helpers::JANE_PASSWORD, "/account").await;
        sqlx::query("INSERT INTO account_locks (user_id, locked_at, locked_by, reason) VALUES ($1, 1, $2, 'race')")
            .bind(jane.id.as_str()).bind(ben.id.as_str()).execute(app.store.pool()).await.unwrap();
        let console = racing.get(app.url("/account")).send().await.unwrap();
        assert_eq!(location(&console), "/signin?return_to=/account", "the session counts as ended");
        let silent = racing.get(app.url("/authorize")).query(&with(spa_request(), "prompt", Some("none"))).send().await.unwrap();
        assert!(location(&silent).contains("error=login_required"), "{}", location(&silent));
        let refused = app.exchange(&code, VERIFIER).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(refused.json::<Value>().await.unwrap()["error_description"], "This account is locked.");
        let refused = app.refresh(refresh).await;
        assert_eq!(refused.status(), 400, "nor is a refresh token of a locked account");
        assert_eq!(refused.json::<Value>().await.unwrap()["error_description"], "This account is locked.");
        sanus_core::admin::unlock_account(&app.store, &jane.id, app.clock.now()).await.unwrap();
        assert_eq!(app.refresh(refresh).await.status(), 400, "the grant the lock met stays revoked");
        let console = racing.get(app.url("/account")).send().await.unwrap();
        assert_eq!(location(&console), "/signin?return_to=/account", "nor does the racing session come back");
        assert_eq!(app.userinfo(access).await.status(), 401);

        // Through the console: a fresh grant ends with the lock.
        let tokens: Value = app.exchange(&params_of(&app.run_flow(&spa_request()).await)["code"], VERIFIER).await.json().await.unwrap();
        let operator = signed_in(&app, BEN, BEN_PASSWORD, "/account").await;
        let lock = format!("/admin/users/{}/lock", jane.id.as_str());
        assert_eq!(operator.post(app.url(&lock)).form(&[("reason", "stolen laptop")]).send().await.unwrap().status(), 303);
        assert_eq!(app.refresh(tokens["refresh_token"].as_str().unwrap()).await.status(), 400);
        assert_eq!(app.userinfo(tokens["access_token"].as_str().unwrap()).await.status(), 401);
    }
}
