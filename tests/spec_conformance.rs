//! The product spec, the `core` tables and the live runtime agree.
//!
//! `tests/fixtures/spec_checklist.toml` holds facts copied from the spec: the
//! API names of each section, the error codes, the states and the settings
//! with their defaults. The Rust tests check that the `core` tables (the API
//! table, the settings, the codes) hold every one of them. A probe generated
//! from the API table then runs in the simulator against real objects (a
//! facade, a Store, an open Session, an OrderedIndex, a client replica) and
//! checks each member: present, of its kind, functions with their arity,
//! aliases bound to the same value, fields of their type, and every public
//! member of a live object listed in the table. Each signal is fired by a
//! trigger below and its payload checked against the table's types; the few
//! no single server can fire are listed with the reason. The runtime's
//! settings, codes and trade statuses are compared with `core`, and the
//! runtime is made to produce every operation status, session and load state.

use crate::cli_support;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use cli_support::{vstore, Mutant};
use vstore::core::api::sig::{Func, Returns, Ty};
use vstore::core::api::{self, Kind, Member, Owner};
use vstore::core::codes;
use vstore::core::settings::{SettingValue, ORDERED_INDEX_SETTINGS, STORE_SETTINGS};

fn fixture() -> toml::Table {
    let text = include_str!("fixtures/spec_checklist.toml");
    text.parse().expect("the spec checklist is TOML")
}

fn names(table: &toml::Table, group: &str, key: &str) -> Vec<String> {
    table[group][key]
        .as_array()
        .unwrap_or_else(|| panic!("{group}.{key} is a list"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn table_has(owner: Owner, name: &str, kinds: &[Kind]) -> bool {
    api::members(owner)
        .any(|m| kinds.contains(&m.kind) && (m.name == name || m.aliases.contains(&name)))
}

#[test]
fn the_api_table_has_every_member_the_spec_lists() {
    let spec = fixture();
    let any = [Kind::Function, Kind::Method, Kind::Field];
    let groups = [
        ("module", Owner::Module),
        ("facade", Owner::Facade),
        ("store", Owner::Store),
        ("session", Owner::Session),
        ("ordered_index", Owner::OrderedIndex),
        ("client", Owner::Client),
        ("replica", Owner::Replica),
    ];
    let mut missing = Vec::new();
    for (group, owner) in groups {
        for name in names(&spec, "api", group) {
            if !table_has(owner, &name, &any) {
                missing.push(format!("{}.{name}", owner.type_name()));
            }
        }
    }
    for (group, owner) in [
        ("facade", Owner::Facade),
        ("store", Owner::Store),
        ("session", Owner::Session),
        ("replica", Owner::Replica),
    ] {
        for name in names(&spec, "signals", group) {
            if !table_has(owner, &name, &[Kind::Signal]) {
                missing.push(format!("signal {}.{name}", owner.type_name()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the API table lacks: {}",
        missing.join(", ")
    );
}

fn setting_value(value: &toml::Value) -> SettingValue {
    match value {
        toml::Value::Integer(i) => SettingValue::Number(*i as f64),
        toml::Value::Float(f) => SettingValue::Number(*f),
        toml::Value::Boolean(b) => SettingValue::Bool(*b),
        toml::Value::String(s) => SettingValue::Str(Box::leak(s.clone().into_boxed_str())),
        other => panic!("unexpected setting value {other}"),
    }
}

/// Store settings vstore adds to the spec's table (documented in docs/api.md):
/// `PendingOperationLimit` bounds a record's queue so offline deliveries
/// cannot grow it past `MaxDataBytes`.
const BEYOND_THE_SPEC: &[&str] = &[
    "PendingOperationLimit",
    "LeaseWaitLimit",
    "ServerLiveness",
    "LivenessTimeout",
];

#[test]
fn the_settings_tables_are_the_spec_settings_with_their_defaults() {
    let spec = fixture();
    for (group, table) in [
        ("store", STORE_SETTINGS),
        ("ordered_index", ORDERED_INDEX_SETTINGS),
    ] {
        let listed = spec["settings"][group].as_table().unwrap();
        for name in BEYOND_THE_SPEC {
            assert!(
                STORE_SETTINGS.iter().any(|s| s.name == *name),
                "{name} is listed as an addition but is not a setting"
            );
        }
        let ours: Vec<(&str, SettingValue)> = table
            .iter()
            .filter(|s| !BEYOND_THE_SPEC.contains(&s.name))
            .map(|s| (s.name, s.default))
            .collect();
        let theirs: Vec<(&str, SettingValue)> = listed
            .iter()
            .map(|(name, value)| (name.as_str(), setting_value(value)))
            .collect();
        assert_eq!(
            ours, theirs,
            "{group} settings and defaults, in the spec's order"
        );
    }
}

#[test]
fn the_code_and_state_tables_hold_what_the_spec_lists() {
    let spec = fixture();
    let codes_table: BTreeSet<&str> = codes::ERROR_CODES.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes_table.len(),
        codes::ERROR_CODES.len(),
        "a code is listed twice"
    );
    for code in names(&spec, "codes", "names") {
        assert!(
            codes_table.contains(code.as_str()),
            "error code {code} is missing"
        );
    }
    let states = [
        ("load", codes::LOAD_STATES),
        ("session", codes::SESSION_STATES),
        ("operation", codes::OPERATION_STATUSES),
        ("trade", codes::TRADE_STATUSES),
    ];
    for (group, table) in states {
        for state in names(&spec, "states", group) {
            assert!(
                table.contains(&state.as_str()),
                "{group} state {state} is missing"
            );
        }
    }
}

/// A Luau description of what a value of type `ty` looks like at run time:
/// its `typeof`, whether nil is allowed, accepted strings and record fields.
fn shape(ty: &Ty) -> String {
    let kind = |k: &str| format!("{{ Kind = {k:?} }}");
    let one_of = |values: &[&str]| {
        let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        format!(
            "{{ Kind = \"string\", OneOf = {{ {} }} }}",
            quoted.join(", ")
        )
    };
    match ty {
        Ty::Name(n) => match n.as_str() {
            "number" | "integer" => kind("number"),
            "string" | "OperationName" => kind("string"),
            "boolean" => kind("boolean"),
            "Player" => kind("Instance"),
            "LoadState" => one_of(codes::LOAD_STATES),
            "SessionState" => one_of(codes::SESSION_STATES),
            "OperationStatus" => one_of(codes::OPERATION_STATUSES),
            "CommitKind" => one_of(codes::COMMIT_KINDS),
            "ReplicaState" => one_of(codes::REPLICA_STATES),
            "any" | "unknown" | "OperationPayload" | "Value" | "Element" | "Path"
            | "NumberPath" | "ListPath" => kind("any"),
            other => match api::named(other) {
                Some(t) => shape(&api::sig::parse_type(t.ty).unwrap()),
                None => kind("table"),
            },
        },
        Ty::Literal(l) => one_of(&[l.as_str()]),
        Ty::Optional(inner) => {
            let inner = shape(inner);
            format!("{}, Optional = true }}", inner.trim_end_matches(" }"))
        }
        Ty::Array(_) | Ty::Map(_) => kind("table"),
        Ty::Record(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(name, t)| format!("{name} = {}", shape(t)))
                .collect();
            format!(
                "{{ Kind = \"table\", Fields = {{ {} }} }}",
                parts.join(", ")
            )
        }
        Ty::Union(members) => {
            let literals: Option<Vec<&str>> = members
                .iter()
                .map(|m| match m {
                    Ty::Literal(l) => Some(l.as_str()),
                    _ => None,
                })
                .collect();
            match literals {
                Some(values) => one_of(&values),
                None => kind("any"),
            }
        }
        Ty::Function(_) => kind("function"),
    }
}

/// The most parameters any overload declares, and whether one is variadic.
fn arity(m: &Member) -> (usize, bool) {
    let overloads: Vec<Func> = m.overloads();
    let most = overloads.iter().map(|f| f.params.len()).max().unwrap_or(0);
    let self_param = usize::from(m.kind == Kind::Method);
    (
        most + self_param,
        overloads.iter().any(|f| f.rest.is_some()),
    )
}

fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("{{ {} }}", q.join(", "))
}

/// One `MEMBERS` row per member of the table.
fn member_rows() -> String {
    let mut out = String::new();
    for m in api::MEMBERS {
        let aliases: Vec<&str> = m.aliases.to_vec();
        let detail = match m.kind {
            Kind::Function | Kind::Method => {
                let (params, vararg) = arity(m);
                format!("Arity = {params}, Vararg = {vararg}")
            }
            Kind::Field => format!("Shape = {}", shape(&m.field_type())),
            Kind::Signal => {
                let payload: Vec<String> = m.payload().iter().map(|p| shape(&p.ty)).collect();
                format!("Payload = {{ {} }}", payload.join(", "))
            }
        };
        let kind = match m.kind {
            Kind::Function => "function",
            Kind::Method => "method",
            Kind::Signal => "signal",
            Kind::Field => "field",
        };
        let _ = writeln!(
            out,
            "\t{{ Owner = {:?}, Name = {:?}, Aliases = {}, Kind = {kind:?}, {detail} }},",
            m.owner.type_name(),
            m.name,
            quoted(&aliases)
        );
    }
    out
}

fn settings_rows(table: &[vstore::core::settings::Setting]) -> String {
    let rows: Vec<String> = table
        .iter()
        .map(|s| {
            let value = match s.default {
                SettingValue::Number(n) => n.to_string(),
                SettingValue::Bool(b) => b.to_string(),
                SettingValue::Str(v) => format!("{v:?}"),
            };
            format!("{} = {value}", s.name)
        })
        .collect();
    format!("{{ {} }}", rows.join(", "))
}

/// Signals a trigger below fires, by `Owner.Name`. The trigger gets the live
/// objects and must make the signal fire at least once.
const TRIGGERS: &[(&str, &str)] = &[
    (
        "Facade.Loaded",
        "local player = sim.addPlayer(71)\n\tassert(o.Facade:Wait(player, 10))",
    ),
    (
        "Facade.LoadStateChanged",
        "local player = sim.addPlayer(72)\n\tassert(o.Facade:Wait(player, 10))",
    ),
    (
        "Store.OnError",
        "o.Memory:FailNext(1)\n\to.Store:ViewAsync(\"Player_9\")",
    ),
    (
        "Store.CriticalStateChanged",
        "o.Memory:FailNext(1)\n\to.Store:ViewAsync(\"Player_9\")",
    ),
    (
        "Store.SessionOpened",
        "assert(o.Store:OpenAsync(\"Player_2\"))",
    ),
    ("Store.SessionClosed", "assert(o.Session:ReleaseAsync())"),
    (
        "Store.OperationQueued",
        "o.Store:QueueOperationAsync(\"Player_3\", \"queued-1\", \"Grant\", { Coins = 1 })",
    ),
    (
        "Store.OperationApplied",
        "o.Store:QueueOperationAsync(\"Player_1\", \"applied-1\", \"Grant\", { Coins = 1 })",
    ),
    (
        "Store.OperationRetried",
        "o.Store:QueueOperationAsync(\"Player_1\", \"retried-1\", \"Boom\", {})",
    ),
    (
        "Store.OperationFailed",
        "o.Store:QueueOperationAsync(\"Player_1\", \"failed-1\", \"NoHandler\", {})",
    ),
    (
        "Session.OnChanged",
        "assert(o.Session:Increment({ \"Wallet\", \"Coins\" }, 5, { Reason = \"Quest\" }))",
    ),
    ("Session.OnSaved", "assert(o.Session:CheckpointAsync())"),
    ("Session.OnReleased", "assert(o.Session:ReleaseAsync())"),
    ("Session.StateChanged", "assert(o.Session:ReleaseAsync())"),
    ("Session.OnLeaseLost", LEASE_LOST),
    (
        "OrderedIndex.OnError",
        "o.OrderedMemory:FailNext(10)\n\to.OrderedIndex:SetAsync(\"a\", 1)",
    ),
    ("Replica.StateChanged", "o.Replica:Disconnect()"),
];

/// Another server takes the session's key (an admin force-releases the lease
/// it inspected and a second Store over the same storage opens the key), so
/// the session's next save finds the lease gone.
const LEASE_LOST: &str = "local other = VirtualStore.new({
\t\tName = \"Conformance\",
\t\tTemplate = TEMPLATE,
\t\tAdapter = o.Memory,
\t\tAdminAuthorize = function()
\t\t\treturn true
\t\tend,
\t})
\tlocal key = o.Session.Key
\tlocal meta = assert(other:InspectMetadataAsync(key, true))
\tassert(other:ForceReleaseLeaseAsync(key, meta.Lease.Token, true))
\tassert(other:OpenAsync(key))
\tassert(o.Session:Increment({ \"Wallet\", \"Coins\" }, 1))
\to.Session:SaveAsync()";

/// Signals the probe cannot fire in one server VM, with why.
const NOT_FIRED: &[(&str, &str)] = &[
    (
        "Session.HandoffRequested",
        "a hint from a second server over MessagingService (tests/runtime/messaging.spec.luau)",
    ),
    (
        "Replica.Changed",
        "a patch from the server to a client VM (tests/replication)",
    ),
];

fn triggers() -> String {
    let mut out = String::new();
    for (signal, body) in TRIGGERS {
        let _ = write!(
            out,
            "TRIGGERS[{signal:?}] = function(o: any)\n\t{body}\nend\n"
        );
    }
    out
}

/// The probe: the table, the spec's settings and codes from `core`, and the
/// checks, one `it` per item so a failure names it.
fn probe_source() -> String {
    let codes: Vec<&str> = codes::ERROR_CODES.iter().map(|(c, _)| *c).collect();
    PROBE
        .replace("--MEMBERS--", &member_rows())
        .replace("--TRIGGERS--", &triggers())
        .replace("--STORE_SETTINGS--", &settings_rows(STORE_SETTINGS))
        .replace("--INDEX_SETTINGS--", &settings_rows(ORDERED_INDEX_SETTINGS))
        .replace("--CODES--", &quoted(&codes))
        .replace("--TRADE_STATUSES--", &quoted(codes::TRADE_STATUSES))
        .replace("--OPERATION_STATUSES--", &quoted(codes::OPERATION_STATUSES))
        .replace(
            "--NOT_FIRED--",
            &quoted(&NOT_FIRED.iter().map(|(s, _)| *s).collect::<Vec<_>>()),
        )
}

const PROBE: &str = r#"--!strict
local VirtualStore = require(game:GetService("ServerScriptService").VirtualStore) :: any
local Client = require(game:GetService("ReplicatedStorage"):WaitForChild("VirtualStoreClient")) :: any

local MEMBERS: { any } = {
--MEMBERS--}

-- The fields the optional patterns require in the template.
local TEMPLATE = {
	Wallet = { Coins = 0 },
	Inventory = {},
	Cooldowns = {},
	Daily = { Day = 0, Streak = 0 },
	LastSeen = 0,
	Effects = {},
}

-- Live objects, built afresh for every check.
local function objects(): { [string]: any }
	local memory = VirtualStore.MemoryAdapter.new()
	local store = VirtualStore.new({
		Name = "Conformance",
		Template = TEMPLATE,
		Adapter = memory,
		Settings = { RetryAttempts = 1, CriticalErrorThreshold = 1, UnknownOperationPolicy = "Fail" },
		Operations = {
			Grant = function(profile: any, payload: any)
				profile.Wallet.Coins += payload.Coins
				return profile.Wallet.Coins
			end,
			Boom = function()
				error("boom")
			end,
		},
		AdminAuthorize = function()
			return true
		end,
	})
	local session = assert(store:OpenAsync("Player_1"))
	local facade = VirtualStore.players({
		Name = "PlayerData",
		Template = TEMPLATE,
		Replication = { Name = "PlayerData", Paths = { { "Wallet", "Coins" } } },
	})
	local orderedMemory = VirtualStore.OrderedIndex.MemoryAdapter.new()
	local index = VirtualStore.OrderedIndex.new({ Name = "Coins", Adapter = orderedMemory, Settings = { RetryAttempts = 1 } })
	return {
		VirtualStore = VirtualStore,
		Facade = facade,
		Store = store,
		Session = session,
		OrderedIndex = index,
		VirtualStoreClient = Client,
		Replica = Client.connect("PlayerData"),
		Memory = memory,
		OrderedMemory = orderedMemory,
	}
end

local function lookup(target: any, dotted: string): any
	local value = target
	for part in string.gmatch(dotted, "[^%.]+") do
		if type(value) ~= "table" then
			return nil
		end
		value = value[part]
	end
	return value
end

local function isSignal(value: any): boolean
	return type(value) == "table" and type(value.Connect) == "function"
end

-- Why `value` does not look like `shape`, or nil.
local function mismatch(value: any, shape: any, where: string): string?
	if value == nil then
		if shape.Optional or shape.Kind == "any" then
			return nil
		end
		return where .. " is nil"
	end
	if shape.Kind == "any" then
		return nil
	end
	local actual = typeof(value)
	if actual ~= shape.Kind then
		return string.format("%s is a %s, not a %s", where, actual, shape.Kind)
	end
	if shape.OneOf and not table.find(shape.OneOf, value) then
		return string.format("%s is %q, not one of %s", where, tostring(value), table.concat(shape.OneOf, ", "))
	end
	for name, inner in shape.Fields or {} do
		local problem = mismatch(value[name], inner, where .. "." .. name)
		if problem then
			return problem
		end
	end
	return nil
end

local TRIGGERS: { [string]: (any) -> () } = {}
--TRIGGERS--
local NOT_FIRED: { string } = --NOT_FIRED--

local function checkMember(row: any)
	local o = objects()
	local target = o[row.Owner]
	local label = row.Owner .. "." .. row.Name
	local value = lookup(target, row.Name)
	if row.Kind == "function" or row.Kind == "method" then
		assert(type(value) == "function", label .. " is not a function")
		local arity, vararg = debug.info(value, "a")
		assert(
			vararg == row.Vararg and arity == row.Arity,
			string.format("%s takes %d parameters%s, the API table says %d", label, arity, if vararg then " and ..." else "", row.Arity)
		)
	elseif row.Kind == "field" then
		assert(value ~= nil or row.Shape.Optional, label .. " is missing")
		local problem = mismatch(value, row.Shape, label)
		assert(problem == nil, problem)
	else
		assert(isSignal(value), label .. " is not a signal")
		local key = row.Owner .. "." .. row.Name
		local trigger = TRIGGERS[key]
		if trigger == nil then
			assert(table.find(NOT_FIRED, key), label .. " has no trigger in the conformance test")
			return
		end
		local fired = {}
		value:Connect(function(...)
			table.insert(fired, table.pack(...))
		end)
		trigger(o)
		task.wait(1)
		assert(#fired > 0, label .. " did not fire")
		for _, args in fired do
			assert(
				args.n == #row.Payload,
				string.format("%s fired with %d values, the API table says %d", label, args.n, #row.Payload)
			)
			for i, shape in row.Payload do
				local problem = mismatch(args[i], shape, string.format("%s payload %d", label, i))
				assert(problem == nil, problem)
			end
		end
	end
	for _, alias in row.Aliases do
		assert(lookup(target, alias) == value, string.format("%s.%s is not %s", row.Owner, alias, label))
	end
end

-- Upper-case members of a live object, and the methods of its class tables.
local function publicMembers(value: any): { string }
	local names = {}
	local seen = {}
	local current = value
	local own = true
	while type(current) == "table" do
		for key, member in current do
			-- A class table's non-function values (adapters, defaults) belong to the module.
			local counted = own or type(member) == "function"
			if counted and type(key) == "string" and string.match(key, "^%u") and not seen[key] then
				seen[key] = true
				table.insert(names, key)
			end
		end
		own = false
		local meta = getmetatable(current)
		current = if type(meta) == "table" then rawget(meta, "__index") else nil
	end
	table.sort(names)
	return names
end

describe("the runtime matches the API table", function()
	for _, row in MEMBERS do
		it(string.format("%s.%s (%s)", row.Owner, row.Name, row.Kind), function()
			checkMember(row)
		end)
	end

	for _, owner in { "Facade", "Store", "Session", "OrderedIndex", "Replica" } do
		it(owner .. " has no public member the API table lacks", function()
			local listed = {}
			for _, row in MEMBERS do
				if row.Owner == owner then
					listed[row.Name] = true
					for _, alias in row.Aliases do
						listed[alias] = true
					end
				end
			end
			local extra = {}
			for _, name in publicMembers(objects()[owner]) do
				if not listed[name] then
					table.insert(extra, name)
				end
			end
			assert(#extra == 0, owner .. " has members the API table lacks: " .. table.concat(extra, ", "))
		end)
	end

	it("the runtime's settings are core's, name for name", function()
		for label, pair in { Store = { VirtualStore.Settings, --STORE_SETTINGS-- }, OrderedIndex = { VirtualStore.OrderedIndex.Defaults, --INDEX_SETTINGS-- } } do
			local live, expected = pair[1], pair[2]
			for name, default in expected do
				assert(live[name] == default, string.format("%s setting %s is %s, core says %s", label, name, tostring(live[name]), tostring(default)))
			end
			for name in live do
				assert(expected[name] ~= nil, string.format("%s setting %s is not in core", label, name))
			end
		end
	end)

	it("the runtime's error codes are core's", function()
		local expected = --CODES--
		for _, code in expected do
			assert(VirtualStore.Errors[code] == code, "error code " .. code .. " is missing")
		end
		for code in VirtualStore.Errors do
			assert(table.find(expected, code), "error code " .. code .. " is not in core")
		end
	end)

	it("the trade statuses are core's", function()
		local expected = --TRADE_STATUSES--
		local live = VirtualStore.Trade.Status
		for _, status in expected do
			assert(live[status] == status, "trade status " .. status .. " is missing")
		end
		for status in live do
			assert(table.find(expected, status), "trade status " .. status .. " is not in core")
		end
	end)

	it("every operation status is produced by the runtime", function()
		local o = objects()
		local store = o.Store
		local seen = {}
		local function note(status: any)
			seen[status] = true
		end
		note(store:QueueOperationAsync("Player_5", "op-a", "Grant", { Coins = 1 }))
		note(store:QueueOperationAsync("Player_5", "op-a", "Grant", { Coins = 1 }))
		note(store:QueueOperationAsync("Player_5", "op-b", "Grant", { Coins = 1 }))
		note(store:QueueOperationAsync("Player_5", "op-c", "Grant", { Coins = 1 }))
		assert(store:ClearPendingOperationAsync("Player_5", "op-b", true))
		assert(store:ForceFailOperationAsync("Player_5", "op-c", true))
		local session = assert(store:OpenAsync("Player_5"))
		assert(session:ReleaseAsync())
		for _, id in { "op-a", "op-b", "op-c", "op-never-queued" } do
			note(store:GetOperationAsync("Player_5", id))
		end
		for _, status in --OPERATION_STATUSES-- do
			assert(seen[status], "the runtime never produced operation status " .. status)
		end
	end)

	it("the session states Active, Releasing, Released and LeaseLost are produced", function()
		local o = objects()
		local states = { [o.Session:GetState()] = true }
		o.Session.StateChanged:Connect(function(state: string)
			states[state] = true
		end)
		assert(o.Session:ReleaseAsync())
		local lost = assert(o.Store:OpenAsync("Player_6"))
		lost.StateChanged:Connect(function(state: string)
			states[state] = true
		end)
		TRIGGERS["Session.OnLeaseLost"]({ Memory = o.Memory, Session = lost })
		for _, state in { "Active", "Releasing", "Released", "LeaseLost" } do
			assert(states[state], "the runtime never entered session state " .. state)
		end
	end)

	it("the load states Loading, Ready, Releasing and Released are produced", function()
		local o = objects()
		local states = {}
		o.Facade.LoadStateChanged:Connect(function(_player: any, state: string)
			states[state] = true
		end)
		local player = sim.addPlayer(81)
		assert(o.Facade:Wait(player, 10))
		assert(o.Facade:ReleaseAsync(player))
		for _, state in { "Loading", "Ready", "Releasing", "Released" } do
			assert(states[state], "the facade never entered load state " .. state)
		end
	end)
end)
"#;

/// Runs the probe against `runtime`: success, failure lines, output.
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
        .filter(|l| l.starts_with("FAIL"))
        .map(str::to_string)
        .collect();
    (ok, failures, text)
}

#[test]
fn the_live_runtime_matches_the_api_table() {
    let (ok, failures, text) = run_probe("templates/runtime", "real");
    assert!(
        ok && failures.is_empty(),
        "the runtime differs from the API table:\n{}\n\nfull output:\n{text}",
        failures.join("\n")
    );
    let passed = text.lines().filter(|l| l.starts_with("PASS")).count();
    assert_eq!(
        passed,
        api::MEMBERS.len() + 5 + 6,
        "every member and check runs once:\n{text}"
    );
}

#[test]
fn every_signal_is_fired_by_a_trigger_or_listed_with_a_reason() {
    let signals: BTreeSet<String> = api::MEMBERS
        .iter()
        .filter(|m| m.kind == Kind::Signal)
        .map(|m| format!("{}.{}", m.owner.type_name(), m.name))
        .collect();
    let covered: BTreeSet<String> = TRIGGERS
        .iter()
        .map(|(s, _)| s.to_string())
        .chain(NOT_FIRED.iter().map(|(s, _)| s.to_string()))
        .collect();
    assert_eq!(signals, covered);
    assert!(NOT_FIRED.len() <= 2, "most signals must be fired");
}

#[test]
fn a_runtime_without_a_spec_alias_fails_naming_the_member() {
    let mutant = Mutant::new(
        "no-await",
        "Players.luau",
        "Players.Await = Players.Wait",
        "local _await = Players.Wait",
    );
    let (ok, failures, text) = run_probe(mutant.path(), "mutant");
    assert!(!ok, "the probe must fail without Players.Await:\n{text}");
    assert_eq!(
        failures.len(),
        1,
        "only the alias fails:\n{}",
        failures.join("\n")
    );
    assert!(
        failures[0].contains("Facade.Wait (method)")
            && text.contains("Facade.Await is not Facade.Wait"),
        "{text}"
    );
}

#[test]
fn a_runtime_whose_saved_signal_passes_nothing_fails_the_payload_check() {
    let mutant = Mutant::new(
        "bare-saved",
        "SessionCommit.luau",
        "session.OnSaved:Fire(info)",
        "session.OnSaved:Fire()",
    );
    let (ok, failures, text) = run_probe(mutant.path(), "saved");
    assert!(!ok, "{text}");
    assert!(
        text.contains("Session.OnSaved fired with 0 values, the API table says 1"),
        "{text}"
    );
    assert!(
        failures.iter().all(|f| f.contains("OnSaved")),
        "{}",
        failures.join("\n")
    );
}

#[test]
fn the_probe_types_match_the_declared_payloads() {
    let saved = api::members(Owner::Session)
        .find(|m| m.name == "OnSaved")
        .unwrap();
    let payload = saved.payload();
    let rendered = shape(&payload[0].ty);
    assert!(
        rendered.contains("Kind = { Kind = \"string\", OneOf = { \"Save\"")
            && rendered.contains("Data = { Kind = \"table\", Optional = true }"),
        "{rendered}"
    );
    let wait = api::members(Owner::Facade)
        .find(|m| m.name == "Wait")
        .unwrap();
    assert_eq!(arity(wait), (3, false));
    let returns: Vec<Returns> = wait.overloads().into_iter().map(|f| f.returns).collect();
    assert_eq!(returns.len(), 1);
}
