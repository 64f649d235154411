//! The spec's API reference as a checklist, name for name. Each list below is
//! copied by hand from the product spec (entry points, player facade, Store,
//! Session, OrderedIndex, client replica, signals, settings with defaults,
//! states and error codes, optional patterns). The names are checked against
//! the real runtime: a generated spec constructs a facade, a Store, an open
//! Session, an OrderedIndex and a client replica in the simulator and inspects
//! the live objects; only the state/status string unions, which exist as types
//! rather than values, are read from the source text.

mod cli_support;

use cli_support::{vstore, Mutant};
use std::fmt::Write as _;

/// §1 entry points on the server module.
const ENTRY_FUNCTIONS: &[&str] = &["players", "new"];

/// §2 player facade methods (both spellings of each pair).
const FACADE_METHODS: &[&str] = &[
    "Wait",
    "Await",
    "IsLoaded",
    "GetSession",
    "Get",
    "GetPath",
    "Add",
    "Increment",
    "Set",
    "Patch",
    "Insert",
    "Remove",
    "Edit",
    "Update",
    "WithLock",
    "WithLockTransaction",
    "DeliverAsync",
    "DeliverAndWaitAsync",
    "GetDeliveryAsync",
    "CheckpointAsync",
    "SaveAsync",
    "ReplicateNow",
    "ReleaseAsync",
    "CloseAsync",
];

/// §2 facade fields holding the optional pattern helpers (§14).
const FACADE_PATTERNS: &[&str] = &["Cooldowns", "Daily", "Purchases", "Offline", "Effects"];

/// §3.1 to §3.4 Store methods.
const STORE_METHODS: &[&str] = &[
    "OpenAsync",
    "ViewAsync",
    "UpdateAsync",
    "GetSession",
    "IsOpen",
    "CloseAsync",
    "GetDiagnostics",
    "IsCritical",
    "QueueOperationAsync",
    "GetOperationAsync",
    "AwaitOperationAsync",
    "ListVersionsAsync",
    "ViewVersionAsync",
    "ViewAtTimeAsync",
    "RestoreVersionAsync",
    "GetDeleteConfirmation",
    "DeleteAsync",
    "InspectMetadataAsync",
    "ListPendingOperationsAsync",
    "ListDeadLettersAsync",
    "ClearPendingOperationAsync",
    "ForceFailOperationAsync",
    "RequeueDeadLetterAsync",
    "ForceReleaseLeaseAsync",
    "CompactLedgersAsync",
];

/// §4 Session methods.
const SESSION_METHODS: &[&str] = &[
    "IsActive",
    "GetState",
    "GetData",
    "Get",
    "Snapshot",
    "GetMetadata",
    "GetTag",
    "SetTag",
    "AddUserId",
    "RemoveUserId",
    "Reconcile",
    "Transaction",
    "Set",
    "Patch",
    "Increment",
    "Insert",
    "Remove",
    "IsDirty",
    "MarkDirty",
    "MarkClean",
    "GetDiff",
    "GetAuditLog",
    "WithLock",
    "WithLockTransaction",
    "IsLocked",
    "QueueOperationAsync",
    "ProcessOperationsAsync",
    "SaveAsync",
    "CheckpointAsync",
    "ReleaseAsync",
];

/// §5 OrderedIndex methods (`new` is checked as a module function).
const INDEX_METHODS: &[&str] = &[
    "SetAsync",
    "ProjectAsync",
    "IncrementAsync",
    "GetAsync",
    "RemoveAsync",
    "GetTopAsync",
    "GetRankAsync",
    "ProjectSessionAsync",
    "BindSession",
    "ClearCache",
    "GetDiagnostics",
];

/// §6 client replica methods.
const REPLICA_METHODS: &[&str] = &[
    "Await",
    "GetState",
    "Get",
    "GetPath",
    "Observe",
    "Disconnect",
];

/// §7 signals, by owner.
const FACADE_SIGNALS: &[&str] = &["Loaded"];
const STORE_SIGNALS: &[&str] = &[
    "OnError",
    "CriticalStateChanged",
    "SessionOpened",
    "SessionClosed",
    "OperationQueued",
    "OperationApplied",
    "OperationRetried",
    "OperationFailed",
];
const SESSION_SIGNALS: &[&str] = &["OnChanged", "OnSaved", "OnReleased", "HandoffRequested"];
const REPLICA_SIGNALS: &[&str] = &["Changed", "StateChanged"];

/// §8.1 Store / Session settings and their defaults, as Luau literals.
const STORE_SETTINGS: &[(&str, &str)] = &[
    ("AutoSaveInterval", "60"),
    ("AutoSaveCheckInterval", "1"),
    ("AutoSaveConcurrency", "2"),
    ("AutoSaveRetryInterval", "10"),
    ("LeaseTimeout", "180"),
    ("OpenTimeout", "20"),
    ("RetryAttempts", "5"),
    ("BudgetTimeout", "10"),
    ("BudgetPollInterval", "0.25"),
    ("CloseTimeout", "25"),
    ("CloseRetryInterval", "1"),
    ("CloseConcurrency", "10"),
    ("OperationProcessLimit", "50"),
    ("MaxOperationAttempts", "10"),
    ("OperationTTL", "0"),
    ("UnknownOperationPolicy", "\"Retry\""),
    ("OperationReceiptLimit", "500"),
    ("OperationDedupeLimit", "5000"),
    ("DeadLetterLimit", "100"),
    ("DeadLetterPayloadMaxBytes", "8192"),
    ("WriteReceiptLimit", "20"),
    ("MaxDataBytes", "3800000"),
    ("StrictData", "false"),
    ("TrackChangeDetails", "false"),
    ("AuditLogLimit", "0"),
    ("CriticalErrorThreshold", "5"),
    ("CriticalWindow", "120"),
    ("CriticalRecovery", "60"),
    ("EnableMessaging", "true"),
    ("AutoReleaseOnHandoff", "true"),
];

/// §8.2 OrderedIndex settings and their defaults.
const INDEX_SETTINGS: &[(&str, &str)] = &[
    ("RetryAttempts", "5"),
    ("RetryDelay", "0.5"),
    ("RetryBackoff", "2"),
    ("BudgetTimeout", "10"),
    ("DefaultPageSize", "50"),
    ("MaxQueryEntries", "1000"),
    ("MaxRankScan", "1000"),
    ("CacheTTL", "0"),
];

/// §9 error codes (including the OrderedIndex ones and the session code).
const ERROR_CODES: &[&str] = &[
    "LockTimeout",
    "PlayerDataUnavailable",
    "AdminAccessDisabled",
    "AdminAccessDenied",
    "LeaseTokenMismatch",
    "LeaseLost",
    "RankScanLimit",
    "AmbiguousIncrement",
];

/// §9 load states (facade), session states, operation statuses, trade status.
const LOAD_STATES: &[&str] = &[
    "Loading",
    "Retrying",
    "Ready",
    "Failed",
    "Releasing",
    "Released",
];
const SESSION_STATES: &[&str] = &["Active", "Releasing", "Released", "LeaseLost"];
const OPERATION_STATUSES: &[&str] = &[
    "Queued",
    "Pending",
    "Applied",
    "Cancelled",
    "Failed",
    "Unknown",
];
const TRADE_STATUSES: &[&str] = &["Pending", "NeedsRepair"];

fn lua_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("{{ {} }}", quoted.join(", "))
}

fn lua_settings(pairs: &[(&str, &str)]) -> String {
    let entries: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("{{ {n:?}, {v} }}"))
        .collect();
    format!("{{ {} }}", entries.join(", "))
}

/// The generated spec: one `it` per spec item, named `§<section> <Owner>.<Name>`
/// so a failure line names the missing item and where the spec lists it.
fn probe_source() -> String {
    let mut s = String::from(PROBE_PRELUDE);
    let groups: [(&str, &str, &str, &[&str]); 10] = [
        ("§1", "VirtualStore", "function", ENTRY_FUNCTIONS),
        ("§2", "Players", "method", FACADE_METHODS),
        ("§14", "Players", "pattern", FACADE_PATTERNS),
        ("§3", "Store", "method", STORE_METHODS),
        ("§4", "Session", "method", SESSION_METHODS),
        ("§5", "OrderedIndex", "method", INDEX_METHODS),
        ("§6", "Replica", "method", REPLICA_METHODS),
        ("§7", "Players", "signal", FACADE_SIGNALS),
        ("§7", "Store", "signal", STORE_SIGNALS),
        ("§7", "Session", "signal", SESSION_SIGNALS),
    ];
    for (section, owner, kind, names) in groups {
        writeln!(
            s,
            "checkAll({section:?}, {owner:?}, {kind:?}, {})",
            lua_list(names)
        )
        .unwrap();
    }
    writeln!(
        s,
        "checkAll(\"§7\", \"Replica\", \"signal\", {})",
        lua_list(REPLICA_SIGNALS)
    )
    .unwrap();
    writeln!(
        s,
        "checkSettings(\"§8.1\", \"Settings.Defaults\", {})",
        lua_settings(STORE_SETTINGS)
    )
    .unwrap();
    writeln!(
        s,
        "checkSettings(\"§8.2\", \"OrderedIndex.Defaults\", {})",
        lua_settings(INDEX_SETTINGS)
    )
    .unwrap();
    writeln!(s, "checkCodes(\"§9\", {})", lua_list(ERROR_CODES)).unwrap();
    s.push_str("end)\n");
    s
}

const PROBE_PRELUDE: &str = r#"--!strict
local VirtualStore = require(game:GetService("ServerScriptService").VirtualStore)
local Client = require(game:GetService("ReplicatedStorage"):WaitForChild("VirtualStoreClient"))

-- The fields the optional patterns (§14) require in the template.
local TEMPLATE = {
	Wallet = { Coins = 0 },
	Inventory = {},
	Cooldowns = {},
	Daily = { Day = 0, Streak = 0 },
	LastSeen = 0,
	Effects = {},
}

-- Live objects, built once per check so every check inspects the real tables.
local function objects(): { [string]: any }
	local store = VirtualStore.new({ Name = "Conformance", Template = TEMPLATE })
	local session = assert(store:OpenAsync("Player_1"))
	local data = VirtualStore.players({
		Name = "PlayerData",
		Template = TEMPLATE,
		Replication = { Name = "PlayerData", Paths = { { "Wallet", "Coins" } } },
	})
	local index = VirtualStore.OrderedIndex.new({ Name = "Coins", Ascending = false })
	local replica = Client.connect("PlayerData")
	return {
		VirtualStore = VirtualStore,
		Store = store,
		Session = session,
		Players = data,
		OrderedIndex = index,
		Replica = replica,
	}
end

local function isSignal(value: any): boolean
	return type(value) == "table" and type(value.Connect) == "function"
end

local function checkAll(section: string, owner: string, kind: string, names: { string })
	for _, name in names do
		it(string.format("%s %s.%s (%s)", section, owner, name, kind), function()
			local target = objects()[owner]
			local value = target[name]
			if kind == "signal" then
				assert(isSignal(value), string.format("spec %s: %s.%s is not a signal", section, owner, name))
			elseif kind == "pattern" then
				assert(type(value) == "table", string.format("spec %s: %s.%s is not a pattern helper", section, owner, name))
			else
				assert(type(value) == "function", string.format("spec %s: %s.%s is missing", section, owner, name))
			end
		end)
	end
end

local function checkSettings(section: string, owner: string, pairs: { { any } })
	for _, pair in pairs do
		local name, default = pair[1], pair[2]
		it(string.format("%s %s.%s = %s", section, owner, name, tostring(default)), function()
			local defaults: any = if owner == "Settings.Defaults"
				then VirtualStore.Settings
				else VirtualStore.OrderedIndex.Defaults
			assert(defaults[name] ~= nil, string.format("spec %s: setting %s is missing from %s", section, name, owner))
			assert(
				defaults[name] == default,
				string.format("spec %s: setting %s defaults to %s, the spec says %s", section, name, tostring(defaults[name]), tostring(default))
			)
		end)
	end
end

local function checkCodes(section: string, names: { string })
	for _, name in names do
		it(string.format("%s Errors.Codes.%s", section, name), function()
			assert(VirtualStore.Errors[name] == name, string.format("spec %s: error code %s is missing from Errors.Codes", section, name))
		end)
	end
end

describe("spec conformance", function()
it("§1 VirtualStore.Cancel is a sentinel", function()
	assert(VirtualStore.Cancel ~= nil, "spec §1.3: VirtualStore.Cancel is missing")
end)
it("§1 VirtualStore.OrderedIndex.new and MemoryAdapter", function()
	assert(type(VirtualStore.OrderedIndex) == "table", "spec §1.4: VirtualStore.OrderedIndex is missing")
	assert(type(VirtualStore.OrderedIndex.new) == "function", "spec §1.4: OrderedIndex.new is missing")
	assert(VirtualStore.OrderedIndex.MemoryAdapter ~= nil, "spec §1.5: OrderedIndex.MemoryAdapter is missing")
end)
it("§1 Client.connect", function()
	assert(type(Client.connect) == "function", "spec §1.6: Client.connect is missing")
end)
it("§2 Players.Store is the underlying Store", function()
	local o = objects()
	assert(type(o.Players.Store) == "table" and type(o.Players.Store.OpenAsync) == "function", "spec §2: Players.Store is missing")
end)
it("§4 Session.Data is the live data", function()
	local o = objects()
	assert(type(o.Session.Data) == "table", "spec §4: Session.Data is missing")
end)
it("§7 Session.OnChanged carries Reason, Source, Paths, a timestamp and a revision", function()
	local o = objects()
	local seen: any = nil
	o.Session.OnChanged:Connect(function(change: any)
		seen = change
	end)
	assert(o.Session:Increment({ "Wallet", "Coins" }, 5, { Reason = "QuestReward", Source = "QuestService" }))
	assert(seen ~= nil, "spec §7: Session.OnChanged did not fire for a mutation")
	assert(seen.Reason == "QuestReward", "spec §7: change.Reason is missing")
	assert(seen.Source == "QuestService", "spec §7: change.Source is missing")
	assert(type(seen.Paths) == "table" and #seen.Paths == 1, "spec §7: change.Paths is missing")
	assert(type(seen.Timestamp) == "number", "spec §7: the change timestamp is missing")
	assert(type(seen.Revision) == "number", "spec §7: the change revision is missing")
end)
it("§9 a freshly opened Session is Active and a released one Released", function()
	local o = objects()
	assert(o.Session:GetState() == "Active", "spec §9: an open Session must be Active")
	assert(o.Session:ReleaseAsync())
	assert(o.Session:GetState() == "Released", "spec §9: a released Session must be Released")
end)
it("§4 withLockTransactions helper", function()
	assert(type(VirtualStore.withLockTransactions) == "function", "spec §4: withLockTransactions is missing")
end)
"#;

fn runtime_text(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The quoted members of an `export type <name> = "A" | "B"` union.
fn union_members(source: &str, type_name: &str) -> Vec<String> {
    let prefix = format!("export type {type_name} =");
    let line = source
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in the runtime"));
    line[prefix.len()..]
        .split('|')
        .map(|m| m.trim().trim_matches('"').to_string())
        .collect()
}

/// Runs the generated spec against `runtime`; success, failure lines, output.
fn run_probe(runtime: &str, label: &str) -> (bool, Vec<String>, String) {
    let dir =
        std::env::temp_dir().join(format!("vstore-conformance-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("conformance.spec.luau"), probe_source()).unwrap();
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        runtime,
        "--client",
        "templates/client",
        "--specs",
        dir.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    let failures: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("FAIL") || l.contains("spec §"))
        .map(str::to_string)
        .collect();
    (ok, failures, text)
}

#[test]
fn runtime_defines_every_name_the_spec_lists() {
    let (ok, failures, text) = run_probe("templates/runtime", "real");
    assert!(
        ok && failures.is_empty(),
        "the runtime is missing spec names:\n{}\n\nfull output:\n{text}",
        failures.join("\n")
    );
    let passed = text.lines().filter(|l| l.starts_with("PASS")).count();
    let expected = ENTRY_FUNCTIONS.len()
        + FACADE_METHODS.len()
        + FACADE_PATTERNS.len()
        + STORE_METHODS.len()
        + SESSION_METHODS.len()
        + INDEX_METHODS.len()
        + REPLICA_METHODS.len()
        + FACADE_SIGNALS.len()
        + STORE_SIGNALS.len()
        + SESSION_SIGNALS.len()
        + REPLICA_SIGNALS.len()
        + STORE_SETTINGS.len()
        + INDEX_SETTINGS.len()
        + ERROR_CODES.len()
        + 8;
    assert_eq!(
        passed, expected,
        "every spec item must run as one check:\n{text}"
    );
}

#[test]
fn a_runtime_without_a_spec_alias_fails_naming_the_item_and_section() {
    let mutant = Mutant::new(
        "no-await",
        "Players.luau",
        "Players.Await = Players.Wait",
        "local _await = Players.Wait",
    );
    let (ok, failures, text) = run_probe(mutant.path(), "mutant");
    assert!(!ok, "the probe must fail without Players.Await:\n{text}");
    assert!(
        failures
            .iter()
            .any(|l| l.contains("spec §2: Players.Await is missing")),
        "the failure must name Players.Await and §2:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        failures.iter().filter(|l| l.starts_with("FAIL")).count(),
        1,
        "only the removed name may fail:\n{}",
        failures.join("\n")
    );
}

#[test]
fn facade_load_states_are_the_spec_states() {
    let members = union_members(&runtime_text("templates/runtime/Players.luau"), "LoadState");
    for state in LOAD_STATES {
        assert!(
            members.iter().any(|m| m == state),
            "spec §9: load state {state:?} is missing from Players.LoadState {members:?}"
        );
    }
}

#[test]
fn session_states_include_the_spec_states() {
    let members = union_members(&runtime_text("templates/runtime/Session.luau"), "State");
    for state in SESSION_STATES {
        assert!(
            members.iter().any(|m| m == state),
            "spec §9: session state {state:?} is missing from Session.State {members:?}"
        );
    }
}

#[test]
fn operation_statuses_are_all_produced_by_the_runtime() {
    let source = runtime_text("templates/runtime/Operations.luau");
    for status in OPERATION_STATUSES {
        assert!(
            source.contains(&format!("\"{status}\"")),
            "spec §9: operation status {status:?} is never produced by Operations.luau"
        );
    }
}

#[test]
fn trade_statuses_include_pending_and_needs_repair() {
    let source = runtime_text("templates/runtime/Trade.luau");
    for status in TRADE_STATUSES {
        assert!(
            source.contains(&format!("{status} = \"{status}\"")),
            "spec §9/§14: trade status {status:?} is missing from Trade.Status"
        );
    }
}

#[test]
fn rust_error_code_table_lists_the_spec_codes() {
    let source = runtime_text("src/core/codes.rs");
    for code in ERROR_CODES {
        assert!(
            source.contains(&format!("\"{code}\"")),
            "spec §9: error code {code:?} is missing from the toolchain's code table"
        );
    }
}

#[test]
fn rust_settings_table_lists_the_spec_settings() {
    let source = runtime_text("src/core/settings.rs");
    for (name, _) in STORE_SETTINGS.iter().chain(INDEX_SETTINGS) {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "spec §8: setting {name:?} is missing from the toolchain's settings table"
        );
    }
}
