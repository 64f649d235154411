//! The template's paths form one record shape: a path is declared once and is
//! never both a field and the parent of other fields (VS3005). Builds the
//! store's shape, defaults and template from the fields that passed, in time
//! linear in the number of path segments.

use std::collections::HashMap;

use crate::check::rule::{Context, FieldWork, Rule};
use crate::schema::model::{Field, TemplateField, Type};

pub struct TemplateShape;

#[derive(Default)]
struct Node {
    /// Children in the order they were first declared.
    children: Vec<(String, Node)>,
    index: HashMap<String, usize>,
    /// The field declared at exactly this path.
    field: Option<usize>,
    /// A field declared below this path (for the overlap message).
    below: Option<usize>,
}

impl Node {
    fn child(&mut self, name: &str) -> &mut Node {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.children.push((name.to_owned(), Node::default()));
                self.index.insert(name.to_owned(), self.children.len() - 1);
                self.children.len() - 1
            }
        };
        &mut self.children[i].1
    }

    /// The shape and defaults of everything below this node.
    fn build(&self, fields: &[FieldWork]) -> (Type, serde_json::Map<String, serde_json::Value>) {
        let mut record = Vec::with_capacity(self.children.len());
        let mut defaults = serde_json::Map::new();
        for (name, child) in &self.children {
            match child.field {
                Some(i) => {
                    let f = &fields[i];
                    record.push(Field {
                        name: name.clone(),
                        ty: f.ty.clone(),
                    });
                    if !f.default.is_null() {
                        defaults.insert(name.clone(), f.default.clone());
                    }
                }
                None => {
                    let (ty, inner) = child.build(fields);
                    record.push(Field {
                        name: name.clone(),
                        ty,
                    });
                    defaults.insert(name.clone(), serde_json::Value::Object(inner));
                }
            }
        }
        (Type::Record(record), defaults)
    }
}

impl Rule for TemplateShape {
    fn name(&self) -> &'static str {
        "template_shape"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3005"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &mut cx.stores {
            let fields = std::mem::take(&mut s.fields);
            let mut root = Node::default();
            let mut kept: Vec<FieldWork> = Vec::with_capacity(fields.len());
            for f in fields {
                let clash = clash_of(&mut root, &f.path, kept.len());
                let Some(other) = clash else {
                    kept.push(f);
                    continue;
                };
                let k = &kept[other];
                let what = if k.path == f.path {
                    "is declared twice"
                } else {
                    "overlaps another field"
                };
                cx.out.error(
                    "VS3005",
                    f.key,
                    format!("template path `{}` {what} (`{}`)", f.path.join("."), k.path.join(".")),
                    "duplicate or overlapping path",
                    "a path may be declared once, and never both as a field and as the parent of other fields",
                );
                s.broken.push(f.path);
            }
            let (shape, defaults) = root.build(&kept);
            s.store.shape = shape;
            s.store.defaults = serde_json::Value::Object(defaults);
            s.store.template = kept
                .iter()
                .map(|f| TemplateField {
                    path: f.path.clone(),
                    ty: f.ty.clone(),
                    default: f.default.clone(),
                    span: f.key,
                    private: f.private,
                })
                .collect();
            s.fields = kept;
        }
    }
}

/// Inserts `path` as field `id`, or returns the earlier field it clashes with
/// (nothing is inserted then).
fn clash_of(root: &mut Node, path: &[String], id: usize) -> Option<usize> {
    // First look without inserting, so a refused path leaves no trace.
    let mut node = &*root;
    let mut exists = true;
    for seg in path {
        if let Some(f) = node.field {
            return Some(f);
        }
        match node.index.get(seg.as_str()) {
            Some(&i) => node = &node.children[i].1,
            None => {
                exists = false;
                break;
            }
        }
    }
    if exists {
        if let Some(f) = node.field.or(node.below) {
            return Some(f);
        }
    }
    let mut node = root;
    for seg in path {
        node.below.get_or_insert(id);
        node = node.child(seg);
    }
    node.field = Some(id);
    None
}
