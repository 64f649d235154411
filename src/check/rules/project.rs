//! `[project]`: the output folder stays inside the project (VS3007).

use std::path::{Path, PathBuf};

use crate::check::rule::{Context, Rule};

pub struct ProjectOut;

impl Rule for ProjectOut {
    fn name(&self) -> &'static str {
        "project"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3007"]
    }

    fn check(&self, cx: &mut Context) {
        cx.typescript = cx.doc.project.typescript.unwrap_or(false);
        let Some(out) = &cx.doc.project.out else {
            return;
        };
        let s = out.value.as_str();
        if s.is_empty() || Path::new(s).is_absolute() || s.split(['/', '\\']).any(|c| c == "..") {
            cx.out.error(
                "VS3007",
                out.span,
                "`out` must be a relative folder inside the project",
                "not a project-relative folder",
                "write a folder name such as `out = \"build\"`",
            );
        } else {
            cx.project_out = PathBuf::from(s);
        }
    }
}
