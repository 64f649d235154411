//! The public API of the VirtualStore runtime, one row per member: owner,
//! name, aliases, kind, signature in the type language of [`sig`] and a doc
//! line; and the named types those signatures use. Codegen renders the typed
//! Luau declarations of the generated modules, the roblox-ts typings and the
//! API tables of `docs/api.md` from it; `tests/spec_conformance.rs` turns it
//! into a probe of the live runtime. It holds no Luau or TypeScript text.
//!
//! Names with a meaning of their own in signatures: `Data` (the store's data
//! type), `OperationName` / `OperationPayload` (the store's operations),
//! `Path` / `NumberPath` / `ListPath` (a data path; any path, one holding a
//! number, one holding a list), `Value` (the value at that path) and
//! `Element` (an element of that list). Outputs that can type paths (the
//! roblox-ts overloads, the generated per-field helpers) type them per path;
//! the others read them as `Path` and `any`.

pub mod sig;

/// Who a member belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// The server module `VirtualStore` (dotted names reach its sub-tables).
    Module,
    /// The player facade (`VirtualStore.players`).
    Facade,
    /// The key-based Store (`VirtualStore.new`, `Data.Store`).
    Store,
    /// One open key.
    Session,
    /// A leaderboard (`VirtualStore.OrderedIndex.new`).
    OrderedIndex,
    /// The client module `VirtualStoreClient`.
    Client,
    /// A client replica (`VirtualStoreClient.connect`).
    Replica,
}

impl Owner {
    pub const ALL: [Owner; 7] = [
        Owner::Module,
        Owner::Facade,
        Owner::Store,
        Owner::Session,
        Owner::OrderedIndex,
        Owner::Client,
        Owner::Replica,
    ];

    /// The name signatures use for a value of this owner.
    pub fn type_name(self) -> &'static str {
        match self {
            Owner::Module => "VirtualStore",
            Owner::Facade => "Facade",
            Owner::Store => "Store",
            Owner::Session => "Session",
            Owner::OrderedIndex => "OrderedIndex",
            Owner::Client => "VirtualStoreClient",
            Owner::Replica => "Replica",
        }
    }
}

/// How a member is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Called with `.`; `ty` is a signature.
    Function,
    /// Called with `:`; `ty` is a signature without `self`.
    Method,
    /// A signal; `ty` is its payload as a parameter list.
    Signal,
    /// A value; `ty` is its type.
    Field,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub owner: Owner,
    pub name: &'static str,
    /// Other names bound to the same value.
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    pub ty: &'static str,
    pub doc: &'static str,
}

/// A named type of the API (records, options, payloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedType {
    pub name: &'static str,
    pub ty: &'static str,
    pub doc: &'static str,
}

/// Names every output knows without a [`NamedType`]: primitives, the owners,
/// the store-specific names and the types generated from `core::codes` and
/// `core::settings`.
pub const BUILTIN_NAMES: &[&str] = &[
    "number",
    "integer",
    "string",
    "boolean",
    "any",
    "unknown",
    "Player",
    "Data",
    "OperationName",
    "OperationPayload",
    "Path",
    "NumberPath",
    "ListPath",
    "Value",
    "Element",
    "PublicData",
    "Settings",
    "OrderedIndexSettings",
    "LoadState",
    "SessionState",
    "OperationStatus",
    "CommitKind",
    "ReplicaState",
    "VirtualStore",
    "Facade",
    "Store",
    "Session",
    "OrderedIndex",
    "VirtualStoreClient",
    "Replica",
];

/// Names that make a member's signature depend on the store's schema.
const SCHEMA_NAMES: &[&str] = &[
    "Data",
    "OperationName",
    "OperationPayload",
    "Path",
    "NumberPath",
    "ListPath",
    "Value",
    "Element",
    "PublicData",
    "SaveInfo",
    "QueuedOperation",
    "Facade",
    "Store",
    "Session",
];

impl Member {
    pub fn overloads(&self) -> Vec<sig::Func> {
        sig::parse_overloads(self.ty)
            .unwrap_or_else(|e| panic!("{}.{}: {e:?}", self.owner.type_name(), self.name))
    }

    pub fn payload(&self) -> Vec<sig::Param> {
        sig::parse_params(self.ty)
            .unwrap_or_else(|e| panic!("{}.{}: {e:?}", self.owner.type_name(), self.name))
    }

    pub fn field_type(&self) -> sig::Ty {
        sig::parse_type(self.ty)
            .unwrap_or_else(|e| panic!("{}.{}: {e:?}", self.owner.type_name(), self.name))
    }

    /// Every name the member's type mentions.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |names: Vec<&str>| out.extend(names.into_iter().map(str::to_string));
        match self.kind {
            Kind::Function | Kind::Method => {
                for f in self.overloads() {
                    let mut names = Vec::new();
                    f.names(&mut names);
                    add(names);
                }
            }
            Kind::Signal => {
                for p in self.payload() {
                    let mut names = Vec::new();
                    p.ty.names(&mut names);
                    add(names);
                }
            }
            Kind::Field => {
                let ty = self.field_type();
                let mut names = Vec::new();
                ty.names(&mut names);
                add(names);
            }
        }
        out
    }

    /// Whether the member is typed with the store's schema in a generated
    /// module (its signature names `Data`, a path, an operation or a type
    /// holding one); derived from the signature, so it cannot disagree.
    pub fn data_typed(&self) -> bool {
        self.names()
            .iter()
            .any(|n| SCHEMA_NAMES.contains(&n.as_str()))
    }
}

const fn member(
    owner: Owner,
    kind: Kind,
    name: &'static str,
    ty: &'static str,
    doc: &'static str,
) -> Member {
    Member {
        owner,
        name,
        aliases: &[],
        kind,
        ty,
        doc,
    }
}

const fn method(owner: Owner, name: &'static str, ty: &'static str, doc: &'static str) -> Member {
    member(owner, Kind::Method, name, ty, doc)
}

const fn function(owner: Owner, name: &'static str, ty: &'static str, doc: &'static str) -> Member {
    member(owner, Kind::Function, name, ty, doc)
}

const fn signal(owner: Owner, name: &'static str, ty: &'static str, doc: &'static str) -> Member {
    member(owner, Kind::Signal, name, ty, doc)
}

const fn field(owner: Owner, name: &'static str, ty: &'static str, doc: &'static str) -> Member {
    member(owner, Kind::Field, name, ty, doc)
}

const fn aka(mut m: Member, aliases: &'static [&'static str]) -> Member {
    m.aliases = aliases;
    m
}

use Owner::{Client, Facade, Module, OrderedIndex, Replica, Session, Store};

/// Every public member, grouped by owner in the order the docs list them.
pub const MEMBERS: &[Member] = &[
    // The server module.
    function(Module, "players", "(config: { [string]: any }) -> Facade", "The player facade over keys `Player_<UserId>`; `StrictData` defaults to true."),
    function(Module, "new", "(config: { [string]: any }) -> Store", "A key-based Store."),
    field(Module, "Cancel", "any", "Return it from an `Edit`/`Update`/`Transaction`/`Patch`/`UpdateAsync` callback to discard the changes (`err.Code == \"Cancelled\"`)."),
    aka(function(Module, "WithLockTransactions", "(sessions: { Session }, name: string, callback: (...any) -> ...any, options: LockOptions?) -> (boolean, VirtualError?)", "One lock transaction over several open sessions: locks taken in key order, one data copy per session, all adopted or none."), &["withLockTransactions"]),
    function(Module, "OrderedIndex.new", "(config: { [string]: any }) -> OrderedIndex", "A leaderboard; `VirtualStore.OrderedIndex` is nil if the module was removed."),
    function(Module, "Trade.new", "(config: { [string]: any }) -> any", "A trade coordinator (`docs/trades.md`); `VirtualStore.Trade` is nil if the module was removed."),
    function(Module, "MemoryAdapter.new", "(options: { Latency: number? }?) -> any", "In-memory DataStore for tests and Studio: pass it as `config.Adapter`."),
    function(Module, "OrderedIndex.MemoryAdapter.new", "(options: { Latency: number? }?) -> any", "In-memory OrderedDataStore: pass it as the OrderedIndex `config.Adapter`."),
    function(Module, "DataStoreAdapter.new", "(name: string, scope: string?, service: any?) -> any", "The default adapter, built from `config.Name` and `config.Scope` when `Adapter` is nil."),
    function(Module, "OrderedIndex.DataStoreAdapter.new", "(name: string, scope: string?, service: any?) -> any", "The default ordered adapter."),
    field(Module, "Settings", "Settings", "The Store defaults of [Settings](#settings) (frozen)."),
    field(Module, "OrderedIndex.Defaults", "OrderedIndexSettings", "The OrderedIndex defaults (frozen)."),
    field(Module, "Errors", "{ [string]: string }", "`Errors.<Code> == \"<Code>\"` for every [error code](#error-codes)."),
    field(Module, "Version", "string", "The runtime version."),
    // The player facade.
    field(Facade, "Name", "string", "The store name."),
    field(Facade, "Store", "Store", "The underlying key-based Store."),
    field(Facade, "Trades", "any?", "The trade coordinator when `config.Trades` is given; nil in a generated module."),
    signal(Facade, "Loaded", "(player: Player, data: Data, session: Session)", "A player's data became Ready."),
    signal(Facade, "LoadStateChanged", "(player: Player, state: LoadState)", "Every load-state change."),
    function(Facade, "keyFor", "(userId: number) -> string", "The key of a player, `\"Player_<UserId>\"`."),
    aka(method(Facade, "Wait", "(player: Player, timeout: number?) -> (Session?, VirtualError?)", "Waits up to `timeout` seconds (default 30) for Ready; errors `Timeout`, `PlayerDataUnavailable` or the load error."), &["Await"]),
    method(Facade, "GetState", "(player: Player) -> LoadState?", "The load state; nil for an unknown player."),
    method(Facade, "GetLeaseWait", "(player: Player) -> number?", "While the join waits for another server's lease to expire (state `Retrying`): when the wait is expected to end (Unix seconds): the lease's `ExpiresAt`, or sooner when its owner's server liveness entry lapses first; nil otherwise. For a \"restoring your data\" screen."),
    method(Facade, "IsLoaded", "(player: Player) -> boolean", "Whether the player's data is Ready."),
    method(Facade, "GetSession", "(player: Player) -> Session?", "The player's Session; nil unless Ready."),
    method(Facade, "Get", "(player: Player) -> (Data?, VirtualError?)", "The live data (read-only with StrictData)."),
    method(Facade, "GetPath", "(player: Player, path: Path) -> (Value?, VirtualError?)", "The value at one path."),
    aka(method(Facade, "Add", "(player: Player, path: NumberPath, delta: number, options: MutationOptions?) -> (boolean, VirtualError?)", "Adds `delta` to the number at `path`."), &["Increment"]),
    method(Facade, "Set", "(player: Player, path: Path, value: Value, options: MutationOptions?) -> (boolean, VirtualError?)", "Replaces the value at `path`."),
    method(Facade, "Patch", "(player: Player, path: Path, callback: (current: Value) -> any, options: MutationOptions?) -> (boolean, VirtualError?)", "Replaces the value at `path` with what `callback` returns."),
    method(Facade, "Insert", "(player: Player, path: ListPath, value: Element, index: number?, options: MutationOptions?) -> (boolean, VirtualError?)", "Inserts into the list at `path`; appends when `index` is nil."),
    method(Facade, "Remove", "(player: Player, path: Path, index: number?, options: MutationOptions?) -> (boolean, VirtualError?)", "Removes a list element (default the last) or a map key."),
    aka(method(Facade, "Edit", "(player: Player, callback: (profile: Data) -> ...any, options: MutationOptions?) -> (boolean, VirtualError?)", "A transaction on a copy of the data (`Session:Transaction`)."), &["Update"]),
    method(Facade, "WithLock", "(player: Player, name: string, callback: (session: Session) -> ...any, options: LockOptions?) -> (any, VirtualError?)", "Runs `callback` holding a named local lock; its result (`true` if nil)."),
    method(Facade, "WithLockTransaction", "(player: Player, name: string, callback: (profile: Data) -> ...any, options: LockOptions?) -> (boolean, VirtualError?)", "A transaction holding a named local lock."),
    method(Facade, "SaveAsync", "(player: Player) -> (boolean, VirtualError?)", "Writes if the data is dirty."),
    method(Facade, "CheckpointAsync", "(player: Player) -> (boolean, VirtualError?)", "Always writes: a known durability boundary."),
    method(Facade, "DeliverAsync", "(target: Player | number, id: string, name: OperationName, payload: OperationPayload) -> (OperationStatus?, VirtualError?)", "Queues a durable operation for a player or UserId; `Queued`, or the status of a known ID."),
    method(Facade, "GetDeliveryAsync", "(target: Player | number, id: string) -> (OperationStatus?, VirtualError?, Receipt?)", "The status and receipt of one delivery."),
    method(Facade, "DeliverAndWaitAsync", "(target: Player | number, id: string, name: OperationName, payload: OperationPayload, timeout: number?) -> (OperationStatus?, VirtualError?, Receipt?)", "Delivers, then waits up to `timeout` seconds (default 30) for a terminal status."),
    method(Facade, "ReplicateNow", "(player: Player) -> (boolean, VirtualError?)", "Flushes pending replica changes."),
    method(Facade, "ReleaseAsync", "(player: Player) -> (boolean, VirtualError?)", "Final save and release (called on `PlayerRemoving`)."),
    method(Facade, "CloseAsync", "() -> (boolean, VirtualError?)", "Releases every player and closes the Store (called on `BindToClose`)."),
    field(Facade, "Cooldowns", "any", "The cooldowns pattern ([Patterns](#patterns)); nil without `VirtualStore.Patterns`."),
    field(Facade, "Daily", "any", "The daily rewards pattern."),
    field(Facade, "Purchases", "any", "The developer-product purchases pattern."),
    field(Facade, "Offline", "any", "The offline rewards pattern."),
    field(Facade, "Effects", "any", "The timed effects pattern."),
    // The key-based Store.
    field(Store, "Name", "string", "The DataStore name."),
    field(Store, "Settings", "Settings", "The resolved settings (frozen)."),
    field(Store, "JobId", "string", "This server's JobId, written into leases."),
    field(Store, "PlaceId", "number", "This server's PlaceId, written into leases."),
    signal(Store, "OnError", "(err: VirtualError)", "Every storage or load error."),
    signal(Store, "CriticalStateChanged", "(critical: boolean, diagnostics: { [string]: any })", "Entering or leaving critical state."),
    signal(Store, "SessionOpened", "(session: Session)", "A session opened here."),
    signal(Store, "SessionClosed", "(session: Session)", "A session released or lost its lease."),
    signal(Store, "OperationQueued", "(operation: QueuedOperation, status: OperationStatus)", "After `QueueOperationAsync`, with the status it returned."),
    signal(Store, "OperationApplied", "(receipt: Receipt)", "An operation applied in a commit of this server."),
    signal(Store, "OperationRetried", "(pending: PendingOperation)", "A handler failed and the operation will retry."),
    signal(Store, "OperationFailed", "(receipt: Receipt)", "An operation ended Failed."),
    method(Store, "OpenAsync", "(key: string, options: OpenOptions?) -> (Session?, VirtualError?)", "Claims the lease and opens a Session; `SessionOpen` if open here, `Closed` while closing."),
    method(Store, "GetSession", "(key: string) -> Session?", "The Session open here for `key`."),
    method(Store, "IsOpen", "(key: string) -> boolean", "Whether `key` is open here."),
    method(Store, "GetDiagnostics", "() -> { [string]: any }", "Counters, `Critical`, `RecentIssueCount`, `AverageLatency`, `OpenSessions`."),
    method(Store, "IsCritical", "() -> boolean", "Whether recent issues put the Store in critical state."),
    method(Store, "CloseAsync", "() -> (boolean, VirtualError?)", "Releases every session within `CloseTimeout`."),
    method(Store, "ViewAsync", "(key: string) -> (Data?, VirtualError?, { [string]: any }?)", "A lease-free read, migrated and reconciled, with its metadata; all nil when absent."),
    method(Store, "UpdateAsync", "(key: string, callback: (profile: Data) -> ...any, options: { [string]: any }?) -> (Data?, VirtualError?)", "Edits an offline record in place (a returned table replaces it); `ActiveLease` while leased; the callback must not yield and may run twice."),
    method(Store, "QueueOperationAsync", "(key: string, id: string, name: OperationName, payload: OperationPayload) -> (OperationStatus?, VirtualError?)", "Queues a durable operation, online or offline."),
    method(Store, "GetOperationAsync", "(key: string, id: string) -> (OperationStatus?, VirtualError?, Receipt?)", "The status of one operation; `Unknown` when no ledger has the ID."),
    method(Store, "AwaitOperationAsync", "(key: string, id: string, timeout: number?) -> (OperationStatus?, VirtualError?, Receipt?)", "Polls each second until a terminal status (default timeout 30); `Timeout` carries the last status."),
    method(Store, "ListVersionsAsync", "(key: string, options: { [string]: any }?) -> (any, VirtualError?)", "The adapter's version list."),
    method(Store, "ViewVersionAsync", "(key: string, version: string) -> (Data?, VirtualError?, any)", "One stored version, migrated."),
    method(Store, "ViewAtTimeAsync", "(key: string, timestamp: number) -> (Data?, VirtualError?, any)", "The version current at `timestamp`."),
    method(Store, "RestoreVersionAsync", "(key: string, version: string) -> (Data?, VirtualError?)", "Writes an old version as the newest; `VersionNotFound`, `ActiveLease`, `TradeInEscrow`, `SessionOpen`."),
    method(Store, "GetDeleteConfirmation", "(key: string) -> string", "The text `DeleteAsync` requires, `\"DELETE <key>\"`."),
    method(Store, "DeleteAsync", "(key: string, confirmation: string) -> (boolean, VirtualError?)", "Deletes the record; `DeleteConfirmationMismatch`."),
    method(Store, "InspectMetadataAsync", "(key: string, context: any) -> ({ [string]: any }?, VirtualError?)", "Admin: the record's metadata, the lease token included."),
    method(Store, "ListPendingOperationsAsync", "(key: string, context: any) -> ({ PendingOperation }?, VirtualError?)", "Admin: unfinished operations."),
    method(Store, "ListDeadLettersAsync", "(key: string, context: any) -> ({ DeadLetter }?, VirtualError?)", "Admin: retained failures with their payloads."),
    method(Store, "ClearPendingOperationAsync", "(key: string, id: string, context: any) -> (Receipt?, VirtualError?)", "Admin: cancels one pending operation with a receipt and tombstone."),
    method(Store, "ForceFailOperationAsync", "(key: string, id: string, context: any) -> (Receipt?, VirtualError?)", "Admin: moves one pending operation to the dead letters."),
    method(Store, "RequeueDeadLetterAsync", "(key: string, deadLetterId: string, newId: string, context: any) -> (OperationStatus?, VirtualError?)", "Admin: queues a dead letter's payload under a new ID; `PayloadNotRetained`, `OperationExists`, `OperationNotFound`."),
    method(Store, "ForceReleaseLeaseAsync", "(key: string, token: string, context: any) -> (boolean, VirtualError?)", "Admin: releases exactly the inspected lease; `LeaseTokenMismatch`."),
    method(Store, "CompactLedgersAsync", "(key: string, context: any) -> (boolean, VirtualError?)", "Admin: re-applies the ledger limits; refused while a lease is live."),
    // One open key.
    field(Session, "Key", "string", "The key."),
    field(Session, "Data", "Data", "The live data (read-only with StrictData)."),
    signal(Session, "OnChanged", "(change: Change)", "After each mutation."),
    signal(Session, "OnSaved", "(info: SaveInfo)", "After each commit."),
    signal(Session, "OnReleased", "(info: SaveInfo)", "After the release commit."),
    signal(Session, "OnLeaseLost", "()", "Another server took the lease."),
    signal(Session, "HandoffRequested", "(request: HandoffRequest)", "Another server waits for the key."),
    signal(Session, "StateChanged", "(state: SessionState)", "Every session state change."),
    method(Session, "IsActive", "() -> boolean", "Whether the session still owns the lease and may mutate."),
    method(Session, "GetState", "() -> SessionState", "The session state."),
    method(Session, "GetData", "() -> Data", "The live data."),
    method(Session, "Get", "() -> Data & (path: Path) -> Value?", "The live data, or the value at `path`."),
    method(Session, "Snapshot", "() -> Data", "A deep copy of the data."),
    method(Session, "GetMetadata", "() -> { [string]: any }", "`Revision`, `DataRevision`, `CreatedAt`, `UpdatedAt`, `UserIds`, `Tags`, `SchemaVersion`, `LeaseExpiresAt`, `PendingOperations`."),
    method(Session, "GetTag", "(name: string) -> any", "A tag saved with the record's metadata."),
    method(Session, "SetTag", "(name: string, value: any) -> (boolean, VirtualError?)", "Sets a tag."),
    method(Session, "AddUserId", "(userId: number) -> (boolean, VirtualError?)", "Adds a GDPR user ID to the key."),
    method(Session, "RemoveUserId", "(userId: number) -> (boolean, VirtualError?)", "Removes a GDPR user ID."),
    method(Session, "IsDirty", "() -> boolean", "Whether the data needs another commit."),
    method(Session, "MarkDirty", "() -> ()", "Marks the data dirty."),
    method(Session, "MarkClean", "() -> ()", "Marks the data clean."),
    method(Session, "GetDiff", "() -> { ChangeDetail }", "Changes since the last save, with `TrackChangeDetails`."),
    method(Session, "GetAuditLog", "() -> { any }", "The last `AuditLogLimit` changes."),
    method(Session, "Increment", "(path: NumberPath, delta: number, options: MutationOptions?) -> (boolean, VirtualError?)", "Adds `delta` to the number at `path`."),
    method(Session, "Set", "(path: Path, value: Value, options: MutationOptions?) -> (boolean, VirtualError?)", "Replaces the value at `path`."),
    method(Session, "Patch", "(path: Path, callback: (current: Value) -> any, options: MutationOptions?) -> (boolean, VirtualError?)", "Replaces the value at `path` with what `callback` returns."),
    method(Session, "Insert", "(path: ListPath, value: Element, index: number?, options: MutationOptions?) -> (boolean, VirtualError?)", "Inserts into the list at `path`; appends when `index` is nil."),
    method(Session, "Remove", "(path: Path, index: number?, options: MutationOptions?) -> (boolean, VirtualError?)", "Removes a list element (default the last) or a map key; template fields cannot be removed."),
    method(Session, "Transaction", "(callback: (profile: Data) -> ...any, options: MutationOptions?) -> (boolean, VirtualError?)", "Edits an isolated copy, adopted only if it validates."),
    method(Session, "Reconcile", "(options: MutationOptions?) -> (boolean, VirtualError?)", "Fills missing template fields."),
    method(Session, "IsLocked", "(name: string) -> boolean", "Whether a named local lock is held."),
    method(Session, "WithLock", "(name: string, callback: (session: Session) -> ...any, options: LockOptions?) -> (any, VirtualError?)", "Runs `callback` holding a named lock; `LockBusy` after `options.Timeout`."),
    method(Session, "WithLockTransaction", "(name: string, callback: (profile: Data) -> ...any, options: LockOptions?) -> (boolean, VirtualError?)", "A transaction holding a named lock."),
    method(Session, "QueueOperationAsync", "(id: string, name: OperationName, payload: OperationPayload) -> (OperationStatus?, VirtualError?)", "Queues a durable operation for this key."),
    method(Session, "ProcessOperationsAsync", "() -> (any, VirtualError?)", "Applies pending operations now."),
    method(Session, "SaveAsync", "() -> (boolean, VirtualError?)", "Writes if the data is dirty."),
    method(Session, "CheckpointAsync", "() -> (boolean, VirtualError?)", "Always writes."),
    method(Session, "ReleaseAsync", "() -> (boolean, VirtualError?)", "Final save and lease removal in one write."),
    // A leaderboard.
    field(OrderedIndex, "Name", "string", "The OrderedDataStore name."),
    field(OrderedIndex, "Ascending", "boolean", "The sort direction of queries."),
    field(OrderedIndex, "MinValue", "number?", "The lowest value accepted, if any."),
    field(OrderedIndex, "MaxValue", "number?", "The highest value accepted, if any."),
    field(OrderedIndex, "OutOfRange", "\"Reject\" | \"Clamp\"", "What a value outside the range does: rejected with `InvalidArgument`, or clamped."),
    field(OrderedIndex, "Settings", "OrderedIndexSettings", "The resolved settings (frozen)."),
    signal(OrderedIndex, "OnError", "(err: VirtualError)", "Every failure."),
    method(OrderedIndex, "GetTopAsync", "(count: number, options: TopOptions?) -> ({ OrderedEntry }?, VirtualError?)", "The first `count` entries (at most `MaxQueryEntries`)."),
    method(OrderedIndex, "GetRankAsync", "(key: string, options: RankOptions?) -> (number?, VirtualError?, number?)", "The rank and value of `key`; `RankScanLimit` beyond the scan; nil when absent."),
    aka(method(OrderedIndex, "SetAsync", "(key: string, value: number) -> (number?, VirtualError?)", "Writes a projected value."), &["ProjectAsync"]),
    method(OrderedIndex, "IncrementAsync", "(key: string, delta: number?) -> (number?, VirtualError?)", "One attempt; `AmbiguousIncrement` on failure."),
    method(OrderedIndex, "GetAsync", "(key: string) -> (number?, VirtualError?)", "The stored value."),
    method(OrderedIndex, "RemoveAsync", "(key: string) -> (number?, VirtualError?)", "Removes the key; the previous value."),
    method(OrderedIndex, "ProjectSessionAsync", "(session: Session, key: string, path: Path) -> (number?, VirtualError?)", "Writes the session's value at `path` now."),
    method(OrderedIndex, "BindSession", "(session: Session, key: string, path: Path, options: BindOptions?) -> (Binding?, VirtualError?)", "Projects the value at `path` after every save."),
    method(OrderedIndex, "ClearCache", "() -> ()", "Drops this server's cached queries."),
    method(OrderedIndex, "GetDiagnostics", "() -> { [string]: any }", "Request, retry, budget, cache and query counters."),
    // The client module and a replica.
    function(Client, "connect", "(name: string) -> Replica", "Connects to an owner-only channel; returns at once."),
    field(Replica, "Name", "string", "The channel name."),
    signal(Replica, "Changed", "(paths: { { string | number } })", "Changed paths; `{}` after a full snapshot."),
    signal(Replica, "StateChanged", "(state: ReplicaState, previous: ReplicaState)", "Every connection-state change."),
    method(Replica, "Await", "(timeout: number?) -> (boolean, (\"Timeout\" | \"Disconnected\")?)", "Waits for the first snapshot."),
    method(Replica, "GetState", "() -> ReplicaState", "The connection state."),
    method(Replica, "GetRevision", "() -> number", "The revision of the mirror."),
    method(Replica, "Get", "() -> PublicData", "The frozen public projection."),
    method(Replica, "GetPath", "(path: Path) -> unknown", "The public value at `path`."),
    method(Replica, "Observe", "(path: Path, callback: (value: unknown) -> ()) -> Connection", "Fires now if ready, then on any change at, below or above `path`."),
    method(Replica, "Disconnect", "() -> ()", "Stops observers and releases the replica."),
];

/// The named types the signatures use, in the order the docs list them.
pub const TYPES: &[NamedType] = &[
    NamedType { name: "VirtualError", ty: "{ Code: string, Message: string, Details: { [string]: any }? }", doc: "A structured runtime error (`VirtualStore.Errors`)." },
    NamedType { name: "MutationOptions", ty: "{ Reason: string?, Source: string? }", doc: "Copied into the change event and the audit log." },
    NamedType { name: "LockOptions", ty: "{ Timeout: number?, Reason: string?, Source: string? }", doc: "How long to wait for a lock, and the change reason." },
    NamedType { name: "OpenOptions", ty: "{ UserIds: { number }?, OnRetry: ((err: VirtualError?) -> ())?, WaitForExpiry: boolean?, OnWait: ((info: { ExpiresAt: number?, Holder: string? }) -> ())? }", doc: "Extra user IDs recorded on the key, a callback before each retry of a failing load, whether a foreign lease ending within `LeaseWaitLimit` is waited for past `OpenTimeout`, and a callback before each wait on a foreign lease." },
    NamedType { name: "Connection", ty: "{ Connected: boolean, Disconnect: (self: Connection) -> () }", doc: "A signal connection." },
    NamedType { name: "Change", ty: "{ Reason: string, Source: string?, Timestamp: number, Revision: number, Paths: { { string | number } }, Details: { ChangeDetail }? }", doc: "What `OnChanged` passes." },
    NamedType { name: "ChangeDetail", ty: "{ Path: { string | number }, Old: any, New: any }", doc: "One changed value, with `TrackChangeDetails`." },
    NamedType { name: "SaveInfo", ty: "{ Kind: CommitKind, Revision: number, DataRevision: number, Data: Data? }", doc: "What `OnSaved` and `OnReleased` pass: the commit and the data it stored." },
    NamedType { name: "HandoffRequest", ty: "{ Key: string, RequesterJobId: string, AutoRelease: boolean }", doc: "What `HandoffRequested` passes when another server asks for the key." },
    NamedType { name: "QueuedOperation", ty: "{ Id: string, Name: OperationName, Payload: OperationPayload }", doc: "An operation as queued, passed by `OperationQueued`." },
    NamedType { name: "Receipt", ty: "{ Id: string, Name: string, Status: OperationStatus, Result: any, Error: string?, Attempts: number, QueuedAt: number, CompletedAt: number }", doc: "The terminal record of one operation." },
    NamedType { name: "PendingOperation", ty: "{ Id: string, Name: string, Payload: any, QueuedAt: number, Attempts: number, LastAttemptAt: number, LastError: string? }", doc: "One queued operation." },
    NamedType { name: "DeadLetter", ty: "{ Id: string, Name: string, Payload: any, PayloadBytes: number, PayloadOmitted: boolean, Error: string, Attempts: number, QueuedAt: number, FailedAt: number }", doc: "A retained failure." },
    NamedType { name: "TopOptions", ty: "{ MinValue: number?, MaxValue: number?, PageSize: number?, Ascending: boolean?, BypassCache: boolean? }", doc: "Options of `GetTopAsync`." },
    NamedType { name: "RankOptions", ty: "{ MaxScan: number?, Ascending: boolean?, BypassCache: boolean? }", doc: "Options of `GetRankAsync`." },
    NamedType { name: "BindOptions", ty: "{ ProjectNow: boolean? }", doc: "Options of `BindSession`." },
    NamedType { name: "OrderedEntry", ty: "{ Key: string, Value: number, Rank: number }", doc: "One sorted entry; `Rank` is 1-based." },
    NamedType { name: "Binding", ty: "{ Key: string, Path: { string | number }, Connected: boolean, LastValue: number?, LastError: VirtualError?, Disconnect: (self: Binding) -> () }", doc: "A session bound to a leaderboard." },
];

/// The members of one owner, in table order.
pub fn members(owner: Owner) -> impl Iterator<Item = &'static Member> {
    MEMBERS.iter().filter(move |m| m.owner == owner)
}

pub fn named(name: &str) -> Option<&'static NamedType> {
    TYPES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        BUILTIN_NAMES.contains(&name) || named(name).is_some()
    }

    #[test]
    fn every_signature_parses_and_names_only_known_types() {
        for m in MEMBERS {
            for name in m.names() {
                assert!(
                    known(&name),
                    "{}.{} names unknown type {name}",
                    m.owner.type_name(),
                    m.name
                );
            }
        }
        for t in TYPES {
            let ty = sig::parse_type(t.ty).unwrap_or_else(|e| panic!("{}: {e:?}", t.name));
            let mut names = Vec::new();
            ty.names(&mut names);
            for name in names {
                assert!(known(name), "type {} names unknown type {name}", t.name);
            }
        }
    }

    #[test]
    fn names_and_aliases_are_unique_per_owner() {
        for owner in Owner::ALL {
            let mut seen = std::collections::BTreeSet::new();
            for m in members(owner) {
                for name in std::iter::once(&m.name).chain(m.aliases) {
                    assert!(
                        seen.insert(*name),
                        "{}.{name} is listed twice",
                        owner.type_name()
                    );
                }
            }
        }
        let mut types = std::collections::BTreeSet::new();
        for t in TYPES {
            assert!(
                types.insert(t.name) && !BUILTIN_NAMES.contains(&t.name),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn data_typed_members_are_the_ones_naming_the_schema() {
        let facade: Vec<_> = members(Owner::Facade)
            .filter(|m| m.data_typed())
            .map(|m| m.name)
            .collect();
        assert!(
            facade.contains(&"Get")
                && facade.contains(&"Loaded")
                && facade.contains(&"DeliverAsync")
        );
        assert!(!facade.contains(&"IsLoaded") && !facade.contains(&"CloseAsync"));
        let saved = members(Owner::Session)
            .find(|m| m.name == "OnSaved")
            .unwrap();
        assert!(saved.data_typed(), "SaveInfo carries the saved Data");
    }
}
