//! A desktop notification server for the end-to-end tests: a private D-Bus session bus
//! (`dbus-daemon`) with a test server of `org.freedesktop.Notifications` on it, speaking the
//! Desktop Notifications Specification as GNOME's or KDE's servers do. The app shows its
//! notifications there, and the test clicks one (the `ActionInvoked` signal with the `default`
//! action, which is what a click on a notification sends). It stands in for a phone's notification
//! shade, which cannot be reached from these machines.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::object_server::SignalEmitter;

const PATH: &str = "/org/freedesktop/Notifications";

/// A notification as the app sent it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

#[derive(Default)]
struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
    next: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next += 1;
            self.next
        };
        self.shown.lock().unwrap().push(Shown { id, summary, body, actions });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("qala-test".into(), "qala".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action_key: &str) -> zbus::Result<()>;
}

/// The bus and the server on it; both stop when dropped.
pub struct NotifyBus {
    daemon: Child,
    pub address: String,
    conn: zbus::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

impl NotifyBus {
    pub async fn start() -> NotifyBus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed (scripts/lib.sh installs it)");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut line).expect("the bus address");
        let address = line.trim().to_string();
        let shown = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(address.as_str())
            .name("org.freedesktop.Notifications")
            .serve_at(PATH, Server { shown: shown.clone(), next: 0 })
            .build()
            .await
            .expect("connected to the test bus");
        NotifyBus { daemon, address, conn, shown }
    }

    /// Waits for a notification whose body contains `text`.
    pub async fn wait_for(&self, text: &str, timeout: Duration) -> Shown {
        let t0 = Instant::now();
        loop {
            if let Some(s) = self.shown.lock().unwrap().iter().rev().find(|s| s.body.contains(text)) {
                return s.clone();
            }
            let all = self.shown.lock().unwrap().clone();
            assert!(t0.elapsed() < timeout, "no notification with {text:?}; shown: {all:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks a notification, as the resident does.
    pub async fn click(&self, id: u32) {
        let iface = self.conn.object_server().interface::<_, Server>(PATH).await.expect("the server is served");
        Server::action_invoked(iface.signal_emitter(), id, "default").await.expect("the click is sent");
    }
}

impl Drop for NotifyBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
