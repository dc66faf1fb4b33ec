//! Limits that protect the server from one client: counters per client address kept in memory,
//! the client's address itself (behind trusted proxies only), and the bound on concurrent password
//! checks. They sit in front of the database: a request over its limit is refused before it costs a
//! query, a hash or the write lock.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts events per client address in fixed windows, in memory (per instance). A burst across a
/// window's edge may reach twice the limit. The map is bounded: when it is full of live windows
/// (a flood from more addresses than any real audience has at once), it is cleared — the flood's
/// counters start again, but no new client is ever refused for want of room, and clearing costs
/// once per `capacity` new addresses.
pub struct AddrLimiter {
    max: u32,
    window: Duration,
    capacity: usize,
    counts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl AddrLimiter {
    pub fn new(max: u32, window: Duration, capacity: usize) -> Self {
        AddrLimiter { max, window, capacity, counts: Mutex::new(HashMap::new()) }
    }

    fn key(addr: IpAddr) -> IpAddr {
        addr_key(addr)
    }

    /// Seconds until `addr` may go on, if it has used up its window.
    pub fn blocked(&self, addr: IpAddr) -> Option<u64> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (start, n) = counts.get(&Self::key(addr))?;
        let left = self.window.checked_sub(start.elapsed())?;
        (*n >= self.max).then(|| left.as_secs().max(1))
    }

    /// Counts one event of `addr`; `Err(retry_after_s)` when it is over its limit (the event is
    /// then not counted).
    pub fn hit(&self, addr: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let key = Self::key(addr);
        if !counts.contains_key(&key) && counts.len() >= self.capacity {
            tracing::warn!(
                capacity = self.capacity,
                "address table full: a flood from many addresses; counters cleared"
            );
            counts.clear();
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The client a limit counts: IPv6 clients get a /64 each from their provider, so they are
/// counted per /64, or one phone could walk through 2^64 addresses.
pub fn addr_key(addr: IpAddr) -> IpAddr {
    match addr {
        // An IPv4 client seen through an IPv6 socket is that IPv4 client.
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `::1/128`; a bare address is the host alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Net {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, p) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = a.parse().map_err(|_| format!("{s:?} is not an IP address or network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("{s:?}: bad prefix length"))?,
            None => max,
        };
        Ok(Net { addr, prefix })
    }
}

impl Net {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest address
/// in `X-Forwarded-For` (read from the right; several header lines count as one list, in order)
/// that is not itself a trusted proxy. Anything a client writes into that header before it
/// reaches our proxies is ignored.
pub fn client_addr(peer: SocketAddr, forwarded_for: Option<&str>, trusted: &[Net]) -> IpAddr {
    let trusted_ip = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.ip();
    if !trusted_ip(client) {
        return client;
    }
    // At most a few hops are believed: a header of thousands of entries costs nothing more.
    for hop in forwarded_for.unwrap_or_default().rsplit(',').take(8) {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted_ip(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn limits_per_address_and_per_v6_prefix() {
        let l = AddrLimiter::new(2, Duration::from_secs(60), 100);
        assert!(l.hit(ip("10.0.0.1")).is_ok() && l.hit(ip("10.0.0.1")).is_ok());
        assert!(l.hit(ip("10.0.0.1")).is_err());
        assert!(l.blocked(ip("10.0.0.1")).is_some());
        assert!(l.hit(ip("10.0.0.2")).is_ok(), "another address has its own window");
        assert!(l.hit(ip("2001:db8::1")).is_ok() && l.hit(ip("2001:db8::ffff")).is_ok());
        assert!(l.hit(ip("2001:db8::1:2:3:4")).is_err(), "one /64");
        let expired = AddrLimiter::new(1, Duration::ZERO, 100);
        assert!(expired.hit(ip("10.0.0.1")).is_ok() && expired.hit(ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn a_full_table_never_refuses_a_new_address() {
        let l = AddrLimiter::new(1, Duration::from_secs(60), 2);
        assert!(l.hit(ip("10.0.0.1")).is_ok() && l.hit(ip("10.0.0.2")).is_ok());
        assert!(l.hit(ip("10.0.0.1")).is_err());
        assert!(l.hit(ip("10.0.0.3")).is_ok(), "a newcomer gets in");
        assert!(l.hit(ip("10.0.0.3")).is_err(), "and is counted");
    }

    #[test]
    fn mapped_ipv4_is_the_ipv4_client() {
        let l = AddrLimiter::new(1, Duration::from_secs(60), 100);
        assert!(l.hit(ip("::ffff:203.0.113.9")).is_ok());
        assert!(l.hit(ip("203.0.113.9")).is_err(), "the same client");
        assert!(l.hit(ip("::ffff:203.0.113.10")).is_ok(), "not one bucket for all IPv4");
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let proxies: Vec<Net> = vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()];
        let peer = |s: &str| SocketAddr::new(ip(s), 1234);
        // Straight from the internet: the header is the client's own claim.
        assert_eq!(client_addr(peer("203.0.113.5"), Some("1.2.3.4"), &proxies), ip("203.0.113.5"));
        // Through our proxy: the nearest untrusted hop, whatever the client wrote before it.
        assert_eq!(client_addr(peer("10.1.2.3"), Some("6.6.6.6, 198.51.100.7"), &proxies), ip("198.51.100.7"));
        assert_eq!(client_addr(peer("10.1.2.3"), Some("198.51.100.7, 10.9.9.9"), &proxies), ip("198.51.100.7"));
        assert_eq!(client_addr(peer("::1"), None, &proxies), ip("::1"));
        assert_eq!(client_addr(peer("10.1.2.3"), Some("garbage"), &proxies), ip("10.1.2.3"));
        assert!("10.0.0.0/33".parse::<Net>().is_err() && "nonsense".parse::<Net>().is_err());
        assert!("::ffff:10.0.0.0/104".parse::<Net>().is_ok());
        assert!("0.0.0.0/0".parse::<Net>().unwrap().contains(ip("8.8.8.8")));
    }
}
