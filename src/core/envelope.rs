//! Decoding of stored records (see `docs/envelope.md`). The simulator's oracles
//! and admin tooling read records through this module, never through the Luau
//! code under test.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::settings::{FORMAT_MARKER, FORMAT_VERSION};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    pub format: String,
    pub format_version: i64,
    pub schema_version: i64,
    pub data: Value,
    #[serde(deserialize_with = "struct_or_empty_list")]
    pub meta: Meta,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Meta {
    pub revision: i64,
    pub data_revision: i64,
    pub created_at: f64,
    pub updated_at: f64,
    pub user_ids: Vec<i64>,
    #[serde(deserialize_with = "map_or_empty_list")]
    pub tags: BTreeMap<String, Value>,
    pub lease: Option<Lease>,
    pub write_receipts: Vec<WriteReceipt>,
    #[serde(deserialize_with = "struct_or_empty_list")]
    pub operations: Operations,
    /// Escrow the trade saga holds in this record (`docs/trades.md`); absent
    /// when the record holds none.
    pub trades: Option<Trades>,
}

/// `Meta.Trades`: value a trade moved out of `Data` and holds until the trade
/// settles or is refunded, by trade ID. Never part of `Data`, so it is neither
/// spendable nor replicated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Trades {
    #[serde(deserialize_with = "map_or_empty_list")]
    pub escrow: BTreeMap<String, TradeEscrow>,
}

/// One trade's escrow in one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TradeEscrow {
    #[serde(default)]
    pub coins: f64,
    /// The item entries themselves, as they were in the profile's item list.
    #[serde(default, deserialize_with = "list_or_empty_map")]
    pub items: Vec<Value>,
    #[serde(default)]
    pub at: f64,
}

/// A Luau table with no entries encodes as `[]`, so an empty map may arrive
/// as an empty list.
fn map_or_empty_list<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Value::deserialize(d)? {
        Value::Array(a) if a.is_empty() => Ok(BTreeMap::new()),
        Value::Null => Ok(BTreeMap::new()),
        other => serde_json::from_value(other).map_err(serde::de::Error::custom),
    }
}

/// A record-shaped value left empty may arrive as `[]` too.
fn struct_or_empty_list<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    match Value::deserialize(d)? {
        Value::Array(a) if a.is_empty() => Ok(T::default()),
        other => serde_json::from_value(other).map_err(serde::de::Error::custom),
    }
}

/// The other direction: an empty list may arrive as `{}`.
fn list_or_empty_map<'de, D>(d: D) -> Result<Vec<Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Value::deserialize(d)? {
        Value::Object(o) if o.is_empty() => Ok(Vec::new()),
        Value::Null => Ok(Vec::new()),
        other => serde_json::from_value(other).map_err(serde::de::Error::custom),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Lease {
    pub token: String,
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub place_id: i64,
    #[serde(default)]
    pub claimed_at: f64,
    pub expires_at: f64,
    /// The owner keeps a server liveness entry (docs/runtime.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteReceipt {
    pub token: String,
    #[serde(default)]
    pub data_changed: bool,
    #[serde(default)]
    pub at: f64,
    #[serde(default)]
    pub revision: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Operations {
    pub pending: Vec<PendingOperation>,
    pub receipts: Vec<OperationReceipt>,
    pub dedupe: Vec<DedupeEntry>,
    pub dead_letters: Vec<DeadLetter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PendingOperation {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub payload: Value,
    #[serde(default)]
    pub queued_at: f64,
    #[serde(default)]
    pub attempts: i64,
    #[serde(default)]
    pub last_attempt_at: f64,
    #[serde(default)]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperationReceipt {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub result: Option<Value>,
    /// Encoded size of a result too large to keep (then `result` is absent).
    #[serde(default)]
    pub result_bytes: Option<i64>,
    #[serde(default)]
    pub result_omitted: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub attempts: i64,
    #[serde(default)]
    pub queued_at: f64,
    #[serde(default)]
    pub completed_at: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DedupeEntry {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub at: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetter {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub payload: Option<Value>,
    #[serde(default)]
    pub payload_bytes: i64,
    #[serde(default)]
    pub payload_omitted: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub attempts: i64,
    #[serde(default)]
    pub queued_at: f64,
    #[serde(default)]
    pub failed_at: f64,
}

/// Why a stored value is not a readable VirtualStore record.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    NotAnObject,
    MissingFormatMarker,
    NewerFormat(i64),
    Malformed(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::NotAnObject => write!(f, "the stored value is not a JSON object"),
            DecodeError::MissingFormatMarker => write!(
                f,
                "the stored value has no \"Format\": \"{FORMAT_MARKER}\" marker"
            ),
            DecodeError::NewerFormat(v) => write!(
                f,
                "the record uses envelope format {v}, newer than {FORMAT_VERSION}"
            ),
            DecodeError::Malformed(m) => write!(f, "the record envelope is malformed: {m}"),
        }
    }
}

/// Completed operations end in one of these statuses.
const TERMINAL_STATUSES: &[&str] = &["Applied", "Cancelled", "Failed"];

impl Envelope {
    /// Decodes a stored JSON value, failing closed on anything unexpected:
    /// every field the runtime reads must have its documented shape (the
    /// rules of `Envelope.decode` in `templates/runtime/Envelope.luau`).
    pub fn decode(value: &Value) -> Result<Envelope, DecodeError> {
        let obj = value.as_object().ok_or(DecodeError::NotAnObject)?;
        if obj.get("Format").and_then(Value::as_str) != Some(FORMAT_MARKER) {
            return Err(DecodeError::MissingFormatMarker);
        }
        if let Some(v) = obj.get("FormatVersion").and_then(Value::as_i64) {
            if v > FORMAT_VERSION {
                return Err(DecodeError::NewerFormat(v));
            }
        }
        if obj.get("Data").is_none_or(Value::is_null) {
            return Err(DecodeError::Malformed("the record has no Data".into()));
        }
        let envelope: Envelope = serde_json::from_value(value.clone())
            .map_err(|e| DecodeError::Malformed(e.to_string()))?;
        envelope.check().map_err(DecodeError::Malformed)?;
        Ok(envelope)
    }

    /// The rules serde's types do not carry: ranges and status values.
    fn check(&self) -> Result<(), String> {
        if self.format_version < 1 {
            return Err(format!(
                "FormatVersion {} is not a format version",
                self.format_version
            ));
        }
        if self.schema_version < 1 {
            return Err(format!(
                "SchemaVersion {} is not a schema version",
                self.schema_version
            ));
        }
        let meta = &self.meta;
        let ops = &meta.operations;
        let counts = [
            ("Meta.Revision", meta.revision),
            ("Meta.DataRevision", meta.data_revision),
        ]
        .into_iter()
        .chain(
            meta.write_receipts
                .iter()
                .map(|r| ("WriteReceipts.Revision", r.revision)),
        )
        .chain(ops.pending.iter().map(|p| ("Pending.Attempts", p.attempts)))
        .chain(
            ops.receipts
                .iter()
                .map(|r| ("Receipts.Attempts", r.attempts)),
        )
        .chain(
            ops.receipts
                .iter()
                .map(|r| ("Receipts.ResultBytes", r.result_bytes.unwrap_or(0))),
        )
        .chain(
            ops.dead_letters
                .iter()
                .map(|d| ("DeadLetters.Attempts", d.attempts)),
        )
        .chain(
            ops.dead_letters
                .iter()
                .map(|d| ("DeadLetters.PayloadBytes", d.payload_bytes)),
        );
        for (field, value) in counts {
            if value < 0 {
                return Err(format!("{field} is negative"));
            }
        }
        let statuses = ops
            .receipts
            .iter()
            .map(|r| &r.status)
            .chain(ops.dedupe.iter().map(|d| &d.status));
        for status in statuses {
            if !TERMINAL_STATUSES.contains(&status.as_str()) {
                return Err(format!("{status:?} is not an operation's final status"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_a_minimal_record_and_rejects_foreign_values() {
        let rec = json!({"Format": "VirtualStore", "FormatVersion": 1, "SchemaVersion": 2, "Data": {"Coins": 1}, "Meta": {"Revision": 3}});
        let env = Envelope::decode(&rec).unwrap();
        assert_eq!(env.meta.revision, 3);
        assert_eq!(
            Envelope::decode(&json!({"Coins": 1})),
            Err(DecodeError::MissingFormatMarker)
        );
        assert_eq!(Envelope::decode(&json!(5)), Err(DecodeError::NotAnObject));
        let newer = json!({"Format": "VirtualStore", "FormatVersion": 9, "SchemaVersion": 1, "Data": {}, "Meta": {}});
        assert_eq!(Envelope::decode(&newer), Err(DecodeError::NewerFormat(9)));
    }

    #[test]
    fn decodes_a_record_holding_a_trade_in_escrow() {
        let rec = json!({
            "Format": "VirtualStore", "FormatVersion": 1, "SchemaVersion": 1,
            "Data": {"Wallet": {"Coins": 300}, "Inventory": {"Items": []}},
            "Meta": {
                "Revision": 4,
                "Operations": {"Pending": [], "Receipts": [{"Id": "trade:t1:escrow:A", "Name": "__TradeEscrow",
                    "Status": "Applied", "Result": {"Ok": true, "Coins": 200, "Items": [{"Id": "sword-1"}]}}],
                    "Dedupe": [], "DeadLetters": []},
                "Trades": {"Escrow": {"t1": {"Coins": 200, "Items": [{"Id": "sword-1", "Kind": "Gear"}], "At": 1700000000}}}
            }
        });
        let env = Envelope::decode(&rec).unwrap();
        let trades = env.meta.trades.expect("the escrow is decoded");
        let held = &trades.escrow["t1"];
        assert_eq!(held.coins, 200.0);
        assert_eq!(held.items, vec![json!({"Id": "sword-1", "Kind": "Gear"})]);
        assert_eq!(env.meta.operations.receipts[0].name, "__TradeEscrow");
        // An escrow of coins only: its empty item list may encode as an object.
        let coins_only = json!({"Format": "VirtualStore", "FormatVersion": 1, "SchemaVersion": 1, "Data": {},
            "Meta": {"Trades": {"Escrow": {"t2": {"Coins": 5, "Items": {}}}}}});
        let env = Envelope::decode(&coins_only).unwrap();
        assert!(env.meta.trades.unwrap().escrow["t2"].items.is_empty());
        // No escrow at all: no Trades.
        let none = json!({"Format": "VirtualStore", "FormatVersion": 1, "SchemaVersion": 1, "Data": {}, "Meta": {}});
        assert_eq!(Envelope::decode(&none).unwrap().meta.trades, None);
    }
}
