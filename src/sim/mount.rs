//! Builds the simulated DataModel tree from folders and Rojo project files the
//! way Rojo 7 builds a place, so a layout that misbehaves on Roblox misbehaves
//! in the simulator too: the same instances, names, classes, properties,
//! attributes and duplicates.
//!
//! Files: `*.server.lua(u)` is a Script, `*.client.lua(u)` a LocalScript,
//! `*.plugin.lua(u)` a plugin Script (never run), any other `*.lua(u)` a
//! ModuleScript, `*.project.json` a nested project, `*.model.json` a JSON
//! model, `*.json` a ModuleScript returning the data, `*.toml` the same,
//! `*.txt` a StringValue, `*.csv` a LocalizationTable; `<name>.meta.json`
//! beside a file adds properties and attributes to it. Other files are not
//! instances. Folders: `default.project.json` makes the folder that project
//! (wally's package layout), then `init.luau`/`init.lua` (ModuleScript),
//! `init.server.*`, `init.client.*`, `init.csv`; otherwise a Folder;
//! `init.meta.json` adds a class name (only to a Folder), properties and
//! attributes. Children keep their names: two entries of one name are two
//! instances, as in a Rojo build.
//!
//! Binary models (`.rbxm`, `.rbxmx`) cannot be read without Roblox's
//! serializer and are refused with a mount error rather than skipped.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

/// One instance to create in a VM's DataModel.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub class: String,
    pub source: Option<Rc<str>>,
    /// Shown in error messages and tracebacks (`path/to/file.luau:12: ...`).
    pub chunk: String,
    pub children: Vec<Node>,
    /// Properties as a Rojo file writes them (`true`, `5`, `"text"`, or
    /// explicitly typed such as `{ "Vector3": [1, 2, 3] }`), in file order;
    /// the emulation resolves them against the class's property table.
    pub properties: Vec<(String, Value)>,
    /// Attributes, in the same form.
    pub attributes: Vec<(String, Value)>,
}

impl Node {
    pub fn folder(name: &str, class: &str) -> Node {
        Node {
            name: name.into(),
            class: class.into(),
            ..Node::default()
        }
    }

    /// A script instance with its source and chunk name.
    pub fn script(name: &str, class: &str, source: &str, chunk: &str) -> Node {
        Node {
            name: name.into(),
            class: class.into(),
            source: Some(Rc::from(source)),
            chunk: chunk.into(),
            ..Node::default()
        }
    }

    /// The first child called `name`, created as `class` when there is none.
    pub fn child_mut(&mut self, name: &str, class: &str) -> &mut Node {
        if let Some(i) = self.children.iter().position(|c| c.name == name) {
            return &mut self.children[i];
        }
        self.children.push(Node::folder(name, class));
        self.children.last_mut().expect("just pushed")
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// A property as written, if set.
    pub fn property(&self, name: &str) -> Option<&Value> {
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// All nodes of `class` in the tree, depth first.
    pub fn collect<'a>(&'a self, class: &str, out: &mut Vec<&'a Node>) {
        if self.class == class {
            out.push(self);
        }
        for c in &self.children {
            c.collect(class, out);
        }
    }

    fn set_property(&mut self, key: &str, value: Value) {
        self.properties.retain(|(k, _)| k != key);
        self.properties.push((key.to_string(), value));
    }

    fn set_attribute(&mut self, key: &str, value: Value) {
        self.attributes.retain(|(k, _)| k != key);
        self.attributes.push((key.to_string(), value));
    }
}

/// Why a folder or project could not be mounted.
#[derive(Debug, Clone, PartialEq)]
pub struct MountError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for MountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

fn fail(path: &Path, message: impl Into<String>) -> MountError {
    MountError {
        path: path.into(),
        message: message.into(),
    }
}

fn read(path: &Path) -> Result<String, MountError> {
    std::fs::read_to_string(path)
        .map(|s| s.replace("\r\n", "\n"))
        .map_err(|e| fail(path, e.to_string()))
}

/// `$path` entries inside `from` are read from `to` instead: the game's
/// project names the package's output folder, and the simulator serves the
/// package generated for this run (what `vstore build` would write now).
#[derive(Debug, Clone)]
pub struct Redirect {
    pub from: PathBuf,
    pub to: PathBuf,
}

impl Redirect {
    fn apply(&self, path: &Path) -> PathBuf {
        let full = lexical(path);
        match full.strip_prefix(lexical(&self.from)) {
            Ok(rest) => self.to.join(rest),
            Err(_) => path.to_path_buf(),
        }
    }
}

/// An absolute path with `.` and `..` removed, without touching the disk
/// (the folder may not exist yet).
fn lexical(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What a mount reads through.
#[derive(Debug, Clone, Default)]
struct Ctx {
    redirect: Option<Redirect>,
}

impl Ctx {
    fn resolve(&self, path: &Path) -> PathBuf {
        match &self.redirect {
            Some(r) => r.apply(path),
            None => path.to_path_buf(),
        }
    }
}

/// What a file becomes, from its name, in Rojo's rule order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Script(&'static str),
    Plugin,
    Project,
    Model,
    Json,
    Toml,
    Csv,
    Text,
    Binary,
}

const RULES: &[(&str, Kind)] = &[
    (".server.luau", Kind::Script("Script")),
    (".server.lua", Kind::Script("Script")),
    (".client.luau", Kind::Script("LocalScript")),
    (".client.lua", Kind::Script("LocalScript")),
    (".plugin.luau", Kind::Plugin),
    (".plugin.lua", Kind::Plugin),
    (".luau", Kind::Script("ModuleScript")),
    (".lua", Kind::Script("ModuleScript")),
    (".project.json", Kind::Project),
    (".model.json", Kind::Model),
    (".json", Kind::Json),
    (".toml", Kind::Toml),
    (".csv", Kind::Csv),
    (".txt", Kind::Text),
    (".rbxmx", Kind::Binary),
    (".rbxm", Kind::Binary),
];

/// Splits a file name into (instance name, kind), or `None` for files that
/// are not instances (meta files included).
fn kind_of(file: &str) -> Option<(&str, Kind)> {
    if file.ends_with(".meta.json") {
        return None;
    }
    RULES.iter().find_map(|(suffix, kind)| {
        file.strip_suffix(suffix)
            .filter(|stem| !stem.is_empty())
            .map(|stem| (stem, *kind))
    })
}

/// Files that make their folder the instance, in Rojo's priority order.
const INIT_FILES: &[(&str, &str)] = &[
    ("init.luau", "ModuleScript"),
    ("init.lua", "ModuleScript"),
    ("init.server.luau", "Script"),
    ("init.server.lua", "Script"),
    ("init.client.luau", "LocalScript"),
    ("init.client.lua", "LocalScript"),
    ("init.csv", "LocalizationTable"),
];

fn is_init_file(file: &str) -> bool {
    INIT_FILES.iter().any(|(f, _)| *f == file)
}

/// Mounts a file or folder as an instance called `name`, or `None` when Rojo
/// makes no instance of it (a file of no known kind).
fn snapshot(path: &Path, name: &str, ctx: &Ctx) -> Result<Option<Node>, MountError> {
    if path.is_dir() {
        return snapshot_dir(path, name, ctx).map(Some);
    }
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| fail(path, "the file name is not valid UTF-8"))?;
    let Some((stem, kind)) = kind_of(file) else {
        return Ok(None);
    };
    // a file's instance is named after the file unless the caller names it
    let name = if name.is_empty() { stem } else { name };
    let mut node = match kind {
        Kind::Script(class) => Node::script(name, class, &read(path)?, &path.display().to_string()),
        Kind::Plugin => {
            let mut n = Node::script(name, "Script", &read(path)?, &path.display().to_string());
            n.set_property("RunContext", serde_json::json!({ "Enum": "Plugin" }));
            n
        }
        Kind::Project => return mount_project_node_file(path, name, ctx).map(Some),
        Kind::Model => return model_file(path, name).map(Some),
        Kind::Json => {
            let value: Value = serde_json::from_str(&read(path)?)
                .map_err(|e| fail(path, format!("not valid JSON: {e}")))?;
            module_returning(name, &value, path)
        }
        Kind::Toml => {
            let value: toml::Value = toml::from_str(&read(path)?)
                .map_err(|e| fail(path, format!("not valid TOML: {e}")))?;
            module_returning(name, &toml_to_json(value), path)
        }
        Kind::Csv => Node::folder(name, "LocalizationTable"),
        Kind::Text => {
            let mut n = Node::folder(name, "StringValue");
            n.set_property("Value", Value::String(read(path)?));
            n
        }
        Kind::Binary => {
            return Err(fail(
                path,
                "binary models (.rbxm, .rbxmx) cannot be read by the simulator; \
                 write the instances as a .model.json file instead",
            ))
        }
    };
    let meta = path.with_file_name(format!("{stem}.meta.json"));
    if meta.is_file() {
        apply_meta(&mut node, &meta, false)?;
    }
    Ok(Some(node))
}

fn snapshot_dir(path: &Path, name: &str, ctx: &Ctx) -> Result<Node, MountError> {
    let name = if name.is_empty() {
        path.file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
    } else {
        name
    };
    let project = path.join("default.project.json");
    if project.is_file() {
        return mount_project_node_file(&project, name, ctx);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| fail(path, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut node = Node::folder(name, "Folder");
    for entry in &entries {
        let file = entry
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        if !entry.is_dir() && is_init_file(file) {
            continue;
        }
        if let Some(child) = snapshot(entry, "", ctx)? {
            node.children.push(child);
        }
    }
    if let Some((file, class)) = INIT_FILES.iter().find(|(f, _)| path.join(f).is_file()) {
        let init = path.join(file);
        node.class = (*class).into();
        if *class != "LocalizationTable" {
            node.source = Some(Rc::from(read(&init)?));
            node.chunk = init.display().to_string();
        }
    }
    let meta = path.join("init.meta.json");
    if meta.is_file() {
        apply_meta(&mut node, &meta, true)?;
    }
    Ok(node)
}

/// A ModuleScript whose source returns `value` as a Luau literal.
fn module_returning(name: &str, value: &Value, path: &Path) -> Node {
    let mut text = String::from("return ");
    luau_literal(value, &mut text);
    text.push('\n');
    Node::script(name, "ModuleScript", &text, &path.display().to_string())
}

fn luau_literal(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() && n.is_f64() => out.push_str(&format!("{f:?}")),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(&crate::codegen::luau::string(s)),
        Value::Array(items) => {
            out.push('{');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                luau_literal(v, out);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push('[');
                out.push_str(&crate::codegen::luau::string(k));
                out.push_str("] = ");
                luau_literal(v, out);
            }
            out.push('}');
        }
    }
}

/// TOML as JSON; dates and times become their text, as Rojo writes them.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn parse_json(path: &Path) -> Result<Value, MountError> {
    serde_json::from_str(&read(path)?).map_err(|e| fail(path, format!("not valid JSON: {e}")))
}

/// Applies a meta file: `<name>.meta.json` beside a file, or a folder's
/// `init.meta.json` (which alone may give a class name, and only to what would
/// otherwise be a Folder, as Rojo requires).
fn apply_meta(node: &mut Node, meta: &Path, directory: bool) -> Result<(), MountError> {
    let json = parse_json(meta)?;
    let Some(obj) = json.as_object() else {
        return Err(fail(meta, "a meta file must hold a JSON object"));
    };
    for (key, value) in obj {
        match key.as_str() {
            "properties" => apply_properties(node, value, meta)?,
            "attributes" => apply_attributes(node, value, meta)?,
            "className" if directory => {
                let Some(class) = value.as_str() else {
                    return Err(fail(meta, "\"className\" must be a string"));
                };
                if node.class != "Folder" {
                    return Err(fail(
                        meta,
                        format!(
                            "className in init.meta.json can only be given to a folder that \
                             would be a Folder; this one is a {}",
                            node.class
                        ),
                    ));
                }
                node.class = class.into();
            }
            "ignoreUnknownInstances" | "id" => {}
            other => {
                return Err(fail(
                    meta,
                    format!("unknown field `{other}` in a meta file"),
                ));
            }
        }
    }
    Ok(())
}

fn apply_properties(node: &mut Node, value: &Value, file: &Path) -> Result<(), MountError> {
    let Some(props) = value.as_object() else {
        return Err(fail(file, "\"properties\" must be an object"));
    };
    for (k, v) in props {
        // Rojo refuses to set these by hand and warns
        if k == "Name" || k == "Parent" {
            continue;
        }
        node.set_property(k, v.clone());
    }
    Ok(())
}

fn apply_attributes(node: &mut Node, value: &Value, file: &Path) -> Result<(), MountError> {
    let Some(attrs) = value.as_object() else {
        return Err(fail(file, "\"attributes\" must be an object"));
    };
    for (k, v) in attrs {
        node.set_attribute(k, v.clone());
    }
    Ok(())
}

/// A `.model.json` file: one instance tree; the file name names the root.
fn model_file(path: &Path, name: &str) -> Result<Node, MountError> {
    let json = parse_json(path)?;
    let mut node = model_node(&json, path)?;
    node.name = name.into();
    Ok(node)
}

fn model_node(json: &Value, path: &Path) -> Result<Node, MountError> {
    let field = |a: &str, b: &str| json.get(a).or_else(|| json.get(b));
    let class = field("className", "ClassName")
        .and_then(Value::as_str)
        .ok_or_else(|| fail(path, "a JSON model instance needs a \"className\""))?;
    let name = field("name", "Name")
        .and_then(Value::as_str)
        .unwrap_or(class);
    let mut node = Node::folder(name, class);
    if let Some(p) = field("properties", "Properties") {
        apply_properties(&mut node, p, path)?;
    }
    if let Some(a) = json.get("attributes") {
        apply_attributes(&mut node, a, path)?;
    }
    if let Some(children) = field("children", "Children") {
        let Some(list) = children.as_array() else {
            return Err(fail(path, "\"children\" must be an array"));
        };
        for c in list {
            node.children.push(model_node(c, path)?);
        }
    }
    if let Some(Value::String(src)) = node.property("Source").cloned() {
        node.source = Some(Rc::from(src.as_str()));
        node.chunk = path.display().to_string();
    }
    Ok(node)
}

/// Services Rojo infers from a name directly under the DataModel, so a
/// project may leave out their `$className`.
pub const SERVICES: &[&str] = &[
    "AnalyticsService",
    "AssetService",
    "BadgeService",
    "Chat",
    "CollectionService",
    "ContentProvider",
    "ContextActionService",
    "DataStoreService",
    "Debris",
    "GroupService",
    "GuiService",
    "HttpService",
    "InsertService",
    "Lighting",
    "LocalizationService",
    "MarketplaceService",
    "MaterialService",
    "MemoryStoreService",
    "MessagingService",
    "PathfindingService",
    "PhysicsService",
    "Players",
    "PolicyService",
    "ProximityPromptService",
    "ReplicatedFirst",
    "ReplicatedStorage",
    "RunService",
    "ServerScriptService",
    "ServerStorage",
    "SocialService",
    "SoundService",
    "StarterGui",
    "StarterPack",
    "StarterPlayer",
    "Teams",
    "TeleportService",
    "TestService",
    "TextChatService",
    "TextService",
    "TweenService",
    "UserInputService",
    "UserService",
    "VoiceChatService",
    "Workspace",
];

fn infer_class(name: &str, parent_class: Option<&str>) -> Option<String> {
    match parent_class? {
        "DataModel" => SERVICES.contains(&name).then(|| name.to_string()),
        "StarterPlayer" => matches!(name, "StarterPlayerScripts" | "StarterCharacterScripts")
            .then(|| name.to_string()),
        "Workspace" => (name == "Terrain").then(|| name.to_string()),
        _ => None,
    }
}

/// Mounts the project file at `path` as one instance called `name` (a nested
/// project: the key that names it in its parent, or its folder's name).
fn mount_project_node_file(path: &Path, name: &str, ctx: &Ctx) -> Result<Node, MountError> {
    let json = parse_json(path)?;
    let tree = json
        .get("tree")
        .ok_or_else(|| fail(path, "has no \"tree\""))?;
    let name = if name.is_empty() {
        json.get("name").and_then(Value::as_str).unwrap_or_default()
    } else {
        name
    };
    project_node(tree, name, None, path, ctx)?
        .ok_or_else(|| fail(path, "the project's tree makes no instance"))
}

fn project_node(
    tree: &Value,
    name: &str,
    parent_class: Option<&str>,
    file: &Path,
    ctx: &Ctx,
) -> Result<Option<Node>, MountError> {
    let Some(obj) = tree.as_object() else {
        return Err(fail(
            file,
            format!("the entry for `{name}` is not an object"),
        ));
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let mut node = Node::folder(name, "");
    let mut class_from_path = None;
    let mut optional = false;
    let mut path_given = None;
    if let Some(p) = obj.get("$path") {
        let (rel, opt) = match p {
            Value::String(s) => (s.as_str(), false),
            Value::Object(o) => match o.get("optional").and_then(Value::as_str) {
                Some(s) => (s, true),
                None => return Err(fail(file, format!("`{name}`: $path must be a string"))),
            },
            _ => return Err(fail(file, format!("`{name}`: $path must be a string"))),
        };
        optional = opt;
        let full = ctx.resolve(&base.join(rel));
        path_given = Some(rel.to_string());
        if full.exists() {
            if let Some(found) = snapshot(&full, name, ctx)? {
                class_from_path = Some(found.class.clone());
                node.source = found.source;
                node.chunk = found.chunk;
                node.children = found.children;
                node.properties = found.properties;
                node.attributes = found.attributes;
            }
        }
    }
    let class_from_project = match obj.get("$className") {
        Some(Value::String(c)) => Some(c.clone()),
        Some(_) => return Err(fail(file, format!("`{name}`: $className must be a string"))),
        None => None,
    };
    let inferred = infer_class(name, parent_class);
    let class = match (class_from_project, class_from_path, inferred) {
        (Some(c), None, _) => c,
        (None, Some(p), None) => p,
        (None, None, Some(i)) => i,
        (None, Some(p), Some(i)) => {
            if p == "Folder" {
                i
            } else {
                p
            }
        }
        (Some(c), Some(p), _) => {
            if p == "Folder" {
                c
            } else {
                return Err(fail(
                    file,
                    format!(
                        "`{name}` has $className \"{c}\" and a $path that is a {p}; with both, \
                         $path must refer to a folder"
                    ),
                ));
            }
        }
        (None, None, None) => {
            if optional {
                return Ok(None);
            }
            return Err(fail(
                file,
                match path_given {
                    Some(p) => format!(
                        "`{name}`: $path \"{p}\" does not exist or is not a file Rojo can turn into an instance"
                    ),
                    None => format!(
                        "`{name}` needs a $className, a $path, or the name of a known service"
                    ),
                },
            ));
        }
    };
    node.class = class;
    // Rojo reads the children of a project node in sorted order
    let children: BTreeMap<&String, &Value> =
        obj.iter().filter(|(k, _)| !k.starts_with('$')).collect();
    for (k, v) in children {
        if let Some(child) = project_node(v, k, Some(&node.class), file, ctx)? {
            node.children.push(child);
        }
    }
    if let Some(p) = obj.get("$properties") {
        apply_properties(&mut node, p, file)?;
    }
    if let Some(a) = obj.get("$attributes") {
        apply_attributes(&mut node, a, file)?;
    }
    Ok(Some(node))
}

/// Mounts a file or folder as an instance called `name` (a folder that Rojo
/// would not make an instance of gives an empty Folder).
pub fn mount_path(path: &Path, name: &str) -> Result<Node, MountError> {
    Ok(snapshot(path, name, &Ctx::default())?.unwrap_or_else(|| Node::folder(name, "Folder")))
}

/// The DataModel Rojo builds from the project file `project_file`, reading
/// `$path` entries through `redirect` when given.
pub fn build_project(project_file: &Path, redirect: Option<Redirect>) -> Result<Node, MountError> {
    let ctx = Ctx { redirect };
    let mut root = mount_project_node_file(project_file, "", &ctx)?;
    if root.class != "DataModel" {
        return Err(fail(
            project_file,
            format!(
                "the project's tree is a {}, not a DataModel: a place needs \"$className\": \"DataModel\" at its root",
                root.class
            ),
        ));
    }
    root.name = "game".into();
    Ok(root)
}

/// Mounts a Rojo project file's tree under `root` (the DataModel node).
pub fn mount_project(project_file: &Path, root: &mut Node) -> Result<(), MountError> {
    mount_project_over_package(project_file, root)
}

/// Merges the DataModel Rojo builds from `project_file` into `root`, one
/// service at a time (a service of `root` keeps its children and gains the
/// project's). For runtime development only, where the package is a folder of
/// its own that the project does not name; a game's own project is built
/// exactly with [`build_project`].
pub fn mount_project_over_package(project_file: &Path, root: &mut Node) -> Result<(), MountError> {
    let built = build_project(project_file, None)?;
    merge(root, built);
    Ok(())
}

fn merge(into: &mut Node, from: Node) {
    for child in from.children {
        match into
            .children
            .iter_mut()
            .find(|c| c.name == child.name && c.class == child.class)
        {
            Some(existing) if child.source.is_none() => {
                let Node {
                    properties,
                    attributes,
                    children,
                    ..
                } = child;
                existing.properties.extend(properties);
                existing.attributes.extend(attributes);
                merge(
                    existing,
                    Node {
                        children,
                        ..Node::default()
                    },
                );
            }
            _ => into.children.push(child),
        }
    }
}

/// Rewrites chunk names under `prefix` to be relative to it, so errors show
/// package paths instead of a temporary folder.
pub fn strip_chunk_prefix(node: &mut Node, prefix: &Path) {
    if let Ok(rel) = Path::new(&node.chunk).strip_prefix(prefix) {
        node.chunk = rel.display().to_string();
    }
    for c in &mut node.children {
        strip_chunk_prefix(c, prefix);
    }
}

/// Copies the folder tree `from` into `to` (created as needed), for running a
/// project or runtime from a scratch copy.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
