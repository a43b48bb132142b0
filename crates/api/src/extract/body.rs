//! The JSON body extractor: malformed JSON is a 400, an array where an object belongs a 400
//! naming the field, a bad field a 422 naming the field (`serde_path_to_error`), an
//! oversized body a 413, all in the API's error shape.

use crate::body_deadline::BodyTimedOut;
use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Limit on any JSON body (the code inside has its own, smaller limit).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// An oversized body is read (and dropped) up to this much before the 413 goes out: closing
/// a connection with unread data makes the kernel reset it, and the client would lose the
/// answer. Beyond this the connection is simply cut.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    use futures::StreamExt;
    let mut stream = req.into_body().into_data_stream();
    let mut body = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(unreadable)?;
        seen += chunk.len();
        if seen <= MAX_BODY_BYTES {
            body.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge { limit: MAX_BODY_BYTES });
    }
    Ok(Bytes::from(body))
}

/// A body that stopped arriving: too slow (the body deadline), or the connection broke.
fn unreadable(e: axum::Error) -> ApiError {
    match e.into_inner().downcast::<BodyTimedOut>() {
        Ok(timed_out) => ApiError::RequestTimeout { limit: timed_out.limit },
        Err(e) => ApiError::InvalidJson { message: format!("the body could not be read: {e}") },
    }
}

pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + JsonSchema + 'static> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = read_body(req).await?;
        check_shape::<T>(&bytes)?;
        parse(&bytes).map(Body)
    }
}

/// serde reads a struct from a JSON array as readily as from an object (its fields in
/// order), so `["a@b.c", "secret"]` would sign in. The body's shape is checked against the
/// request type's JSON Schema first: an array where the schema wants only an object is
/// refused, naming where.
fn check_shape<T: JsonSchema + 'static>(bytes: &[u8]) -> Result<(), ApiError> {
    // Not JSON at all: `parse` says so.
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    let root = schema_of::<T>();
    match array_for_object(&value, &root, &root, "") {
        None => Ok(()),
        Some(field) => Err(ApiError::WrongShape { field }),
    }
}

/// The JSON Schema of a request type, generated once per type.
fn schema_of<T: JsonSchema + 'static>() -> Arc<Value> {
    static SCHEMAS: LazyLock<Mutex<HashMap<TypeId, Arc<Value>>>> = LazyLock::new(Default::default);
    let mut schemas = SCHEMAS.lock().unwrap_or_else(|e| e.into_inner());
    let schema = schemas.entry(TypeId::of::<T>()).or_insert_with(|| Arc::new(schemars::SchemaGenerator::default().into_root_schema_for::<T>().to_value()));
    schema.clone()
}

/// The first place in `value` where `schema` admits an object and no array, and the value
/// is an array; "" for the body itself.
fn array_for_object(value: &Value, schema: &Value, root: &Value, path: &str) -> Option<String> {
    let alternatives = alternatives(schema, root);
    match value {
        Value::Array(items) => {
            let types: Vec<&str> = alternatives.iter().flat_map(|s| types_of(s)).collect();
            if types.contains(&"object") && !types.contains(&"array") {
                return Some(path.to_string());
            }
            let item_schemas = alternatives.iter().filter_map(|s| s.get("items"));
            item_schemas.into_iter().find_map(|item| items.iter().enumerate().find_map(|(i, v)| array_for_object(v, item, root, &format!("{path}[{i}]"))))
        }
        Value::Object(map) => alternatives.iter().find_map(|s| {
            let properties = s.get("properties").and_then(Value::as_object);
            map.iter().find_map(|(key, v)| {
                let field = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match properties.and_then(|p| p.get(key)).or_else(|| s.get("additionalProperties")) {
                    Some(inner) => array_for_object(v, inner, root, &field),
                    None => None,
                }
            })
        }),
        _ => None,
    }
}

/// `schema` and, recursively, the members of its `anyOf`/`oneOf`/`allOf`, each with its
/// `$ref` followed (schemars puts shared types under `$defs`).
fn alternatives<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let schema = match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    };
    let mut out = vec![schema];
    for key in ["anyOf", "oneOf", "allOf"] {
        for member in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.extend(alternatives(member, root));
        }
    }
    out
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
                ApiError::InvalidJson { message: format!("the body is not valid JSON: {inner}") }
            }
            serde_json::error::Category::Data => invalid_field(path, &inner.to_string()),
        }
    })?;
    if let Some(field) = crate::nul::in_json(bytes) {
        return Err(ApiError::field(&field, crate::nul::REFUSED));
    }
    Ok(value)
}

/// The error for a value serde refused at `path` (in a body or a query string).
pub fn invalid_field(path: String, message: &str) -> ApiError {
    // A missing or unknown field is reported on the object that lacks or has it.
    let field = field_of(message).unwrap_or(path);
    ApiError::InvalidField { field, message: strip_position(message) }
}

/// The field serde names in "missing field `x`" or "unknown field `x`, expected …".
fn field_of(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("missing field `") {
        return rest.split('`').next().map(str::to_string);
    }
    // An unknown field's name is the client's and may hold a backtick itself: it ends where
    // serde's list of the expected fields begins.
    let rest = message.strip_prefix("unknown field `")?;
    rest.rsplit_once("`, expected").or_else(|| rest.rsplit_once("`, there are no fields")).map(|(name, _)| name.to_string())
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    fn field(body: &str) -> (String, Option<String>) {
        match parse::<Login>(body.as_bytes()).unwrap_err() {
            ApiError::InvalidField { field, .. } => ("invalid_field".into(), Some(field)),
            other => (other.code().into(), None),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field("{"), ("invalid_json".into(), None));
        assert_eq!(field(r#"{"email": "a"}"#), ("invalid_field".into(), Some("password".into())));
        assert_eq!(field(r#"{"email": 3, "password": "x"}"#), ("invalid_field".into(), Some("email".into())));
        assert_eq!(field(r#"{"email": "a", "password": "x", "admin": true}"#), ("invalid_field".into(), Some("admin".into())));
    }

    #[derive(Debug, serde::Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Login,
        maybe: Option<Login>,
        many: Vec<Login>,
        tags: Vec<String>,
    }

    fn shape<T: JsonSchema + 'static>(body: &str) -> Option<String> {
        match check_shape::<T>(body.as_bytes()) {
            Ok(()) => None,
            Err(ApiError::WrongShape { field }) => Some(field),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn an_array_where_an_object_belongs_is_refused_where_it_is() {
        // serde alone would take these arrays for the structs, field by field.
        assert!(serde_json::from_str::<Login>(r#"["a@b.c", "secret"]"#).is_ok());
        assert_eq!(shape::<Login>(r#"["a@b.c", "secret"]"#), Some(String::new()));
        let ok = r#"{"email": "a", "password": "b"}"#;
        let body = |inner: &str, maybe: &str, many: &str| format!(r#"{{"name": "n", "inner": {inner}, "maybe": {maybe}, "many": {many}, "tags": ["x", "y"]}}"#);
        assert_eq!(shape::<Outer>(&body(ok, "null", &format!("[{ok}]"))), None);
        assert_eq!(shape::<Outer>(&body(r#"["a", "b"]"#, "null", "[]")), Some("inner".into()));
        assert_eq!(shape::<Outer>(&body(ok, r#"["a", "b"]"#, "[]")), Some("maybe".into()));
        assert_eq!(shape::<Outer>(&body(ok, ok, &format!(r#"[{ok}, ["a", "b"]]"#))), Some("many[1]".into()));
        // Not JSON, or a wrong type other than an array: left to the parser's own errors.
        assert_eq!(shape::<Outer>("{"), None);
        assert_eq!(shape::<Outer>(r#"{"name": 3}"#), None);
    }

    #[test]
    fn a_wrong_shape_is_a_400_naming_the_field() {
        let e = check_shape::<Outer>(br#"{"name": "n", "inner": [1, 2]}"#).unwrap_err();
        assert_eq!((e.status().as_u16(), e.code()), (400, "invalid_shape"));
        assert!(e.to_string().contains("`inner` must be a JSON object, not an array"), "{e}");
        let e = check_shape::<Login>(b"[]").unwrap_err();
        assert!(e.to_string().contains("the body must be a JSON object"), "{e}");
    }
}
