//! What the management API's documentation page (`/api/v1/docs`) shows: the
//! server reads it off the OpenAPI document it generates from its handlers.

use serde::{Deserialize, Serialize};

/// `/api/v1/docs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiDocsView {
    pub title: String,
    pub version: String,
    pub description: String,
    /// Where the document itself is (`…/api/v1/openapi.json`).
    pub document_url: String,
    /// The ways to authenticate: name and explanation.
    pub auth: Vec<(String, String)>,
    pub groups: Vec<ApiGroupView>,
    pub schemas: Vec<ApiSchemaView>,
}

/// The operations of one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroupView {
    pub name: String,
    pub description: String,
    pub operations: Vec<ApiOperationView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperationView {
    /// The `operationId`, also the anchor.
    pub id: String,
    /// Upper case: `GET`, `POST` …
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<ApiFieldView>,
    /// The schema of the request body, if it takes one.
    pub body: Option<ApiTypeView>,
    pub responses: Vec<ApiResponseView>,
}

/// A parameter or a property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiFieldView {
    pub name: String,
    /// `path` or `query` for a parameter; empty for a property.
    pub place: String,
    pub kind: ApiTypeView,
    pub required: bool,
    pub description: String,
}

/// A type in words ("array of ClientView"), with the schema it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTypeView {
    pub text: String,
    pub schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiResponseView {
    pub status: String,
    pub description: String,
    pub body: Option<ApiTypeView>,
}

/// A named schema: its properties, or the values of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSchemaView {
    pub name: String,
    pub description: String,
    pub fields: Vec<ApiFieldView>,
    pub values: Vec<String>,
}
