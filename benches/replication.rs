//! Bytes and time per `Add` on a nested public path. Bytes are the JSON-like
//! encoding of each remote message (the harness's `encode`), a proxy for what
//! a RemoteEvent carries. Run with `cargo bench --bench replication`.

use std::time::Instant;

use mlua::Lua;

#[path = "../tests/replication/world.rs"]
mod world;
use world::CLIENT;

const SCENARIO: &str = r#"
local H, Replication, ClientSource, adds = ...
local player = H.player("Ann", 1)
local session = H.session({
	Wallet = { Coins = 0, Reserved = 500, Escrow = { Trade = 20 } },
	Inventory = { "Sword", "Shield", "Bow" },
	Progress = { Level = 3, XP = 120 },
})
local replica = H.client(player, ClientSource).connect("PlayerData")
Replication.attach(session, player, { Name = "PlayerData", Replication = { Paths = { { "Wallet", "Coins" }, { "Progress", "Level" } } } })
H.advance(0.1)
H.flush()
local before = #H.network.Sent
local bytes = 0
for _ = 1, adds do
	session:mutate(function(data)
		data.Wallet.Coins += 1
		return { { "Wallet", "Coins" } }
	end)
	H.flush()
end
for index = before + 1, #H.network.Sent do
	bytes += H.network.Sent[index].Bytes
end
assert(replica:GetPath({ "Wallet", "Coins" }) == adds, "mirror kept up")
return bytes, #H.network.Sent - before, H.encode(H.network.Sent[#H.network.Sent].Message)
"#;

fn main() -> mlua::Result<()> {
    let adds = 2000;
    let lua = Lua::new();
    let (harness, replication) = world::load(&lua)?;
    let started = Instant::now();
    let (bytes, messages, sample): (f64, f64, String) = lua
        .load(SCENARIO)
        .set_name("=bench")
        .call((harness, replication, CLIENT, adds))?;
    let elapsed = started.elapsed();
    println!("replication: {adds} Adds on {{\"Wallet\",\"Coins\"}}");
    println!("  messages per Add: {:.2}", messages / adds as f64);
    println!("  bytes per Add:    {:.1}", bytes / adds as f64);
    println!(
        "  time per Add (server + client, emulated): {:.1} us",
        elapsed.as_secs_f64() * 1e6 / adds as f64
    );
    println!("  sample message:   {sample}");
    Ok(())
}
