//! Cost of `Data:Add(player, {"Wallet", "Coins"}, 1)` on the player facade
//! (validation, dirty tracking and change emission included) next to a raw
//! table increment, in the same Luau VM, with the Memory adapter.

#[path = "support/host.rs"]
mod host;

use std::path::Path;

const BENCH: &str = r#"
local VirtualStore = require(game:GetService("ServerScriptService").VirtualStore)
local N = 1000000
local results = {}
sim.run(function()
	local Data = VirtualStore.players({
		Name = "PlayerData",
		Template = { Wallet = { Coins = 0 }, Inventory = {} },
		Adapter = VirtualStore.MemoryAdapter.new(),
		AutoStart = false,
	})
	local player = { UserId = 1, Name = "Bench", Kick = function() end }
	task.spawn(function()
		Data:_load(player)
	end)
	local _, err = Data:Wait(player, 5)
	assert(err == nil, err and err.Message)

	local raw = { Wallet = { Coins = 0 } }
	local t0 = sim.wallClock()
	for _ = 1, N do
		local path = { "Wallet", "Coins" }
		raw[path[1]][path[2]] += 1
	end
	results.raw = (sim.wallClock() - t0) / N

	t0 = sim.wallClock()
	for _ = 1, N do
		Data:Add(player, { "Wallet", "Coins" }, 1)
	end
	results.add = (sim.wallClock() - t0) / N

	local session = Data:GetSession(player)
	session._patched:Connect(function() end)
	t0 = sim.wallClock()
	for _ = 1, N do
		Data:Add(player, { "Wallet", "Coins" }, 1)
	end
	results.addObserved = (sim.wallClock() - t0) / N
	assert(Data:GetPath(player, { "Wallet", "Coins" }) == 2 * N)
	Data.Store._scheduler:stop()
end)
return results.raw, results.add, results.addObserved
"#;

fn main() -> mlua::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/runtime");
    let lua = host::new_vm(&root)?;
    let (raw, add, observed): (f64, f64, f64) = lua.load(BENCH).set_name("@bench").eval()?;
    println!("raw table increment             {:>8.1} ns/op", raw * 1e9);
    println!("Data:Add (no listeners)         {:>8.1} ns/op", add * 1e9);
    println!(
        "Data:Add (replication listener) {:>8.1} ns/op",
        observed * 1e9
    );
    println!("Data:Add / raw increment        {:>8.1}x", add / raw);
    Ok(())
}
