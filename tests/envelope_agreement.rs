//! The two record decoders agree: `src/core/envelope.rs` (simulator oracles,
//! tooling) and `Envelope.decode` in `templates/runtime/Envelope.luau` (the
//! runtime) judge every case of `tests/runtime/envelope_cases.json` the same
//! way, as the case says: a record either decodes completely or is corrupt.

use std::process::Command;

use serde_json::Value;
use vstore::core::envelope::Envelope;

/// Runs the `vstore` binary from the crate root; success and its output.
fn vstore(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run vstore");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/runtime/envelope_cases.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn name(case: &Value) -> &str {
    case["Name"].as_str().unwrap()
}

fn corrupt(case: &Value) -> bool {
    case["Corrupt"].as_bool().unwrap()
}

#[test]
fn the_rust_decoder_judges_every_case_as_the_case_says() {
    let mut wrong = Vec::new();
    for case in cases() {
        let decoded = Envelope::decode(&case["Record"]);
        if decoded.is_err() != corrupt(&case) {
            wrong.push(format!("{}: {:?}", name(&case), decoded.err()));
        }
    }
    assert!(
        wrong.is_empty(),
        "envelope.rs disagrees:\n{}",
        wrong.join("\n")
    );
}

/// A spec that decodes every case with the runtime's decoder and fails
/// once, naming each case it judges differently.
fn luau_spec(cases: &[Value]) -> String {
    let json = serde_json::to_string(cases).unwrap();
    assert!(!json.contains("]==]"));
    format!(
        r#"local VirtualStore = game:GetService("ServerScriptService").VirtualStore
local Envelope = require(VirtualStore.Envelope) :: any
local cases = game:GetService("HttpService"):JSONDecode([==[{json}]==])
describe("envelope agreement", function()
	it("the runtime decoder judges every case as the case says", function()
		local wrong = {{}}
		for _, case in cases do
			local envelope, code, reason = Envelope.decode(case.Record)
			local corrupt = envelope == nil
			if corrupt ~= case.Corrupt or (corrupt and code ~= "CorruptRecord") then
				table.insert(wrong, case.Name .. " (" .. tostring(reason) .. ")")
			end
		end
		assert(#wrong == 0, "disagrees: " .. table.concat(wrong, "; "))
	end)
end)
"#
    )
}

#[test]
fn the_runtime_decoder_judges_every_case_as_the_case_says() {
    let dir = std::env::temp_dir().join(format!("vstore-envelope-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("agreement.spec.luau"), luau_spec(&cases())).unwrap();
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        "templates/runtime",
        "--specs",
        dir.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(ok, "Envelope.luau disagrees:\n{text}");
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}
