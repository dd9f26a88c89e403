//! The log file as written is the log file the Status page reads: a process of its own, since
//! the logger is set once per process.

use pifa_workbench::logs::{self, LogLevel};
use pifa_workbench::{ConnectOptions, ModeChoice, Workbench};

#[test]
fn what_is_logged_is_read_back_newest_first_with_chinese_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("数据");
    logs::start(Some(&data_dir));
    tracing::info!("not a problem");
    tracing::warn!(
        keyword = "保温杯",
        code = "gateway.transient",
        "刷新失败: 网关超时"
    );
    tracing::error!(target: "pifa_app::watches", "checking watches failed");
    tracing::debug!("below the level");

    let workbench = Workbench::open(
        Some(&data_dir),
        ConnectOptions {
            mode: ModeChoice::Demo,
            gateway: None,
            rate: None,
            environment_credentials: false,
        },
    );
    let status = workbench.log_status().unwrap();
    assert_eq!(status.dir, data_dir.join("logs"));
    assert!(status.file.unwrap().starts_with(data_dir.join("logs")));
    let problems: Vec<_> = status
        .problems
        .iter()
        .map(|p| (p.level, p.target.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                LogLevel::Error,
                "pifa_app::watches",
                "checking watches failed"
            ),
            (
                LogLevel::Warn,
                "log_file",
                "刷新失败: 网关超时 keyword=\"保温杯\" code=\"gateway.transient\""
            ),
        ]
    );
}
