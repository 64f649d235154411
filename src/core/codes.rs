//! Runtime error codes, load/session states, operation and trade statuses and
//! the client replica's states, named as the spec names them. Codegen emits
//! them into the runtime's `Constants.luau` and the docs; the conformance test
//! compares them with what the live runtime produces.

/// Load states of the player facade.
pub const LOAD_STATES: &[&str] = &[
    "Loading",
    "Retrying",
    "Ready",
    "Failed",
    "Releasing",
    "Released",
];
/// States of a Session.
pub const SESSION_STATES: &[&str] = &[
    "Loading",
    "Retrying",
    "Active",
    "Releasing",
    "Released",
    "LeaseLost",
    "Failed",
];
/// Durable operation statuses.
pub const OPERATION_STATUSES: &[&str] = &[
    "Queued",
    "Pending",
    "Applied",
    "Cancelled",
    "Failed",
    "Unknown",
];

/// What kind of commit a Session's `OnSaved` reports.
pub const COMMIT_KINDS: &[&str] = &["Save", "Checkpoint", "AutoSave", "Renew", "Release"];
/// Statuses of a trade journal (`docs/trades.md`).
pub const TRADE_STATUSES: &[&str] = &[
    "Pending",
    "Escrowed",
    "Settling",
    "Completed",
    "Cancelled",
    "NeedsRepair",
];
/// States of a client replica.
pub const REPLICA_STATES: &[&str] = &["Connecting", "Ready", "Resyncing", "Disconnected"];

/// Error codes returned as `virtualError.Code`.
pub const ERROR_CODES: &[(&str, &str)] = &[
    (
        "LockTimeout",
        "Another active lease did not release in time.",
    ),
    ("LeaseLost", "This server no longer owns the stored token."),
    (
        "PlayerDataUnavailable",
        "The player facade has no Ready session.",
    ),
    (
        "AdminAccessDisabled",
        "No AdminAuthorize callback is configured.",
    ),
    ("AdminAccessDenied", "AdminAuthorize rejected the request."),
    (
        "LeaseTokenMismatch",
        "The inspected lease changed before force release.",
    ),
    (
        "RankScanLimit",
        "The key lies outside the bounded rank scan.",
    ),
    (
        "AmbiguousIncrement",
        "An ordered increment failed after its single attempt.",
    ),
    (
        "LoadFailed",
        "The stored record could not be loaded safely.",
    ),
    (
        "CorruptRecord",
        "The stored record does not decode or validate.",
    ),
    (
        "NewerSchemaVersion",
        "The stored record was written by a newer schema version.",
    ),
    (
        "MigrationFailed",
        "A migration step errored or produced invalid data.",
    ),
    (
        "ValidationFailed",
        "The change does not satisfy the schema.",
    ),
    ("InvalidPath", "The path does not exist or is malformed."),
    (
        "InvalidArgument",
        "An argument has the wrong type or value.",
    ),
    (
        "StrictDataViolation",
        "Direct writes to strict session data are not allowed.",
    ),
    ("SessionNotActive", "The session is not Active."),
    ("SessionOpen", "The key is already open in this server."),
    ("ActiveLease", "A live lease blocks this offline action."),
    (
        "Cancelled",
        "The transaction callback returned VirtualStore.Cancel.",
    ),
    (
        "TransactionFailed",
        "The transaction callback raised an error.",
    ),
    ("LockBusy", "The named lock is held."),
    (
        "RequestFailed",
        "A storage request failed after its bounded attempts.",
    ),
    (
        "BudgetTimeout",
        "The request budget did not become available in time.",
    ),
    ("DataTooLarge", "The record exceeds MaxDataBytes."),
    ("NotStorable", "The value cannot be stored in a DataStore."),
    (
        "OperationExists",
        "An operation with that ID is already retained.",
    ),
    (
        "OperationQueueFull",
        "The record already holds PendingOperationLimit pending operations.",
    ),
    (
        "UnknownOperation",
        "No handler is registered for that operation name.",
    ),
    ("Timeout", "The wait ended before the expected state."),
    ("Closed", "The store is closing or closed."),
    (
        "DeleteConfirmationMismatch",
        "The delete confirmation does not match.",
    ),
    ("VersionNotFound", "No stored version matches."),
    ("RecordNotFound", "The key has no stored record."),
    (
        "OperationNotFound",
        "No pending operation or dead letter has that ID.",
    ),
    (
        "PayloadNotRetained",
        "The dead letter's payload was over DeadLetterPayloadMaxBytes and was not kept.",
    ),
    (
        "TradeInEscrow",
        "A trade holds escrow on the record, so restoring an older version would count it twice.",
    ),
];
