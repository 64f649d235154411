//! Builds the simulated DataModel tree from folders the way Rojo syncs them:
//! a folder is a Folder, a folder with `init.luau` is that script with the other
//! entries as children, `*.server.luau` is a Script, `*.client.luau` a
//! LocalScript, any other `*.luau` or `*.lua` a ModuleScript. A Rojo project
//! file maps `$path` and `$className` entries onto services.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

/// One instance to create in a VM's DataModel.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub class: String,
    pub source: Option<Rc<str>>,
    /// Shown in error messages and tracebacks (`path/to/file.luau:12: ...`).
    pub chunk: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn folder(name: &str, class: &str) -> Node {
        Node {
            name: name.into(),
            class: class.into(),
            source: None,
            chunk: String::new(),
            children: Vec::new(),
        }
    }

    pub fn child_mut(&mut self, name: &str, class: &str) -> &mut Node {
        if let Some(i) = self.children.iter().position(|c| c.name == name) {
            return &mut self.children[i];
        }
        self.children.push(Node::folder(name, class));
        self.children.last_mut().expect("just pushed")
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

fn read(path: &Path) -> Result<Rc<str>, MountError> {
    std::fs::read_to_string(path)
        .map(Rc::from)
        .map_err(|e| MountError {
            path: path.into(),
            message: e.to_string(),
        })
}

/// Splits a script file name into (instance name, class), or `None` for other files.
fn script_kind(file: &str) -> Option<(&str, &'static str)> {
    for (suffix, class) in [
        (".server.luau", "Script"),
        (".server.lua", "Script"),
        (".client.luau", "LocalScript"),
        (".client.lua", "LocalScript"),
        (".luau", "ModuleScript"),
        (".lua", "ModuleScript"),
    ] {
        if let Some(stem) = file.strip_suffix(suffix) {
            return Some((stem, class));
        }
    }
    None
}

/// Mounts a file or folder as an instance called `name`.
pub fn mount_path(path: &Path, name: &str) -> Result<Node, MountError> {
    if path.is_file() {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        let class = script_kind(file).map(|(_, c)| c).unwrap_or("ModuleScript");
        return Ok(Node {
            name: name.into(),
            class: class.into(),
            source: Some(read(path)?),
            chunk: path.display().to_string(),
            children: Vec::new(),
        });
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| MountError {
            path: path.into(),
            message: e.to_string(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut node = Node::folder(name, "Folder");
    for entry in entries {
        let file = entry
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        if file.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            node.children.push(mount_path(&entry, &file)?);
            continue;
        }
        let Some((stem, class)) = script_kind(&file) else {
            continue;
        };
        if stem == "init" {
            node.class = class.into();
            node.source = Some(read(&entry)?);
            node.chunk = entry.display().to_string();
            continue;
        }
        node.children.push(Node {
            name: stem.into(),
            class: class.into(),
            source: Some(read(&entry)?),
            chunk: entry.display().to_string(),
            children: Vec::new(),
        });
    }
    Ok(node)
}

/// Mounts a Rojo project file's tree under `root` (the DataModel node).
pub fn mount_project(project_file: &Path, root: &mut Node) -> Result<(), MountError> {
    mount_project_over_package(project_file, root, None)
}

/// Like [`mount_project`] over a DataModel that already holds the generated
/// package: `$path` entries inside `package_out` (the project's `out` folder,
/// which may hold an older build) are left to the package, so the game's
/// project file can name the package's folders one by one without mounting
/// them twice.
pub fn mount_project_over_package(
    project_file: &Path,
    root: &mut Node,
    package_out: Option<&Path>,
) -> Result<(), MountError> {
    let text = std::fs::read_to_string(project_file).map_err(|e| MountError {
        path: project_file.into(),
        message: e.to_string(),
    })?;
    let json: Value = serde_json::from_str(&text).map_err(|e| MountError {
        path: project_file.into(),
        message: format!("not valid JSON: {e}"),
    })?;
    let tree = json.get("tree").ok_or_else(|| MountError {
        path: project_file.into(),
        message: "has no \"tree\"".into(),
    })?;
    let base = project_file.parent().unwrap_or(Path::new("."));
    let out = package_out.and_then(|o| o.canonicalize().ok());
    apply_tree(tree, base, root, project_file, out.as_deref())
}

fn apply_tree(
    tree: &Value,
    base: &Path,
    node: &mut Node,
    file: &Path,
    out: Option<&Path>,
) -> Result<(), MountError> {
    let Some(obj) = tree.as_object() else {
        return Err(MountError {
            path: file.into(),
            message: format!("the entry for `{}` is not an object", node.name),
        });
    };
    if let Some(p) = obj.get("$path").and_then(Value::as_str) {
        let full = base.join(p);
        // a nested project file (such as the generated package fragment) is mounted by its owner
        let in_package = out.is_some_and(|o| full.canonicalize().is_ok_and(|f| f.starts_with(o)));
        if full.exists() && !p.ends_with(".project.json") && !in_package {
            let mounted = mount_path(&full, &node.name)?;
            if node.class == "Folder" || mounted.source.is_some() {
                node.class = mounted.class;
            }
            node.source = mounted.source.or(node.source.take());
            node.chunk = mounted.chunk;
            node.children.extend(mounted.children);
        }
    }
    if let Some(c) = obj.get("$className").and_then(Value::as_str) {
        node.class = c.into();
    }
    for (k, v) in obj {
        if k.starts_with('$') {
            continue;
        }
        let child = node.child_mut(k, "Folder");
        apply_tree(v, base, child, file, out)?;
    }
    Ok(())
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
