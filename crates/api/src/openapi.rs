//! The OpenAPI 3.1 description, generated from the route table and the request and
//! response types (their JSON Schemas come from `schemars`), and a readable page of it.

use crate::error::Code;
use crate::routes::{Access, table};
use axum::Json;
use axum::response::Html;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "#/components/schemas/".into()).into_generator();
    let mut paths = Map::new();
    for route in table() {
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert("operationId".into(), json!(format!("{}_{}", route.method, route.path.trim_matches('/').replace(['/', '{', '}'], "_"))));
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if let Some(query) = route.query {
            let schema = query(&mut generator).to_value();
            let resolved = resolve(&mut generator, schema);
            let required: Vec<Value> = resolved.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
                for (name, schema) in props {
                    let description = schema.get("description").cloned().unwrap_or(json!(""));
                    parameters.push(
                        json!({ "name": name, "in": "query", "required": required.contains(&json!(name)), "description": description, "schema": schema }),
                    );
                }
            }
        }
        if !parameters.is_empty() {
            op.insert("parameters".into(), json!(parameters));
        }
        if let Some(request) = route.request {
            op.insert("requestBody".into(), json!({ "required": true, "content": { "application/json": { "schema": request(&mut generator).to_value() } } }));
        }
        let mut responses = Map::new();
        match route.response {
            Some((status, response)) => {
                responses.insert(
                    status.to_string(),
                    json!({ "description": "Success", "content": { "application/json": { "schema": response(&mut generator).to_value() } } }),
                );
            }
            None if route.path == "/ws" => {
                responses.insert("101".into(), json!({ "description": "Switching to the WebSocket protocol" }));
            }
            None => {
                responses.insert("204".into(), json!({ "description": "Done, no content" }));
            }
        }
        responses.insert("default".into(), json!({ "description": "An error (see the code table)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }));
        op.insert("responses".into(), Value::Object(responses));
        match route.access {
            Access::Public => {}
            Access::OptionalUser => {
                op.insert("security".into(), json!([{}, { "bearer": [] }, { "cookie": [] }]));
            }
            Access::User | Access::Admin => {
                op.insert("security".into(), json!([{ "bearer": [] }, { "cookie": [] }]));
            }
        }
        if route.access == Access::Admin {
            op.insert("x-admin-only".into(), json!(true));
        }
        let path = if matches!(route.path, "/healthz" | "/readyz") { route.path.to_string() } else { format!("/api/v1{}", route.path) };
        paths.entry(path).or_insert_with(|| json!({})).as_object_mut().expect("an object").insert(route.method.into(), Value::Object(op));
    }
    let mut schemas = generator.take_definitions(true);
    let codes: Vec<&str> = Code::ALL.iter().filter(|c| c.status().is_some()).map(|c| c.name()).collect();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string", "enum": codes },
                "message": { "type": "string" },
                "field": { "type": "string", "description": "The request field at fault, when there is one." }
            } } }
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": { "title": "ReactLab API", "version": env!("CARGO_PKG_VERSION"), "description": "Learn React by solving challenges graded in a real browser." },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "The token from register or login." },
                "cookie": { "type": "apiKey", "in": "cookie", "name": crate::extract::SESSION_COOKIE }
            }
        },
        "x-error-codes": Code::ALL.iter().map(|c| json!({ "code": c.name(), "status": c.status().map(|s| s.as_u16()), "meaning": c.meaning() })).collect::<Vec<_>>(),
    })
}

/// Follows a `$ref` into the generator's definitions.
fn resolve(generator: &mut schemars::SchemaGenerator, schema: Value) -> Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
        Some(name) => generator.definitions().get(name).cloned().unwrap_or(schema),
        None => schema,
    }
}

pub async fn json() -> Json<Value> {
    Json(document())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The reference as one self-contained HTML page (no scripts, nothing fetched).
pub async fn page() -> Html<String> {
    let doc = document();
    let mut body = String::new();
    body.push_str("<h1>ReactLab API</h1><p>JSON over HTTP under <code>/api/v1</code>. Sign in with <code>POST /api/v1/auth/login</code>; send the token as <code>Authorization: Bearer …</code> (the web app uses the session cookie). The machine-readable description is <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>");
    body.push_str("<h2>Errors</h2><p>Every error is <code>{\"error\":{\"code\",\"message\",\"field\"?}}</code>.</p><table><tr><th>code</th><th>status</th><th>meaning</th></tr>");
    for code in Code::ALL {
        let status = code.status().map_or("WebSocket".to_string(), |s| s.as_u16().to_string());
        body.push_str(&format!("<tr><td><code>{}</code></td><td>{status}</td><td>{}</td></tr>", code.name(), escape(code.meaning())));
    }
    body.push_str("</table><h2>Endpoints</h2>");
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let access = if op.get("x-admin-only").is_some() {
                "admins"
            } else if op.get("security").is_some() {
                "signed in"
            } else {
                "anyone"
            };
            body.push_str(&format!(
                "<section><h3><span class=\"m\">{}</span> <code>{}</code></h3><p>{} <em>({access})</em></p>",
                method.to_uppercase(),
                escape(path),
                escape(op["summary"].as_str().unwrap_or_default())
            ));
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                let names: Vec<String> = params
                    .iter()
                    .map(|p| format!("<code>{}</code> ({})", escape(p["name"].as_str().unwrap_or_default()), p["in"].as_str().unwrap_or_default()))
                    .collect();
                body.push_str(&format!("<p>Parameters: {}</p>", names.join(", ")));
            }
            if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
                body.push_str(&format!("<p>Request body: {}</p>", schema_link(schema)));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if status == "default" {
                    continue;
                }
                let schema = response.pointer("/content/application~1json/schema").map(schema_link).unwrap_or_default();
                body.push_str(&format!("<p>{status}: {} {schema}</p>", escape(response["description"].as_str().unwrap_or_default())));
            }
            body.push_str("</section>");
        }
    }
    body.push_str("<h2>Types</h2>");
    for (name, schema) in doc["components"]["schemas"].as_object().into_iter().flatten() {
        let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
        body.push_str(&format!("<h3 id=\"{0}\">{0}</h3><pre>{1}</pre>", escape(name), escape(&pretty)));
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ReactLab API reference</title><style>\
         body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}}\
         code,pre{{font-family:ui-monospace,monospace}}pre{{background:#f4f5f8;padding:.75rem;overflow:auto;font-size:13px}}\
         section{{border-top:1px solid #dde;padding:.25rem 0}}.m{{font-size:12px;background:#1d2330;color:#fff;padding:2px 6px;border-radius:3px}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #dde;padding:4px 8px;text-align:left}}</style></head><body>{body}</body></html>"
    ))
}

fn schema_link(schema: &Value) -> String {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
        Some(name) => format!("<a href=\"#{0}\">{0}</a>", escape(name)),
        None => format!("<code>{}</code>", escape(&schema.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_with_its_types() {
        let doc = document();
        for route in table() {
            let path = if matches!(route.path, "/healthz" | "/readyz") { route.path.to_string() } else { format!("/api/v1{}", route.path) };
            let op = &doc["paths"][&path][route.method];
            assert!(op.is_object(), "{} {path} missing", route.method);
            if route.request.is_some() {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
                let name = schema.as_str().unwrap().rsplit('/').next().unwrap();
                assert!(doc["components"]["schemas"][name].is_object(), "{name} is not defined");
            }
        }
        assert!(doc["components"]["schemas"]["SubmitRequest"]["properties"]["code"].is_object());
        assert_eq!(doc["paths"]["/api/v1/submissions"]["get"]["parameters"][0]["in"], "query");
    }
}
