//! Two instances on one database, as behind a load balancer: a browser and
//! a client move between them at every step; a key rotation and a client
//! change made through one are honoured by the other, within the documented
//! time (docs/operations.md, "Several instances"). On PostgreSQL in the test
//! command's cluster, and on a shared SQLite file.

use sanus_core::Clock as _;
use serde_json::Value;

use crate::flow::{CALLBACK, VERIFIER, claims_of, location, params_of, spa_request};
use crate::helpers::{JANE, JANE_PASSWORD, M2M_SECRET, TestApp, client, spawn_seeded_app};

/// The instance that serves step `n` of a flow: they take turns.
fn turn<'a>(instances: &[&'a TestApp; 2], n: usize) -> &'a TestApp {
    instances[n % 2]
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(app.url("/token")).form(form).send().await.unwrap()
}

async fn client_credentials(app: &TestApp, secret: &str) -> reqwest::Response {
    client()
        .post(app.url("/token"))
        .basic_auth("m2m-basic", Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

async fn introspect(app: &TestApp, token: &str) -> Value {
    let response = client()
        .post(app.url("/introspect"))
        .basic_auth("m2m-basic", Some(M2M_SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = client().get(app.url("/jwks")).send().await.unwrap().json().await.unwrap();
    jwks["keys"].as_array().unwrap().iter().map(|key| key["kid"].as_str().unwrap().to_string()).collect()
}

fn kid_of(jwt: &str) -> String {
    use base64::Engine as _;
    let header = jwt.split('.').next().unwrap();
    let header: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_string()
}

sanus_core::engine_tests! {
    async fn a_browser_and_a_client_can_move_between_instances_at_every_step(db: TestDatabase) {
        let first = spawn_seeded_app(db).await;
        let second = first.another_instance().await;
        let instances = [&first, &second];
        // One browser: its cookies go to either instance, as behind a balancer.
        let browser = client();
        let authorize = browser.get(first.url("/authorize")).query(&spa_request()).send().await.unwrap();
        let mut next = location(&authorize);
        let mut step = 1;
        while next.starts_with('/') {
            let here = turn(&instances, step);
            step += 1;
            if !next.starts_with("/interaction/") {
                next = location(&browser.get(here.url(&next)).send().await.unwrap());
                continue;
            }
            let page = browser.get(here.url(&next)).send().await.unwrap().text().await.unwrap();
            let there = turn(&instances, step);
            let answer = if page.contains(&format!("action=\"{next}/login\"")) {
                browser.post(there.url(&format!("{next}/login"))).form(&[("email", JANE), ("password", JANE_PASSWORD)])
            } else {
                assert!(page.contains(&format!("action=\"{next}/consent\"")), "{page}");
                browser.post(there.url(&format!("{next}/consent"))).form(&[("decision", "allow")])
            };
            next = location(&answer.send().await.unwrap());
            step += 1;
            assert!(step < 16, "the flow did not reach the client");
        }
        assert!(next.starts_with(CALLBACK), "{next}");
        let code = params_of(&next)["code"].clone();

        // The code is exchanged on the other instance than the last step.
        let exchange = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER), ("client_id", "spa")];
        let tokens: Value = token_request(turn(&instances, step), &exchange).await.json().await.unwrap();
        assert_eq!(claims_of(tokens["id_token"].as_str().unwrap())["nonce"], "n-456");

        // Refreshes alternate; each rotated-out token is dead on both.
        let mut refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        let mut spent = Vec::new();
        for n in 0..4 {
            let refreshed = token_request(turn(&instances, n), &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", "spa")]).await;
            assert_eq!(refreshed.status(), 200, "refresh {n}");
            let refreshed: Value = refreshed.json().await.unwrap();
            let access = refreshed["access_token"].as_str().unwrap();
            let userinfo = client().get(turn(&instances, n + 1).url("/userinfo")).bearer_auth(access).send().await.unwrap();
            assert_eq!(userinfo.status(), 200, "an access token from one instance works on the other");
            spent.push(std::mem::replace(&mut refresh, refreshed["refresh_token"].as_str().unwrap().to_string()));
        }
        // The first refresh token comes back on the instance that did not rotate it last.
        let reuse = token_request(&second, &[("grant_type", "refresh_token"), ("refresh_token", &spent[0]), ("client_id", "spa")]).await;
        assert_eq!(reuse.status(), 400);
        let latest = token_request(&first, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", "spa")]).await;
        assert_eq!(latest.status(), 400, "the reuse on one instance ended the grant on both");
        let replayed = token_request(turn(&instances, step + 1), &exchange).await;
        assert_eq!(replayed.status(), 400, "a code is single-use across instances");
    }

    async fn a_key_rotation_on_one_instance_is_honoured_by_the_other(db: TestDatabase) {
        let first = spawn_seeded_app(db).await;
        let second = first.another_instance().await;
        let before = published_kids(&second).await;
        let old = kid_of(client_credentials(&first, M2M_SECRET).await.json::<Value>().await.unwrap()["access_token"].as_str().unwrap());

        let fresh: Vec<String> = first.keys.rotate().await.unwrap().into_iter().map(|key| key.kid).collect();
        assert_eq!(published_kids(&first).await.len(), 6, "published at once where it was rotated");
        let token: Value = client_credentials(&first, M2M_SECRET).await.json().await.unwrap();
        assert_eq!(kid_of(token["access_token"].as_str().unwrap()), old, "the old key signs on for now");
        // The other instance reads the keys again within a minute: well before they sign.
        second.clock.advance(sanus::keys::RELOAD_AFTER_SECONDS);
        let listed = published_kids(&second).await;
        assert!(fresh.iter().all(|kid| listed.contains(kid)) && before.iter().all(|kid| listed.contains(kid)), "{listed:?}");

        first.clock.advance(sanus_core::keys::PUBLISH_AHEAD_SECONDS);
        let token: Value = client_credentials(&first, M2M_SECRET).await.json().await.unwrap();
        let access = token["access_token"].as_str().unwrap();
        assert!(fresh.contains(&kid_of(access)), "the new key signs after the announcement");
        assert_eq!(introspect(&second, access).await["active"], true);

        // A third instance that loaded the keys before the rotation, shown a
        // token by a key it does not know, reads them again at once.
        let third = first.another_instance().await;
        first.keys.rotate().await.unwrap();
        first.clock.advance(sanus_core::keys::PUBLISH_AHEAD_SECONDS + sanus::keys::RELOAD_AFTER_SECONDS);
        let token: Value = client_credentials(&first, M2M_SECRET).await.json().await.unwrap();
        let access = token["access_token"].as_str().unwrap();
        assert!(!published_kids(&third).await.contains(&kid_of(access)), "third has not reloaded yet");
        assert_eq!(introspect(&third, access).await["active"], false, "not within the same second");
        third.clock.advance(1);
        assert_eq!(introspect(&third, access).await["active"], true);
    }

    async fn a_client_change_on_one_instance_reaches_the_other_within_a_second(db: TestDatabase) {
        let first = spawn_seeded_app(db).await;
        let second = first.another_instance().await;
        assert_eq!(client_credentials(&second, M2M_SECRET).await.status(), 200, "cached on the second instance");

        // The first instance (here: its store) rotates the secret with no
        // grace, as a service of the tenant's Admins: the client acts as a person.
        let tenant = sanus_core::tenants::TenantId::parse("acme-dev").unwrap();
        let manager = sanus_core::applications::manage::Manager::Actor(sanus_core::organizations::Actor::Service(&tenant));
        let now = first.clock.now();
        let new = sanus_core::applications::manage::rotate_secret(&first.store, manager, "m2m-basic", 0, now).await.unwrap();
        let new = new.expose().to_string();
        second.clock.advance(sanus::clients::VERSION_CHECK_SECONDS);
        assert_eq!(client_credentials(&second, M2M_SECRET).await.status(), 401, "the old secret is dead everywhere");
        assert_eq!(client_credentials(&second, &new).await.status(), 200);

        let kept: Value = client_credentials(&second, &new).await.json().await.unwrap();
        sanus_core::applications::manage::delete_client(&first.store, manager, "m2m-basic", first.clock.now()).await.unwrap();
        second.clock.advance(sanus::clients::VERSION_CHECK_SECONDS);
        let refused = client_credentials(&second, &new).await;
        assert_eq!(refused.status(), 401, "a deleted client gets no token on the other instance");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
        let introspection = client()
            .post(second.url("/introspect"))
            .form(&[("token", kept["access_token"].as_str().unwrap()), ("client_id", "m2m-post"), ("client_secret", crate::helpers::POST_SECRET)])
            .send().await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(introspection["active"], false, "nor do its tokens work there");
    }
}
