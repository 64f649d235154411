//! Modules both Luau packages ship. The client package (ReplicatedStorage)
//! cannot require the server package (ServerScriptService), so each holds a
//! file of its own; the runtime's copy is the source and the client's must
//! stay identical to it, byte for byte.

use std::path::Path;

const SHARED: &[&str] = &["Signal.luau"];

#[test]
fn the_client_package_ships_the_runtime_signal_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for name in SHARED {
        let source = std::fs::read_to_string(root.join("runtime").join(name)).unwrap();
        let copy = std::fs::read_to_string(root.join("client").join(name)).unwrap();
        assert!(
            source == copy,
            "templates/client/{name} differs from templates/runtime/{name}; \
             copy the runtime file over the client one (`cp templates/runtime/{name} templates/client/{name}`)"
        );
    }
}
