fn main() {
    // The root Cargo.toml is the app package (the Tauri CLI wants it beside tauri.conf.json),
    // so capabilities are looked up in src-tauri/ explicitly.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("failed to run the Tauri build script");
}
