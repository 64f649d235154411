//! The generated `Validators.Versions` of a built package (the advanced
//! example, typed from its `vstore.lock`): the check of each schema version
//! accepts that version's stored data, lets missing fields pass (template
//! defaults fill them at open), and refuses wrong types and other versions'
//! shapes, which is what keeps bad old data from opening as defaults.

use std::path::Path;

use mlua::{Function, Lua, LuaSerdeExt, Table};
use serde_json::{json, Value};

fn versions(lua: &Lua) -> Table {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-examples/advanced");
    let checked = vstore::check::check_project(&root).unwrap_or_else(|_| panic!("advanced checks"));
    let lock = vstore::schema::lock::read(&root).unwrap_or_else(|_| panic!("advanced has a lock"));
    let history = vstore::cli::build::history(&lock);
    let files = vstore::codegen::generate_with_history(&checked.project, &history);
    let source = &files
        .iter()
        .find(|f| f.path == Path::new("PlayerData/Validators.luau"))
        .expect("a Validators module")
        .contents;
    let validators: Table = lua.load(source.as_str()).eval().unwrap();
    validators.get("Versions").unwrap()
}

fn accepts(lua: &Lua, versions: &Table, version: u32, data: Value) -> Result<(), String> {
    let check: Function = versions
        .get(version)
        .unwrap_or_else(|_| panic!("no check for version {version}"));
    let (ok, reason): (bool, Option<String>) = check.call(lua.to_value(&data).unwrap()).unwrap();
    if ok {
        Ok(())
    } else {
        Err(reason.unwrap_or_default())
    }
}

#[test]
fn each_version_check_accepts_its_own_stored_data_and_refuses_other_shapes() {
    let lua = Lua::new();
    let versions = versions(&lua);
    let v1 = json!({ "Coins": 1250, "Level": 12, "XP": 340, "Inventory": [{ "Id": "Sword", "Count": 1 }],
        "Equipped": { "Weapon": "Sword" }, "Quests": { "FirstBlood": { "Progress": 1, "Completed": true } } });
    let v4 = json!({ "Wallet": { "Coins": 500, "Gems": 3, "Reserved": 0 },
        "Progress": { "Level": 2, "XP": 10, "SeasonPoints": 0 }, "Inventory": [], "Equipped": {}, "Quests": {} });
    accepts(&lua, &versions, 1, v1.clone()).unwrap();
    accepts(&lua, &versions, 4, v4.clone()).unwrap();
    let refused = accepts(&lua, &versions, 1, v4).unwrap_err();
    assert!(
        refused.contains("is not a field of this record"),
        "{refused}"
    );
    let refused = accepts(&lua, &versions, 3, json!({ "Wallet": "x" })).unwrap_err();
    assert!(refused.contains("Wallet: expected a table"), "{refused}");
}

#[test]
fn a_missing_field_passes_the_stored_check_but_a_wrong_nested_type_does_not() {
    let lua = Lua::new();
    let versions = versions(&lua);
    accepts(&lua, &versions, 2, json!({ "Wallet": { "Coins": 90 } })).unwrap();
    let refused = accepts(&lua, &versions, 2, json!({ "Wallet": { "Coins": "90" } })).unwrap_err();
    assert!(
        refused.contains("Wallet.Coins: expected an integer"),
        "{refused}"
    );
    let refused = accepts(
        &lua,
        &versions,
        1,
        json!({ "Inventory": [{ "Id": "Sword", "Count": "one" }] }),
    )
    .unwrap_err();
    assert!(refused.contains("Inventory[1].Count"), "{refused}");
}
