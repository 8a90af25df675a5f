//! The management API's contract: `/api/v1/openapi.json` is a well-formed
//! OpenAPI 3.1 document; every operation in it is served, by the API (a JSON
//! 401 without credentials), and no other method is; every answer the API
//! gives has the shape the document says; the docs page shows it all.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, jane_signed_in, spawn_seeded_app};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    response.json().await.unwrap()
}

/// Every `$ref` anywhere in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(target) => document.pointer(target.trim_start_matches('#')).unwrap(),
        None => value,
    }
}

/// The property names an object schema allows, and those it requires,
/// through `allOf` (flattened structs).
fn shape(document: &Value, schema: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let schema = resolve(document, schema);
    let (mut allowed, mut required) = (BTreeSet::new(), BTreeSet::new());
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (a, r) = shape(document, part);
        allowed.extend(a);
        required.extend(r);
    }
    allowed.extend(schema["properties"].as_object().into_iter().flatten().map(|(name, _)| name.clone()));
    required.extend(schema["required"].as_array().into_iter().flatten().map(|n| n.as_str().unwrap().to_string()));
    (allowed, required)
}

/// Checks an answer against the schema its operation documents for its status.
fn conforms(document: &Value, path: &str, method: &str, status: u16, answer: &Value) {
    let responses = &document["paths"][path][method]["responses"];
    let response = resolve(document, &responses[status.to_string()]);
    assert!(response.is_object(), "{method} {path} answered {status}, which it does not document: {answer}");
    let schema = &response["content"]["application/json"]["schema"];
    let (allowed, required) = shape(document, schema);
    let keys: BTreeSet<String> = answer.as_object().unwrap().keys().cloned().collect();
    assert!(keys.is_subset(&allowed), "{method} {path} {status}: {keys:?} has keys beyond {allowed:?}");
    assert!(required.is_subset(&keys), "{method} {path} {status}: {keys:?} lacks some of {required:?}");
}

sanus_core::engine_tests! {
    async fn every_documented_operation_is_served_and_nothing_else(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        let document = document(&app).await;
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["info"]["license"]["identifier"], env!("CARGO_PKG_LICENSE"), "the project's licence");
        assert_eq!(document["servers"][0]["url"], app.settings.server.public_url.as_str().trim_end_matches('/'));
        for scheme in ["bearer", "session"] {
            assert!(document["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
        }

        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(!found.is_empty());
        for target in found {
            assert!(document.pointer(target.trim_start_matches('#')).is_some(), "{target} resolves to nothing");
        }

        let paths = document["paths"].as_object().unwrap();
        let mut operation_ids = BTreeSet::new();
        let mut operations = 0;
        for (path, item) in paths {
            assert!(path.starts_with("/api/v1/"), "{path}");
            // Path parameters filled in with something that exists nowhere.
            let concrete = path.split('/').map(|part| if part.starts_with('{') { "nothing" } else { part }).collect::<Vec<_>>().join("/");
            for method in METHODS {
                let request = app.client.request(method.to_uppercase().parse().unwrap(), app.url(&concrete));
                let response = request.header("content-type", "application/json").body("{}").send().await.unwrap();
                let status = response.status().as_u16();
                let operation = &item[method];
                if operation.is_null() {
                    assert_eq!(status, 405, "{method} {path} is served but not documented");
                    continue;
                }
                operations += 1;
                assert_eq!(status, 401, "{method} {path} is documented but not served by the API");
                let answer: Value = response.json().await.unwrap();
                assert_eq!(answer["error"], "unauthenticated", "{method} {path}");
                conforms(&document, path, method, 401, &answer);

                let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                assert!(operation_ids.insert(id.to_string()), "operationId {id} twice");
                assert!(!operation["summary"].as_str().unwrap_or_default().is_empty(), "{id} says nothing");
                assert!(operation["tags"][0].is_string(), "{id} has no tag");
                let success = operation["responses"].as_object().unwrap().keys().any(|s| s.starts_with('2'));
                assert!(success, "{id} documents no success");
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if parameter["in"] == "path" {
                        assert!(path.contains(&format!("{{{}}}", parameter["name"].as_str().unwrap())), "{id}");
                        assert!(operation["responses"]["404"].is_object(), "{id} has a path parameter and no 404");
                    }
                }
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let response = resolve(&document, response);
                    assert!(!response["description"].as_str().unwrap_or_default().is_empty(), "{id} {status} has no description");
                }
                for status in ["401", "403", "503"] {
                    assert!(operation["responses"][status].is_object(), "{id} lacks {status}");
                }
            }
        }
        // The routes the API has: a route added without its description
        // fails the unit test `api::tests::every_route_is_described`.
        assert_eq!(operations, 34, "the document's operations: {operation_ids:?}");
    }

    async fn answers_have_the_documented_shape(db: TestDatabase) {
        let app = spawn_seeded_app(db).await;
        app.import("[[memberships]]\ntenant = \"acme-dev\"\nuser = \"jane@acme.example\"\nroles = [\"admin\"]\n").await;
        let document = document(&app).await;
        let jane = jane_signed_in(&app, "/account").await;

        async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json().await.unwrap())
        }
        let check = |path: &str, method: &str, (status, answer): &(u16, Value)| conforms(&document, path, method, *status, answer);

        let listed = call(jane.get(app.url("/api/v1/tenants"))).await;
        check("/api/v1/tenants", "get", &listed);
        let shown = call(jane.get(app.url("/api/v1/tenants/acme-dev"))).await;
        assert_eq!(shown.0, 200);
        check("/api/v1/tenants/{id}", "get", &shown);
        let members = call(jane.get(app.url("/api/v1/tenants/acme-dev/members"))).await;
        check("/api/v1/tenants/{id}/members", "get", &members);
        check("/api/v1/tenants/{id}/members", "get", &call(jane.get(app.url("/api/v1/tenants/acme-dev/members?per_page=0"))).await);
        let created = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "shape", "name": "Shape" }))).await;
        assert_eq!(created.0, 201, "{}", created.1);
        check("/api/v1/tenants/{id}/applications", "post", &created);
        let taken = call(jane.post(app.url("/api/v1/tenants/acme-dev/applications")).json(&json!({ "short_key": "shape", "name": "Shape" }))).await;
        assert_eq!(taken.0, 409);
        check("/api/v1/tenants/{id}/applications", "post", &taken);
        let id = created.1["id"].as_str().unwrap();
        let scope = call(jane.post(app.url(&format!("/api/v1/applications/{id}/scopes"))).json(&json!({ "name": "shape_read" }))).await;
        check("/api/v1/applications/{id}/scopes", "post", &scope);
        let detail = call(jane.get(app.url(&format!("/api/v1/applications/{id}")))).await;
        check("/api/v1/applications/{id}", "get", &detail);
        let machine = json!({ "kind": "m2m", "name": "Shape job", "allowed_scopes": ["shape_read"] });
        let client_created = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&machine)).await;
        assert_eq!(client_created.0, 201, "{}", client_created.1);
        assert!(client_created.1["client_secret"].is_string());
        check("/api/v1/applications/{id}/clients", "post", &client_created);
        let refused = call(jane.post(app.url(&format!("/api/v1/applications/{id}/clients"))).json(&json!({ "kind": "spa", "name": "x", "redirect_uris": ["http://evil.example/cb"] }))).await;
        assert_eq!(refused.0, 400);
        check("/api/v1/applications/{id}/clients", "post", &refused);
        let client_id = client_created.1["client_id"].as_str().unwrap();
        let shown = call(jane.get(app.url(&format!("/api/v1/clients/{client_id}")))).await;
        assert!(shown.1.get("client_secret").is_none(), "a secret is shown once");
        check("/api/v1/clients/{id}", "get", &shown);
        let rotated = call(jane.post(app.url(&format!("/api/v1/clients/{client_id}/secret")))).await;
        check("/api/v1/clients/{id}/secret", "post", &rotated);
        let missing = call(jane.get(app.url("/api/v1/clients/nothing"))).await;
        assert_eq!(missing.0, 404);
        check("/api/v1/clients/{id}", "get", &missing);

        // The readable page: every operation, by its anchor.
        let page = jane.get(app.url("/api/v1/docs")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        for (_, item) in document["paths"].as_object().unwrap() {
            for method in METHODS {
                if let Some(id) = item[method]["operationId"].as_str() {
                    assert!(html.contains(&format!("id=\"{id}\"")), "the page lacks {id}");
                }
            }
        }
        assert!(html.contains("id=\"schema-ClientRegistration\""));
        assert!(html.contains("redirect_uris"));
    }
}
