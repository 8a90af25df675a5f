//! The organisation scopes: exactly the claims ../shared/PRODUCT.md lists,
//! in the tokens it lists, current at every issuance.

use sanus_core::UnixTime;
use sanus_core::applications::{ShortKey, find_application_by_short_key};
use sanus_core::organizations::licenses::{self, NewLicense};
use sanus_core::organizations::{
    Role, add_department, add_member, archive_tenant, create_organization, define_app_permission, define_app_role,
};
use sanus_core::tenants::{Tenant, TenantKind, TenantName};
use sanus_core::users::{Email, find_user_by_email};
use serde_json::{Value, json};

use crate::flow::{VERIFIER, claims_of, params_of, spa_request, with};
use crate::helpers::{JANE, M2M_SECRET, TestApp, spawn_seeded_app};

const ALL: &str = "openid offline_access tenant_ids tenants permissions_core permissions_app licenses";

/// Jane: Admin of "Klinikum", and `tstapp_viewer` in its department
/// "Chirurgie"; the organisation holds a `tstapp` license with her seat.
async fn organisation(app: &TestApp) -> (Tenant, Tenant) {
    let store = &app.store;
    let now = UnixTime(1_700_000_000);
    let jane = find_user_by_email(store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
    let name = |n: &str| TenantName::parse(n).unwrap();
    let root = create_organization(store, &jane.id, TenantKind::Organization, name("Klinikum"), now).await.unwrap();
    let surgery = add_department(store, &jane.id, &root.id, name("Chirurgie"), now).await.unwrap();
    let tstapp = find_application_by_short_key(store, &ShortKey::parse("tstapp").unwrap()).await.unwrap().unwrap();
    define_app_permission(store, &tstapp, "tstapp_data.read", now).await.unwrap();
    define_app_role(store, &tstapp, "tstapp_viewer", &["tstapp_data.read".into()], now).await.unwrap();
    add_member(store, &surgery.id, &jane.id, &[Role::App("tstapp_viewer".into())], now).await.unwrap();
    let license = NewLicense {
        tenant_id: root.id.clone(),
        application_id: tstapp.id.clone(),
        plan: "clinic".into(),
        seats: 10,
        valid_from: UnixTime(0),
        valid_until: None,
    };
    let license = licenses::grant(store, &license, now).await.unwrap();
    licenses::assign_seat(store, &jane.id, &root.id, &license, &jane.id, now).await.unwrap();
    (root, surgery)
}

async fn issue(app: &TestApp, scope: &str) -> Value {
    let callback = app.run_flow(&with(spa_request(), "scope", Some(scope))).await;
    let code = params_of(&callback)["code"].clone();
    let response = app.exchange(&code, VERIFIER).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

sanus_core::engine_tests! {
    async fn each_scope_adds_its_claims_to_its_tokens(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let (root, surgery) = organisation(&app).await;
        let tokens = issue(&app, ALL).await;
        let access = claims_of(tokens["access_token"].as_str().unwrap());
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        let (r, s) = (root.id.as_str(), surgery.id.as_str());

        let ids = access["tenant_ids"].as_array().unwrap();
        assert_eq!(ids.len(), 2, "{access}");
        assert!(ids.contains(&json!(r)) && ids.contains(&json!(s)));
        assert_eq!(access["permissions_app"], json!({ s: ["tstapp_data.read"] }));
        assert_eq!(access["licenses"][0]["plan"], "clinic");
        assert_eq!(access["licenses"][0]["seat"], true);
        for only_in_id_token in ["tenants", "permissions_core", "root_tenant_ids", "default_tenant_id"] {
            assert!(access.get(only_in_id_token).is_none(), "{only_in_id_token} stays out of the access token");
        }

        assert_eq!(id["root_tenant_ids"], json!([r]));
        assert_eq!(id["default_tenant_id"], r);
        assert_eq!(id["tenants"], json!([{"id": r, "name": "Klinikum", "kind": "organization",
            "children": [{"id": s, "name": "Chirurgie", "kind": "organization"}]}]));
        assert_eq!(id["permissions_core"][s].as_array().unwrap().len(), 10, "Admin above applies below");
        assert!(id["permissions_core"][r].as_array().unwrap().contains(&json!("members.invite")));
        assert_eq!(id["permissions_app"], access["permissions_app"]);
        assert_eq!(id["licenses"], access["licenses"]);

        let userinfo: Value = app.userinfo(tokens["access_token"].as_str().unwrap()).await.json().await.unwrap();
        assert_eq!(userinfo["tenants"], id["tenants"]);
        assert_eq!(userinfo["permissions_core"], id["permissions_core"]);

        // Archiving shows in the next token at once.
        let jane = find_user_by_email(&app.store, &Email::parse(JANE).unwrap()).await.unwrap().unwrap();
        archive_tenant(&app.store, &jane.id, &surgery.id, UnixTime(1_700_000_100)).await.unwrap();
        let refreshed: Value = app.refresh(tokens["refresh_token"].as_str().unwrap()).await.json().await.unwrap();
        let access = claims_of(refreshed["access_token"].as_str().unwrap());
        assert_eq!(access["tenant_ids"], json!([r]));
        assert_eq!(access["permissions_app"], json!({}));
    }

    async fn without_the_scopes_there_are_no_organisation_claims(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        organisation(&app).await;
        let tokens = issue(&app, "openid tenant_ids").await;
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert!(id.get("tenant_ids").is_some());
        for absent in ["tenants", "permissions_core", "permissions_app", "licenses"] {
            assert!(id.get(absent).is_none(), "{absent} was not asked for");
        }
        let plain = claims_of(issue(&app, "openid").await["access_token"].as_str().unwrap());
        assert!(plain.get("tenant_ids").is_none());
    }

    async fn a_member_of_nothing_gets_empty_claims_and_services_get_none(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let tokens = issue(&app, ALL).await;
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!((id["tenant_ids"].clone(), id["tenants"].clone(), id["licenses"].clone()), (json!([]), json!([]), json!([])));
        assert!(id.get("default_tenant_id").is_none());
        let refused = app.client.post(app.url("/token"))
            .basic_auth("m2m-basic", Some(M2M_SECRET))
            .form(&[("grant_type", "client_credentials"), ("scope", "tenant_ids")])
            .send().await.unwrap();
        assert_eq!(refused.status(), 400);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "invalid_scope");
    }

    async fn discovery_lists_the_organisation_scopes_and_claims(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let discovery: Value = app.get("/.well-known/openid-configuration").await.json().await.unwrap();
        for scope in ["tenant_ids", "tenants", "permissions_core", "permissions_app", "licenses"] {
            assert!(discovery["scopes_supported"].as_array().unwrap().contains(&json!(scope)), "{scope}");
        }
        for claim in ["root_tenant_ids", "default_tenant_id", "permissions_core"] {
            assert!(discovery["claims_supported"].as_array().unwrap().contains(&json!(claim)), "{claim}");
        }
    }
}
