//! The files of one crate target as a graph: each file is a module, found by following
//! `mod x;` from the target's root; a file uses another when it names a path into it
//! (`crate::a::b`, `super::c`, `self::d`). A module naming what it owns (its own
//! submodules) is not a use: a module circle is files that each reach the next through
//! paths outside their own subtrees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};

/// A module path from the crate root (`["import", "emit"]`).
pub type ModPath = Vec<String>;

/// The files of one target: module path → file, and each file's uses.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every module that is a file of its own.
    pub files: BTreeMap<ModPath, PathBuf>,
    /// Module → the modules (files) it uses.
    pub uses: BTreeMap<ModPath, BTreeSet<ModPath>>,
    /// Files that do not parse (with the reason).
    pub unreadable: Vec<String>,
}

/// The graph of the target whose root file is `root`.
pub fn graph(root: &Path) -> Graph {
    let mut g = Graph::default();
    let mut raw: BTreeMap<ModPath, Vec<ModPath>> = BTreeMap::new();
    let mut todo = vec![(Vec::new(), root.to_path_buf())];
    while let Some((module, file)) = todo.pop() {
        let parsed = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| syn::parse_file(&t).map_err(|e| e.to_string()));
        let ast = match parsed {
            Ok(ast) => ast,
            Err(e) => {
                g.unreadable.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let dir = child_dir(&file, module.is_empty());
        let mut paths = Vec::new();
        for item in ast.items.iter().filter(|i| !is_test(i)) {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                let name = m.ident.to_string();
                let mut child = module.clone();
                child.push(name.clone());
                if let Some(f) = module_file(&dir, &name) {
                    todo.push((child, f));
                }
                continue;
            }
            paths_of_item(item, &module, &mut paths);
        }
        raw.insert(module.clone(), paths);
        g.files.insert(module, file);
    }
    for (module, paths) in raw {
        let mut to = BTreeSet::new();
        for p in paths {
            let Some(target) = longest_module(&g.files, &p) else {
                continue;
            };
            // A module's own subtree (itself, its submodules) is not a use.
            if !target.starts_with(&module) {
                to.insert(target);
            }
        }
        g.uses.insert(module, to);
    }
    g
}

/// Where the files of `file`'s submodules are: beside a crate root or a `mod.rs`, else in
/// the folder named after the file.
fn child_dir(file: &Path, root: bool) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("."));
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if root || stem == "mod" {
        parent.to_path_buf()
    } else {
        parent.join(stem)
    }
}

fn module_file(dir: &Path, name: &str) -> Option<PathBuf> {
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn is_test(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Mod(m) => &m.attrs,
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Use(u) => &u.attrs,
        syn::Item::Impl(i) => &i.attrs,
        _ => return false,
    };
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().trim() == "test")
    })
}

/// The absolute module paths `item` names (in `module`); inline modules go one deeper.
fn paths_of_item(item: &syn::Item, module: &[String], out: &mut Vec<ModPath>) {
    match item {
        syn::Item::Use(u) => use_paths(&u.tree, &mut Vec::new(), module, out),
        syn::Item::Mod(m) => {
            let mut inner = module.to_vec();
            inner.push(m.ident.to_string());
            for i in m.content.iter().flat_map(|(_, items)| items) {
                if !is_test(i) {
                    paths_of_item(i, &inner, out);
                }
            }
        }
        other => {
            let tokens = quote::ToTokens::to_token_stream(other);
            token_paths(tokens, module, out);
        }
    }
}

fn use_paths(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    module: &[String],
    out: &mut Vec<ModPath>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, module, out);
            prefix.pop();
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, module, out);
            }
        }
        syn::UseTree::Name(n) => {
            let mut p = prefix.clone();
            p.push(n.ident.to_string());
            out.extend(absolute(&p, module));
        }
        syn::UseTree::Rename(r) => {
            let mut p = prefix.clone();
            p.push(r.ident.to_string());
            out.extend(absolute(&p, module));
        }
        syn::UseTree::Glob(_) => out.extend(absolute(prefix, module)),
    }
}

/// Paths `crate::…`, `super::…`, `self::…` in code, outside the templates of `quote!`
/// (the code a generator writes names the generated crate's modules, not its own).
fn token_paths(tokens: TokenStream, module: &[String], out: &mut Vec<ModPath>) {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tts.len() {
        match &tts[i] {
            TokenTree::Group(g) => {
                let template = i >= 2
                    && matches!(&tts[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
                    && matches!(&tts[i - 2], TokenTree::Ident(id) if id.to_string().starts_with("quote") || *id == "parse_quote");
                if !template {
                    token_paths(g.stream(), module, out);
                }
                i += 1;
            }
            TokenTree::Ident(id)
                if matches!(id.to_string().as_str(), "crate" | "super" | "self") =>
            {
                let mut segs = vec![id.to_string()];
                let mut j = i + 1;
                while matches!(tts.get(j), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                    && matches!(tts.get(j + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                {
                    match tts.get(j + 2) {
                        Some(TokenTree::Ident(s)) => segs.push(s.to_string()),
                        _ => break,
                    }
                    j += 3;
                }
                if segs.len() > 1 {
                    out.extend(absolute(&segs, module));
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
}

/// `path` as named in `module`, from the crate root; `None` for a path into another crate.
fn absolute(path: &[String], module: &[String]) -> Option<ModPath> {
    let mut at: Vec<String>;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            at = Vec::new();
            rest = &path[1..];
        }
        Some("self") => {
            at = module.to_vec();
            rest = &path[1..];
        }
        Some("super") => {
            at = module.to_vec();
            while let Some("super") = rest.first().map(String::as_str) {
                at.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    at.extend(rest.iter().cloned());
    Some(at)
}

/// The deepest module of `files` that `path` goes through.
fn longest_module(files: &BTreeMap<ModPath, PathBuf>, path: &[String]) -> Option<ModPath> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| files.contains_key(p))
}

/// Every circle of `g` (each strongly connected group of more than one file, once), as
/// the files in order, the first repeated at the end.
pub fn circles(g: &Graph) -> Vec<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<ModPath> = BTreeSet::new();
    for start in g.uses.keys() {
        if seen.contains(start) {
            continue;
        }
        if let Some(c) = circle_from(g, start) {
            seen.extend(c.iter().cloned());
            let mut files: Vec<PathBuf> = c.iter().map(|m| g.files[m].clone()).collect();
            files.push(g.files[&c[0]].clone());
            out.push(files);
        }
    }
    out
}

/// A circle through `start`, if there is one (breadth-first back to it, so the shortest).
fn circle_from(g: &Graph, start: &ModPath) -> Option<Vec<ModPath>> {
    let mut from: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(m) = queue.pop_front() {
        for next in g.uses.get(m).into_iter().flatten() {
            if next == start {
                let mut path = vec![m.clone()];
                let mut at = m;
                while at != start {
                    at = from[at];
                    path.push(at.clone());
                }
                path.reverse();
                return Some(path);
            }
            if !from.contains_key(next) && next != start {
                from.insert(next, m);
                queue.push_back(next);
            }
        }
    }
    None
}
