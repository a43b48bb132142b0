//! The event bus on Redis pub/sub: any worker publishes, every API process hears it and
//! hands it to the sockets it holds. Pub/sub delivers at most once, so after a lost
//! connection the bus tells listeners to re-read what they watch (a gap event).

use crate::PREFIX;
use crate::connection::{Backoff, Redis, timed};
use async_trait::async_trait;
use futures::StreamExt;
use reactlab_queue::{Event, EventBus, QueueError};
use redis::AsyncCommands;
use std::sync::OnceLock;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

fn channel() -> String {
    format!("{PREFIX}events")
}

pub struct RedisBus {
    redis: Redis,
    sender: broadcast::Sender<Event>,
    /// Started by the first `subscribe`: a process that only publishes (a worker) holds no
    /// subscription.
    listener: OnceLock<JoinHandle<()>>,
}

impl RedisBus {
    /// `capacity` events are kept for slow local receivers.
    pub fn new(redis: Redis, capacity: usize) -> Self {
        RedisBus { redis, sender: broadcast::channel(capacity).0, listener: OnceLock::new() }
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.get() {
            listener.abort();
        }
    }
}

async fn listen(redis: Redis, sender: broadcast::Sender<Event>) {
    let mut backoff = Backoff::default();
    let mut ever_connected = false;
    loop {
        let subscribed = async {
            let mut pubsub = timed(redis.client().get_async_pubsub()).await?;
            timed(pubsub.subscribe(channel())).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        match subscribed.await {
            Ok(mut pubsub) => {
                backoff = Backoff::default();
                if ever_connected {
                    tracing::info!(redis = %redis.display, "redis: event bus subscribed again; listeners re-read what they watch");
                    let _ = sender.send(Event::gap());
                }
                ever_connected = true;
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    match message.get_payload::<String>().map_err(|e| e.to_string()).and_then(|p| serde_json::from_str::<Event>(&p).map_err(|e| e.to_string()))
                    {
                        Ok(event) => drop(sender.send(event)),
                        Err(e) => tracing::warn!("redis: an event that does not parse was ignored: {e}"),
                    }
                }
                tracing::warn!(redis = %redis.display, "redis: event bus connection lost; reconnecting");
            }
            Err(e) => {
                let delay = backoff.next();
                tracing::warn!(redis = %redis.display, attempt = backoff.attempts, "redis: event bus cannot subscribe ({e}); reconnecting in {delay:?}");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: Event) -> Result<(), QueueError> {
        let payload = serde_json::to_string(&event).map_err(|e| QueueError::Unavailable(e.to_string()))?;
        let mut conn = self.redis.connection();
        let _: i64 = timed(conn.publish(channel(), payload)).await.map_err(|e| QueueError::Unavailable(format!("redis: {e}")))?;
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        let receiver = self.sender.subscribe();
        // Listens (reconnecting whenever the subscription drops) from the first subscriber on.
        self.listener.get_or_init(|| tokio::spawn(listen(self.redis.clone(), self.sender.clone())));
        receiver
    }
}
