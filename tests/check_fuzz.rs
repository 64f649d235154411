//! No input, however broken, makes the TOML front end or the type parser panic.

use std::path::Path;

use proptest::prelude::*;
use vstore::check::check_text;
use vstore::schema::types;

const SEED: &str = r#"[project]
out = "build"

[types]
Item = "{ Id: string, Count: integer }"

[stores.PlayerData]
kind = "players"
version = 2
settings = { AutoSaveInterval = 60, LeaseTimeout = 180 }

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0, max = 10 }
Inventory = { type = "{Item}", default = [] }
Rank = { type = "\"A\" | \"B\"", default = "A" }

[stores.PlayerData.public]
paths = ["Wallet.Coins", "Inventory"]

[[stores.PlayerData.migrations]]
to = 2
file = "migrations/2.luau"
"#;

fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, op, b) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at % bytes.len();
        let c = b" \n\"'[]{}.=,#:|?abc019-_\\"
            .get((b as usize) % 25)
            .copied()
            .unwrap_or(b'x');
        match op % 3 {
            0 => {
                bytes.remove(i);
            }
            1 => bytes.insert(i, c),
            _ => bytes[i] = c,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_schemas_never_panic(edits in proptest::collection::vec((0usize..4096, 0u8..3, any::<u8>()), 1..12)) {
        let _ = check_text(Path::new("tests/malformed/none"), mutate(SEED, &edits));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = check_text(Path::new("tests/malformed/none"), text);
    }

    #[test]
    fn arbitrary_type_strings_never_panic(text in "[ {}\\[\\]:,?|\"a-zA-Z]{0,60}") {
        if let Ok(p) = types::parse(&text) {
            let rendered = types::render(&p.ty);
            prop_assert!(types::parse(&rendered).is_ok(), "{rendered} does not parse back");
        }
    }
}
