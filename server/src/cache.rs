//! A briefly cached answer to a public question (statistics): however many anonymous clients ask,
//! the database is asked at most once per time-to-live on each instance.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::AppResult;

pub struct Cached<T> {
    ttl: Duration,
    slot: tokio::sync::Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Cached<T> {
    pub fn new(ttl: Duration) -> Self {
        Cached { ttl, slot: tokio::sync::Mutex::new(None) }
    }

    /// The cached value if it is fresh, otherwise a new one from `compute`. Callers that arrive
    /// while it is being computed wait for that one computation instead of starting their own.
    pub async fn get<F, Fut>(&self, compute: F) -> AppResult<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((at, value)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(value.clone());
        }
        let value = Arc::new(compute().await?);
        *slot = Some((Instant::now(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn computes_once_per_ttl_even_when_asked_together() {
        let cache = Arc::new(Cached::new(Duration::from_secs(60)));
        let computed = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, computed) = (cache.clone(), computed.clone());
            tasks.push(tokio::spawn(async move {
                *cache
                    .get(|| async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(7u32)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        let stale = Cached::new(Duration::ZERO);
        stale.get(|| async { Ok(1) }).await.unwrap();
        assert_eq!(*stale.get(|| async { Ok(2) }).await.unwrap(), 2, "an expired value is computed again");
    }
}
