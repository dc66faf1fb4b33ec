//! A briefly cached answer to a public question (statistics): however many anonymous clients ask,
//! the database is asked at most once per time-to-live on each instance, and nobody waits for it
//! but the very first caller. When the value is older than its time-to-live, callers get the old
//! value at once while one background task computes the next (stale-while-revalidate).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::AppResult;

pub struct Cached<T> {
    ttl: Duration,
    value: std::sync::RwLock<Option<(Instant, Arc<T>)>>,
    /// A background refresh is under way.
    refreshing: AtomicBool,
    /// Held while the first value is computed, so that callers arriving together compute it once.
    first: tokio::sync::Mutex<()>,
}

impl<T: Send + Sync + 'static> Cached<T> {
    pub fn new(ttl: Duration) -> Self {
        Cached {
            ttl,
            value: std::sync::RwLock::new(None),
            refreshing: AtomicBool::new(false),
            first: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Option<(Instant, Arc<T>)> {
        self.value.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn store(&self, value: Arc<T>) {
        *self.value.write().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), value));
    }

    /// The cached value; computed by `compute` when there is none yet, refreshed in the background
    /// when it is older than the time-to-live.
    pub async fn get<F, Fut>(self: &Arc<Self>, compute: F) -> AppResult<Arc<T>>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = AppResult<T>> + Send + 'static,
    {
        if let Some((at, value)) = self.current() {
            if at.elapsed() >= self.ttl && !self.refreshing.swap(true, Ordering::AcqRel) {
                let this = self.clone();
                tokio::spawn(async move {
                    // Cleared however the refresh ends, a panic included, or the value would freeze.
                    struct Done<T>(Arc<Cached<T>>);
                    impl<T> Drop for Done<T> {
                        fn drop(&mut self) {
                            self.0.refreshing.store(false, Ordering::Release);
                        }
                    }
                    let done = Done(this);
                    match compute().await {
                        Ok(v) => done.0.store(Arc::new(v)),
                        Err(e) => tracing::warn!(error = %e, "refreshing a cached answer failed; the old one stays"),
                    }
                });
            }
            return Ok(value);
        }
        let _first = self.first.lock().await;
        if let Some((_, value)) = self.current() {
            return Ok(value);
        }
        let value = Arc::new(compute().await?);
        self.store(value.clone());
        Ok(value)
    }
}

/// How long the public answers (statistics, Open311) are fresh, on the server and in the
/// `Cache-Control` it sends.
pub const PUBLIC_TTL: Duration = Duration::from_secs(60);
pub const PUBLIC_MAX_AGE: &str = "public, max-age=60";

/// Rendered public answers (Open311 lists) by their request, for a short time. Bounded in bytes:
/// when it is full of fresh answers, a new one is simply not kept (a flood of distinct queries
/// then meets the bound on concurrent public reads instead).
pub struct AnswerCache {
    ttl: Duration,
    max_bytes: usize,
    answers: std::sync::Mutex<std::collections::HashMap<String, (Instant, &'static str, bytes::Bytes)>>,
}

impl AnswerCache {
    pub fn new(ttl: Duration, max_bytes: usize) -> Self {
        AnswerCache { ttl, max_bytes, answers: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    fn bytes(answers: &std::collections::HashMap<String, (Instant, &'static str, bytes::Bytes)>) -> usize {
        answers.iter().map(|(k, (_, _, b))| k.len() + b.len()).sum()
    }

    /// The content type and body kept for `key`, if fresh.
    pub fn get(&self, key: &str) -> Option<(&'static str, bytes::Bytes)> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.get(key).filter(|(at, _, _)| at.elapsed() < self.ttl).map(|(_, ct, b)| (*ct, b.clone()))
    }

    pub fn put(&self, key: String, content_type: &'static str, body: bytes::Bytes) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        let size = key.len() + body.len();
        if Self::bytes(&answers) + size > self.max_bytes {
            answers.retain(|_, (at, _, _)| at.elapsed() < self.ttl);
            if Self::bytes(&answers) + size > self.max_bytes {
                return;
            }
        }
        answers.insert(key, (Instant::now(), content_type, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    async fn slow(counter: Arc<AtomicU32>, value: u32) -> AppResult<u32> {
        counter.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(value)
    }

    #[test]
    fn answers_are_kept_briefly_and_the_table_is_bounded() {
        let c = AnswerCache::new(Duration::from_secs(60), 4);
        c.put("a".into(), "text/xml", bytes::Bytes::from_static(b"1"));
        c.put("b".into(), "text/xml", bytes::Bytes::from_static(b"2"));
        c.put("c".into(), "text/xml", bytes::Bytes::from_static(b"3"));
        assert_eq!(c.get("a").unwrap().1, "1");
        assert!(c.get("c").is_none(), "full of fresh answers: not kept");
        let stale = AnswerCache::new(Duration::ZERO, 2);
        stale.put("a".into(), "text/xml", bytes::Bytes::from_static(b"1"));
        assert!(stale.get("a").is_none());
    }

    #[tokio::test]
    async fn computes_once_and_refreshes_in_the_background() {
        let cache = Arc::new(Cached::new(Duration::from_millis(100)));
        let computed = Arc::new(AtomicU32::new(0));
        // Twenty callers together: one computation.
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, computed) = (cache.clone(), computed.clone());
            tasks.push(tokio::spawn(async move { *cache.get(move || slow(computed, 1)).await.unwrap() }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // Expired: the old value at once (no wait), and one refresh however many ask.
        tokio::time::sleep(Duration::from_millis(120)).await;
        for _ in 0..10 {
            let c = computed.clone();
            let t = Instant::now();
            assert_eq!(*cache.get(move || slow(c, 2)).await.unwrap(), 1);
            assert!(t.elapsed() < Duration::from_millis(40), "nobody waits for a refresh");
        }
        tokio::time::sleep(Duration::from_millis(80)).await;
        let c = computed.clone();
        assert_eq!(*cache.get(move || slow(c, 3)).await.unwrap(), 2, "the refreshed value");
        assert_eq!(computed.load(Ordering::SeqCst), 2);
    }
}
