use crate::QueueError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// News about one submission, already in the shape the WebSocket sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub submission: String,
    /// Its owner: the only one it is delivered to.
    pub user: String,
    pub message: serde_json::Value,
}

impl Event {
    /// Said by a bus that may have missed events (it lost its connection): listeners should
    /// re-read the state they care about, as after `Lagged`.
    pub fn gap() -> Event {
        Event { submission: String::new(), user: String::new(), message: serde_json::json!({ "type": "gap" }) }
    }

    pub fn is_gap(&self) -> bool {
        self.submission.is_empty() && self.message.get("type").and_then(|t| t.as_str()) == Some("gap")
    }
}

#[async_trait]
pub trait EventBus: Send + Sync {
    async fn publish(&self, event: Event) -> Result<(), QueueError>;
    /// Every event published from now on, by any process sharing the bus. A receiver that
    /// falls behind gets `Lagged` and should re-read the state it cares about.
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// The bus of one process.
pub struct LocalBus {
    sender: broadcast::Sender<Event>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        LocalBus { sender: broadcast::channel(capacity).0 }
    }
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, event: Event) -> Result<(), QueueError> {
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(event);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
