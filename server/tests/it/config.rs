//! Settings from a TOML file; flags and environment win over it.

use crate::common::*;

fn write_config(dir: &std::path::Path) -> String {
    let path = dir.join("qala.toml");
    std::fs::write(&path, "city_prefix = \"AST\"\nopen311_key = [\"bot:0123456789abcdef0123\"]\n").unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_config_file_sets_what_flags_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let server = TestServer::start_with(&["--config", &config]);
    let resident = Client::resident(&server, &phone(98)).await;
    let r = new_report("road_repair", vec![]);
    resident.push(vec![create_op(r.clone())]).await;
    assert!(resident.my_report(r.id).await.registration_number.starts_with("AST-"));
    // The Open311 key from the file opens the intake.
    let form =
        [("api_key", "0123456789abcdef0123"), ("service_code", "road_repair"), ("lat", "51.13"), ("long", "71.43")];
    let res = http().post(server.url("/open311/v2/requests.json")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);

    // A flag wins over the file.
    let flagged = TestServer::start_with(&["--config", &config, "--city-prefix", "SHY"]);
    let resident = Client::resident(&flagged, &phone(99)).await;
    let r = new_report("road_repair", vec![]);
    resident.push(vec![create_op(r.clone())]).await;
    assert!(resident.my_report(r.id).await.registration_number.starts_with("SHY-"));
}

#[test]
fn an_unknown_setting_in_the_file_stops_the_server_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qala.toml");
    std::fs::write(&path, "city_prefx = \"AST\"\n").unwrap();
    let out = std::process::Command::new(&*BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("city_prefx"));
}
