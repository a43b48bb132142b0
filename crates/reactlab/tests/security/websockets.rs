//! WebSockets: sessions, the per-user limit, oversized messages.

use super::*;

#[tokio::test]
async fn websockets_need_a_live_session_and_are_limited_per_user() {
    let server = Server::start(&["--max-sockets-per-user", "1"]);
    assert_eq!(ws_handshake(&server, &[]).await, Err(401), "no session");
    let (hal, _) = account(&server, "hal").await;
    let bearer = || vec![("authorization", format!("Bearer {}", hal.token.clone().unwrap()))];
    // Refused attempts take no slot: the one allowed socket still opens after many of them.
    for _ in 0..20 {
        assert_eq!(ws_handshake(&server, &[("authorization", "Bearer forged".into())]).await, Err(401));
    }
    let mut first = hal.socket().await;
    assert_eq!(ws_handshake(&server, &bearer()).await, Err(429), "a second socket for the same user");
    let (ivy, _) = account(&server, "ivy").await;
    let _others = ivy.socket().await;
    first.send(json!({ "type": "dance" })).await;
    assert_eq!(first.next(Duration::from_secs(5)).await["code"], "invalid_message");
    drop(first);
    // The slot is free again once the server has seen the first socket go.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while ws_handshake(&server, &bearer()).await == Err(429) {
        assert!(std::time::Instant::now() < deadline, "the slot of a closed socket was never given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_the_socket() {
    let server = Server::start(&[]);
    let (hal, _) = account(&server, "hal").await;
    let mut socket = hal.socket().await;
    socket.subscribe(&"x".repeat(64 * 1024)).await;
    assert!(socket.closes_within(Duration::from_secs(5)).await, "a 64 KiB message was read");
    let mut again = hal.socket().await;
    again.subscribe("01a20a18-34ca-7657-9f7f-57cc0403a10d").await;
    assert_eq!(again.next(Duration::from_secs(5)).await["code"], "not_found", "ordinary messages are still read");
}
