//! The desktop the end-to-end tests run the app on: an Xvfb display, tauri-driver (which starts
//! WebKitWebDriver) and a WebDriver session on the real app binary. Each piece is a child process
//! that is stopped when dropped — tauri-driver with SIGTERM, or WebKitWebDriver keeps its port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// The app binary, built beside the test binary (with its UI embedded).
pub static APP: std::sync::LazyLock<PathBuf> = std::sync::LazyLock::new(|| crate::workspace_bin("qala-app"));

pub struct Display {
    child: Child,
    pub name: String,
}

impl Display {
    /// A fresh Xvfb on the first free display number from 90.
    pub fn start() -> Display {
        for n in 90..130 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                continue;
            }
            let child = Command::new("Xvfb")
                .args([format!(":{n}").as_str(), "-screen", "0", "1024x900x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb is installed (scripts/lib.sh installs it)");
            let socket = format!("/tmp/.X11-unix/X{n}");
            let t0 = Instant::now();
            while !Path::new(&socket).exists() {
                assert!(t0.elapsed() < Duration::from_secs(10), "Xvfb :{n} did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            return Display { child, name: format!(":{n}") };
        }
        panic!("no free X display number");
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    /// tauri-driver on `port` (WebKitWebDriver on `port + 1`), with `env` passed on to the app.
    pub fn start(display: &Display, port: u16, env: &[(&str, &str)]) -> Driver {
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
            .env("DISPLAY", &display.name)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Driver { child: cmd.spawn().expect("tauri-driver is installed (scripts/lib.sh installs it)"), port }
    }

    /// A WebDriver session on the app; the app starts with it.
    pub async fn session(&self) -> Client {
        eprintln!("[e2e] new session");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": APP.to_string_lossy() }));
        connect(self.port, caps).await
    }
}

/// A WebDriver session from the driver on `port` (tauri-driver, chromedriver), waiting up to 30 s
/// for the driver to listen.
pub async fn connect(port: u16, caps: serde_json::Map<String, serde_json::Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    loop {
        match ClientBuilder::native().capabilities(caps.clone()).connect(&url).await {
            Ok(c) => return c,
            Err(_) if t0.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session on {url}: {e}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let cargo_bin = home.join(".cargo/bin/tauri-driver");
    if cargo_bin.exists() { cargo_bin } else { "tauri-driver".into() }
}

/// Where screenshots go: `artifacts/screenshots` at the top of the repository.
pub fn shots_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots");
    std::fs::create_dir_all(&d).expect("screenshot folder");
    d
}

/// The app as a resident handles it: finds, waits, taps (counted), types, and takes screenshots.
pub struct App {
    pub c: Client,
    pub taps: u32,
    prefix: &'static str,
}

impl App {
    pub fn new(c: Client, prefix: &'static str) -> App {
        App { c, taps: 0, prefix }
    }

    /// Waits up to 20 s for an element.
    pub async fn find(&self, css: &str) -> Element {
        self.find_within(css, Duration::from_secs(20)).await
    }

    pub async fn find_within(&self, css: &str, timeout: Duration) -> Element {
        eprintln!("[e2e] find {css}");
        match self.c.wait().at_most(timeout).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                self.shot("missing").await;
                let source = self.c.source().await.unwrap_or_default();
                panic!("no {css} within {timeout:?}: {e}\npage: {}", &source[..source.len().min(3000)]);
            }
        }
    }

    pub async fn tap(&mut self, css: &str) {
        self.taps += 1;
        let e = self.find(css).await;
        // As a resident scrolls to it: the middle of the screen, clear of the bars.
        let arg = serde_json::to_value(&e).expect("element reference");
        self.c.execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg]).await.ok();
        if let Err(e) = e.click().await {
            self.shot("tap-failed").await;
            panic!("tap {css}: {e:?}");
        }
    }

    /// Types into a field and leaves it (so its change event fires), without counting a tap.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.ok();
        e.send_keys(text).await.unwrap_or_else(|err| panic!("type into {css}: {err}"));
        self.c.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// Waits until `css`'s text satisfies `pred`; returns the text.
    pub async fn wait_text(&self, css: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let t0 = Instant::now();
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
                && pred(&t)
            {
                return t;
            }
            if t0.elapsed() > timeout {
                let now = match self.c.find(Locator::Css(css)).await {
                    Ok(e) => e.text().await.unwrap_or_default(),
                    Err(_) => "(absent)".into(),
                };
                self.shot("timeout").await;
                panic!("{css} never matched within {timeout:?}; it says {now:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn shot(&self, name: &str) {
        eprintln!("[e2e] screenshot {name}");
        // Let the last render and images settle.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(shots_dir().join(format!("{}-{name}.png", self.prefix)), png).expect("write screenshot");
    }
}

/// A real photo (decodable, with a gradient and shapes) written to `path`.
pub fn photo(path: &Path, seed: u8) {
    let img = image::RgbImage::from_fn(1200, 900, |x, y| {
        let r = ((x / 5) as u8).wrapping_add(seed);
        let g = ((y / 4) as u8).wrapping_mul(2);
        let b = if (x / 100 + y / 100) % 2 == 0 { 180 } else { 60 };
        image::Rgb([r, g, b])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg).expect("write photo");
}
