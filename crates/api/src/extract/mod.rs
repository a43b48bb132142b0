//! The extractors: what a handler takes from a request besides the shared state, each
//! refusing a request it cannot read with the API's error shape. The caller
//! ([`CurrentUser`], [`MaybeUser`], [`Admin`]), the client's address ([`ClientAddr`]), a
//! JSON body ([`Body`]) and a query string ([`Params`]).

pub(crate) mod body;
pub(crate) mod client_addr;
pub(crate) mod params;
pub(crate) mod user;

pub use body::{Body, MAX_BODY_BYTES};
pub use client_addr::ClientAddr;
pub use params::Params;
pub use user::{Admin, CurrentUser, MaybeUser, SESSION_COOKIE, authenticate};
