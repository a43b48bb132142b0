//! The query-string extractor. axum's own `Query` answers a bad parameter with a plain-text
//! 400; this one answers like the JSON bodies do: `422 invalid_field` naming the
//! parameter, in the API's error shape. Values with a NUL character are refused the same way.

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse(parts.uri.query().unwrap_or_default()).map(Params)
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    if let Some((name, _)) = pairs.clone().find(|(_, value)| crate::nul::contains_nul(value)) {
        return Err(ApiError::field(&name, crate::nul::REFUSED));
    }
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
        .map_err(|e| super::body::invalid_field(e.path().to_string(), &e.into_inner().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct History {
        challenge: Option<String>,
        limit: Option<i64>,
    }

    fn field(query: &str) -> Option<String> {
        match parse::<History>(query) {
            Err(ApiError::InvalidField { field, .. }) => Some(field),
            Err(other) => panic!("{other:?}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn a_bad_parameter_is_named() {
        assert_eq!(field("challenge=a'%22;--&limit=5"), None);
        assert_eq!(field("limit=1;DROP"), Some("limit".into()));
        assert_eq!(field("limit=5&sort=x"), Some("sort".into()));
        assert_eq!(field("challenge=a%00b"), Some("challenge".into()));
    }
}
