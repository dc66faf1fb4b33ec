//! Cold start of the real app under Xvfb: from asking tauri-driver for a session (which launches
//! the app binary) to the first interactive screen (Home with its "Report a problem" button),
//! with a fresh data folder each time. Prints each run and the median; the goal is ≤ 1.0 s.
//! Run: `cargo bench -p qala-journeys --bench startup` (after the UI is built).

use std::time::{Duration, Instant};

use fantoccini::Locator;
use qala_journeys::desktop::{Display, Driver};

const RUNS: usize = 7;

#[tokio::main]
async fn main() {
    let display = Display::start();
    let mut times = vec![];
    for run in 0..=RUNS {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap().to_string();
        // No server: start-up must not wait for the network.
        let driver = Driver::start(&display, 4644, &[("QALA_DATA_DIR", &data), ("QALA_SERVER", "http://127.0.0.1:9")]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = Instant::now();
        let c = driver.session().await;
        let launched = t0.elapsed();
        c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#new-report")).await.expect("Home");
        let ready = t0.elapsed();
        c.close().await.ok();
        drop(driver);
        // The first run warms the page cache for the binary and WebKit; it is not counted.
        if run > 0 {
            println!("run {run}: app launched and WebDriver attached {launched:?}, Home interactive {ready:?}");
            times.push(ready);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("cold start to first interactive screen: median {median:?} over {RUNS} runs (goal ≤ 1 s)");
}
