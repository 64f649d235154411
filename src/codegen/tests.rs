use std::collections::BTreeMap;
use std::path::PathBuf;

use super::shape::observed_paths;
use super::*;
use crate::core::api::{self, Owner};
use crate::schema::model::{Field, Leaderboard, Migration, Operation, StoreKind, TemplateField};

fn int(min: Option<i64>) -> Type {
    Type::Integer { min, max: None }
}

pub(crate) fn sample_project() -> Project {
    let item = Type::Record(vec![
        Field {
            name: "Id".into(),
            ty: Type::String { max_len: Some(32) },
        },
        Field {
            name: "Count".into(),
            ty: int(Some(1)),
        },
    ]);
    let shape = Type::Record(vec![
        Field {
            name: "Wallet".into(),
            ty: Type::Record(vec![
                Field {
                    name: "Coins".into(),
                    ty: int(Some(0)),
                },
                Field {
                    name: "Gems".into(),
                    ty: int(Some(0)),
                },
            ]),
        },
        Field {
            name: "Inventory".into(),
            ty: Type::Array(Box::new(Type::Named("Item".into()))),
        },
        Field {
            name: "Title".into(),
            ty: Type::Optional(Box::new(Type::Enum(vec!["Rookie".into(), "Pro".into()]))),
        },
    ]);
    let template = vec![
        TemplateField {
            path: vec!["Wallet".into(), "Coins".into()],
            ty: int(Some(0)),
            default: serde_json::json!(0),
            span: Default::default(),
            private: None,
        },
        TemplateField {
            path: vec!["Wallet".into(), "Gems".into()],
            ty: int(Some(0)),
            default: serde_json::json!(0),
            span: Default::default(),
            private: None,
        },
        TemplateField {
            path: vec!["Inventory".into()],
            ty: Type::Array(Box::new(Type::Named("Item".into()))),
            default: serde_json::json!([]),
            span: Default::default(),
            private: None,
        },
    ];
    let mut settings = BTreeMap::new();
    settings.insert("StrictData".to_string(), serde_json::json!(true));
    settings.insert("AuditLogLimit".to_string(), serde_json::json!(50));
    Project {
        root: PathBuf::from("."),
        out: PathBuf::from("build"),
        types: vec![("Item".into(), item)],
        stores: vec![Store {
            name: "PlayerData".into(),
            kind: StoreKind::Players,
            version: 2,
            settings,
            shape,
            template,
            defaults: serde_json::json!({ "Wallet": { "Coins": 0, "Gems": 0 }, "Inventory": [] }),
            public: vec![vec!["Wallet".into(), "Coins".into()], vec!["Inventory".into()]],
            channel: "PlayerData".into(),
            migrations: vec![Migration { to: 2, file: "migrations/PlayerData/2.luau".into(), source: "--!strict\nreturn function(old: V1): V2\n\treturn old :: any\nend\n".into() }],
            operations: vec![Operation {
                name: "GrantMatchReward".into(),
                payload: Type::Record(vec![Field { name: "Coins".into(), ty: int(Some(0)) }]),
                writes: vec![vec!["Wallet".into(), "Coins".into()]],
                file: "operations/GrantMatchReward.luau".into(),
                source: "return function(profile: Data, payload: Payload)\n\tprofile.Wallet.Coins += payload.Coins\n\treturn profile.Wallet.Coins\nend\n".into(),
            }],
            leaderboards: vec![],
        }],
        typescript: false,
    }
}

fn file<'a>(files: &'a [OutFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| slash(&f.path) == path)
        .unwrap_or_else(|| panic!("{path} not emitted"))
        .contents
}

#[test]
fn generation_is_byte_identical_across_runs() {
    let p = sample_project();
    assert_eq!(generate(&p), generate(&p));
}

#[test]
fn every_luau_file_starts_with_header_then_strict() {
    for f in generate(&sample_project()) {
        if slash(&f.path).ends_with(".luau") {
            let mut lines = f.contents.lines();
            assert_eq!(
                lines.next(),
                Some(header().as_str()),
                "{}",
                f.path.display()
            );
            assert_eq!(lines.next(), Some("--!strict"), "{}", f.path.display());
        }
    }
}

#[test]
fn store_module_configures_the_players_facade() {
    let files = generate(&sample_project());
    let init = file(&files, "PlayerData/init.luau");
    assert!(init.contains("local facade = VirtualStore.players({"));
    assert!(init.contains("SchemaVersion = 2,"));
    assert!(init.contains("[2] = require(script.Migrations[\"2\"]),"));
    assert!(init.contains("\tGrantMatchReward = {\n\t\tCheck = Validators.GrantMatchRewardPayload,\n\t\tHandler = require(script.Operations[\"GrantMatchReward\"]),\n\t},\n"));
    assert!(init.contains("\tOperations = handlers,\n"));
    assert!(init.contains("{ \"Wallet\", \"Coins\" },"));
    assert!(init.contains("Validate = Validators.Data,"));
    assert!(init.contains("StrictData = true,"));
}

#[test]
fn keyed_stores_use_the_core_store_factory() {
    let mut p = sample_project();
    p.stores[0].kind = StoreKind::Keyed;
    assert!(file(&generate(&p), "PlayerData/init.luau")
        .contains("\nlocal store = VirtualStore.new({\n"));
}

#[test]
fn validators_are_specialised_per_type() {
    let files = generate(&sample_project());
    let v = file(&files, "PlayerData/Validators.luau");
    assert!(v.contains("local function checkItem(value: any, path: string): string?"));
    assert!(v.contains("math.floor(field4) ~= field4"));
    assert!(v.contains("return \"Wallet.Coins: must be at least 0\""));
    assert!(v.contains("utf8.len("));
    assert!(
        v.contains("function Validators.GrantMatchRewardPayload(value: any): (boolean, string?)")
    );
}

#[test]
fn client_projection_keeps_only_public_paths() {
    let files = generate(&sample_project());
    let c = file(&files, "PlayerDataClient/init.luau");
    assert!(c.contains("export type PublicData = {\n\tread Wallet: {\n\t\tread Coins: number,\n\t},\n\tread Inventory: { Item },\n}"));
    assert!(!c.contains("Gems"));
    assert!(c.contains(
        "\nBindings.ObserveWalletCoins = observer(\"Wallet.Coins\") :: Observer<number>\n"
    ));
    assert!(c.contains("export type Item = {\n\tread Id: string,\n\tread Count: number,\n}"));
    assert!(c.contains("export type PublicPath = \"Wallet.Coins\" | \"Inventory\"\n"));
}

#[test]
fn client_module_public_surface_has_no_any() {
    let files = generate(&sample_project());
    let c = file(&files, "PlayerDataClient/init.luau");
    let surface: Vec<&str> = c
        .lines()
        .filter(|l| {
            l.starts_with("export type")
                || l.starts_with("function Bindings.")
                || l.starts_with("Bindings.Observe")
                || l.starts_with('\t') && l.contains("(self: Replica")
        })
        .collect();
    assert!(surface.len() > 10, "{surface:#?}");
    for line in surface {
        assert!(!line.contains("any"), "{line}");
    }
    assert!(c.contains("function Bindings.connect(): Replica\n"));
    assert!(c.contains("\tGet: (self: Replica) -> PublicData,\n"));
    assert!(c.contains("\tGetState: (self: Replica) -> State,\n"));
}

#[test]
fn a_public_record_gets_observers_for_its_nested_leaves() {
    let mut p = sample_project();
    p.stores[0].public = vec![vec!["Wallet".into()], vec!["Title".into()]];
    let observed = observed_paths(&p, &p.stores[0]);
    let names: Vec<(&str, &str)> = observed
        .iter()
        .map(|o| (o.name.as_str(), o.key.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Wallet", "Wallet"),
            ("Title", "Title"),
            ("WalletCoins", "Wallet.Coins"),
            ("WalletGems", "Wallet.Gems"),
        ]
    );
    let c = file(&generate(&p), "PlayerDataClient/init.luau").to_string();
    assert!(c.contains(
        "\nBindings.ObserveWalletGems = observer(\"Wallet.Gems\") :: Observer<number>\n"
    ));
    assert!(c.contains(
        "\nBindings.ObserveTitle = observer(\"Title\") :: Observer<(\"Rookie\" | \"Pro\")?>\n"
    ));
    assert!(c.contains("\t[\"Wallet.Gems\"] = { \"Wallet\", \"Gems\" },\n"));
}

#[test]
fn typings_are_emitted_only_when_typescript_is_on() {
    let mut p = sample_project();
    assert!(generate(&p)
        .iter()
        .all(|f| !slash(&f.path).ends_with(".d.ts")));
    p.typescript = true;
    let files = generate(&p);
    let server = file(&files, "PlayerData/index.d.ts");
    assert!(
        server.contains("declare const PlayerData: PlayerData.Facade;\n\nexport = PlayerData;\n")
    );
    assert!(server.contains("\t\tSet(player: Player, path: readonly [\"Wallet\", \"Coins\"], value: number, options?: MutationOptions): LuaTuple<[boolean, VirtualError | undefined]>;\n"));
    assert!(server.contains("name: \"GrantMatchReward\", payload: GrantMatchRewardPayload"));
    assert!(server.contains("\t\tTitle?: \"Rookie\" | \"Pro\";\n"));
    let client = file(&files, "PlayerDataClient/index.d.ts");
    assert!(client.contains("export interface PublicValues {\n\treadonly \"Wallet.Coins\": number;\n\treadonly \"Inventory\": ReadonlyArray<Item>;\n}"));
    assert!(client.contains("export declare function ObserveWalletCoins(replica: Replica, callback: (value: number) => void): Connection;"));
    assert!(!client.contains("Gems"));
    let manifest = file(&files, MANIFEST);
    assert!(manifest.contains("PlayerData/index.d.ts\nPlayerData/init.luau\n"));
}

#[test]
fn user_handler_text_follows_type_aliases() {
    let files = generate(&sample_project());
    let op = file(&files, "PlayerData/Operations/GrantMatchReward.luau");
    assert!(op.contains("type Payload = Types.GrantMatchRewardPayload\n"));
    assert!(op.ends_with("\treturn profile.Wallet.Coins\nend\n"));
    let m = file(&files, "PlayerData/Migrations/2.luau");
    assert_eq!(m.matches("--!strict").count(), 1);
    assert!(m.contains("type V1 = Types.V1\ntype V2 = Types.V2\n"));
}

#[test]
fn rojo_fragment_places_server_and_client_modules() {
    let files = generate(&sample_project());
    let json: serde_json::Value =
        serde_json::from_str(file(&files, PROJECT_FRAGMENT)).expect("valid json");
    assert_eq!(
        json["tree"]["ServerScriptService"]["PlayerData"]["$path"],
        "PlayerData"
    );
    assert_eq!(
        json["tree"]["ServerScriptService"]["VirtualStore"]["$path"],
        "VirtualStore"
    );
    assert_eq!(
        json["tree"]["ReplicatedStorage"]["PlayerDataClient"]["$path"],
        "PlayerDataClient"
    );
}

#[test]
fn every_generated_luau_file_parses() {
    for f in generate(&sample_project()) {
        if slash(&f.path).ends_with(".luau") {
            if let Err(errors) =
                full_moon::parse_fallible(&f.contents, full_moon::LuaVersion::luau()).into_result()
            {
                panic!(
                    "{} does not parse: {errors:?}\n{}",
                    f.path.display(),
                    f.contents
                );
            }
        }
    }
}

fn run_validator(data: &str) -> (bool, Option<String>) {
    let files = generate(&sample_project());
    let lua = mlua::Lua::new();
    let validators: mlua::Table = lua
        .load(file(&files, "PlayerData/Validators.luau"))
        .eval()
        .expect("validators load");
    let check: mlua::Function = validators.get("Data").expect("Data validator");
    let value: mlua::Value = lua
        .load(format!("return {data}"))
        .eval()
        .expect("data literal");
    check.call(value).expect("validator runs")
}

#[test]
fn data_validator_accepts_the_template_and_names_failing_paths() {
    assert_eq!(
        run_validator(
            "{ Wallet = { Coins = 5, Gems = 0 }, Inventory = { { Id = \"Sword\", Count = 1 } } }"
        ),
        (true, None)
    );
    assert_eq!(
        run_validator("{ Wallet = { Coins = 1.5, Gems = 0 }, Inventory = {} }")
            .1
            .as_deref(),
        Some("Wallet.Coins: expected a whole number")
    );
    assert_eq!(
        run_validator("{ Wallet = { Coins = -1, Gems = 0 }, Inventory = {} }")
            .1
            .as_deref(),
        Some("Wallet.Coins: must be at least 0")
    );
    assert_eq!(
        run_validator(
            "{ Wallet = { Coins = 0, Gems = 0 }, Inventory = { { Id = \"x\", Count = 0 } } }"
        )
        .1
        .as_deref(),
        Some("Inventory[1].Count: must be at least 1")
    );
    assert_eq!(
        run_validator("{ Wallet = { Coins = 0, Gems = 0 }, Inventory = {}, Title = \"Boss\" }")
            .1
            .as_deref(),
        Some("Title: expected one of \"Rookie\", \"Pro\"")
    );
    assert_eq!(
        run_validator("{ Wallet = { Coins = 0, Gems = 0 }, Inventory = {}, Extra = 1 }")
            .1
            .as_deref(),
        Some("Extra: is not a field of this record")
    );
    assert_eq!(
        run_validator("{ Wallet = { Coins = math.huge, Gems = 0 }, Inventory = {} }")
            .1
            .as_deref(),
        Some("Wallet.Coins: expected a whole number")
    );
}

/// Names of the members of the table type `export type <name> = { ... }`.
fn type_members(text: &str, name: &str) -> BTreeSet<String> {
    let start = text
        .find(&format!("export type {name} = {{\n"))
        .unwrap_or_else(|| panic!("a {name} type"));
    let body = &text[start..];
    let body = &body[..body.find("\n}\n").expect("end of the type")];
    body.lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .filter(|l| !l.starts_with('\t') && !l.starts_with(')'))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.to_string()))
        .collect()
}

/// Every name (aliases included) the API table gives `owner`, plus `extra`.
fn table_members(owner: Owner, extra: &[&str]) -> BTreeSet<String> {
    api::members(owner)
        .flat_map(|m| std::iter::once(m.name).chain(m.aliases.iter().copied()))
        .chain(extra.iter().copied())
        .map(str::to_string)
        .collect()
}

#[test]
fn typed_player_facade_declares_every_member_of_the_api_table() {
    let files = generate(&sample_project());
    let init = file(&files, "PlayerData/init.luau");
    assert_eq!(
        type_members(init, "Facade"),
        table_members(Owner::Facade, &["Fields"])
    );
    assert_eq!(
        type_members(init, "Session"),
        table_members(Owner::Session, &[])
    );
    assert_eq!(
        type_members(init, "KeyedStore"),
        table_members(Owner::Store, &[])
    );
    assert!(init.contains("\tGet: (self: Facade, player: Player) -> (Data?, VirtualError?),\n"));
    assert!(init.contains("\tLoaded: Signal<Player, Data, Session>,\n"));
    assert!(init.contains("\tOnSaved: Signal<SaveInfo>,\n"));
    assert!(init.contains("export type SaveInfo = {\n\tKind: CommitKind,\n"));
    assert!(init.contains("export type OperationName = \"GrantMatchReward\"\n"));
    assert!(init.contains("export type OperationPayload = Types.GrantMatchRewardPayload\n"));
    assert!(init.ends_with(
        "local module: any = facade\nmodule.Fields = fields\n\nreturn module :: Facade\n"
    ));
}

fn keyed_init() -> String {
    let mut p = sample_project();
    p.stores[0].kind = StoreKind::Keyed;
    file(&generate(&p), "PlayerData/init.luau").to_string()
}

#[test]
fn typed_keyed_store_declares_every_member_of_the_api_table() {
    let init = keyed_init();
    assert_eq!(
        type_members(&init, "KeyedStore"),
        table_members(Owner::Store, &["Fields"])
    );
    assert!(!init.contains("export type Facade"));
    assert!(init.contains(
        "\tOpenAsync: (self: KeyedStore, key: string, options: OpenOptions?) -> (Session?, VirtualError?),\n"
    ));
    assert!(init.contains(
        "\tViewAsync: (self: KeyedStore, key: string) -> (Data?, VirtualError?, { [string]: any }?),\n"
    ));
    assert!(init.contains("\t\tcallback: (profile: Data) -> ...any,\n\t\toptions: { [string]: any }?\n\t) -> (Data?, VirtualError?),\n"));
    assert!(init.contains("\t\tname: OperationName,\n\t\tpayload: OperationPayload\n\t) -> (OperationStatus?, VirtualError?),\n"));
    assert!(init.contains("\tSessionOpened: Signal<Session>,\n"));
    assert!(init.ends_with(
        "local module: any = store\nmodule.Fields = fields\n\nreturn module :: KeyedStore\n"
    ));
}

#[test]
fn typed_keyed_session_declares_every_member_of_the_api_table() {
    let init = keyed_init();
    assert_eq!(
        type_members(&init, "Session"),
        table_members(Owner::Session, &[])
    );
    assert!(init.contains("\tData: Data,\n"));
    assert!(init.contains("\tGetData: (self: Session) -> Data,\n"));
    assert!(init
        .contains("\tGet: ((self: Session) -> Data) & ((self: Session, path: Path) -> any?),\n"));
    assert!(init.contains("export type OperationName = \"GrantMatchReward\"\n"));
    assert!(init.contains("export type OperationPayload = Types.GrantMatchRewardPayload\n"));
}

#[test]
fn every_template_field_gets_a_typed_helper_of_its_kind() {
    let players = file(&generate(&sample_project()), "PlayerData/init.luau").to_string();
    assert!(players.contains("export type FieldHelpers = {\n\tWalletCoins: NumberField,\n\tWalletGems: NumberField,\n\tInventory: ListField<{ Types.Item }, Types.Item>,\n}\n"));
    assert!(players.contains("\tWalletCoins = field(Types.Paths.WalletCoins),\n"));
    assert!(players.contains("\tSet: (self: NumberField, player: Player, value: number, options: MutationOptions?) -> (boolean, VirtualError?),\n"));
    assert!(players.contains("function FieldMethods.Insert(self: any, player: any, value: any, index: any, options: any)\n\treturn facade:Insert(player, self.Path, value, index, options)\nend\n"));
    assert!(
        !type_members(&players, "Field<T>").contains("Add"),
        "a plain field has no Add"
    );
    assert!(type_members(&players, "ListField<T, E>").contains("Insert"));
    let keyed = keyed_init();
    assert!(keyed.contains("\tIncrement: (\n\t\tself: NumberField,\n\t\tsession: Session,\n"));
    assert!(keyed.contains("function FieldMethods.Get(self: any, session: any)\n\treturn session:Get(self.Path)\nend\n"));
}

#[test]
fn a_keyed_store_without_operations_takes_no_operation_name() {
    let mut p = sample_project();
    p.stores[0].kind = StoreKind::Keyed;
    p.stores[0].operations.clear();
    let init = file(&generate(&p), "PlayerData/init.luau").to_string();
    assert!(init.contains("export type OperationName = never\n"));
    assert!(init.contains("export type OperationPayload = never\n"));
    assert!(!init.contains("withPayload"));
    assert!(!init.contains("Operations = "));
}

fn board(name: &str, path: &[&str]) -> Leaderboard {
    Leaderboard {
        name: name.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
        ascending: false,
        settings: BTreeMap::new(),
    }
}

#[test]
fn leaderboards_are_bound_from_one_list_whatever_their_names() {
    let mut p = sample_project();
    let long = "SeasonalGuildTrophiesAcrossAllRegionsCombined";
    p.stores[0].leaderboards = vec![
        board("end", &["Wallet", "Coins"]),
        board(long, &["Wallet", "Gems"]),
    ];
    let init = file(&generate(&p), "PlayerData/init.luau").to_string();
    assert!(init.contains("local BINDINGS = {\n\t{\n\t\tIndex = Leaderboards[\"end\"],\n\t\tPath = {\n\t\t\t\"Wallet\",\n\t\t\t\"Coins\",\n\t\t},\n\t},\n"));
    assert!(init.contains(&format!("\t\tIndex = Leaderboards.{long},\n")));
    assert!(init.contains("\tfor _, binding in BINDINGS do\n\t\tbinding.Index:BindSession(session, key, binding.Path, { ProjectNow = true })\n"));
}
