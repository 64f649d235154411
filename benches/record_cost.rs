//! What a record costs to write and carry: a checkpoint's encode and write
//! (Record.decide with its size measure, through the Memory adapter), the
//! envelope's bytes beyond `Data` with empty ledgers and with every ledger
//! full at the default limits, and that full record's encode, decode and
//! validate times in the runtime's Luau and in `src/core/envelope.rs`.

#[path = "support/host.rs"]
mod host;

use std::path::Path;
use std::time::Instant;

use vstore::core::envelope::Envelope;
use vstore::core::settings::store_default_number;

const BENCH: &str = r#"
local VirtualStore = game:GetService("ServerScriptService").VirtualStore
local VS = require(VirtualStore)
local Envelope = require(VirtualStore.Envelope)
local Record = require(VirtualStore.Record)
local WriteReceipts = require(VirtualStore.WriteReceipts)
local HttpService = game:GetService("HttpService")
local LIMITS = ...
local results = {}

local function bytes(value)
	return #HttpService:JSONEncode(value)
end

local function beyondData(raw)
	return bytes(raw) - bytes(raw.Data)
end

local n = 0
local function guid()
	n += 1
	return string.format("%08x-%04x-4%03x-a%03x-%012x", n, n % 65536, n % 4096, (n * 7) % 4096, n * 2654435761 % 2 ^ 40)
end

sim.run(function()
	local adapter = VS.MemoryAdapter.new()
	local Data = VS.players({
		Name = "PlayerData",
		Template = { Wallet = { Coins = 0, Gems = 0 }, Inventory = {} },
		Adapter = adapter,
		AutoStart = false,
	})
	local player = { UserId = 1, Name = "Bench", Kick = function() end }
	task.spawn(function()
		Data:_load(player)
	end)
	local session, err = Data:Wait(player, 5)
	assert(session, err and err.Message)

	-- a checkpoint: one Data:Add and the commit that stores it
	local N = 2000
	local t0 = sim.wallClock()
	for _ = 1, N do
		Data:Add(player, { "Wallet", "Coins" }, 1)
		assert(session:CheckpointAsync())
	end
	results.checkpoint = (sim.wallClock() - t0) / N

	-- the envelope with empty ledgers, as the last checkpoint left it
	local raw = adapter:GetRaw("Player_1")
	results.emptyBeyond = beyondData(raw)
	results.emptyReceipts = #raw.Meta.WriteReceipts
	Data.Store._scheduler:stop()

	-- every ledger full at the default limits
	local full = Envelope.new({ Wallet = { Coins = 100, Gems = 5 }, Inventory = {} }, 1, 1700000000)
	local meta = full.Meta
	meta.Lease = {
		Token = WriteReceipts.token(HttpService:GenerateGUID(false)),
		JobId = guid(),
		PlaceId = 1,
		ClaimedAt = 1700000000,
		ExpiresAt = 1700000180,
	}
	for i = 1, LIMITS.WriteReceiptLimit do
		meta.Revision = i
		WriteReceipts.add(meta, WriteReceipts.token(guid()), LIMITS.WriteReceiptLimit)
	end
	local ops = meta.Operations
	for _ = 1, LIMITS.OperationReceiptLimit do
		table.insert(ops.Receipts, {
			Id = guid(),
			Name = "GrantMatchReward",
			Status = "Applied",
			Result = { Coins = 250 },
			Attempts = 1,
			QueuedAt = 1700000000,
			CompletedAt = 1700000001,
		})
	end
	for _ = 1, LIMITS.OperationDedupeLimit do
		table.insert(ops.Dedupe, { Id = guid(), Status = "Applied", At = 1700000001 })
	end
	local payload = string.rep("x", LIMITS.DeadLetterPayloadMaxBytes - 12)
	for _ = 1, LIMITS.DeadLetterLimit do
		table.insert(ops.DeadLetters, {
			Id = guid(),
			Name = "GrantMatchReward",
			Payload = { Note = payload },
			PayloadBytes = bytes({ Note = payload }),
			PayloadOmitted = false,
			Error = "handler error: no such item",
			Attempts = 10,
			QueuedAt = 1700000000,
			FailedAt = 1700000100,
		})
	end
	-- no pending work; left out so that the bench host's encoder (which
	-- writes an empty table as an object) gives what Roblox stores
	ops.Pending = nil
	meta.UserIds = { 1 }
	local R = 20
	local text
	t0 = sim.wallClock()
	for _ = 1, R do
		text = HttpService:JSONEncode(full)
	end
	results.fullEncode = (sim.wallClock() - t0) / R
	results.fullBytes = #text
	results.fullBeyond = #text - bytes(full.Data)
	results.fullText = text
	t0 = sim.wallClock()
	for _ = 1, R do
		local decoded = HttpService:JSONDecode(text)
		assert(Envelope.decode(decoded), "the full record decodes")
	end
	results.fullDecode = (sim.wallClock() - t0) / R
	-- the whole write decision on it: decode, lease, step, stamping, measure
	local spec = {
		Key = "Player_1",
		Token = WriteReceipts.token(guid()),
		Missing = "Fail",
		Lease = "Renew",
		Owner = { Token = meta.Lease.Token, JobId = meta.Lease.JobId, PlaceId = 1, Timeout = 180 },
		Upgrade = "None",
		Schema = { Template = full.Data, Version = 1 },
		MaxBytes = LIMITS.MaxDataBytes,
		ReceiptLimit = LIMITS.WriteReceiptLimit,
		Measure = function(envelope)
			return bytes(envelope)
		end,
		Step = function(envelope)
			envelope.Data.Wallet.Coins += 1
			return { DataChanged = true }
		end,
	}
	t0 = sim.wallClock()
	local decision
	for _ = 1, R do
		decision = Record.decide(HttpService:JSONDecode(text), spec, 1700000100)
	end
	results.fullDecide = (sim.wallClock() - t0) / R
	assert(decision.Kind == "Write", "the full record stays writable under MaxDataBytes")
end)
return results
"#;

fn main() -> mlua::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/runtime");
    let lua = host::new_vm(&root)?;
    let limits = lua.create_table()?;
    for name in [
        "WriteReceiptLimit",
        "OperationReceiptLimit",
        "OperationDedupeLimit",
        "DeadLetterLimit",
        "DeadLetterPayloadMaxBytes",
        "MaxDataBytes",
    ] {
        limits.set(name, store_default_number(name))?;
    }
    let r: mlua::Table = lua.load(BENCH).set_name("@bench").call(limits)?;
    let get = |k: &str| -> f64 { r.get::<f64>(k).unwrap_or(f64::NAN) };
    println!(
        "checkpoint (Data:Add + encode + write, Memory adapter) {:>9.1} us/op",
        get("checkpoint") * 1e6
    );
    println!(
        "envelope beyond Data, empty operation ledgers, {} write receipts {:>8} B",
        get("emptyReceipts"),
        get("emptyBeyond")
    );
    let max = store_default_number("MaxDataBytes");
    println!(
        "full default ledgers: record {} B ({:.1}% of MaxDataBytes {}), beyond Data {} B",
        get("fullBytes"),
        get("fullBytes") / max * 100.0,
        max,
        get("fullBeyond")
    );
    println!(
        "full record, runtime: encode {:.2} ms, decode {:.2} ms, whole write decision {:.2} ms",
        get("fullEncode") * 1e3,
        get("fullDecode") * 1e3,
        get("fullDecide") * 1e3
    );
    let text: String = r.get("fullText")?;
    let runs = 20;
    let t0 = Instant::now();
    for _ in 0..runs {
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        Envelope::decode(&value).expect("the full record decodes in the core");
    }
    println!(
        "full record, core (src/core/envelope.rs): parse + decode {:.2} ms",
        t0.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
    Ok(())
}
